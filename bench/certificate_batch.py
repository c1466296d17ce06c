"""1,000 certificates rendered by two real Celery worker processes on the configured broker.

Target: all issued within 90 s on the 2-core machine. Prints the elapsed time as a ratio to
those 90 s (≤ 1.0 meets the target). Workers are started and warmed up before timing.
"""

import os
import sys
import tempfile
import time
from contextlib import ExitStack

from common import report, setup_django

N_CERTIFICATES = int(os.environ.get("BENCH_CERTIFICATES", "1000"))
TARGET_SECONDS = 90.0


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
        for _ in range(2):
            stack.enter_context(worker(TEST_QUEUE, pool="solo", loglevel="WARNING"))
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
        wait_until(
            lambda: Certificate.objects.filter(pk__in=ids, status="issued").count() == len(ids),
            timeout=600,
            interval=1,
            what="all certificates issued",
        )
        elapsed = time.perf_counter() - start

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
    )


if __name__ == "__main__":
    main()
