"""Komek as production runs it, started and checked from the outside; called by .ci/run.

KOMEK_ENV=production on PostgreSQL and Redis: migrate, collectstatic with hashed file names,
gunicorn, a Celery worker and beat. Demo content goes in first under development settings
(seed_demo refuses production), and the certificate it issues is rendered by the production
worker. Then the key pages in three languages, a lesson behind a login, the verify page and API
of that certificate, JWKS, the admin login, hashed static files, the HTTP→HTTPS redirect, the
security headers, /healthz/ and `manage.py health`. Everything started is stopped at the end.

Usage: .venv/bin/python .ci/production_smoke.py   (DATABASE_URL, CACHE_URL, CELERY_BROKER_URL
may point elsewhere; the defaults are CI's.)
"""

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from tests.processes import stop_group  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")
HOST = "komek.example.org"


def log(message):
    print(f"--> {message}", flush=True)


def signing_key():
    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    return key.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()).decode()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Site:
    """An HTTP client that talks to gunicorn as the TLS proxy in front of it would: the public
    host name, X-Forwarded-Proto, and the cookies the site set (Secure ones included)."""

    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.cookies = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path, *, data=None, https=True, headers=None):
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(data).encode() if data is not None else None,
            headers={
                "Host": HOST,
                "X-Forwarded-Proto": "https" if https else "http",
                **({"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
                   if self.cookies else {}),
                **(headers or {}),
            },
        )  # fmt: skip
        try:
            response = self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.headers, response.read().decode("utf-8", "replace")

    def get(self, path, **kwargs):
        return self.request(path, **kwargs)

    def csrf(self):
        return self.cookies["csrftoken"]


def expect(condition, what):
    if not condition:
        raise AssertionError(what)
    log(f"ok: {what}")


