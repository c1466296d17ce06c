"""A member's own pages: applying to join, the ladder, and logging practical hours."""

import html
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from certification.models import PracticalActivity, Volunteer
from certification.volunteers import services as volunteers
from lms.accounts.models import User
from tests.accounts import emailed_path, page_text
from tests.factories import (
    DEFAULT_PASSWORD,
    UserFactory,
    branch,
    direction,
    make_coordinator,
    make_course,
    make_member,
    make_newcomer_course,
)

pytestmark = pytest.mark.django_db

JOIN = "/ru/volunteer/join/"
NAME_FIELDS = {"last_name", "first_name", "patronymic", "full_name_latin", "phone"}
LADDER = "/ru/volunteer/"
HOURS = "/ru/volunteer/hours/"


def application(**overrides):
    data = {
        "last_name": "Ахметова",
        "first_name": "Дана",
        "patronymic": "Серикқызы",
        "full_name_latin": "Dana Akhmetova",
        "phone": "+7 701 111 22 33",
        "city": "Шымкент",
        "branch": branch("shymkent").pk,
        "directions": [direction("first-aid").pk, direction("blood-donation").pk],
        "motivation": "Хочу помогать на массовых мероприятиях.",
        "consent": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def photo(fmt="PNG", size=(60, 80)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "#3a7").save(buffer, fmt)
    return SimpleUploadedFile(f"me.{fmt.lower()}", buffer.getvalue(), f"image/{fmt.lower()}")


def visitor(email="Dana@Example.kz"):
    return {
        "account-email": email,
        "account-password1": DEFAULT_PASSWORD,
        "account-password2": DEFAULT_PASSWORD,
    }


def test_a_visitor_applies_and_is_a_member_once_the_address_is_confirmed(client):
    course = make_course("Курс новичка", slug="newcomer")
    make_newcomer_course(course)
    coordinator = make_coordinator(branch_slug="shymkent")
    response = client.post(JOIN, {**application(), **visitor()})

    assert response.status_code == 200
    assert "Проверьте почту" in response.content.decode()
    user = User.objects.get(email="dana@example.kz")
    assert user.get_full_name() == "Ахметова Дана Серикқызы"
    member = user.volunteer
    assert (member.branch.slug, member.level.slug, member.city) == (
        "shymkent",
        "newcomer",
        "Шымкент",
    )
    assert member.consent_at is not None
    assert set(member.directions.values_list("slug", flat=True)) == {"first-aid", "blood-donation"}
    # Nobody has confirmed the address yet: no coordinator sees the application.
    client.force_login(coordinator)
    assert "Ахметова" not in client.get("/ru/coordination/volunteers/").content.decode()
    client.logout()

    confirmed = client.post(emailed_path(mail.outbox[0]), {"password": DEFAULT_PASSWORD})

    assert confirmed.status_code == 302
    assert confirmed["Location"] == LADDER
    assert "Новичок" in client.get(LADDER).content.decode()
    client.force_login(coordinator)
    assert "Ахметова" in client.get("/ru/coordination/volunteers/").content.decode()


def test_an_application_with_a_taken_address_looks_the_same_and_changes_nothing(client):
    owner = UserFactory(email="dana@example.kz", last_name="Омарова")
    fresh = client.post(JOIN, {**application(), **visitor("new@example.kz")})

    taken = client.post(JOIN, {**application(), **visitor("DANA@example.kz")})

    def page(response):
        return page_text(response, email="dana@example.kz", shown_as="new@example.kz")

    assert page(taken) == page(fresh)
    owner.refresh_from_db()
    assert owner.last_name == "Омарова"
    assert not Volunteer.objects.filter(user=owner).exists()
    notice = mail.outbox[1]
    assert notice.to == ["dana@example.kz"]
    assert "/accounts/login/?next=%2Fru%2Fvolunteer%2F" in notice.body


def test_a_logged_in_learner_applies_with_a_photo(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(JOIN, application(photo=photo("JPEG")))
    assert response.status_code == 302
    member = Volunteer.objects.get(user=user)
    assert member.photo.name.startswith("volunteers/photos/")
    user.refresh_from_db()
    assert user.phone == "+7 701 111 22 33"


def test_the_application_is_refused_whole_without_consent(client):
    response = client.post(
        JOIN,
        {
            **application(consent=None),
            "account-email": "nobody@example.kz",
            "account-password1": DEFAULT_PASSWORD,
            "account-password2": DEFAULT_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "Без вашего согласия" in response.content.decode()
    assert not User.objects.filter(email="nobody@example.kz").exists()
    assert not Volunteer.objects.exists()


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (SimpleUploadedFile("me.png", b"not an image", "image/png"), "изображение"),
        (photo("GIF"), "JPEG или PNG"),
    ],
)
def test_a_bad_photo_is_refused_and_nothing_is_saved(client, upload, message):
    user = UserFactory()
    client.force_login(user)
    response = client.post(JOIN, application(photo=upload))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Volunteer.objects.exists()


def test_directions_are_required(client):
    client.force_login(UserFactory())
    response = client.post(JOIN, application(directions=[]))
    assert "Выберите хотя бы одно направление" in response.content.decode()
    assert not Volunteer.objects.exists()


def test_a_member_applying_again_is_sent_to_their_path(client):
    member = make_member()
    client.force_login(member.user)
    response = client.get(JOIN)
    assert response.status_code == 302
    assert response["Location"] == LADDER


def test_the_ladder_shows_what_is_missing_for_the_next_level(client):
    member = make_member(level_slug="volunteer", since=timezone.now() - timedelta(days=40))
    activity = volunteers.log_activity(
        volunteer=member,
        date=timezone.localdate(),
        event="Марафон",
        direction=direction(),
        hours=Decimal("12.5"),
    )
    volunteers.review_activity(activity=activity, by=make_coordinator(), confirm=True)
    client.force_login(member.user)
    page = client.get(LADDER).content.decode()
    assert "Следующий уровень: Опытный волонтёр" in page
    assert "12,5 / 20 ч" in page
    assert "1 / 3 мес." in page
    assert "СЛР на манекене" in page


def test_the_ladder_links_the_newcomer_course(client):
    course = make_course("Курс новичка", slug="newcomer")
    make_newcomer_course(course)
    member = make_member()
    client.force_login(member.user)
    page = client.get(LADDER).content.decode()
    assert course.url in page


def test_the_ladder_invites_a_learner_who_is_not_a_member(client):
    client.force_login(UserFactory())
    page = client.get(LADDER).content.decode()
    assert JOIN in page


def test_the_ladder_needs_a_login(client):
    assert client.get(LADDER).status_code == 302
    assert client.get(HOURS).status_code == 302


def test_a_member_logs_hours_that_wait_for_confirmation(client):
    member = make_member()
    client.force_login(member.user)
    response = client.post(
        HOURS,
        {
            "date": timezone.localdate().isoformat(),
            "event": "День донора",
            "direction": direction("blood-donation").pk,
            "hours": "4.5",
            "note": "Регистрация доноров",
        },
    )
    assert response.status_code == 302
    activity = PracticalActivity.objects.get(volunteer=member)
    assert (activity.hours, activity.status) == (Decimal("4.5"), PracticalActivity.Status.PENDING)
    page = client.get(HOURS).content.decode()
    assert "День донора" in page
    assert "ожидает подтверждения" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("hours", "25", "меньше либо равно 24"),
        ("hours", "0", "больше либо равно 0"),
        ("hours", "1.3", "половинами"),
        ("date", "2999-01-01", "не может быть в будущем"),
    ],
)
def test_impossible_hours_are_refused(client, field, value, message):
    member = make_member()
    client.force_login(member.user)
    data = {
        "date": timezone.localdate().isoformat(),
        "event": "Акция",
        "direction": direction().pk,
        "hours": "2",
    }
    data[field] = value
    response = client.post(HOURS, data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not PracticalActivity.objects.exists()


def test_a_rejected_activity_shows_its_reason_to_the_member(client):
    member = make_member()
    activity = volunteers.log_activity(
        volunteer=member, date=timezone.localdate(), event="Акция", direction=direction(), hours=3
    )
    volunteers.review_activity(
        activity=activity, by=make_coordinator(), confirm=False, reason="Вас не было в списке"
    )
    client.force_login(member.user)
    assert "Вас не было в списке" in client.get(HOURS).content.decode()


def test_the_navigation_shows_coordination_to_coordinators_only(client):
    client.force_login(make_member().user)
    home = reverse("volunteer:ladder")
    assert "/ru/coordination/" not in client.get(home).content.decode()
    client.force_login(make_coordinator())
    assert "/ru/coordination/" in client.get(home).content.decode()


def test_a_huge_picture_in_a_small_file_is_refused(client):
    client.force_login(UserFactory())
    response = client.post(JOIN, application(photo=photo("PNG", size=(4100, 4100))))
    assert "не больше 4000 × 4000" in response.content.decode()
    assert not Volunteer.objects.exists()


def test_the_badge_photo_is_kept_small_and_without_camera_metadata(client):
    user = UserFactory()
    client.force_login(user)
    client.post(JOIN, application(photo=photo("PNG", size=(1600, 2000))))
    with Image.open(Volunteer.objects.get(user=user).photo) as kept:
        assert kept.format == "JPEG"
        assert max(kept.size) == 800
        assert not kept.getexif()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("full_name_latin", "Дана Ахметова", "Latin letters"),
        ("phone", "+7 ABC; DROP", "+7 701 123 45 67"),
    ],
)
def test_the_application_refuses_what_the_profile_refuses(client, field, value, message):
    """One validation for the join form and the profile: the user model's own validators."""
    visitor = {
        "account-email": "dana@example.kz",
        "account-password1": DEFAULT_PASSWORD,
        "account-password2": DEFAULT_PASSWORD,
    }
    with translation.override("en"):
        joined = client.post(
            "/en/volunteer/join/", {**application(**{field: value}), **visitor}
        ).content.decode()
    user = UserFactory()
    client.force_login(user)
    with translation.override("en"):
        profile = client.post(
            "/en/accounts/profile/",
            {**{k: v for k, v in application().items() if k in NAME_FIELDS}, field: value},
        ).content.decode()

    assert message in html.unescape(joined) and message in html.unescape(profile)
    assert not User.objects.filter(email="dana@example.kz").exists()
    assert not Volunteer.objects.exists()


