"""A certificate PDF (context, template, QR code, WeasyPrint) as a ratio to WeasyPrint rendering a
bare one-page document with the same fonts and one line of text, in the same process and with
the same font configuration. Lower is better."""

from datetime import timedelta

from common import median_seconds, report, setup_django

BARE_HTML = """<!doctype html><html lang="ru"><head><meta charset="utf-8">
<style>@page { size: A4 landscape; margin: 0 }</style></head>
<body><p>Сертификат</p></body></html>"""


def main():
    setup_django()
    from django.utils import timezone
    from wagtail.models import Site
    from weasyprint import HTML

    from certification.models import Certificate, CertificateSettings, Direction, Level
    from certification.rendering import (
        certificate_context,
        font_config,
        font_stylesheet,
        render_pdf,
    )
    from tests.factories import UserFactory

    holder = UserFactory(first_name="Айгерім", last_name="Сейітова", patronymic="Бекқызы")
    certificate = Certificate.objects.create(
        kind=Certificate.COURSE,
        source_key="bench:1",
        holder=holder,
        holder_name=holder.get_full_name(),
        holder_name_latin=holder.full_name_latin,
        title_ru="Первая помощь при остановке сердца и кровотечениях",
        title_kk="Жүрек тоқтағанда және қан кеткенде алғашқы көмек",
        languages="kk,ru",
        direction=Direction.objects.get(slug="first-aid"),
        level=Level.objects.get(slug="newcomer"),
        expires_at=timezone.now() + timedelta(days=730),
    )
    site = Site.objects.filter(is_default_site=True).first()
    settings_obj = CertificateSettings.for_site(site) if site else CertificateSettings()
    settings_obj.signer_name = "Нұрлан Әбілқасымұлы Жақсыбеков"
    settings_obj.signer_title_ru = "Председатель правления"
    settings_obj.signer_title_kk = "Басқарма төрағасы"

    def certificate_pdf():
        return render_pdf(certificate_context(certificate, settings_obj=settings_obj))

    def bare_pdf():
        return HTML(string=BARE_HTML).write_pdf(
            stylesheets=[font_stylesheet()], font_config=font_config()
        )

    assert certificate_pdf().startswith(b"%PDF") and bare_pdf().startswith(b"%PDF")
    certificate_s = median_seconds(certificate_pdf, repeat=40, warmup=5)
    bare_s = median_seconds(bare_pdf, repeat=40, warmup=5)
    from weasyprint.text.ffi import harfbuzz_subset

    report(
        "certificate_render",
        certificate_s / bare_s,
        certificate_ms=f"{certificate_s * 1000:.2f}",
        bare_document_ms=f"{bare_s * 1000:.2f}",
        # Without libharfbuzz-subset0 (Debian) WeasyPrint subsets each embedded face with
        # fontTools, some 30 ms a face, which then outweighs everything else in both times.
        font_subsetting="HarfBuzz" if harfbuzz_subset else "fontTools",
    )


if __name__ == "__main__":
    main()
