"""Certificate PDFs: one page whatever the texts, searchable Kazakh text, embedded fonts, and a QR
code that scans to the verify page."""

import ctypes
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import cv2
import numpy
import pikepdf
import pypdfium2
import pypdfium2.raw as pdfium
import pytest
from django.core.files.images import ImageFile
from django.utils import timezone
from fontTools.ttLib import TTFont
from PIL import Image as PILImage
from wagtail.images.models import Image

from certification.certificates import rendering
from certification.certificates.rendering import certificate_context, qr_png, render_pdf
from certification.models import Certificate, CertificateSettings, Direction, Level
from tests.factories import UserFactory

KAZAKH_LETTERS = "ӘәҒғҚқҢңӨөҰұҮүҺһІі"
LONG_TITLE_RU = (
    "Первая помощь при остановке сердца, кровотечениях, травмах и ожогах "
    "на спортивных и массовых мероприятиях"
)
LONG_TITLE_KK = (
    "Спорттық және бұқаралық іс-шараларда жүрек тоқтағанда, қан кеткенде, "
    "жарақат пен күйік кезінде алғашқы көмек"
)
KAZAKH_NAME = "Әбілқасымова-Құрманғазиева Ғалия Өмірбекқызы"
# No real name has every Kazakh letter in both cases, so a title carries them all.
ALPHABET_TITLE = "Әліпби: Әә Ғғ Ққ Ңң Өө Ұұ Үү Һһ Іі"
MAIN_AREA_BOTTOM_MM = 160  # below it sit the QR code and the signature


def make_certificate(**fields):
    fields.setdefault("holder", UserFactory())
    fields.setdefault("kind", Certificate.Kind.COURSE)
    fields.setdefault("source_key", f"test:{Certificate.objects.count() + 1}")
    fields.setdefault("holder_name", "Сейітова Айгерім Бекқызы")
    fields.setdefault("title_ru", "Основы первой помощи")
    fields.setdefault("title_kk", "Алғашқы көмек негіздері")
    fields.setdefault("languages", "kk,ru")
    fields.setdefault("direction", Direction.objects.get(slug="first-aid"))
    fields.setdefault("level", Level.objects.get(slug="newcomer"))
    fields.setdefault("expires_at", timezone.now() + timedelta(days=730))
    return Certificate.objects.create(**fields)


def issuer(**fields):
    fields.setdefault("signer_name", "Нұрлан Әбілқасымұлы Жақсыбеков")
    fields.setdefault("signer_title_ru", "Председатель правления")
    fields.setdefault("signer_title_kk", "Басқарма төрағасы")
    return CertificateSettings(**fields)


def pdf_of(certificate, settings_obj=None):
    return render_pdf(certificate_context(certificate, settings_obj=settings_obj or issuer()))


def text_of(pdf):
    """The page's text with line breaks read as spaces."""
    return " ".join(pypdfium2.PdfDocument(pdf)[0].get_textpage().get_text_range().split())


def embedded_fonts(pdf):
    """(PostScript name of the embedded font program, is embedded) for every text object."""
    fonts = set()
    for obj in pypdfium2.PdfDocument(pdf)[0].get_objects():
        if obj.type != pdfium.FPDF_PAGEOBJ_TEXT:
            continue
        font = pdfium.FPDFTextObj_GetFont(obj)
        size = ctypes.c_size_t(0)
        pdfium.FPDFFont_GetFontData(font, None, 0, ctypes.byref(size))
        data = (ctypes.c_ubyte * size.value)()
        pdfium.FPDFFont_GetFontData(font, data, size.value, ctypes.byref(size))
        name = TTFont(io.BytesIO(bytes(data)))["name"].getDebugName(6) if size.value else None
        fonts.add((name, bool(pdfium.FPDFFont_GetIsEmbedded(font))))
    return fonts


def bottom_mm(pdf, needle):
    """How far below the top of the page the last character of `needle` ends."""
    page = pypdfium2.PdfDocument(pdf)[0]
    match = page.get_textpage().search(needle).get_next()
    assert match, f"{needle!r} is not in the PDF"
    index, count = match
    _, bottom, _, _ = page.get_textpage().get_charbox(index + count - 1)
    return (page.get_height() - bottom) / 72 * 25.4


def box_mm(pdf, needle):
    """(top, bottom) of the characters of `needle`, in mm below the top of the page."""
    page = pypdfium2.PdfDocument(pdf)[0]
    textpage = page.get_textpage()
    text = textpage.get_text_range()
    start = text.index(needle)
    boxes = [
        textpage.get_charbox(index)
        for index in range(start, start + len(needle))
        if not text[index].isspace()
    ]
    height = page.get_height()
    top, bottom = max(box[3] for box in boxes), min(box[1] for box in boxes)
    return (height - top) / 72 * 25.4, (height - bottom) / 72 * 25.4