def test_applications_from_one_address_are_limited(client, settings):
    settings.JOIN_RATE_LIMIT = "1/h"
    client.force_login(UserFactory())
    client.post(JOIN, application())
    other = UserFactory()
    client.force_login(other)
    response = client.post(JOIN, application())
    assert response.status_code == 200
    assert "Слишком много заявок" in response.content.decode()
    assert not Volunteer.objects.filter(user=other).exists()


def test_behind_a_proxy_applications_are_limited_by_the_address_the_proxy_adds(client, settings):
    settings.JOIN_RATE_LIMIT = "1/h"
    settings.RATELIMIT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    client.force_login(UserFactory())
    client.post(JOIN, application(), HTTP_X_FORWARDED_FOR="1.1.1.1, 10.0.0.7")
    other = UserFactory()
    client.force_login(other)

    response = client.post(JOIN, application(), HTTP_X_FORWARDED_FOR="2.2.2.2, 10.0.0.7")

    assert response.status_code == 200
    assert "Слишком много заявок" in response.content.decode()
    assert not Volunteer.objects.filter(user=other).exists()


def test_logging_the_same_hours_twice_is_refused(client):
    member = make_member()
    client.force_login(member.user)
    data = {
        "date": timezone.localdate().isoformat(),
        "event": "День донора",
        "direction": direction("blood-donation").pk,
        "hours": "4",
    }
    client.post(HOURS, data)
    response = client.post(HOURS, data)
    assert "уже записаны" in response.content.decode()
    assert PracticalActivity.objects.filter(volunteer=member).count() == 1
