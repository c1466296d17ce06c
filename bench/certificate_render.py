"""Rendering one certificate PDF (context, QR code, templates, WeasyPrint), as a ratio to
WeasyPrint's time for a bare one-page document with the same font, in the same process.
Target: ≤ 1.5. Lower is better.

The certificates are what a worker renders after a course: 40 graduates of the same course, each
with their own name, Latin name and code, on a certificate with the organisation's logo and a
signature image. Each timed render is the next graduate's, so only the shared layer is reused.

The baseline is WeasyPrint rendering a one-line page whose stylesheet loads PT Sans, as
`HTML(string=...).write_pdf()` does it. Also printed, for comparison:
- the first certificate of a course (its shared layer is laid out too), and
- the same bare page given our process's font configuration, so that WeasyPrint skips loading the
  font: the fixed cost of any WeasyPrint document, which every certificate pays too.
"""

import io
import itertools
import tempfile
from datetime import timedelta

from common import median_seconds, report, setup_django

BARE_HTML = """<!doctype html><html lang="ru"><head><meta charset="utf-8">
<style>@page {{ size: A4 landscape; margin: 0 }} {font_face}</style></head>
<body><p>Сертификат</p></body></html>"""
PT_SANS_FACE = '@font-face {{ font-family: "PT"; src: url("{uri}") }} html {{ font-family: "PT" }}'
NAMES = [
    ("Сейітова Айгерім Бекқызы", "Seiitova Aigerim"),
    ("Құрманғазиев Нұрсұлтан Өмірбекұлы", "Kurmangaziyev Nursultan"),
    ("Иванова Мария Сергеевна", "Ivanova Mariya"),
    ("Әбілқасымова-Жақсыбекова Гүлжаһан Ерланқызы", "Abilkassymova-Zhaksybekova Gulzhahan"),
]
N_GRADUATES = 40


def main():
    setup_django()
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="komek-bench-media-")):
        run()


def run():
    from django.utils import timezone
    from weasyprint import HTML

    from certification.certificates import rendering
    from certification.models import Certificate, CertificateSettings, Direction, Level
    from tests.factories import UserFactory

    course_fields = {
        "kind": Certificate.Kind.COURSE,
        "title_ru": "Первая помощь при остановке сердца и кровотечениях",
        "title_kk": "Жүрек тоқтағанда және қан кеткенде алғашқы көмек",
        "languages": "kk,ru",
        "direction": Direction.objects.get(slug="first-aid"),
        "level": Level.objects.get(slug="newcomer"),
        "expires_at": timezone.now() + timedelta(days=730),
    }
    certificates = []
    for n in range(N_GRADUATES):
        name, latin = NAMES[n % len(NAMES)]
        holder = UserFactory()
        certificates.append(
            Certificate.objects.create(
                source_key=f"bench:{n}",
                holder=holder,
                holder_name=name,
                holder_name_latin=latin,
                **course_fields,
            )
        )
    settings_obj = CertificateSettings(
        signer_name="Нұрлан Әбілқасымұлы Жақсыбеков",
        signer_title_ru="Председатель правления",
        signer_title_kk="Басқарма төрағасы",
        signature=wagtail_image("signature.png", (600, 200)),
        logo=wagtail_image("logo.png", (400, 400)),
    )
    graduates = itertools.cycle(certificates)

    def certificate_pdf():
        certificate = next(graduates)
        return rendering.render_pdf(
            rendering.certificate_context(certificate, settings_obj=settings_obj)
        )

    def first_certificate_of_a_course():
        rendering._shared_layer.cache_clear()
        return certificate_pdf()

    font_face = PT_SANS_FACE.format(uri=(rendering.FONTS_DIR / "PTSans-Regular.ttf").as_uri())

    def bare_pdf():
        return HTML(string=BARE_HTML.format(font_face=font_face)).write_pdf()

    def bare_pdf_with_warm_fonts():
        return HTML(string=BARE_HTML.format(font_face="")).write_pdf(
            stylesheets=[rendering.font_stylesheet()], font_config=rendering.font_config()
        )

    for render in (certificate_pdf, bare_pdf, bare_pdf_with_warm_fonts):
        assert render().startswith(b"%PDF")
    first_s = median_seconds(first_certificate_of_a_course, repeat=20, warmup=2)
    certificate_s = median_seconds(certificate_pdf, repeat=N_GRADUATES, warmup=5)
    bare_s = median_seconds(bare_pdf, repeat=40, warmup=5)
    warm_s = median_seconds(bare_pdf_with_warm_fonts, repeat=40, warmup=5)
    from weasyprint.text.ffi import harfbuzz_subset

    report(
        "certificate_render",
        certificate_s / bare_s,
        certificate_ms=f"{certificate_s * 1000:.2f}",
        first_certificate_of_a_course_ms=f"{first_s * 1000:.2f}",
        bare_document_ms=f"{bare_s * 1000:.2f}",
        bare_document_with_warm_fonts_ms=f"{warm_s * 1000:.2f}",
        certificate_to_warm_bare=f"{certificate_s / warm_s:.2f}",
        # Without libharfbuzz-subset0 (Debian) WeasyPrint subsets each embedded face with
        # fontTools, some 30 ms a face, which then outweighs everything else in all times.
        font_subsetting="HarfBuzz" if harfbuzz_subset else "fontTools",
    )


def wagtail_image(name, size):
    """An organisation's image as staff upload it: a PNG with transparency, as a Wagtail image."""
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images.models import Image

    image = PILImage.new("RGBA", size, (255, 255, 255, 0))
    image.paste((15, 87, 82, 255), (size[0] // 8, size[1] // 3, size[0] * 7 // 8, size[1] // 2))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return Image.objects.create(title=name, file=ImageFile(buffer, name=name))


if __name__ == "__main__":
    main()
