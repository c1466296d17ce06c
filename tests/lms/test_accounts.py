import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from tests.accounts import emailed_path, page_text
from tests.factories import UserFactory

User = get_user_model()

SIGNUP = {
    "email": "Dana.Omarova@Example.kz",
    "last_name": "Омарова",
    "first_name": "Дана",
    "patronymic": "Әлібекқызы",
    "full_name_latin": "Dana Omarova",
    "phone": "+7 701 123 45 67",
    "preferred_language": "kk",
    "password1": "Medic-volunteer-2026",
    "password2": "Medic-volunteer-2026",
}


@pytest.mark.django_db
def test_signup_creates_an_account_that_works_once_its_address_is_confirmed(client):
    response = client.post("/ru/accounts/signup/", SIGNUP)

    assert response.status_code == 200
    assert "Проверьте почту" in response.content.decode()
    user = User.objects.get()
    assert user.email == "dana.omarova@example.kz"
    assert user.get_full_name() == "Омарова Дана Әлібекқызы"
    assert not client.login(
        request=RequestFactory().post("/"), username=user.email, password=SIGNUP["password1"]
    )
    (message,) = mail.outbox
    assert message.to == ["dana.omarova@example.kz"]
    link = emailed_path(message)
    assert link.startswith("/kk/accounts/confirm/")  # in the language the volunteer chose

    # A mail scanner opening the link spends nothing: the page asks for a press of a button.
    assert client.get(link).status_code == 200
    assert client.get(link).status_code == 200
    wrong = client.post(link, {"password": "not-the-password"})
    assert wrong.status_code == 200
    assert not User.objects.get().is_active
    confirmed = client.post(link, {"password": SIGNUP["password1"]})

    assert confirmed.status_code == 302
    assert confirmed["Location"] == "/kk/"
    assert confirmed.cookies["komek_language"].value == "kk"
    assert client.get("/kk/accounts/profile/").status_code == 200
    client.logout()
    assert client.login(
        request=RequestFactory().post("/"),
        username="DANA.OMAROVA@example.kz",
        password=SIGNUP["password1"],
    )
    # Spent: the link does not log anyone in a second time.
    client.logout()
    assert client.post(link, {"password": SIGNUP["password1"]}).status_code == 400
    assert client.get("/kk/accounts/profile/").status_code == 302


@pytest.mark.django_db
def test_signup_with_a_taken_address_looks_the_same_and_tells_the_owner(client):
    owner = UserFactory(email="dana.omarova@example.kz", preferred_language="en")
    password = owner.password

    fresh = client.post("/en/accounts/signup/", {**SIGNUP, "email": "new@example.kz"})
    taken = client.post("/en/accounts/signup/", SIGNUP)

    def page(response):
        return page_text(response, email="new@example.kz", shown_as=SIGNUP["email"].lower())

    assert taken.status_code == fresh.status_code == 200
    assert page(taken) == page(fresh)
    assert User.objects.filter(email__iexact=SIGNUP["email"]).count() == 1
    owner.refresh_from_db()
    assert owner.password == password and owner.last_name != SIGNUP["last_name"]
    notice = mail.outbox[1]
    assert notice.to == [owner.email]
    assert "already has an account" in notice.body
    assert "/en/accounts/login/" in notice.body and "/en/accounts/password/reset/" in notice.body
    assert "/accounts/confirm/" not in notice.body


@pytest.mark.django_db
def test_whoever_signed_up_first_with_an_address_cannot_set_the_owners_password(client):
    """Pre-registration: a stranger signs up with Dana's address and a password of theirs;
    Dana then signs up herself. Her sign-up wins, the stranger's link and password do not."""
    stranger = "Strangers-pass-2026"
    client.post(
        "/en/accounts/signup/",
        {**SIGNUP, "last_name": "Stranger", "password1": stranger, "password2": stranger},
    )
    client.post("/en/accounts/signup/", SIGNUP)

    strangers_link, danas_link = (emailed_path(m) for m in mail.outbox)
    assert client.post(strangers_link, {"password": stranger}).status_code == 400
    assert client.post(danas_link, {"password": stranger}).status_code == 200  # refused
    assert client.post(danas_link, {"password": SIGNUP["password1"]}).status_code == 302
    user = User.objects.get()
    assert user.is_active and user.last_name == SIGNUP["last_name"]
    client.logout()
    assert not client.login(
        request=RequestFactory().post("/"), username=SIGNUP["email"], password=stranger
    )


