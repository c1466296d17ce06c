"""Load the demo content that `make run` shows: home page in three languages, courses, users.

Idempotent: running it again changes nothing that already exists (passwords included).
"""

import io
import math
from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.images import ImageFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFilter
from wagtail.images.models import Image
from wagtail.models import Collection, Locale, Page, Site

from certification.models import (
    Branch,
    Certificate,
    CertificateSettings,
    Direction,
    Level,
    LevelRequirement,
    RecordBookShare,
    Skill,
    Volunteer,
)
from certification.record_book import services as record_book
from certification.reference import (
    ensure_branches_and_skills,
    ensure_level_rules,
    ensure_reference_data,
)
from certification.volunteers import roles
from certification.volunteers import services as volunteers
from demo.courses import complete_for_demo, seed_courses
from demo.events import seed_events
from lms.models import HomePage

DEMO_USERS = [
    # email, password, first name, last name, patronymic, Latin name, role
    (
        "admin@komek.local",
        "komek-admin",
        "Айгерим",
        "Сапарова",
        "Ерлановна",
        "Aigerim Saparova",
        "admin",
    ),
    (
        "instructor@komek.local",
        "komek-instructor",
        "Дмитрий",
        "Ковалёв",
        "Сергеевич",
        "Dmitriy Kovalev",
        "instructor",
    ),
    (
        "coordinator@komek.local",
        "komek-coordinator",
        "Асель",
        "Жумабекова",
        "Маратовна",
        "Assel Zhumabekova",
        "coordinator",
    ),
    (
        "learner@komek.local",
        "komek-learner",
        "Әлихан",
        "Нұрланұлы",
        "",
        "Alikhan Nurlanuly",
        "learner",
    ),
]

HOME_CONTENT = {
    "ru": {
        "title": "Komek — обучение медицинских волонтёров",
        "lead": "Видеокурсы, интерактивные уроки и сертификаты для волонтёров-медиков: "
        "от новичка до инструктора.",
        "call_to_action_text": "Начать обучение",
    },
    "kk": {
        "title": "Komek — медициналық волонтерлерді оқыту",
        "lead": "Медик-волонтерлерге арналған бейнекурстар, интерактивті сабақтар және "
        "сертификаттар: жаңа келгеннен нұсқаушыға дейін.",
        "call_to_action_text": "Оқуды бастау",
    },
    "en": {
        "title": "Komek — training for medical volunteers",
        "lead": "Video courses, interactive lessons and certificates for medical volunteers, "
        "from newcomer to instructor.",
        "call_to_action_text": "Start learning",
    },
}


