import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import RequestFactory
from wagtail.models import Page, Site

from lms.models import HomePage


@pytest.mark.django_db
def test_demo_content_can_be_loaded_twice_without_changes():
    call_command("seed_demo", stdout=io.StringIO())
    counts = (Page.objects.count(), get_user_model().objects.count())
    admin = get_user_model().objects.get(email="admin@komek.local")
    admin.set_password("changed-by-the-admin")
    admin.save()

    output = io.StringIO()
    call_command("seed_demo", stdout=output)

    assert (Page.objects.count(), get_user_model().objects.count()) == counts
    admin.refresh_from_db()
    assert admin.check_password("changed-by-the-admin")
    assert "already existed" in output.getvalue()


@pytest.mark.django_db
def test_demo_home_page_is_the_site_root_with_kazakh_and_english_translations():
    call_command("seed_demo", stdout=io.StringIO())

    home = Site.objects.get(is_default_site=True).root_page.specific
    assert isinstance(home, HomePage)
    translations = {page.locale.language_code: page.title for page in home.get_translations()}
    assert translations == {
        "kk": "Komek — медициналық волонтерлерді оқыту",
        "en": "Komek — training for medical volunteers",
    }


@pytest.mark.django_db
def test_demo_logins_work(client):
    output = io.StringIO()
    call_command("seed_demo", stdout=output)

    assert "admin@komek.local" in output.getvalue()
    assert client.login(
        request=RequestFactory().post("/"),
        username="instructor@komek.local",
        password="komek-instructor",
    )
    assert client.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_demo_instructor_can_edit_courses_in_every_language_and_upload_media(client):
    call_command("seed_demo", stdout=io.StringIO())
    client.force_login(get_user_model().objects.get(email="instructor@komek.local"))

    html = client.get("/admin/quiz-results/").content.decode()

    assert "Итоговый тест: первая помощь" in html
    assert "Донорлық: қорытынды тест" in html
    assert client.get("/admin/images/").status_code == 200
    assert client.get("/admin/media/").status_code == 200


@pytest.mark.django_db
def test_the_demo_learner_has_completed_the_kazakh_course_and_earned_one_certificate():
    from certification.models import Certificate

    call_command("seed_demo", stdout=io.StringIO())
    output = io.StringIO()
    call_command("seed_demo", stdout=output)

    certificate = Certificate.objects.get(holder__email="learner@komek.local")
    assert certificate.title_kk == "Донорлық негіздері"
    assert certificate.printed_languages == ["kk", "ru"]
    assert certificate.verify_url in output.getvalue()