@pytest.mark.django_db
@pytest.mark.parametrize("tamper", ["token", "user"])
def test_a_forged_confirmation_link_confirms_nothing(client, tamper):
    client.post("/en/accounts/signup/", {**SIGNUP, "preferred_language": "en"})
    other = UserFactory(is_active=False, last_login=None)
    link = emailed_path(mail.outbox[0])
    prefix, uid, token, _ = link.rsplit("/", 3)
    if tamper == "token":
        token = token[:-2] + ("aa" if not token.endswith("aa") else "bb")
    else:
        uid = urlsafe_base64_encode(force_bytes(other.pk))
    forged = f"{prefix}/{uid}/{token}/"

    response = client.post(forged, {"password": SIGNUP["password1"]})

    assert response.status_code == 400
    assert "expired or has already been used" in response.content.decode()
    assert not User.objects.filter(is_active=True).exists()


@pytest.mark.django_db
def test_signup_error_messages_are_translated_to_russian(client):
    response = client.post("/ru/accounts/signup/", {**SIGNUP, "phone": "call me maybe"})

    assert response.status_code == 200
    assert "Введите номер телефона" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_latin_name_with_cyrillic_letters_is_refused(client):
    response = client.post("/en/accounts/signup/", {**SIGNUP, "full_name_latin": "Дана Omarova"})

    assert "Use Latin letters only" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.django_db
def test_login_redirects_to_the_users_preferred_language(client, password):
    UserFactory(email="asel@example.kz", preferred_language="en")

    response = client.post(
        "/ru/accounts/login/", {"username": "asel@example.kz", "password": password}
    )

    assert response.status_code == 302
    assert response["Location"] == "/en/"


@pytest.mark.django_db
def test_login_from_a_russian_page_continues_there_in_the_users_language(client, password):
    from tests.factories import make_course

    UserFactory(email="asel@example.kz", preferred_language="kk")
    course = make_course("Только по-русски", slug="russian-only")

    def log_in(next_url):
        return client.post(
            "/ru/accounts/login/",
            {"username": "asel@example.kz", "password": password, "next": next_url},
        )

    # A page of the app moves under the user's prefix; a course in Russian only keeps its
    # address (its interface follows the language cookie), never a 404 or the home page.
    assert log_in("/ru/volunteer/hours/")["Location"] == "/kk/volunteer/hours/"
    client.logout()
    response = log_in(course.url)
    assert response["Location"] == course.url
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
def test_wrong_password_is_refused(client):
    UserFactory(email="asel@example.kz")

    response = client.post("/en/accounts/login/", {"username": "asel@example.kz", "password": "x"})

    assert response.status_code == 200
    assert "Please enter a correct email address and password" in response.content.decode()


