"""What a certificate says about who signed it and which level it speaks of, and its dates, in
each language: on the PDF, on the verify page and in the JSON API."""

import datetime
import io
import re
from html import unescape

import pypdfium2
import pypdfium2.raw as pdfium
import pytest
from django.template.loader import render_to_string
from PIL import Image as PILImage
from wagtail.images.models import Image

from certification.certificates.issuer import issuer_settings
from certification.certificates.rendering import certificate_context, render_pdf
from certification.models import Certificate, Level
from demo.management.commands.seed_demo import Command as SeedDemo
from tests.certification.certificates.test_rendering import issuer, make_certificate, text_of
from tests.factories import home_page

pytestmark = pytest.mark.django_db

NBSP = "\u00a0"
ISSUED = datetime.datetime(2026, 11, 23, 9, 30, tzinfo=datetime.UTC)
EXPIRES = datetime.datetime(2028, 12, 2, 9, 30, tzinfo=datetime.UTC)
PT_PER_MM = 72 / 25.4
# certificate.css: the signer's block starts 183 mm from the left, 151 mm from the top.
SIGNER_LEFT_MM, SIGNER_TOP_MM = 183, 151


def lines_in_the_signers_corner(pdf):
    """Drawn (vector) objects in the corner where the signer's block goes: the line to sign."""
    page = pypdfium2.PdfDocument(pdf)[0]
    height = page.get_height()
    found = []
    for obj in page.get_objects():
        if obj.type != pdfium.FPDF_PAGEOBJ_PATH:
            continue
        left, _bottom, _right, top = obj.get_bounds()
        if left >= SIGNER_LEFT_MM * PT_PER_MM and (height - top) >= SIGNER_TOP_MM * PT_PER_MM:
            found.append(obj)
    return found


def test_a_certificate_without_a_signer_prints_no_line_to_sign():
    certificate = make_certificate(languages="ru")
    unsigned = certificate_context(certificate, settings_obj=issuer(signer_name=""))

    assert 'class="signer"' not in render_to_string("certification/pdf/certificate.html", unsigned)
    assert lines_in_the_signers_corner(render_pdf(unsigned)) == []


def test_a_certificate_with_a_signer_prints_the_name_titles_and_the_line():
    certificate = make_certificate(languages="kk,ru")

    pdf = render_pdf(certificate_context(certificate, settings_obj=issuer()))

    text = text_of(pdf)
    assert "Нұрлан Әбілқасымұлы Жақсыбеков" in text
    assert "Басқарма төрағасы" in text and "Председатель правления" in text
    assert len(lines_in_the_signers_corner(pdf)) == 1


def test_the_printed_dates_are_written_as_each_printed_language_writes_them():
    certificate = make_certificate(languages="kk,ru", issued_at=ISSUED, expires_at=EXPIRES)

    context = certificate_context(certificate, settings_obj=issuer())
    text = text_of(render_pdf(context))

    kazakh, russian = context["languages"]
    assert kazakh["issued_on"] == f"2026{NBSP}ж. 23 қараша"
    assert russian["issued_on"] == f"23 ноября 2026{NBSP}г."
    assert russian["valid_until"] == f"2 декабря 2028{NBSP}г."
    assert "2026 ж. 23 қараша" in text.replace(NBSP, " ")


def test_the_demo_signs_its_certificates_with_a_name_a_title_and_a_transparent_signature(
    demo_site,
):
    issuer_now = issuer_settings()
    assert issuer_now.signer_name == "А. Е. Сапарова"
    assert issuer_now.signer_title("kk") == "Қозғалыс жетекшісі"
    assert issuer_now.signer_title("en") == "Head of the Movement"
    with issuer_now.signature.file.open("rb") as f:
        signature = PILImage.open(io.BytesIO(f.read()))
    alpha = signature.getchannel("A")
    assert alpha.getextrema() == (0, 255)  # ink on a see-through background
    assert issuer_now.signature.title == "Подпись: А. Е. Сапарова"


def test_loading_the_demo_again_adds_no_second_signature(demo_site):
    SeedDemo().ensure_certificate_settings()

    assert Image.objects.filter(title__startswith="Подпись").count() == 1


def test_the_demo_keeps_a_signer_someone_already_set():
    home_page()
    settings_obj = issuer_settings()
    settings_obj.signer_name = "Ғалия Омарова"
    settings_obj.save()

    SeedDemo().ensure_certificate_settings()

    assert issuer_settings().signer_name == "Ғалия Омарова"


# The verify page and the API ------------------------------------------------------------------


def verify_page(client, certificate, language):
    response = client.get(
        f"/verify/{certificate.public_code}/", headers={"accept-language": language}
    )
    assert response.status_code == 200
    return unescape(re.sub(r"[ \t\r\n]+", " ", response.content.decode()))


def record_row(page, label):
    """The value next to `label` in the record's list, or None when there is no such row."""
    match = re.search(rf"<dt>{re.escape(label)}</dt>\s*<dd>(.*?)</dd>", page)
    return match and match.group(1).strip()


@pytest.mark.parametrize(
    ("language", "course_level", "level"),
    [
        ("ru", "Уровень курса", "Уровень"),
        ("kk", "Курс деңгейі", "Деңгей"),
        ("en", "Course level", "Level"),
    ],
)
def test_a_course_certificate_shows_the_courses_level_as_the_course_level(
    client, language, course_level, level
):
    certificate = make_certificate(kind=Certificate.Kind.COURSE)
    newcomer = Level.objects.get(slug="newcomer")

    page = verify_page(client, certificate, language)

    assert record_row(page, course_level) == getattr(newcomer, f"name_{language}")
    assert record_row(page, level) is None


def test_a_level_certificate_shows_the_level_it_awards(client):
    certificate = make_certificate(
        kind=Certificate.Kind.LEVEL, level=Level.objects.get(slug="volunteer")
    )

    page = verify_page(client, certificate, "kk")

    assert record_row(page, "Деңгей") == Level.objects.get(slug="volunteer").name_kk
    assert record_row(page, "Курс деңгейі") is None


def test_the_api_gives_a_course_certificates_level_as_course_level(client):
    course_certificate = make_certificate(kind=Certificate.Kind.COURSE)
    level_certificate = make_certificate(
        kind=Certificate.Kind.LEVEL, level=Level.objects.get(slug="volunteer")
    )

    course = client.get(f"/api/v1/certificates/{course_certificate.public_code}").json()
    level = client.get(f"/api/v1/certificates/{level_certificate.public_code}").json()

    assert (course["level"], course["course_level"]) == (None, "Новичок")
    assert (level["level"], level["course_level"]) == ("Волонтёр", None)


@pytest.mark.parametrize(
    ("language", "valid_until", "issued"),
    [
        ("ru", f"Действителен до 2 декабря 2028{NBSP}г.", f"23 ноября 2026{NBSP}г."),
        ("kk", f"Жарамдылық мерзімі: 2028{NBSP}ж. 2 желтоқсан.", f"2026{NBSP}ж. 23 қараша"),
        ("en", "Valid until 2 December 2028.", "23 November 2026"),
    ],
)
def test_the_verify_page_dates_are_written_as_the_visitors_language_writes_them(
    client, language, valid_until, issued
):
    certificate = make_certificate(
        issued_at=ISSUED, expires_at=EXPIRES, status=Certificate.Status.ISSUED
    )

    page = verify_page(client, certificate, language)

    assert valid_until in page
    assert issued in page
    assert "Желтоқсан" not in page and "Қараша" not in page
