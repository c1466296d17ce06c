"""Verification page throughput, as a ratio to a minimal Django view under the same server.

Both are served by the same gunicorn (2 sync workers) on loopback and loaded the same way: with
`wrk` when installed (apt-get install wrk), otherwise a threaded Python client. Target ≥ 0.6,
with zero errors. Rate limiting is lifted for the run, since the load comes from one address.
"""

import json
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
CONNECTIONS = 8


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load_with_wrk(url):
    out = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{DURATION_S}s", url],
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
    return rps, n_errors


def load_with_python(url):
    counts = {"ok": 0, "errors": 0}
    lock = threading.Lock()
    deadline = time.monotonic() + DURATION_S

    def client():
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    response.read()
                    ok = response.status == 200
            except (urllib.error.URLError, OSError):
                ok = False
            with lock:
                counts["ok" if ok else "errors"] += 1

    threads = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return counts["ok"] / DURATION_S, counts["errors"]


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
        [sys.executable, "-m", "gunicorn", "lms.wsgi", "--workers", "2",
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
        load(f"{base}/healthz/")  # warm both workers
        load(verify_url)
        minimal_rps, minimal_errors = load(f"{base}/healthz/")
        verify_rps, verify_errors = load(verify_url)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)

    # Counts wait in the cache for beat; store them as beat would. Without Redis each gunicorn
    # worker keeps its last seconds of counts in memory, so fewer are reported than were made.
    verification.flush_verification_counts()
    n_verifications = Certificate.objects.get(pk=certificate.pk).n_verifications
    report(
        "verify_load",
        verify_rps / minimal_rps,
        client="wrk" if shutil.which("wrk") else "python threads",
        database=settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
        minimal_view_rps=f"{minimal_rps:.0f}",
        verify_page_rps=f"{verify_rps:.0f}",
        errors=minimal_errors + verify_errors,
        verifications_counted=n_verifications,
        details=json.dumps({"seconds": DURATION_S, "connections": CONNECTIONS}),
    )


if __name__ == "__main__":
    main()
