import pytest

from tests.factories import make_coordinator, make_event, make_member


@pytest.fixture
def coordinator(db):
    return make_coordinator(branch_slug="almaty", email="coordinator.almaty@example.kz")


@pytest.fixture
def event(coordinator):
    return make_event(by=coordinator, capacity=2)


@pytest.fixture
def member(db):
    return make_member(level_slug="volunteer", email="member@example.kz")


@pytest.fixture(autouse=True)
def in_english():
    """Messages are checked in English; the catalogue's Russian and Kazakh are checked apart."""
    from django.utils import translation

    with translation.override("en"):
        yield
