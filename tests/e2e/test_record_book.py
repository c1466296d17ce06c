"""The volunteer's record book on a phone: a real worker makes the PDF while the page waits for
it; the volunteer shares a link, an employer opens it, the volunteer revokes it. Every record
book page, in ru, kk and en at 360 and 1366 px, scrolls no sideways and passes axe-core."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from certification.certificates import pipeline as certificates
from certification.models import (
    Branch,
    Certificate,
    Direction,
    Level,
    LevelAward,
    LevelRequirement,
    PracticalActivity,
    RecordBookPdf,
    Skill,
    SkillSignOff,
)
from certification.record_book import services
from certification.reference import (
    ensure_branches_and_skills,
    ensure_level_rules,
    ensure_reference_data,
)
from tests.certification.conftest import complete_course
from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    assert_accessible,
    assert_no_sideways_scroll,
    new_page,
    screenshot,
)
from tests.factories import make_coordinator, make_member
from tests.workers import TEST_QUEUE, wait_until, worker

pytestmark = pytest.mark.django_db(transaction=True)

NAME = "Сейітова-Жұмабекова Әйгерім Ғалымжанқызы"


@pytest.fixture
def member(db):
    """A volunteer of Almaty with a course, its certificate, confirmed hours, a skill and a level
    (reference data as migrations leave it: browser tests flush it)."""
    ensure_reference_data(Direction, Level)
    ensure_branches_and_skills(Branch, Skill, Direction)
    ensure_level_rules(Level, LevelRequirement, Direction, Skill)
    coordinator = make_coordinator(email="coordinator@example.kz", first_name="Ерлан")
    member = make_member(
        email="aigerim@example.kz",
        last_name="Сейітова-Жұмабекова",
        first_name="Әйгерім",
        patronymic="Ғалымжанқызы",
        level_slug="volunteer",
    )
    complete_course(
        member.user,
        title="Первая помощь при остановке сердца и кровотечениях на массовых мероприятиях",
        certificate_validity_months=24,
    )
    certificates.render(certificate_id=Certificate.objects.get(holder=member.user).pk)
    today = timezone.localdate()
    for days_ago, event, slug, hours in [
        (40, "Алматинский марафон, медпункт №3 у финишной арки на площади Республики", "first-aid", "6"),
        (20, "День донора в КазНМУ", "blood-donation", "4.5"),
    ]:  # fmt: skip
        PracticalActivity.objects.create(
            volunteer=member,
            date=today - timedelta(days=days_ago),
            event=event,
            direction=Direction.objects.get(slug=slug),
            hours=Decimal(hours),
            status=PracticalActivity.Status.CONFIRMED,
        )
    SkillSignOff.objects.create(
        volunteer=member,
        skill=Skill.objects.get(slug="cpr-manikin"),
        date=today - timedelta(days=10),
        place="Учебный центр КазНМУ",
        result=SkillSignOff.Result.PASSED,
        signed_by=coordinator,
    )
    LevelAward.objects.create(
        volunteer=member,
        level=Level.objects.get(slug="volunteer"),
        status=LevelAward.Status.AWARDED,
        awarded_at=timezone.now() - timedelta(days=30),
    )
    return member


def log_in(page, base, email, password, next_url):
    page.goto(f"{base}/ru/accounts/login/?next={next_url}")
    page.get_by_label("Адрес электронной почты").fill(email)
    page.get_by_label("Пароль").fill(password)
    page.get_by_role("button", name="Войти").click()
    page.wait_for_url(f"{base}{next_url}")


@pytest.mark.worker
def test_the_pdf_appears_without_a_reload_once_a_worker_has_made_it(
    live_server, member, phone, password
):
    base = live_server.url
    log_in(phone, base, "aigerim@example.kz", password, "/ru/volunteer/record-book/")

    phone.get_by_role("button", name="Создать PDF").click()
    expect(phone.locator("[data-pending]")).to_be_visible()
    screenshot(phone, "record-book-pdf-being-prepared-ru-phone")
    pdf = RecordBookPdf.objects.get(volunteer=member)
    with worker(TEST_QUEUE):
        wait_until(lambda: RecordBookPdf.objects.get(pk=pdf.pk).status == "ready", what="rendering")
        phone.locator("[data-ready]").wait_for(state="visible", timeout=15_000)
    with phone.expect_download() as download:
        phone.locator("[data-pdf-link]").click()
    assert download.value.suggested_filename.startswith("komek-record-book-")
    assert_no_sideways_scroll(phone)


def test_a_volunteer_shares_a_link_an_employer_opens_it_and_the_volunteer_revokes_it(
    live_server, member, phone, browser, password
):
    base = live_server.url
    log_in(phone, base, "aigerim@example.kz", password, "/ru/volunteer/record-book/")
    phone.goto(f"{base}/kk/volunteer/record-book/")

    phone.get_by_label("Кімге арналған (тек сіз көресіз)").fill("Жұмыс беруші")
    phone.get_by_label("Сілтеменің жарамдылық мерзімі").select_option("30")
    phone.get_by_role("button", name="Сілтеме жасау").click()
    address = phone.locator(".record-book__url").first.input_value()
    assert address.startswith("http") and "/kk/record-book/" in address
    screenshot(phone, "record-book-link-made-kk-phone")

    employer = new_page(browser, PHONE)
    employer.goto(address.replace(address.split("/kk/")[0], base))
    expect(employer.get_by_text(NAME).first).to_be_visible()
    expect(employer.get_by_role("status")).to_contain_text("Komek растаған")
    assert_no_sideways_scroll(employer)

    phone.get_by_role("button", name="Сілтеменің күшін жою").first.click()
    employer.reload()
    expect(employer.get_by_text("СІЛТЕМЕНІҢ КҮШІ ЖОЙЫЛДЫ")).to_be_visible()
    expect(employer.get_by_text(NAME)).to_have_count(0)
    employer.context.close()


def test_every_record_book_page_reflows_and_passes_axe_in_three_languages(
    live_server, member, browser, password
):
    base = live_server.url
    active = services.create_share(volunteer=member, label="КазНМУ")
    revoked = services.revoke_share(share=services.create_share(volunteer=member))
    RecordBookPdf.objects.create(volunteer=member, share=active)  # being prepared
    pages = {
        "record-book": ("aigerim@example.kz", "/{lang}/volunteer/record-book/"),
        "record-book-shared": (None, f"/{{lang}}/record-book/{active.token}/"),
        "record-book-revoked": (None, f"/{{lang}}/record-book/{revoked.token}/"),
        "coordination-record-book": (
            "coordinator@example.kz",
            f"/{{lang}}/coordination/volunteers/{member.pk}/record-book/",
        ),
    }
    for size, viewport in {"phone": PHONE, "desktop": DESKTOP}.items():
        for name, (email, path) in pages.items():
            page = new_page(browser, viewport)
            if email:
                log_in(page, base, email, password, "/ru/")
            for language in ("ru", "kk", "en"):
                page.goto(base + path.format(lang=language))
                screenshot(page, f"{name}-{language}-{size}")
                assert_no_sideways_scroll(page)
                assert_accessible(page)
            assert not page.csp_violations, page.csp_violations
            page.context.close()
