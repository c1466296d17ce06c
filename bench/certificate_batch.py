"""1,000 certificates rendered by two real Celery worker processes on the configured broker.

Target: all issued within 90 s on the 2-core machine. Prints the elapsed time as a ratio to
those 90 s (≤ 1.0 meets the target). Workers are started and warmed up before timing.

Also prints the workers' memory (resident set size, summed over the two) once 100 certificates
are issued and once all are, and their ratio: worker memory stays flat when the ratio is within
1.2, i.e. what a worker keeps between certificates (the shared layers) is bounded.
"""

import os
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

from common import report, setup_django

N_CERTIFICATES = int(os.environ.get("BENCH_CERTIFICATES", "1000"))
TARGET_SECONDS = 90.0
N_EARLY = 100  # memory is compared after this many certificates and after all


def rss_mib(pids):
    """Resident memory of these processes and their children, in MiB (Linux /proc)."""
    total_kib = 0
    for pid in pids:
        for member in [pid, *children(pid)]:
            try:
                status = Path(f"/proc/{member}/status").read_text()
            except FileNotFoundError:
                continue
            total_kib += int(status.split("VmRSS:")[1].split()[0])
    return total_kib / 1024


def children(pid):
    try:
        listed = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except FileNotFoundError:
        return []
    return [int(child) for child in listed.split()]


def main():
    media = tempfile.mkdtemp(prefix="komek-bench-media-")
    os.environ["MEDIA_ROOT"] = media
    setup_django()
    from django.utils import timezone

    from certification.certificates.tasks import render_certificate
    from certification.models import Certificate, Direction, Level
    from lms.celery import app
    from tests.factories import UserFactory
    from tests.workers import TEST_QUEUE, wait_until, worker

    app.conf.task_default_queue = TEST_QUEUE
    holders = [
        UserFactory(email=f"bench{n}@example.kz", first_name="Әлия", last_name=f"Құрманова-{n}")
        for n in range(50)
    ]
    direction, level = Direction.objects.get(slug="first-aid"), Level.objects.get(slug="volunteer")
    Certificate.objects.bulk_create(
        Certificate(
            kind="course",
            source_key=f"bench:{n}",
            holder=holders[n % len(holders)],
            holder_name=holders[n % len(holders)].get_full_name(),
            title_ru="Первая помощь: базовый курс",
            title_kk="Алғашқы көмек: негізгі курс",
            languages="kk,ru",
            direction=direction,
            level=level,
            expires_at=timezone.now() + timezone.timedelta(days=730),
        )
        for n in range(N_CERTIFICATES)
    )
    ids = list(Certificate.objects.values_list("pk", flat=True))
    warmup = Certificate.objects.create(
        kind="course",
        source_key="bench:warmup",
        holder=holders[0],
        holder_name="Warm Up",
        title_ru="—",
    )

    with ExitStack() as stack:
        pids = [
            stack.enter_context(worker(TEST_QUEUE, pool="solo", loglevel="WARNING")).pid
            for _ in range(2)
        ]
        render_certificate.apply_async(args=[warmup.pk])
        render_certificate.apply_async(args=[warmup.pk])
        wait_until(
            lambda: Certificate.objects.get(pk=warmup.pk).status == "issued",
            timeout=120,
            what="warm-up",
        )

        start = time.perf_counter()
        for certificate_id in ids:
            render_certificate.apply_async(args=[certificate_id])
        n_early = min(N_EARLY, len(ids))
        wait_until(
            lambda: Certificate.objects.filter(pk__in=ids, status="issued").count() >= n_early,
            timeout=600,
            interval=0.1,
            what=f"{n_early} certificates issued",
        )
        early_rss = rss_mib(pids)
        wait_until(
            lambda: Certificate.objects.filter(pk__in=ids, status="issued").count() == len(ids),
            timeout=600,
            interval=1,
            what="all certificates issued",
        )
        elapsed = time.perf_counter() - start
        final_rss = rss_mib(pids)

    n_files = sum(len(files) for _root, _dirs, files in os.walk(media))
    print(f"  certificates: {len(ids)} (+1 warm-up), PDF files: {n_files}", file=sys.stderr)
    report(
        "certificate_batch",
        elapsed / TARGET_SECONDS,
        certificates=len(ids),
        workers=2,
        broker=app.conf.broker_url.split("://")[0],
        elapsed_s=f"{elapsed:.1f}",
        per_certificate_ms=f"{1000 * elapsed / len(ids):.1f}",
        target_s=TARGET_SECONDS,
        workers_rss_mib_after_100=f"{early_rss:.0f}",
        workers_rss_mib_after_all=f"{final_rss:.0f}",
        workers_rss_all_to_100=f"{final_rss / early_rss:.2f}",
    )


if __name__ == "__main__":
    main()