def decoded_qr(pdf, scale):
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=scale).to_pil().convert("L")
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(numpy.array(image))
    return text


def png_file(name, size=(300, 100)):
    image = PILImage.new("RGBA", size, (255, 255, 255, 0))
    image.paste((20, 40, 120, 255), (10, 40, size[0] - 10, 60))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return ImageFile(buffer, name=name)


@pytest.mark.django_db
def test_long_bilingual_title_and_long_name_still_fit_on_one_page():
    certificate = make_certificate(
        holder_name="Құрманғазиева-Әбілқасымова Гүлжаһан-Айгерім Нұрсұлтанқызы",
        holder_name_latin="Kurmangaziyeva-Abilkassymova Gulzhahan-Aigerim",
        title_ru=LONG_TITLE_RU,
        title_kk=LONG_TITLE_KK,
    )
    assert len(LONG_TITLE_RU) >= 100 and len(LONG_TITLE_KK) >= 100

    context = certificate_context(certificate, settings_obj=issuer())
    pdf = render_pdf(context)

    assert len(pypdfium2.PdfDocument(pdf)) == 1
    assert "Нұрсұлтанқызы" in text_of(pdf)
    # Nothing is clipped or runs into the QR code and signature at the bottom.
    assert bottom_mm(pdf, "мероприятиях") < MAIN_AREA_BOTTOM_MM
    assert bottom_mm(pdf, context["languages"][-1]["valid_until"]) < MAIN_AREA_BOTTOM_MM


@pytest.mark.django_db
def test_longest_texts_the_database_allows_stay_on_one_page():
    certificate = make_certificate(
        kind=Certificate.Kind.LETTER,
        holder_name="Әбілқасымова " * 23,
        title_ru="Благодарность " * 21,
        title_kk="Алғыс " * 50,
    )

    assert len(pypdfium2.PdfDocument(pdf_of(certificate))) == 1


@pytest.mark.django_db
def test_pdf_text_keeps_every_kazakh_letter_of_the_name_and_the_code():
    certificate = make_certificate(holder_name=KAZAKH_NAME, title_kk=ALPHABET_TITLE)

    text = text_of(pdf_of(certificate))

    assert KAZAKH_NAME in text
    assert ALPHABET_TITLE in text
    assert set(KAZAKH_LETTERS) <= set(KAZAKH_NAME + ALPHABET_TITLE)
    assert certificate.public_code in text


@pytest.mark.django_db
def test_shipped_pt_fonts_are_embedded_and_no_system_font_is_used():
    pdf = pdf_of(make_certificate(holder_name=KAZAKH_NAME, title_kk=ALPHABET_TITLE))

    # Two faces: each one embedded is loaded and subset on every render.
    assert embedded_fonts(pdf) == {("PTSans-Regular", True), ("PTSerif-Bold", True)}


@pytest.mark.django_db
def test_qr_code_scans_to_the_verify_page():
    certificate = make_certificate()

    assert decoded_qr(pdf_of(certificate), scale=3) == certificate.verify_url
    assert certificate.verify_url.endswith(f"/verify/{certificate.public_code}/")


@pytest.mark.django_db
def test_russian_letter_of_appreciation_renders_without_expiry_or_level():
    certificate = make_certificate(
        kind=Certificate.Kind.LETTER,
        holder_name="Иванов Пётр Сергеевич",
        title_ru="За помощь в медицинском сопровождении Алматинского марафона",
        title_kk="",
        languages="ru",
        level=None,
        expires_at=None,
    )

    pdf = pdf_of(certificate)

    assert len(pypdfium2.PdfDocument(pdf)) == 1
    assert "Алматинского марафона" in text_of(pdf)
    assert decoded_qr(pdf, scale=3) == certificate.verify_url


@pytest.mark.django_db
def test_badge_is_one_card_sized_page_with_initials_and_a_scannable_code():
    certificate = make_certificate(kind=Certificate.Kind.BADGE, holder_name=KAZAKH_NAME)

    pdf = pdf_of(certificate)

    document = pypdfium2.PdfDocument(pdf)
    assert len(document) == 1
    width_pt, height_pt = document[0].get_size()
    assert round(width_pt / 72 * 25.4) == 86 and round(height_pt / 72 * 25.4) == 54
    text = text_of(pdf)
    assert "ӘҒ" in text  # initials stand in for the photo
    assert certificate.public_code in text
    assert decoded_qr(pdf, scale=6) == certificate.verify_url