def main():
    work = Path(tempfile.mkdtemp(prefix="komek-production-"))
    database = os.environ.get(
        "SMOKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/komek_production_smoke"
    )
    env = {
        **os.environ,
        "DATABASE_URL": database,
        "CACHE_URL": os.environ.get("SMOKE_CACHE_URL", "redis://127.0.0.1:6379/13"),
        "CELERY_BROKER_URL": os.environ.get("SMOKE_BROKER_URL", "redis://127.0.0.1:6379/12"),
        "KOMEK_VAR_DIR": str(work / "var"),
        "MEDIA_ROOT": str(work / "media"),
        "STATIC_ROOT": str(work / "static"),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": f"https://{HOST}",
        "CREDENTIAL_SIGNING_KEY": signing_key(),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "BEAT_HEARTBEAT_SECONDS": "2",
    }
    env.pop("KOMEK_ENV", None)
    production = {**env, "KOMEK_ENV": "production"}

    def manage(*args, environment=production, capture=False):
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=environment,
            check=True,
            text=True,
            capture_output=capture,
        )
        return result.stdout if capture else None

    name = urllib.parse.urlsplit(database).path.lstrip("/")
    admin = urllib.parse.urlunsplit(urllib.parse.urlsplit(database)._replace(path="/postgres"))
    subprocess.run(
        ["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=True
    )
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    subprocess.run(
        ["redis-cli", "-u", production["CACHE_URL"], "flushdb"], check=True, capture_output=True
    )
    subprocess.run(
        ["redis-cli", "-u", production["CELERY_BROKER_URL"], "flushdb"],
        check=True,
        capture_output=True,
    )

    log("migrate and collectstatic under production settings")
    manage("migrate", "--noinput", "-v0")
    manage("collectstatic", "--noinput", "-v0")
    manifest = json.loads((work / "static" / "staticfiles.json").read_text())
    expect(manifest["paths"], "collectstatic wrote a manifest of hashed names")
    log("demo content (development settings: seed_demo refuses production)")
    manage("seed_demo", environment={**env, "KOMEK_ENV": "development"}, capture=True)

    port = free_port()
    processes = []
    logs = work / "logs"
    logs.mkdir()

    def start(name, *command):
        out = open(logs / f"{name}.log", "w")  # noqa: SIM115 - closed with the process
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=production,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append((name, process, out))
        return process

    try:
        log(f"gunicorn on 127.0.0.1:{port}, a Celery worker and beat")
        start(
            "gunicorn",
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "lms.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--access-logfile",
            "-",
        )
        start("worker", PYTHON, "-m", "celery", "--app", "lms", "worker", "--loglevel", "INFO")
        start(
            "beat",
            PYTHON,
            "-m",
            "celery",
            "--app",
            "lms",
            "beat",
            "--loglevel",
            "INFO",
            "--schedule",
            str(work / "beat-schedule"),
        )
        site = Site(port)
        wait(lambda: site.get("/healthz/")[0] == 200, "gunicorn answers /healthz/")
        check_site(site, manage)
        stop(processes)
        back_up_and_restore(work, manage, name, admin)
        start(
            "gunicorn-restored",
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "lms.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
        )
        wait(lambda: site.get("/healthz/")[0] == 200, "gunicorn answers after the restore")
        for code in json.loads((work / "before.json").read_text()):
            status, _, body = site.get(f"/api/v1/certificates/{code}")
            expect(
                status == 200 and json.loads(body)["status"] == "valid",
                f"{code} verifies after the restore",
            )
    finally:
        stop(processes)
    log("production path passed; everything it started is stopped")


def stop(processes):
    while processes:
        name, process, out = processes.pop()
        stop_group(process)
        out.close()
        if process.returncode not in (0, -signal.SIGTERM, 143):
            print(f"--- {name} exited with {process.returncode}:")
            print(Path(out.name).read_text()[-3000:])


SHAS = """
import hashlib, json
from certification.models import Certificate
shas = {}
for c in Certificate.objects.filter(status="issued").order_by("public_code"):
    with c.pdf.open("rb") as f:
        actual = hashlib.sha256(f.read()).hexdigest()
    shas[c.public_code] = [c.pdf_sha256, actual]
print(json.dumps(shas))
"""


def back_up_and_restore(work, manage, name, admin):
    """Back up, drop the database and the files, restore: every certificate's PDF is the same."""
    before = json.loads(manage("shell", "-v0", "-c", SHAS, capture=True))
    expect(before and all(a == b for a, b in before.values()), f"{len(before)} PDFs before")
    (work / "before.json").write_text(json.dumps(before))
    manage("backup", str(work / "backup"))
    subprocess.run(["psql", admin, "-qc", f"DROP DATABASE {name} WITH (FORCE)"], check=True)
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {name}"], check=True)
    shutil.rmtree(work / "media")
    log("database dropped and media deleted; restoring")
    manage("restore", str(work / "backup"), "--yes")
    after = json.loads(manage("shell", "-v0", "-c", SHAS, capture=True))
    expect(after == before, "every certificate's PDF has the same SHA-256 after the restore")


def wait(condition, what, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                log(f"ok: {what}")
                return
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.5)
    raise AssertionError(f"timed out: {what}")


def check_site(site, manage):
    for language in ("ru", "kk", "en"):
        status, headers, body = site.get(f"/{language}/")
        expect(status == 200 and f'lang="{language}"' in body, f"home page in {language}")
    status, headers, body = site.get("/ru/")
    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', body).group(1)
    expect(re.search(r"\.[0-9a-f]{12}\.css$", stylesheet), f"pages link hashed {stylesheet}")
    expect(site.get(stylesheet)[0] == 200, "whitenoise serves the hashed stylesheet")

    expect(headers.get("Strict-Transport-Security", "").startswith("max-age="), "HSTS header")
    policy = headers.get("Content-Security-Policy", "")
    scripts = re.search(r"script-src ([^;]+)", policy)
    expect(scripts and scripts.group(1).strip() == "'self'", "CSP: scripts from Komek only")
    expect(headers.get("X-Content-Type-Options") == "nosniff", "nosniff header")
    expect(headers.get("Referrer-Policy") == "same-origin", "Referrer-Policy header")
    expect(headers.get("X-Frame-Options") == "SAMEORIGIN", "X-Frame-Options header")
    expect(headers.get("Cross-Origin-Opener-Policy") == "same-origin", "COOP header")

    status, headers, _ = site.get("/ru/courses/", https=False)
    expect(
        status == 301 and headers["Location"] == f"https://{HOST}/ru/courses/",
        "plain HTTP is redirected to HTTPS",
    )
    expect(site.get("/ru/courses/")[0] == 200, "catalogue")
    expect(site.get("/ru/accounts/login/")[0] == 200, "login page")
    expect(site.get("/admin/login/")[0] == 200, "admin login page")
    status, _, body = site.get("/.well-known/jwks.json")
    expect(status == 200 and json.loads(body)["keys"][0]["kty"] == "OKP", "JWKS")

    site.get("/ru/accounts/login/")
    status, headers, _ = site.request(
        "/ru/accounts/login/",
        data={
            "username": "learner@komek.local",
            "password": "komek-learner",
            "csrfmiddlewaretoken": site.csrf(),
        },
        headers={"Referer": f"https://{HOST}/ru/accounts/login/"},
    )
    expect(status == 302, "the demo learner logs in")
    status, _, body = site.get("/kk/courses/blood-donation-basics/what-is-blood-donation/")
    expect(status == 200 and "<h1" in body, f"a lesson, for the learner enrolled in it ({status})")

    code = manage(
        "shell",
        "-v0",
        "-c",
        "from certification.models import Certificate; "
        "print(Certificate.objects.filter(holder__email='learner@komek.local')"
        ".values_list('public_code', flat=True).first())",
        capture=True,
    ).strip()
    rendered = (
        "from certification.models import Certificate; "
        f"c = Certificate.objects.get(public_code='{code}'); "
        "print(c.status, bool(c.pdf_sha256))"
    )
    wait(
        lambda: manage("shell", "-v0", "-c", rendered, capture=True).split() == ["issued", "True"],
        f"the worker rendered certificate {code}",
    )
    status, _, body = site.get(f"/api/v1/certificates/{code}")
    expect(status == 200 and json.loads(body)["status"] == "valid", "the API says it is valid")
    status, _, body = site.get(f"/verify/{code}/")
    expect(status == 200 and code in body, "its verify page")

    expect(site.get("/healthz/")[0] == 200, "/healthz/ reports database, cache and broker")
    wait(lambda: subprocess_ok(manage, "health"), "manage.py health: workers and beat are up")


def subprocess_ok(manage, *args):
    try:
        manage(*args, capture=True)
    except subprocess.CalledProcessError:
        return False
    return True


if __name__ == "__main__":
    try:
        main()
    except AssertionError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        sys.exit(1)
