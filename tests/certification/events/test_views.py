import re
import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from certification.events import checkin
from certification.events import services as events
from certification.models import Attendance, Event, SignUp
from tests.factories import make_coordinator, make_event, make_member

pytestmark = pytest.mark.django_db


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def stranger():
    """A coordinator of another branch."""
    return logged_in(make_coordinator(branch_slug="shymkent", email="shymkent@example.kz"))


@pytest.fixture
def place(event, member):
    return events.sign_up(event=event, volunteer=member)


COORDINATOR_GETS = ["event", "event_edit", "event_check_in", "event_code"]
COORDINATOR_POSTS = ["event_badge", "event_confirm"]


@pytest.mark.parametrize("name", COORDINATOR_GETS)
def test_a_coordinator_of_another_branch_cannot_see_the_event(stranger, event, name):
    assert stranger.get(reverse(f"coordination:{name}", args=[event.pk])).status_code == 404


@pytest.mark.parametrize("name", COORDINATOR_POSTS)
def test_a_coordinator_of_another_branch_cannot_change_the_event(stranger, event, place, name):
    response = stranger.post(reverse(f"coordination:{name}", args=[event.pk]), {"code": "X"})
    assert response.status_code == 404


def test_a_member_of_another_branch_cannot_open_the_events_check_in(event):
    outsider = make_member(branch_slug="shymkent", email="outsider@example.kz")
    code = checkin.token_for(event.pk)

    response = logged_in(outsider.user).get(reverse("event_check_in", args=[event.pk, code]))

    assert response.status_code == 404
    assert event.title not in response.content.decode()


def test_a_coordinator_of_another_branch_cannot_tick_a_name(stranger, event, place):
    url = reverse("coordination:event_mark", args=[event.pk, place.pk])
    assert stranger.post(url).status_code == 404
    assert not Attendance.objects.exists()


def test_a_coordinator_of_another_branch_cannot_export_the_roster(stranger, event):
    url = reverse("coordination:event_export", args=[event.pk, "csv"])
    assert stranger.get(url).status_code == 404


def test_a_coordinator_of_another_branch_does_not_see_the_event_listed(stranger, event):
    response = stranger.get(reverse("coordination:events"))
    assert response.status_code == 200
    assert event.title not in response.content.decode()


def test_a_coordinator_of_another_branch_cannot_save_an_edit(stranger, event):
    response = stranger.post(reverse("coordination:event_edit", args=[event.pk]), {"title": "X"})
    assert response.status_code == 404
    event.refresh_from_db()
    assert event.title != "X"


def test_the_headquarters_coordinator_sees_every_branchs_event(event):
    hq = logged_in(make_coordinator(branch_slug="astana", email="hq@example.kz"))
    assert hq.get(reverse("coordination:event", args=[event.pk])).status_code == 200


def test_a_member_who_does_not_coordinate_is_refused(event, member):
    client = logged_in(member.user)
    assert client.get(reverse("coordination:event", args=[event.pk])).status_code == 403


def form_data(**fields):
    start = timezone.localtime() + timedelta(days=2)
    data = {
        "title": "Донорский день",
        "kind": "action",
        "direction": "",
        "place": "Центр крови",
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=5)).strftime("%Y-%m-%dT%H:%M"),
        "capacity": "8",
        "description": "",
        "roles-TOTAL_FORMS": "1",
        "roles-INITIAL_FORMS": "0",
        "roles-0-name": "Медпост",
        "roles-0-capacity": "2",
        "requirements-TOTAL_FORMS": "0",
        "requirements-INITIAL_FORMS": "0",
    }
    return {**data, **fields}


def test_a_coordinator_creates_an_event_of_their_own_branch_with_roles(coordinator):
    from certification.models import Direction

    data = form_data(direction=str(Direction.objects.get(slug="blood-donation").pk))
    response = logged_in(coordinator).post(reverse("coordination:event_new"), data)
    created = Event.objects.get()
    assert response.status_code == 302
    assert created.branch == coordinator.volunteer.branch
    assert list(created.roles.values_list("name", "capacity")) == [("Медпост", 2)]


def test_roles_with_more_places_than_the_event_are_refused(coordinator):
    from certification.models import Direction

    data = form_data(
        direction=str(Direction.objects.get(slug="blood-donation").pk), **{"roles-0-capacity": "9"}
    )
    response = logged_in(coordinator).post(reverse("coordination:event_new"), data)
    assert response.status_code == 200
    assert not Event.objects.exists()


def test_a_branch_coordinator_cannot_create_an_event_for_another_branch(coordinator):
    from certification.models import Branch, Direction

    data = form_data(
        direction=str(Direction.objects.get(slug="blood-donation").pk),
        branch=str(Branch.objects.get(slug="shymkent").pk),
    )
    logged_in(coordinator).post(reverse("coordination:event_new"), data)
    assert Event.objects.get().branch.slug == "almaty"


# The volunteer's side ----------------------------------------------------------------------------


