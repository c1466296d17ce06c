"""/healthz/ and `manage.py health` say which service is down, by stopping (or never reaching)
each one: the database, the cache, the broker, the workers and beat."""

import io
import os
import signal
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from lms.celery import app
from tests.workers import ROOT, database_url, wait_until, worker

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"


@pytest.mark.django_db
def test_healthz_answers_ok_when_database_cache_and_broker_answer(client):
    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_names_the_cache_when_it_is_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": UNREACHABLE_REDIS,
        }
    }

    response = client.get("/healthz/")

    assert response.status_code == 503
    assert response.json() == {"status": "down", "database": "ok", "cache": "down", "broker": "ok"}


@pytest.mark.django_db
def test_healthz_names_the_broker_when_it_is_down(client, monkeypatch):
    monkeypatch.setitem(app.conf, "broker_write_url", UNREACHABLE_REDIS)

    response = client.get("/healthz/")

    assert response.status_code == 503
    assert response.json()["broker"] == "down"
    assert response.json()["database"] == "ok"


def test_health_command_fails_when_the_database_is_down():
    result = subprocess.run(
        [sys.executable, "manage.py", "health"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:1/komek"},
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 1
    assert "database  DOWN" in result.stdout
    assert "Down: database" in result.stderr


@pytest.fixture
def own_broker(monkeypatch, tmp_path):
    """A filesystem broker of this test's own, so no other worker on the machine answers its
    pings; on Redis (CI) only this test's worker is running at the time."""
    if not settings.CELERY_BROKER_URL.startswith("filesystem://"):
        yield
        return
    folders = {name: tmp_path / name for name in ("queue", "processed", "control")}
    for folder in folders.values():
        folder.mkdir()
    monkeypatch.setenv("CELERY_BROKER_DIR", str(tmp_path))
    monkeypatch.setitem(
        app.conf,
        "broker_transport_options",
        {
            "data_folder_in": str(folders["queue"]),
            "data_folder_out": str(folders["queue"]),
            "processed_folder": str(folders["processed"]),
            "control_folder": str(folders["control"]),
            "store_processed": False,
        },
    )
    app._pool = None
    yield
    app._pool = None


def health():
    out = io.StringIO()
    try:
        call_command("health", stdout=out)
    except CommandError:
        return False, out.getvalue()
    return True, out.getvalue()


@pytest.fixture
def beat(monkeypatch, own_broker):
    """A real beat process with a one-second heartbeat on the test database."""
    monkeypatch.setattr(settings, "BEAT_HEARTBEAT_SECONDS", 1.0)
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryFile(mode="w+") as log:
        env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "BEAT_HEARTBEAT_SECONDS": "1",
            "CELERY_TASK_DEFAULT_QUEUE": f"test-beat-{uuid.uuid4().hex}",
        }
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "--app", "lms", "beat", "--loglevel", "INFO",
                "--schedule", str(Path(folder) / "schedule"),
            ],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        try:
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
            log.seek(0)
            print(log.read()[-4000:])


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_health_command_says_when_workers_or_beat_stop(beat):
    name = f"health-{uuid.uuid4().hex[:8]}"
    with worker(f"test-{name}", app="lms", hostname=f"{name}@%h"):
        wait_until(lambda: health()[0], timeout=60, what="everything up")
        is_up, report = health()
        assert name in report
        assert "beat      up" in report

    is_up, report = health()
    assert not is_up
    assert "workers   DOWN" in report and name not in report
    assert "beat      up" in report

    os.killpg(beat.pid, signal.SIGTERM)
    beat.wait(timeout=30)
    wait_until(lambda: "beat      DOWN" in health()[1], timeout=30, what="beat reported down")