@pytest.mark.django_db
def test_profile_requires_login(client):
    response = client.get("/ru/accounts/profile/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_profile_edit_keeps_data_when_the_form_is_invalid(client, volunteer):
    client.force_login(volunteer)

    response = client.post(
        "/en/accounts/profile/",
        {"first_name": "", "last_name": "Жаңа", "preferred_language": "ru"},
    )

    assert response.status_code == 200
    volunteer.refresh_from_db()
    assert volunteer.first_name == "Айгерім"
    assert volunteer.last_name == "Сейітова"


@pytest.mark.django_db
def test_switching_language_is_remembered_on_the_account(client, volunteer):
    client.force_login(volunteer)

    response = client.post("/i18n/setlang/", {"language": "kk", "next": "/ru/accounts/profile/"})

    assert response.status_code == 302
    assert response["Location"] == "/kk/accounts/profile/"
    volunteer.refresh_from_db()
    assert volunteer.preferred_language == "kk"


@pytest.mark.django_db
def test_switching_to_an_unknown_language_changes_nothing(client, volunteer):
    client.force_login(volunteer)

    client.post("/i18n/setlang/", {"language": "xx", "next": "/ru/"})

    volunteer.refresh_from_db()
    assert volunteer.preferred_language == "ru"


@pytest.mark.django_db
def test_staff_create_a_user_with_patronymic_in_the_wagtail_admin(client):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)

    response = client.post(
        "/admin/users/new/",
        {
            "email": "nurlan@example.kz",
            "first_name": "Нұрлан",
            "last_name": "Әбдіров",
            "patronymic": "Серікұлы",
            "full_name_latin": "Nurlan Abdirov",
            "phone": "+77011234567",
            "preferred_language": "kk",
            "password1": "Another-strong-pass-1",
            "password2": "Another-strong-pass-1",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="nurlan@example.kz")
    assert user.get_full_name() == "Әбдіров Нұрлан Серікұлы"
    assert user.preferred_language == "kk"


# Throttling --------------------------------------------------------------------------------------


def wrong_logins(client, url, n, *, username="asel@example.kz", address="10.0.0.1"):
    return [
        client.post(url, {"username": username, "password": "wrong"}, REMOTE_ADDR=address)
        for _ in range(n)
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/ru/accounts/login/", "/admin/login/"])
def test_guessing_a_password_locks_the_account_with_a_translated_message(
    client, password, settings, url
):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="asel@example.kz", is_staff=True, is_superuser=True)

    refused = wrong_logins(client, url, 3)
    right_password_from_elsewhere = client.post(
        url, {"username": "asel@example.kz", "password": password}, REMOTE_ADDR="10.9.9.9"
    )

    assert [r.status_code for r in refused[:2]] == [200, 200]
    assert refused[2].status_code == 429
    assert right_password_from_elsewhere.status_code == 429
    assert "Слишком много" in right_password_from_elsewhere.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_one_address_trying_many_accounts_is_locked_out(client, password, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="asel@example.kz")

    for n in range(3):
        wrong_logins(client, "/en/accounts/login/", 1, username=f"user{n}@example.kz")
    blocked = client.post(
        "/en/accounts/login/",
        {"username": "asel@example.kz", "password": password},
        REMOTE_ADDR="10.0.0.1",
    )
    other_address = client.post(
        "/en/accounts/login/",
        {"username": "asel@example.kz", "password": password},
        REMOTE_ADDR="10.0.0.2",
    )

    assert blocked.status_code == 429
    assert "Too many wrong passwords" in blocked.content.decode()
    assert other_address.status_code == 302


@pytest.mark.django_db
def test_a_right_password_resets_the_count(client, password, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="asel@example.kz")

    wrong_logins(client, "/en/accounts/login/", 2)
    client.post("/en/accounts/login/", {"username": "asel@example.kz", "password": password})
    client.post("/en/accounts/logout/")
    again = wrong_logins(client, "/en/accounts/login/", 2)

    assert [r.status_code for r in again] == [200, 200]


@pytest.mark.django_db
def test_password_reset_emails_are_limited_per_address_asked_for(client, settings):
    from django.core import mail

    settings.PASSWORD_RESET_RATE_LIMIT = "2/h"
    UserFactory(email="asel@example.kz")

    responses = [
        client.post(
            "/en/accounts/password/reset/", {"email": "asel@example.kz"}, REMOTE_ADDR=f"10.0.1.{n}"
        )
        for n in range(3)
    ]

    assert [r.status_code for r in responses] == [302, 302, 200]
    assert "Too many reset requests" in responses[2].content.decode()
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_signups_from_one_address_are_limited(client, settings):
    settings.SIGNUP_RATE_LIMIT = "1/h"
    client.post("/en/accounts/signup/", SIGNUP)

    response = client.post("/en/accounts/signup/", {**SIGNUP, "email": "other@example.kz"})

    assert "Too many new accounts" in response.content.decode()
    assert not User.objects.filter(email="other@example.kz").exists()