def test_a_member_does_not_see_another_branchs_event(event):
    client = logged_in(make_member(branch_slug="shymkent").user)
    assert event.title not in client.get(reverse("volunteer_events:list")).content.decode()
    assert client.get(reverse("volunteer_events:detail", args=[event.pk])).status_code == 404
    assert client.post(reverse("volunteer_events:sign_up", args=[event.pk])).status_code == 404
    assert client.get(reverse("volunteer_events:ics", args=[event.pk])).status_code == 404


def test_the_list_says_why_a_member_may_not_sign_up(event, member):
    from certification.models import EventRequirement
    from tests.factories import level

    EventRequirement.objects.create(event=event, kind="level", level=level("senior-volunteer"))
    page = logged_in(member.user).get(reverse("volunteer_events:list")).content.decode()
    assert f"needs the level “{level('senior-volunteer').name}”" in page


def test_a_member_signs_up_and_cancels_from_the_events_page(event, member):
    client = logged_in(member.user)
    client.post(reverse("volunteer_events:sign_up", args=[event.pk]))
    assert SignUp.objects.get().status == SignUp.Status.SIGNED_UP
    client.post(reverse("volunteer_events:cancel", args=[event.pk]))
    assert SignUp.objects.get().status == SignUp.Status.CANCELLED


def ticket_in(page):
    return re.search(r'name="ticket" value="([^"]+)"', page.content.decode())[1]


def under_way(event):
    event.starts_at = timezone.now() - timedelta(minutes=5)
    event.save()
    return event


def test_opening_the_codes_address_shows_a_button_and_changes_nothing(event, member, place):
    url = reverse("event_check_in", args=[under_way(event).pk, checkin.token_for(event.pk)])
    page = logged_in(member.user).get(url)
    assert page.status_code == 200
    assert "Отметить приход" in page.content.decode()
    assert not Attendance.objects.exists()


def test_pressing_the_button_checks_the_member_in(event, member, place):
    url = reverse("event_check_in", args=[under_way(event).pk, checkin.token_for(event.pk)])
    client = logged_in(member.user)
    response = client.post(url, {"ticket": ticket_in(client.get(url))})
    assert response.status_code == 200
    assert "Приход отмечен" in response.content.decode()
    assert Attendance.objects.get(sign_up=place).check_in_method == Attendance.Method.QR


def test_pressing_twice_checks_in_once_and_says_so(event, member, place):
    url = reverse("event_check_in", args=[under_way(event).pk, checkin.token_for(event.pk)])
    client = logged_in(member.user)
    ticket = ticket_in(client.get(url))
    client.post(url, {"ticket": ticket})
    again = client.post(url, {"ticket": ticket})
    assert again.status_code == 400
    assert "уже использован" in again.content.decode()
    assert Attendance.objects.get(sign_up=place).checked_out_at is None


def test_another_volunteers_ticket_checks_nobody_in(event, member, place):
    friend = make_member(level_slug="volunteer", email="friend@example.kz")
    events.sign_up(event=event, volunteer=friend)
    url = reverse("event_check_in", args=[under_way(event).pk, checkin.token_for(event.pk)])
    ticket = ticket_in(logged_in(member.user).get(url))
    response = logged_in(friend.user).post(url, {"ticket": ticket})
    assert response.status_code == 400
    assert not Attendance.objects.exists()


def test_a_ticket_older_than_two_minutes_is_refused(event, member, place, monkeypatch):
    url = reverse("event_check_in", args=[under_way(event).pk, checkin.token_for(event.pk)])
    client = logged_in(member.user)
    ticket = ticket_in(client.get(url))
    later = time.time() + checkin.TICKET_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.post(url, {"ticket": ticket})
    assert response.status_code == 400
    assert "истёк" in response.content.decode()
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("ticket", ["", "forged", None])
def test_a_press_without_a_valid_ticket_is_refused(event, member, place, ticket):
    url = reverse("event_check_in", args=[under_way(event).pk, checkin.token_for(event.pk)])
    response = logged_in(member.user).post(url, {} if ticket is None else {"ticket": ticket})
    assert response.status_code == 400
    assert "не код для отметки" in response.content.decode()
    assert not Attendance.objects.exists()


def test_the_press_needs_the_pages_csrf_token(event, member, place):
    url = reverse("event_check_in", args=[under_way(event).pk, checkin.token_for(event.pk)])
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    ticket = ticket_in(client.get(url))
    assert client.post(url, {"ticket": ticket}).status_code == 403
    assert not Attendance.objects.exists()


def test_a_refused_scan_says_why(event, member, place):
    url = reverse("event_check_in", args=[event.pk, checkin.token_for(event.pk)])
    response = logged_in(member.user).get(url)  # the event starts tomorrow; the page is in Russian
    assert response.status_code == 400
    assert "Отметка о приходе открывается за час до начала" in response.content.decode()


def test_scanning_while_logged_out_asks_to_log_in_and_comes_back(event):
    url = reverse("event_check_in", args=[event.pk, checkin.token_for(event.pk)])
    response = Client().get(url)
    assert response.status_code == 302
    assert "next=" in response["Location"]
    assert f"check-in/{event.pk}/" in response["Location"].replace("%2F", "/")


