import io

import pytest
from django.core.management import call_command
from django.utils import translation

from lms.celery import app as celery_app
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.workers import TEST_QUEUE

celery_app.conf.task_default_queue = TEST_QUEUE


@pytest.fixture
def demo_site(db):
    """The home page in three languages, groups and demo users, as `make run` creates them."""
    call_command("seed_demo", stdout=io.StringIO())


@pytest.fixture
def password():
    return DEFAULT_PASSWORD


@pytest.fixture
def volunteer(db):
    return UserFactory()


@pytest.fixture
def renders(monkeypatch):
    """The ids of the certificates sent to a worker for rendering, from any thread; no broker."""
    from certification.certificates.tasks import render_certificate

    sent = []
    monkeypatch.setattr(render_certificate, "apply_async", lambda args: sent.append(*args))
    return sent


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Uploads and generated files go to a temporary folder, never into the checkout's media/."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def no_language_left_active():
    """A request through LocaleMiddleware leaves its language active in the thread: each test
    starts in the default language, whatever the one before it asked for."""
    yield
    translation.deactivate()
