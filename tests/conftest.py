import io

import pytest
from django.core.management import call_command

from tests.factories import DEFAULT_PASSWORD, UserFactory


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
