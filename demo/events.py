"""The demo's events in Almaty and Astana HQ: upcoming ones with places, roles, a full hospice
visit with a waitlist and a school lecture the learner is not ready for yet; past ones with
attendance (scanned in and out, ticked by hand, a no-show), pending and confirmed hours.

Everything goes through events/services.py at the moment it would have happened (`now=`), so the
demo's records are the ones the product itself makes. Idempotent: an event that exists (by branch
and title) is left as it is, sign-ups and attendance included.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone

from certification.events import checkin
from certification.events import services as events
from certification.models import (
    Branch,
    Direction,
    Event,
    EventRequirement,
    EventRole,
    Level,
    SignUp,
    Volunteer,
)

# The members who fill the demo's rosters: email, first name, last name, branch.
DEMO_MEMBERS = [
    ("dana.akhmetova@komek.local", "Дана", "Ахметова", "almaty"),
    ("erlan.kasymov@komek.local", "Ерлан", "Касымов", "almaty"),
    ("maria.kim@komek.local", "Мария", "Ким", "almaty"),
    ("aibek.omarov@komek.local", "Айбек", "Омаров", "almaty"),
    ("zhanna.seitkazieva@komek.local", "Жанна", "Сейтқазиева", "almaty"),
    ("timur.abdrakhmanov@komek.local", "Тимур", "Абдрахманов", "almaty"),
    ("kamila.issayeva@komek.local", "Камила", "Исаева", "almaty"),
    ("aliya.tulegenova@komek.local", "Әлия", "Төлегенова", "astana"),
    ("ruslan.ibrayev@komek.local", "Руслан", "Ибраев", "astana"),
    ("sabina.mussina@komek.local", "Сабина", "Мусина", "astana"),
    ("arman.zhaksylykov@komek.local", "Арман", "Жақсылықов", "astana"),
]

LEARNER = "learner@komek.local"


@dataclass(frozen=True)
class DemoEvent:
    branch: str
    title: str
    kind: str
    direction: str
    place: str
    days_from_today: int
    start: tuple[int, int]
    end: tuple[int, int]
    capacity: int
    description: str = ""
    roles: tuple = ()  # (name, places)
    needs_course: str = ""  # slug of a course that must be passed
    # (email, role name or ""): in this order, so the last ones land on a full event's waitlist
    sign_ups: tuple = ()
    # email: ("qr" | "hand", minutes after the start checked in, minutes after the start out or
    # None for "still there when the sweep closed the event"); signed up but absent: a no-show
    attendance: dict = field(default_factory=dict)
    confirm_hours: bool = False


EVENTS = [
    DemoEvent(
        branch="almaty",
        title="Алматинский марафон: медицинское дежурство на трассе",
        kind=Event.Kind.DUTY_SHIFT,
        direction="mass-events",
        place="Площадь Республики, старт и финиш; медпосты вдоль трассы",
        days_from_today=9,
        start=(6, 30),
        end=(13, 0),
        capacity=12,
        description="Дежурство студентов-медиков 3–4 курса рядом с бригадами скорой помощи: "
        "вода, охлаждение, первая помощь до приезда врача. Жилеты и бейджи выдаём на старте.",
        roles=(("Медпост на трассе", 8), ("Финишная зона", 4)),
        sign_ups=(
            (LEARNER, "Медпост на трассе"),
            ("dana.akhmetova@komek.local", "Медпост на трассе"),
            ("erlan.kasymov@komek.local", "Финишная зона"),
            ("maria.kim@komek.local", "Медпост на трассе"),
        ),
    ),
    DemoEvent(
        branch="almaty",
        title="День донора в КазНМУ",
        kind=Event.Kind.ACTION,
        direction="blood-donation",
        place="КазНМУ им. С. Д. Асфендиярова, главный корпус, актовый зал",
        days_from_today=4,
        start=(9, 0),
        end=(14, 0),
        capacity=8,
        description="Встречаем доноров, помогаем с анкетой, провожаем в зону отдыха после "
        "донации: чай, сладкое, наблюдение 15 минут. «Школа ответственных доноров» в 12:00.",
        roles=(("Регистрация доноров", 4), ("Зона отдыха после донации", 4)),
        sign_ups=(
            ("aibek.omarov@komek.local", "Регистрация доноров"),
            ("zhanna.seitkazieva@komek.local", "Зона отдыха после донации"),
        ),
    ),
    DemoEvent(
        branch="almaty",
        title="Визит в хоспис: беседы и прогулки с пациентами",
        kind=Event.Kind.HOSPICE_VISIT,
        direction="palliative-care",
        place="Городской хоспис, мкр. Алатау",
        days_from_today=6,
        start=(15, 0),
        end=(18, 0),
        capacity=3,
        description="Небольшая группа: разговор, чтение вслух, прогулка в саду. Перед визитом — "
        "инструктаж психолога хосписа.",
        sign_ups=(
            ("dana.akhmetova@komek.local", ""),
            ("kamila.issayeva@komek.local", ""),
            ("timur.abdrakhmanov@komek.local", ""),
            ("maria.kim@komek.local", ""),
            (LEARNER, ""),
        ),
    ),
    DemoEvent(
        branch="almaty",
        title="Лекция в школе № 25: здоровый образ жизни и первая помощь",
        kind=Event.Kind.LECTURE,
        direction="health-education",
        place="Школа-гимназия № 25, ул. Жандосова",
        days_from_today=12,
        start=(11, 0),
        end=(12, 30),
        capacity=3,
        description="Урок для 9–10 классов: что делать до приезда скорой, как позвонить 103, "
        "профориентация в медицину.",
        needs_course="first-aid",
    ),
    DemoEvent(
        branch="almaty",
        title="Тренинг с врачами скорой помощи: СЛР и остановка кровотечения",
        kind=Event.Kind.TRAINING,
        direction="first-aid",
        place="Центр симуляционного обучения КазНМУ",
        days_from_today=-3,
        start=(10, 0),
        end=(14, 0),
        capacity=10,
        description="Практика на манекенах с врачами станции скорой помощи.",
        sign_ups=(
            (LEARNER, ""),
            ("dana.akhmetova@komek.local", ""),
            ("erlan.kasymov@komek.local", ""),
            ("maria.kim@komek.local", ""),
            ("aibek.omarov@komek.local", ""),
            ("kamila.issayeva@komek.local", ""),
        ),
        attendance={
            LEARNER: ("qr", -5, 245),
            "dana.akhmetova@komek.local": ("qr", -12, 240),
            "erlan.kasymov@komek.local": ("qr", 25, 240),
            "maria.kim@komek.local": ("hand", 0, None),
            "aibek.omarov@komek.local": ("qr", -2, 120),
        },
    ),
    DemoEvent(
        branch="astana",
        title="День донора в Национальном научном медицинском центре",
        kind=Event.Kind.ACTION,
        direction="blood-donation",
        place="ННМЦ, пр. Абылай хана, 42",
        days_from_today=5,
        start=(9, 0),
        end=(13, 0),
        capacity=6,
        sign_ups=(
            ("aliya.tulegenova@komek.local", ""),
            ("ruslan.ibrayev@komek.local", ""),
            ("sabina.mussina@komek.local", ""),
        ),
    ),
    DemoEvent(
        branch="astana",
        title="Лекция для старшеклассников: зачем нужны прививки",
        kind=Event.Kind.LECTURE,
        direction="health-education",
        place="Школа-лицей № 64",
        days_from_today=-8,
        start=(14, 0),
        end=(16, 0),
        capacity=4,
        sign_ups=(
            ("aliya.tulegenova@komek.local", ""),
            ("ruslan.ibrayev@komek.local", ""),
            ("arman.zhaksylykov@komek.local", ""),
            ("sabina.mussina@komek.local", ""),
        ),
        attendance={
            "aliya.tulegenova@komek.local": ("qr", -10, 125),
            "ruslan.ibrayev@komek.local": ("qr", -3, 120),
            "arman.zhaksylykov@komek.local": ("hand", 10, 120),
        },
        confirm_hours=True,
    ),
]


def at(day, hour_minute):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(*hour_minute)))


def ensure_members():
    """The extra demo members (no password: they fill rosters, nobody logs in as them)."""
    User = get_user_model()
    level = Level.objects.get(slug="volunteer")
    for email, first, last, branch in DEMO_MEMBERS:
        if User.objects.filter(email=email).exists():
            continue
        user = User.objects.create_user(email, None, first_name=first, last_name=last)
        Volunteer.objects.create(
            user=user,
            branch=Branch.objects.get(slug=branch),
            level=level,
            city=Branch.objects.get(slug=branch).name_ru,
            consent_at=timezone.now() - datetime.timedelta(days=120),
            joined_at=timezone.now() - datetime.timedelta(days=120),
        )


def seed_events(*, coordinator, admin, courses):
    """The demo's events; `courses` maps a slug to the course page a requirement names."""
    ensure_members()
    today = timezone.localdate()
    for spec in EVENTS:
        branch = Branch.objects.get(slug=spec.branch)
        if Event.objects.filter(branch=branch, title=spec.title).exists():
            continue
        day = today + datetime.timedelta(days=spec.days_from_today)
        event = Event.objects.create(
            branch=branch,
            title=spec.title,
            kind=spec.kind,
            direction=Direction.objects.get(slug=spec.direction),
            place=spec.place,
            starts_at=at(day, spec.start),
            ends_at=at(day, spec.end),
            capacity=spec.capacity,
            description=spec.description,
            created_by=coordinator if spec.branch == "almaty" else admin,
        )
        for name, places in spec.roles:
            EventRole.objects.create(event=event, name=name, capacity=places)
        if spec.needs_course:
            EventRequirement.objects.create(
                event=event, kind=EventRequirement.Kind.COURSE, course=courses[spec.needs_course]
            )
        sign_up_all(event, spec)
        if spec.days_from_today < 0:
            attend(event, spec, by=coordinator if spec.branch == "almaty" else admin)