@pytest.mark.django_db
def test_signature_and_logo_are_drawn_from_local_files():
    settings_obj = issuer(
        signature=Image.objects.create(title="Signature", file=png_file("signature.png")),
        logo=Image.objects.create(title="Logo", file=png_file("logo.png", (200, 200))),
    )
    certificate = make_certificate()

    context = certificate_context(certificate, settings_obj=settings_obj)
    pdf = render_pdf(context)

    assert context["signature_path"].endswith(".png") and "://" not in context["signature_path"]
    images = [
        obj
        for obj in pypdfium2.PdfDocument(pdf)[0].get_objects()
        if obj.type == pdfium.FPDF_PAGEOBJ_IMAGE
    ]
    assert len(images) == 3  # the logo, the signature and the QR code


@pytest.mark.django_db
def test_context_has_the_texts_of_each_printed_language():
    certificate = make_certificate(
        languages="kk,ru", issued_at=datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    )

    context = certificate_context(certificate, settings_obj=issuer())

    kazakh, russian = context["languages"]
    assert (kazakh["language"], russian["language"]) == ("kk", "ru")
    assert kazakh["title"] == "Алғашқы көмек негіздері"
    assert russian["title"] == "Основы первой помощи"
    assert kazakh["organisation"] == "Медициналық волонтерлер қозғалысы"
    assert russian["issued_on"] == "23 ноября 2026\u00a0г."
    assert russian["kind_label"] == "Сертификат"
    assert kazakh["achievement"] == "Алғашқы көмек негіздері"
    assert context["verify_url"] == certificate.verify_url
    # A learner who never joined the movement: no badge photo, no branch printed.
    assert context["photo_path"] is None and context["branch"] == ""


def test_qr_image_is_a_small_png_that_a_decoder_reads():
    url = "https://komek.example/verify/K7QM-4TZP-9XWR-3/"

    png = qr_png(url)
    image = PILImage.open(io.BytesIO(png)).convert("L")
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(numpy.array(image))

    assert png.startswith(b"\x89PNG")
    assert text == url
    assert image.width == image.height <= 200


def image_sizes(pdf):
    """(width, height) in pixels of every image drawn on the page, inside form XObjects too."""
    return [
        obj.get_px_size()
        for obj in pypdfium2.PdfDocument(pdf)[0].get_objects(max_depth=4)
        if obj.type == pdfium.FPDF_PAGEOBJ_IMAGE
    ]


@pytest.mark.django_db
def test_graduates_of_one_course_each_get_their_own_name_code_and_qr_code():
    rendering._shared_layer.cache_clear()
    same_day = {"issued_at": datetime(2026, 11, 23, 9, 30, tzinfo=UTC)}
    same_day["expires_at"] = same_day["issued_at"] + timedelta(days=730)
    first = make_certificate(holder_name="Сейітова Айгерім Бекқызы", **same_day)
    second = make_certificate(
        holder_name="Иванов Пётр Сергеевич", holder_name_latin="Ivanov Petr", **same_day
    )

    first_pdf, second_pdf = pdf_of(first), pdf_of(second)

    # What they share (course, dates, signer) was laid out once, for the first graduate.
    assert rendering._shared_layer.cache_info().misses == 1
    assert "Сейітова Айгерім" in text_of(first_pdf) and first.public_code in text_of(first_pdf)
    assert "Иванов Пётр" in text_of(second_pdf) and second.public_code in text_of(second_pdf)
    assert "Сейітова" not in text_of(second_pdf) and first.public_code not in text_of(second_pdf)
    for certificate, pdf in ((first, first_pdf), (second, second_pdf)):
        assert "Алғашқы көмек негіздері" in text_of(pdf)
        assert decoded_qr(pdf, scale=3) == certificate.verify_url
        assert len(pypdfium2.PdfDocument(pdf)) == 1


@pytest.mark.django_db
def test_a_change_to_what_holders_share_is_printed_on_the_next_certificate():
    certificate = make_certificate()
    assert "Жақсыбеков" in text_of(pdf_of(certificate))

    pdf = pdf_of(certificate, settings_obj=issuer(signer_name="Айжан Серікқызы Омарова"))

    assert "Омарова" in text_of(pdf) and "Жақсыбеков" not in text_of(pdf)


@pytest.mark.django_db
def test_the_name_is_printed_in_its_slot_between_the_title_and_the_course():
    certificate = make_certificate(holder_name_latin="Aigerim Seitova")

    pdf = pdf_of(certificate)

    title_to_name = bottom_mm(pdf, "Бекқызы") - bottom_mm(pdf, "СЕРТИФИКАТ")
    name_to_course = bottom_mm(pdf, "аяқтады") - bottom_mm(pdf, "Бекқызы")
    # As before the name had a layer of its own: 28 mm below the title, 19.5 mm above the course.
    assert 25 < title_to_name < 31 and 17 < name_to_course < 22


