"""What a certificate recognises, as an Open Badges 3.0 Achievement shared by everyone who earned
it: its id (an address on this site that answers), name, description, criteria and image, in the
certificate's languages, with Komek's own terms (direction, level, hours) from the extension
context."""

import functools
import io
import math
from dataclasses import dataclass

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import Certificate, Direction, Level

ACHIEVEMENT_TYPES = {
    Certificate.Kind.COURSE: "Certificate",
    Certificate.Kind.LEVEL: "Certificate",
    Certificate.Kind.LETTER: "Achievement",
    Certificate.Kind.BADGE: "Badge",
}
GENERIC_NAMES = {
    Certificate.Kind.LETTER: _("Letter of appreciation"),
    Certificate.Kind.BADGE: _("Volunteer badge"),
}
DESCRIPTIONS = {
    Certificate.Kind.COURSE: _("Certificate of completing the course «%(name)s»."),
    Certificate.Kind.LEVEL: _("Certificate of reaching the level «%(name)s»."),
    Certificate.Kind.LETTER: _(
        "A letter of appreciation from the movement for a volunteer's contribution to its work."
    ),
    Certificate.Kind.BADGE: _("The badge of a member of the medical volunteers movement."),
}
CRITERIA = {
    Certificate.Kind.COURSE: _(
        "Complete every lesson of the course «%(name)s» and pass its final quiz."
    ),
    Certificate.Kind.LEVEL: _(
        "Meet the requirements of the level «%(name)s»: training and confirmed practice."
    ),
    Certificate.Kind.LETTER: _(
        "Awarded by a coordinator's decision for a contribution to the movement's work."
    ),
    Certificate.Kind.BADGE: _(
        "Fill in the application form, pass an interview or the introductory course "
        "and choose a direction."
    ),
}
# One colour per kind, from the site's palette: the generated image tells kinds apart.
COLOURS = {
    Certificate.Kind.COURSE: (0x0B, 0x6E, 0x4F),
    Certificate.Kind.LEVEL: (0x1D, 0x4E, 0x89),
    Certificate.Kind.LETTER: (0x9A, 0x5B, 0x13),
    Certificate.Kind.BADGE: (0xB3, 0x26, 0x1E),
}


@dataclass(frozen=True)
class Earned:
    """What an achievement is about, read from a certificate or from an achievement's address."""

    kind: str
    slug: str
    direction: Direction | None = None
    level: Level | None = None
    course: object = None  # the CoursePage (any language version)


def achievement_url(kind, slug) -> str:
    return f"{settings.SITE_URL}/achievements/{kind}/{slug}"


def image_url(kind) -> str:
    return f"{settings.SITE_URL}/achievements/images/{kind}.png"


def earned_by(certificate: Certificate) -> Earned:
    """One id per thing earned, shared by everyone who earned it."""
    kind = certificate.kind
    direction = certificate.direction if certificate.direction_id else None
    level = certificate.level if certificate.level_id else None
    course = certificate.course if certificate.course_id else None
    if kind == Certificate.Kind.COURSE and course is not None:
        # The translation key is the same for every language version of the course.
        slug = str(course.translation_key)
    elif kind == Certificate.Kind.LEVEL and level is not None:
        slug = f"{direction.slug}/{level.slug}" if direction else level.slug
    elif direction is not None:
        slug = direction.slug
    else:
        slug = "komek"
    return Earned(kind, slug, direction, level, course)


def earned_at(kind, slug) -> Earned | None:
    """The thing an achievement address names, or None when it names nothing."""
    from courses.models import CoursePage

    if kind not in Certificate.Kind.values:
        return None
    if kind == Certificate.Kind.COURSE:
        course = (
            CoursePage.objects.live().filter(translation_key=slug).first()
            if _is_uuid(slug)
            else None
        )
        if course is None:
            return None
        return Earned(kind, slug, course.direction, course.target_level, course)
    if kind == Certificate.Kind.LEVEL:
        direction_slug, _slash, level_slug = slug.rpartition("/")
        level = Level.objects.filter(slug=level_slug).first()
        direction = (
            Direction.objects.filter(slug=direction_slug).first() if direction_slug else None
        )
        if level is None or (direction_slug and direction is None):
            return None
        return Earned(kind, slug, direction, level)
    if slug == "komek":
        return Earned(kind, slug)
    direction = Direction.objects.filter(slug=slug).first()
    return Earned(kind, slug, direction) if direction else None


def default_name(earned: Earned, language) -> str:
    """The achievement's name where no certificate gives one (its own page)."""
    with translation.override(language):
        if earned.kind == Certificate.Kind.COURSE:
            return _course_title(earned.course, language)
        if earned.kind == Certificate.Kind.LEVEL:
            return earned.level.name  # as level certificates are titled
        name = str(GENERIC_NAMES[earned.kind])
        if earned.direction is not None:
            name = f"{name} · {earned.direction.name}"
        return name


def achievement(earned: Earned, *, languages, names=None) -> dict:
    """The Achievement (Open Badges 3.0 §B.1.1): texts in `languages`, the first one leading.

    `names` are the certificate's frozen titles by language (courses and levels); letters and
    badges share one name whatever a certificate was titled, and the achievement's own page
    names it from the course or the level.
    """
    names = {} if earned.kind in GENERIC_NAMES else dict(names or {})
    for code in languages:
        if not names.get(code):
            names[code] = default_name(earned, code)
    language = languages[0]
    name = names[language]
    descriptions, criteria = [], []
    for code in languages:
        with translation.override(code):
            descriptions.append(gettext(DESCRIPTIONS[earned.kind]) % {"name": names[code]})
            criteria.append(gettext(CRITERIA[earned.kind]) % {"name": names[code]})
    result = {
        "id": achievement_url(earned.kind, earned.slug),
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPES[earned.kind],
        "name": name,
        "description": "\n\n".join(descriptions),
        "criteria": {
            "id": achievement_url(earned.kind, earned.slug),
            "narrative": "\n\n".join(criteria),
        },
        "image": {"id": image_url(earned.kind), "type": "Image", "caption": name},
        "inLanguage": language,
    }
    # Komek's own terms (certification/certificates/contexts/komek-v1.jsonld).
    with translation.override(language):
        if earned.direction is not None:
            result["direction"] = earned.direction.name
        if earned.level is not None:
            result["level"] = earned.level.name
    if earned.course is not None and earned.kind == Certificate.Kind.COURSE:
        result["hours"] = math.ceil(earned.course.estimated_minutes / 6) / 10
    return result


def _course_title(course, language):
    version = course.get_translations(inclusive=True).filter(locale__language_code=language).first()
    return (version or course).title


def _is_uuid(text):
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@functools.cache
def image_png(kind) -> bytes:
    """The achievement's image when it has none of its own: a medal in the kind's colour."""
    from PIL import Image, ImageDraw

    size = 400
    colour = COLOURS[kind]
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((12, 12, size - 12, size - 12), fill=colour)
    draw.ellipse((44, 44, size - 44, size - 44), outline=(255, 255, 255), width=10)
    # A white cross on the kind's colour: medical volunteering at a glance.
    arm, half = 70, 26
    centre = size // 2
    draw.rectangle((centre - half, centre - arm, centre + half, centre + arm), fill="white")
    draw.rectangle((centre - arm, centre - half, centre + arm, centre + half), fill="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