def sign_up_all(event, spec):
    # A week before the start, a few minutes apart, in the order given.
    opened = event.starts_at - datetime.timedelta(days=7)
    for n, (email, role_name) in enumerate(spec.sign_ups):
        volunteer = Volunteer.objects.get(user__email=email)
        role = event.roles.get(name=role_name) if role_name else None
        now = opened - datetime.timedelta(minutes=10 * (len(spec.sign_ups) - n))
        events.sign_up(event=event, volunteer=volunteer, role=role, now=now)


def attend(event, spec, *, by):
    minutes = datetime.timedelta(minutes=1)
    for email, (method, came, left) in spec.attendance.items():
        sign_up = SignUp.objects.get(event=event, volunteer__user__email=email)
        moments = [event.starts_at + came * minutes]
        if left is not None:
            moments.append(event.starts_at + left * minutes)
        for now in moments:
            if method == "qr":
                stamp = now.timestamp()
                events.scan(
                    event=event,
                    volunteer=sign_up.volunteer,
                    token=checkin.token_for(event.pk, at=stamp),
                    now=now,
                    at=stamp,
                )
            else:
                events.mark(sign_up=sign_up, by=by, now=now)
    events.close(event=event, now=event.ends_at + events.CHECK_OUT_GRACE)
    if spec.confirm_hours:
        events.confirm_hours(event=event, by=by, now=event.ends_at + datetime.timedelta(days=1))