def signature_png(width=720, height=180):
    """A made-up handwritten signature, ink on a transparent background, as a PNG the size
    certificates print it at (300 dpi): a slanted capital, the name's loops, a stroke under it."""
    scale = 3  # drawn larger, then reduced: smooth edges
    ink = (24, 38, 96, 255)
    layer = PILImage.new("RGBA", (width * scale, height * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)

    def stroke(curve, n_points, pen):
        points = [curve(i / (n_points - 1)) for i in range(n_points)]
        for i, ((x0, y0), (x1, y1)) in enumerate(pairwise(points)):
            r = pen(i / (n_points - 1)) * scale
            draw.line(
                [(x0 * scale, y0 * scale), (x1 * scale, y1 * scale)],
                fill=ink,
                width=max(1, round(2 * r)),
            )
            draw.ellipse([x1 * scale - r, y1 * scale - r, x1 * scale + r, y1 * scale + r], fill=ink)

    def capital(t):
        a = 2 * math.pi * (0.1 + 1.05 * t)
        x = 96 + 34 * (1 - 0.3 * t) * math.cos(a)
        y = 92 - 62 * (1 - 0.35 * t) * math.sin(a)
        return x + 0.35 * (92 - y), y

    def name(t):
        phase = 2 * math.pi * (7.5 * t + 0.3 * math.sin(2 * math.pi * 0.9 * t))
        height = 17 + 9 * math.sin(2 * math.pi * 1.7 * t + 0.8) + 10 * (0.55 < t < 0.68)
        fade = min(1, t * 6) * min(1, (1 - t) * 5)
        x = 128 + 430 * t + 13 * math.sin(phase)
        y = 112 - 22 * t - height * fade * math.cos(phase)
        return x + 0.3 * (112 - y), y

    def underline(t):
        return 575 - 520 * t + 40 * t * t, 140 + 14 * t - 20 * math.sin(math.pi * t) ** 2

    stroke(capital, 700, lambda t: 1.4 + 1.3 * math.sin(math.pi * t))
    stroke(name, 1400, lambda t: 1.1 + 0.9 * abs(math.sin(2 * math.pi * 7.5 * t)))
    stroke(underline, 600, lambda t: 0.6 + 1.4 * math.sin(math.pi * t) * (1 - t))
    image = layer.filter(ImageFilter.GaussianBlur(scale * 0.35))
    image = image.resize((width, height), PILImage.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Create demo content and users (idempotent). Refused in production."

    def handle(self, *args, **options):
        if settings.IS_PRODUCTION:
            raise CommandError("Demo content is for development only (KOMEK_ENV=production).")
        with transaction.atomic():
            self.ensure_locales()
            ensure_reference_data(Direction, Level)
            home = self.ensure_home_page()
            self.ensure_certificate_settings()
            first_aid, donation = seed_courses(home)
            ensure_branches_and_skills(Branch, Skill, Direction)
            ensure_level_rules(Level, LevelRequirement, Direction, Skill)
            self.ensure_newcomer_course(first_aid)
            created = self.ensure_users(roles.instructors_group(), roles.coordinators_group())
            learner = get_user_model().objects.get(email="learner@komek.local")
            if not hasattr(learner, "volunteer"):
                volunteers.apply(
                    user=learner,
                    branch=Branch.objects.get(slug="almaty"),
                    directions=Direction.objects.filter(slug__in=["first-aid", "blood-donation"]),
                    city="Алматы",
                    motivation="Хочу помогать людям и научиться первой помощи.",
                )
            if not learner.enrolments.filter(course=donation).exists():
                complete_for_demo(learner, donation)
            self.ensure_demo_activity(learner.volunteer)
            self.ensure_record_book_link(learner.volunteer)
            seed_events(
                coordinator=get_user_model().objects.get(email="coordinator@komek.local"),
                admin=get_user_model().objects.get(email="admin@komek.local"),
                courses={"first-aid": first_aid},
            )
        self.stdout.write(self.style.SUCCESS("Demo content is ready."))
        self.print_logins(created)

    def ensure_locales(self):
        for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
            Locale.objects.get_or_create(language_code=code)

    def ensure_home_page(self):
        site = Site.objects.filter(is_default_site=True).first()
        default_locale = Locale.objects.get(language_code=settings.LANGUAGE_CODE)
        home = HomePage.objects.filter(locale=default_locale).first()
        if home is None:
            root = Page.get_first_root_node() or Page.add_root(
                instance=Page(title="Root", slug="root", locale=default_locale)
            )
            home = root.add_child(
                instance=HomePage(slug="komek", locale=default_locale, **HOME_CONTENT["ru"])
            )
        if site is None:
            site = Site.objects.create(
                hostname="localhost",
                port=80,
                root_page=home,
                is_default_site=True,
                site_name="Komek",
            )
        elif site.root_page_id != home.pk:
            placeholder = site.root_page.specific
            site.root_page = home
            site.site_name = "Komek"
            site.save()
            # Wagtail's own "Welcome to your new Wagtail site!" page is not Komek content.
            if not isinstance(placeholder, HomePage) and placeholder.depth == 2:
                placeholder.delete()
        for code, content in HOME_CONTENT.items():
            locale = Locale.objects.get(language_code=code)
            if code != settings.LANGUAGE_CODE and not home.has_translation(locale):
                translation = home.copy_for_translation(locale)
                for field, value in content.items():
                    setattr(translation, field, value)
                translation.save_revision().publish()
        return home

    def ensure_certificate_settings(self):
        """The signer printed on the demo's certificates: name, title in each language and a
        signature. Settings someone already gave a signer are left as they are."""
        issuer = CertificateSettings.for_site(Site.objects.get(is_default_site=True))
        if issuer.signer_name:
            return
        Collection.get_first_root_node() or Collection.add_root(name="Root")
        signature = Image.objects.create(
            title="Подпись: А. Е. Сапарова",
            file=ImageFile(io.BytesIO(signature_png()), name="demo-signature.png"),
        )
        issuer.signer_name = "А. Е. Сапарова"
        issuer.signer_title_ru = "Руководитель движения"
        issuer.signer_title_kk = "Қозғалыс жетекшісі"
        issuer.signer_title_en = "Head of the Movement"
        issuer.signature = signature
        issuer.save()

    def ensure_newcomer_course(self, course):
        """The demo's first-aid course is the newcomer course: passing it makes a volunteer."""
        volunteer = Level.objects.get(slug="volunteer")
        if not LevelRequirement.objects.filter(level=volunteer, kind="course").exists():
            LevelRequirement.objects.create(level=volunteer, kind="course", course=course)
            # Passing the course is the gate now; no coordinator needs to let newcomers in.
            Level.objects.filter(pk=volunteer.pk).update(requires_approval=False)

    def ensure_demo_activity(self, member):
        """Hours for the coordinator to confirm: the demo learner helped at two events."""
        if member.activities.exists():
            return
        first_aid = Direction.objects.get(slug="first-aid")
        donation = Direction.objects.get(slug="blood-donation")
        today = timezone.localdate()
        for days_ago, event, direction, hours in [
            (12, "Алматинский марафон, медпункт №3", first_aid, "6"),
            (5, "День донора в КазНМУ", donation, "4.5"),
        ]:
            volunteers.log_activity(
                volunteer=member,
                date=today - timedelta(days=days_ago),
                event=event,
                direction=direction,
                hours=Decimal(hours),
            )

    def ensure_record_book_link(self, member):
        """A share link to the learner's record book, as a volunteer sends one to a university."""
        if not member.record_book_shares.exists():
            record_book.create_share(volunteer=member, label="КазНМУ, приёмная комиссия")

    def ensure_users(self, instructors, coordinators):
        User = get_user_model()
        created = []
        for email, password, first, last, patronymic, latin, role in DEMO_USERS:
            if User.objects.filter(email=email).exists():
                continue
            fields = {
                "first_name": first,
                "last_name": last,
                "patronymic": patronymic,
                "full_name_latin": latin,
            }
            if role == "admin":
                user = User.objects.create_superuser(email, password, **fields)
            else:
                user = User.objects.create_user(email, password, **fields)
            if role == "instructor":
                user.groups.add(instructors)
            if role == "coordinator":
                user.groups.add(coordinators)
                Volunteer.objects.create(
                    user=user,
                    branch=Branch.objects.get(slug="almaty"),
                    level=Level.objects.get(slug="coordinator"),
                    city="Алматы",
                    consent_at=timezone.now(),
                )
            created.append(email)
        return created

    def print_logins(self, created):
        base = settings.SITE_URL
        self.stdout.write(f"\n  Site:  {base}/\n  Admin: {base}/admin/\n")
        for email, password, *_rest, role in DEMO_USERS:
            note = "" if email in created else "  (already existed; password unchanged)"
            self.stdout.write(f"  {role:<11} {email:<24} {password}{note}")
        certificate = Certificate.objects.filter(holder__email="learner@komek.local").first()
        if certificate:
            self.stdout.write(
                f"\n  The learner's certificate (made by the worker): {certificate.verify_url}"
            )
        share = RecordBookShare.objects.filter(volunteer__user__email="learner@komek.local").first()
        if share:
            with translation.override("ru"):
                path = reverse("record_book_share", args=[share.token])
            self.stdout.write(f"  The learner's record book, as shared: {base}{path}")
        self.stdout.write("")
