"""Verification page throughput, as a ratio to a minimal Django view under the same server.

Both are served by the same gunicorn (2 sync workers) on loopback and loaded the same way: with
`wrk` when installed (apt-get install wrk), otherwise a threaded Python client. The minimal view
is bench/exam_day_wsgi.py's (a view that does nothing, behind all the middleware); `/healthz/`
asks the database, the cache and the broker, so it is printed for comparison only. Target ≥ 0.9,
with zero errors; p50/p99 latencies are printed for both. Rate limiting is lifted for the run,
since the load comes from one address.
"""

import json
import math
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from common import ROOT, report, setup_django

DURATION_S = int(os.environ.get("BENCH_SECONDS", "10"))
# The machine is shared: the two views take turns in rounds, so a neighbour's burst of work
# weighs on both alike rather than on whichever happened to run at that moment.
N_ROUNDS = 3
CONNECTIONS = 8
MINIMAL_PATH = "/exam-day/minimal/"  # served by bench/exam_day_wsgi.py


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Load:
    """Requests a second, errors and latency percentiles (ms) of one load run."""

    def __init__(self, rps, n_errors, p50_ms, p99_ms):
        self.rps, self.n_errors, self.p50_ms, self.p99_ms = rps, n_errors, p50_ms, p99_ms

    @classmethod
    def of_rounds(cls, rounds):
        """The rounds together: mean throughput, summed errors, the median round's p50 and the
        worst round's p99."""
        return cls(
            sum(r.rps for r in rounds) / len(rounds),
            sum(r.n_errors for r in rounds),
            sorted(r.p50_ms for r in rounds)[len(rounds) // 2],
            max(r.p99_ms for r in rounds),
        )


def percentile_ms(samples, share):
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] * 1000


def wrk_ms(out, label):
    match = re.search(rf"^\s*{label}%\s+([\d.]+)(us|ms|s)\b", out, re.MULTILINE)
    if match is None:
        return float("nan")
    return float(match.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[match.group(2)]


def load_with_wrk(url, seconds):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    n_errors = int(errors.group(1)) if errors else 0
    if socket_errors:
        n_errors += sum(int(n) for n in socket_errors.groups())
    return Load(rps, n_errors, wrk_ms(out, "50"), wrk_ms(out, "99"))


def load_with_python(url, seconds):
    counts = {"ok": 0, "errors": 0}
    latencies = []
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def client():
        while time.monotonic() < deadline:
            began = time.perf_counter()
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    response.read()
                    ok = response.status == 200
            except (urllib.error.URLError, OSError):
                ok = False
            with lock:
                counts["ok" if ok else "errors"] += 1
                latencies.append(time.perf_counter() - began)

    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Load(
        counts["ok"] / seconds,
        counts["errors"],
        percentile_ms(latencies, 0.5),
        percentile_ms(latencies, 0.99),
    )


def main():
    media = tempfile.mkdtemp(prefix="komek-bench-media-")
    os.environ["MEDIA_ROOT"] = media
    setup_django()
    from django.conf import settings

    from certification.certificates import issuing, pipeline, verification
    from certification.models import Certificate
    from tests.certification.conftest import complete_course
    from tests.factories import UserFactory, home_page
    from tests.workers import database_url

    home_page()
    holder = UserFactory(email="employer-check@example.kz")
    with_rendering = issuing.enqueue_rendering
    issuing.enqueue_rendering = lambda certificate_id: None
    complete_course(holder, certificate_validity_months=24)
    issuing.enqueue_rendering = with_rendering
    certificate = pipeline.render(certificate_id=Certificate.objects.get(holder=holder).pk)

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": media,
        "DEBUG": "0",
        "VERIFY_RATE_LIMIT": "100000000/m",
        "LOG_LEVEL": "WARNING",
        # Persistent connections, as in production: otherwise the minimal view, which asks the
        # database for SELECT 1, measures mostly how fast PostgreSQL accepts a connection.
        "DATABASE_CONN_MAX_AGE": os.environ.get("DATABASE_CONN_MAX_AGE", "60"),
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "bench.exam_day_wsgi", "--workers", "2",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        verify_url = f"{base}/verify/{certificate.public_code}/"
        page = urllib.request.urlopen(verify_url).read().decode()
        assert "Сейітова" in page, "the verify page did not render the certificate"
        load = load_with_wrk if shutil.which("wrk") else load_with_python
        minimal_url = f"{base}{MINIMAL_PATH}"
        round_s = max(1, DURATION_S // N_ROUNDS)
        load(minimal_url, 2)  # warm both workers
        load(verify_url, 2)
        minimal_rounds, verify_rounds = [], []
        for _ in range(N_ROUNDS):
            minimal_rounds.append(load(minimal_url, round_s))
            verify_rounds.append(load(verify_url, round_s))
        minimal, verify = Load.of_rounds(minimal_rounds), Load.of_rounds(verify_rounds)
        health = load(f"{base}/healthz/", round_s)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)

    # Counts wait in the cache for beat; store them as beat would. Without Redis each gunicorn
    # worker keeps its last seconds of counts in memory, so fewer are reported than were made.
    verification.flush_verification_counts()
    n_verifications = Certificate.objects.get(pk=certificate.pk).n_verifications
    report(
        "verify_load",
        verify.rps / minimal.rps,
        client="wrk" if shutil.which("wrk") else "python threads",
        database=settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        cache=settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
        minimal_view_rps=f"{minimal.rps:.0f}",
        minimal_view_p50_ms=f"{minimal.p50_ms:.1f}",
        minimal_view_p99_ms=f"{minimal.p99_ms:.1f}",
        verify_page_rps=f"{verify.rps:.0f}",
        verify_page_p50_ms=f"{verify.p50_ms:.1f}",
        verify_page_p99_ms=f"{verify.p99_ms:.1f}",
        healthz_rps=f"{health.rps:.0f}",
        errors=minimal.n_errors + verify.n_errors,
        verifications_counted=n_verifications,
        details=json.dumps({"seconds": DURATION_S, "rounds": N_ROUNDS, "connections": CONNECTIONS}),
    )


if __name__ == "__main__":
    main()
