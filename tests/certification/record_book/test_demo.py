"""The demo learner has one share link to their record book, however often the demo is loaded."""

import io

import pytest
from django.core.management import call_command

from certification.models import RecordBookShare

pytestmark = pytest.mark.django_db


def test_the_demo_learner_has_one_share_link_and_the_demo_prints_it():
    call_command("seed_demo", stdout=io.StringIO())
    output = io.StringIO()

    call_command("seed_demo", stdout=output)

    share = RecordBookShare.objects.get(volunteer__user__email="learner@komek.local")
    assert share.is_active
    assert f"/ru/record-book/{share.token}/" in output.getvalue()
