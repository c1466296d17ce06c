"""The course catalogue with 1,000 courses, each in Russian, Kazakh and English: unfiltered,
filtered and searched, as a ratio to a plain Wagtail page showing one catalogue page's text,
served through Django's test client in the same process. Queries per request must be the same
at 100 and at 1,000 courses (counted with the cached list forgotten). Lower is better. The
timed requests are what most visitors get, the list from the cache; the first visit after a
change, which reads the courses, is printed too.

SQLite by default; PostgreSQL (and its full-text search) with DATABASE_URL=postgres://…
"""

import io
import os
import tempfile

from common import report, sample_seconds, setup_django, statistics

N_SMALL, N_LARGE = 100, 1000
TOPICS = {
    "ru": [
        ("Перевязка ран", "Как остановить кровотечение и наложить повязку."),
        ("Сердечно-лёгочная реанимация", "Компрессии грудной клетки и искусственное дыхание."),
        ("Донорство крови", "Кто может стать донором и как подготовиться."),
        ("Помощь при ожогах", "Охлаждение, покрытие и когда вызывать скорую."),
        ("Переломы и вывихи", "Неподвижность конечности и шины из подручных средств."),
    ],
    "kk": [
        ("Жараны таңу", "Қан кетуді тоқтату және таңғыш салу."),
        ("Жүрек-өкпе реанимациясы", "Кеуде қуысын басу және жасанды тыныс алу."),
        ("Қан донорлығы", "Кім донор бола алады және қалай дайындалу керек."),
        ("Күйік кезіндегі көмек", "Салқындату, жабу және жедел жәрдемді қашан шақыру."),
        ("Сынықтар мен шығулар", "Аяқ-қолды қозғалыссыз ұстау және қолдағы құралдан шина."),
    ],
    "en": [
        ("Dressing wounds", "How to stop bleeding and apply a bandage."),
        ("Cardiopulmonary resuscitation", "Chest compressions and rescue breaths."),
        ("Blood donation", "Who can donate and how to prepare."),
        ("Helping with burns", "Cooling, covering and when to call an ambulance."),
        ("Fractures and dislocations", "Keeping a limb still and splints from what is at hand."),
    ],
}
# An inflected form ("of dressing") of a word in one title in five, and two filters at once.
SEARCH = {"q": "перевязки"}
FILTERS = {"direction": "first-aid", "level": "newcomer"}


def png(colour):
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (960, 540), colour).save(buffer, "PNG")
    return buffer.getvalue()


def build(catalogues, covers, directions, levels, start, stop):
    """Courses number `start` to `stop` - 1, each in the three languages, one translation key."""
    from django.db import transaction

    from courses.models import CoursePage

    with transaction.atomic():
        add_courses(catalogues, covers, directions, levels, start, stop, CoursePage)


def add_courses(catalogues, covers, directions, levels, start, stop, CoursePage):
    for n in range(start, stop):
        key = None
        for language, catalogue in catalogues.items():
            title, summary = TOPICS[language][n % len(TOPICS[language])]
            course = catalogue.add_child(
                instance=CoursePage(
                    title=f"{title} {n}",
                    slug=f"course-{n}",
                    summary=summary,
                    direction=directions[n % len(directions)],
                    target_level=levels[n % len(levels)],
                    cover_image=covers[n % len(covers)],
                    estimated_minutes=30 + n % 60,
                    locale=catalogue.locale,
                    **({"translation_key": key} if key else {}),
                )
            )
            key = course.translation_key


def count_queries(client, url, params=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from courses.selectors import forget_catalogue

    client.get(url, params or {})  # the first look at a cover makes its rendition
    forget_catalogue()  # counted as the first visitor after a change reads it
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.status_code
    return len(queries)


def timings(action, *, repeat):
    """Median and 99th percentile, in seconds."""
    samples = sample_seconds(action, repeat=repeat)
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.99 * len(samples)))]


def main():
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="komek-bench-media-"))
    connection = setup_django()
    from django.core.files.images import ImageFile
    from django.test import Client
    from wagtail.images.models import Image
    from wagtail.models import Collection, Locale

    from certification.models import Direction, Level
    from lms.models import HomePage
    from tests.factories import catalogue_page, home_page, rich

    Collection.get_first_root_node() or Collection.add_root(name="Root")
    catalogue = catalogue_page()
    catalogues = {"ru": catalogue}
    for code in ("kk", "en"):
        locale, _ = Locale.objects.get_or_create(language_code=code)
        catalogues[code] = catalogue.copy_for_translation(locale, copy_parents=True).specific
        catalogues[code].save_revision().publish()
    covers = [
        Image.objects.create(
            title=f"Cover {n}", file=ImageFile(io.BytesIO(png(colour)), name=f"cover-{n}.png")
        )
        for n, colour in enumerate(["#c0392b", "#2980b9", "#27ae60", "#8e44ad", "#f39c12"])
    ]
    directions, levels = list(Direction.objects.all()), list(Level.objects.all())
    # The plain page shows the text of one screen of catalogue cards.
    cards = [
        f"{title} {n}. {summary}" for n in range(24) for title, summary in [TOPICS["ru"][n % 5]]
    ]
    plain = home_page().add_child(
        instance=HomePage(title="Plain", slug="plain", body="".join(rich(c) for c in cards))
    )
    client = Client()
    requests = {
        "catalogue": (catalogue.url, {}),
        "filtered": (catalogue.url, FILTERS),
        "searched": (catalogue.url, SEARCH),
        "kk_searched": (catalogues["kk"].url, {"q": "жараны"}),
        "plain": (plain.url, {}),
    }

    build(catalogues, covers, directions, levels, 0, N_SMALL)
    small = {name: count_queries(client, *request) for name, request in requests.items()}
    build(catalogues, covers, directions, levels, N_SMALL, N_LARGE)
    large = {name: count_queries(client, *request) for name, request in requests.items()}

    figures, details = {}, {"database": connection.vendor, "courses": f"{N_LARGE} × 3 languages"}
    for name, (url, params) in requests.items():
        p50, p99 = timings(lambda url=url, params=params: client.get(url, params), repeat=40)
        figures[name] = p50
        details[name] = (
            f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms, "
            f"queries {small[name]} at {N_SMALL} / {large[name]} at {N_LARGE}"
        )
    # The first visitor after a change (a course published) reads the courses afresh: printed,
    # not in the ratio, which is what the other visitors get.
    from courses.selectors import forget_catalogue

    def after_a_change(url=catalogue.url):
        forget_catalogue()
        client.get(url)

    p50, p99 = timings(after_a_change, repeat=40)
    details["first_visit_after_a_change"] = f"p50 {p50 * 1000:.1f} ms, p99 {p99 * 1000:.1f} ms"
    details["queries_constant"] = small == large
    worst = max(value for name, value in figures.items() if name != "plain")
    report("catalogue", worst / figures["plain"], **details)


if __name__ == "__main__":
    main()
