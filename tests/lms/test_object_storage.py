"""Several hosts: with AWS_STORAGE_BUCKET_NAME set, uploads and certificate PDFs live on
S3-compatible object storage, and two web processes that share nothing on disk serve the same
certificate a worker rendered on a third. The S3 API server is moto's, on loopback."""

import hashlib
import os
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client, override_settings

from certification.models import Certificate
from tests.certification.conftest import complete_course
from tests.factories import UserFactory
from tests.object_storage import BUCKET, KEYS, REGION, free_port, s3_server
from tests.workers import ROOT, TEST_QUEUE, database_url, wait_until, worker

pytest.importorskip("boto3")
pytest.importorskip("moto.server")

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.worker]


@pytest.fixture
def object_storage(monkeypatch):
    with s3_server() as (endpoint, s3):
        for name, value in {
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": endpoint,
            "AWS_S3_REGION_NAME": REGION,
            "AWS_ACCESS_KEY_ID": KEYS["aws_access_key_id"],
            "AWS_SECRET_ACCESS_KEY": KEYS["aws_secret_access_key"],
        }.items():
            monkeypatch.setenv(name, value)
        yield s3


def web_process(media_root, var_dir):
    """A web server process with its own, empty media and var folders."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(media_root),
        "KOMEK_VAR_DIR": str(var_dir),
        # Hosts share the keys, not files: sessions and credentials verify on each.
        "SECRET_KEY": settings.SECRET_KEY,
        "CREDENTIAL_SIGNING_KEY": settings.CREDENTIAL_SIGNING_KEY,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "lms.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", "1"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    wait_until(lambda: answers(f"{base}/healthz/"), timeout=60, what="a web process")
    return process, base


def answers(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def fetch(url, session=None):
    request = urllib.request.Request(url)
    if session:
        request.add_header("Cookie", f"{settings.SESSION_COOKIE_NAME}={session}")
    try:
        with urllib.request.build_opener(NoRedirect).open(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def files_under(folder):
    return [path for path in Path(folder).rglob("*") if path.is_file()]


def test_two_web_hosts_serve_the_pdf_a_worker_host_put_on_object_storage(
    object_storage, monkeypatch
):
    holder = UserFactory(email="dana@example.kz")
    complete_course(holder, title="Первая помощь", certificate_validity_months=24)
    certificate = Certificate.objects.get(holder=holder)
    session = Client()
    session.force_login(holder)
    cookie = session.cookies[settings.SESSION_COOKIE_NAME].value

    with tempfile.TemporaryDirectory() as disk:
        hosts = {name: Path(disk) / name for name in ("worker", "web-a", "web-b")}
        for folder in hosts.values():
            (folder / "media").mkdir(parents=True)
            (folder / "var").mkdir()
        with monkeypatch.context() as patch:
            patch.setenv("KOMEK_VAR_DIR", str(hosts["worker"] / "var"))
            patch.setenv("CELERY_BROKER_DIR", str(settings.CELERY_BROKER_DIR))  # the same queue
            with override_settings(MEDIA_ROOT=hosts["worker"] / "media"), worker(TEST_QUEUE):
                wait_until(
                    lambda: Certificate.objects.get(pk=certificate.pk).status == "issued",
                    what="the worker host rendering the PDF",
                )
        certificate.refresh_from_db()
        assert certificate.pdf.name.endswith(".pdf")
        stored = object_storage.list_objects_v2(Bucket=BUCKET, Prefix="private/")["Contents"]
        assert [item["Key"] for item in stored] == [f"private/{certificate.pdf.name}"]
        grants = object_storage.get_object_acl(Bucket=BUCKET, Key=stored[0]["Key"])["Grants"]
        assert all("URI" not in grant["Grantee"] for grant in grants)  # no AllUsers grant

        processes = []
        try:
            for name in ("web-a", "web-b"):
                processes.append(web_process(hosts[name] / "media", hosts[name] / "var"))
            url = f"/certificates/{certificate.public_code}/pdf/"
            for _process, base in processes:
                status, body = fetch(base + url, session=cookie)
                assert status == 200
                assert hashlib.sha256(body).hexdigest() == certificate.pdf_sha256
                assert fetch(base + url)[0] == 302  # to the login page: not for strangers
        finally:
            for process, _base in processes:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)
        for name in ("web-a", "web-b", "worker"):
            assert not files_under(hosts[name] / "media"), name