@pytest.mark.django_db
def test_a_large_signature_scan_is_printed_at_300_dpi_and_keeps_its_transparency():
    scan = png_file("signature.png", (4000, 1000))
    settings_obj = issuer(signature=Image.objects.create(title="Signature", file=scan))

    context = certificate_context(make_certificate(), settings_obj=settings_obj)
    pdf = render_pdf(context)

    assert PILImage.open(context["signature_path"]).mode == "RGBA"
    assert (720, 180) in image_sizes(pdf)
    assert max(width for width, _ in image_sizes(pdf)) == 720


@pytest.mark.django_db
def test_the_badge_prints_the_photo_given_when_joining_instead_of_initials(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    photo = tmp_path / "photo.jpg"
    PILImage.new("RGB", (300, 400), "#397").save(photo, "JPEG")
    certificate = make_certificate(kind=Certificate.Kind.BADGE, holder_name=KAZAKH_NAME)
    context = {**certificate_context(certificate, settings_obj=issuer()), "photo_path": str(photo)}

    pdf = render_pdf(context)

    assert (300, 400) in image_sizes(pdf)
    assert "ӘҒ" not in text_of(pdf)
    assert decoded_qr(pdf, scale=6) == certificate.verify_url


@pytest.mark.django_db
def test_each_embedded_font_subset_has_a_name_of_its_own():
    """ISO 32000-1, 9.6.4: different subsets in one file have different tags; a printer that
    matched fonts by name could otherwise print the shared texts with the holder's glyphs."""
    pdf = pdf_of(make_certificate(holder_name=KAZAKH_NAME, holder_name_latin="Abilkassymova"))

    with pikepdf.open(io.BytesIO(pdf)) as document:
        subsets = [
            str(obj.FontName)
            for obj in document.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/FontDescriptor"
        ]

    assert len(subsets) == 4  # PT Sans and PT Serif Bold in each layer
    assert all("+Komek-" in name for name in subsets)
    assert len(set(subsets)) == 4


# Real names that wrap in 26 pt type: the name and its Latin spelling must still fit their slot.
LONG_NAMES = [
    ("Хаджимухаммедова Шахризада Шамшидиновна", "Khadzhimukhammedova Shakhrizada"),
    ("МУХАММЕДЖАНОВА ШОЛПАН ЖУМАМУРАТОВНА", "Mukhammedzhanova Sholpan"),
    (
        "Құрманғазиева-Әбілқасымова Гүлжаһан-Айгерім Нұрсұлтанқызы",
        "Kurmangaziyeva-Abilkassymova Gulzhahan-Aigerim",
    ),
]


@pytest.mark.django_db
def test_long_names_leave_room_for_the_latin_spelling_on_the_certificate():
    def name_to_course_mm(name, latin):
        pdf = pdf_of(make_certificate(holder_name=name, holder_name_latin=latin))
        return box_mm(pdf, "курсты")[0] - box_mm(pdf, name.split()[-1])[1]

    usual = name_to_course_mm("Сейітова Айгерім Бекқызы", "Aigerim Seitova")

    for name, latin in LONG_NAMES:
        # The Latin line sits between the name and the course, as under a short name: a name
        # too tall for its slot would push it out of the slot, where it is cut off.
        assert name_to_course_mm(name, latin) == pytest.approx(usual, abs=1.0)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "latin"), LONG_NAMES)
def test_long_names_and_their_latin_spelling_fit_above_the_level_on_the_badge(name, latin):
    pdf = pdf_of(
        make_certificate(kind=Certificate.Kind.BADGE, holder_name=name, holder_name_latin=latin)
    )

    _, latin_bottom = box_mm(pdf, latin.split()[-1])
    level_top, _ = box_mm(pdf, "Деңгей")
    assert latin_bottom < level_top - 1


@pytest.mark.django_db
def test_a_logo_whose_file_is_gone_is_left_out_and_the_certificate_is_still_made():
    logo = Image.objects.create(title="Logo", file=png_file("logo.png", (200, 200)))
    Path(logo.file.path).unlink()
    certificate = make_certificate()

    context = certificate_context(certificate, settings_obj=issuer(logo=logo))
    pdf = render_pdf(context)

    assert context["logo_path"] is None
    assert image_sizes(pdf) == [qr_size(certificate)]
    assert certificate.public_code in text_of(pdf)


def qr_size(certificate):
    return PILImage.open(io.BytesIO(qr_png(certificate.verify_url))).size