def test_the_check_in_screen_fetches_a_code_that_checks_in(event, coordinator):
    response = logged_in(coordinator).get(reverse("coordination:event_code", args=[event.pk]))
    code = response.json()
    assert code["svg"].startswith("<svg")
    token = code["url"].rstrip("/").rsplit("/", 1)[-1]
    assert checkin.read(token, event_id=event.pk).event_id == event.pk
    assert "no-cache" in response["Cache-Control"]


def test_a_badge_code_checks_its_holder_in(event, member, place, coordinator):
    from certification.models import Certificate

    badge = Certificate.objects.create(
        kind=Certificate.Kind.BADGE,
        status=Certificate.Status.ISSUED,
        source_key=f"badge:{member.pk}",
        holder=member.user,
        holder_name="Айгерім",
        title_ru="Волонтёр",
    )
    event.starts_at = timezone.now() - timedelta(minutes=5)
    event.save()
    scanned = f"https://komek.example/verify/{badge.public_code}/"
    logged_in(coordinator).post(
        reverse("coordination:event_badge", args=[event.pk]), {"code": scanned}
    )
    assert Attendance.objects.get(sign_up=place).check_in_method == Attendance.Method.BADGE


def test_a_suspended_badge_checks_nobody_in(event, member, place, coordinator):
    from certification.models import Certificate

    badge = Certificate.objects.create(
        kind=Certificate.Kind.BADGE,
        status=Certificate.Status.ISSUED,
        source_key=f"badge:{member.pk}",
        holder=member.user,
        holder_name="Айгерім",
        title_ru="Волонтёр",
    )
    member.user.is_active = False  # the member's account is paused: the badge is suspended
    member.user.save()
    under_way(event)
    response = logged_in(coordinator).post(
        reverse("coordination:event_badge", args=[event.pk]),
        {"code": badge.public_code},
        follow=True,
    )
    assert "No volunteer signed up for this event has this badge." in response.content.decode()
    assert not Attendance.objects.exists()


def test_the_personal_feed_lists_the_members_events_without_logging_in(event, member, place):
    feed = events.calendar_feed(volunteer=member)
    other = make_event(by=event.created_by, title="Чужое событие")
    response = Client().get(reverse("event_feed", args=[feed.token]))
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/calendar")
    assert event.title[:20] in text and other.title not in text
    assert Client().get(reverse("event_feed", args=["wrong"])).status_code == 404


def test_a_new_feed_address_replaces_the_old_one_which_stops_working(event, member, place):
    old = events.calendar_feed(volunteer=member).token
    volunteer = logged_in(member.user)

    response = volunteer.post(reverse("volunteer_events:renew_feed"), follow=True)

    new = events.calendar_feed(volunteer=member).token
    assert new != old
    assert new in response.content.decode()  # the list shows the new address
    assert Client().get(reverse("event_feed", args=[old])).status_code == 404
    assert event.title[:20] in Client().get(reverse("event_feed", args=[new])).content.decode()
    # Only by POST (a link cannot change it) and only for the member's own feed.
    assert volunteer.get(reverse("volunteer_events:renew_feed")).status_code == 405


def test_every_page_of_an_event_renders_for_its_people(event, member, place, coordinator):
    """The roster, form, check-in screen and the member's detail, with a role and a waitlist."""
    from certification.models import EventRole

    for _n in range(2):
        events.sign_up(event=event, volunteer=make_member())
    EventRole.objects.create(event=event, name="Медпост", capacity=2)
    coordinating = logged_in(coordinator)
    for name in ["event", "event_edit", "event_check_in"]:
        assert coordinating.get(reverse(f"coordination:{name}", args=[event.pk])).status_code == 200
    assert coordinating.get(reverse("coordination:event_new")).status_code == 200
    page = logged_in(member.user).get(reverse("volunteer_events:detail", args=[event.pk]))
    assert page.status_code == 200
    waiting = SignUp.objects.filter(status=SignUp.Status.WAITLISTED).select_related("volunteer")
    page = logged_in(waiting.first().volunteer.user).get(
        reverse("volunteer_events:detail", args=[event.pk])
    )
    assert "number 1 on the waitlist" in page.content.decode()


def test_a_role_someone_signed_up_for_cannot_be_removed(event, coordinator):
    from certification.models import EventRole

    role = EventRole.objects.create(event=event, name="Медпост", capacity=2)
    events.sign_up(event=event, volunteer=make_member(), role=role)
    start = timezone.localtime(event.starts_at)
    data = form_data(
        direction=str(event.direction_id),
        title=event.title,
        starts_at=start.strftime("%Y-%m-%dT%H:%M"),
        ends_at=(start + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
        **{
            "roles-TOTAL_FORMS": "1",
            "roles-INITIAL_FORMS": "1",
            "roles-0-id": str(role.pk),
            "roles-0-name": "Медпост",
            "roles-0-capacity": "2",
            "roles-0-DELETE": "on",
        },
    )
    response = logged_in(coordinator).post(
        reverse("coordination:event_edit", args=[event.pk]), data
    )
    assert response.status_code == 200
    assert "it cannot be removed" in response.content.decode()
    assert EventRole.objects.filter(pk=role.pk).exists()
