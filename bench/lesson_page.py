"""A lesson page render (outline, progress, blocks) as a ratio to a plain Wagtail page showing the
same text, both served through Django's test client in the same process. Lower is better."""

from common import median_seconds, report, setup_django


def main():
    setup_django()
    from django.test import Client

    from courses import services
    from lms.models import HomePage
    from tests.factories import UserFactory, home_page, lessons_of, make_course, rich

    paragraphs = [
        f"Абзац {n}: оцените безопасность, вызовите 103, начните СЛР." * 3 for n in range(20)
    ]
    body = [
        {"type": "text", "value": "".join(rich(p) for p in paragraphs[i : i + 5])}
        for i in range(0, 20, 5)
    ]
    course = make_course(slug="bench", n_lessons=10, lesson_body=body, quiz={})
    lesson = lessons_of(course)[4]
    plain = home_page().add_child(
        instance=HomePage(title="Plain", slug="plain", body="".join(rich(p) for p in paragraphs))
    )
    learner = UserFactory()
    services.enrol(user=learner, course=course)
    client = Client()
    client.force_login(learner)
    assert client.get(lesson.url).status_code == 200
    assert client.get(plain.url).status_code == 200

    lesson_s = median_seconds(lambda: client.get(lesson.url), repeat=60)
    plain_s = median_seconds(lambda: client.get(plain.url), repeat=60)
    report(
        "lesson_page",
        lesson_s / plain_s,
        lesson_ms=f"{lesson_s * 1000:.2f}",
        plain_page_ms=f"{plain_s * 1000:.2f}",
    )


if __name__ == "__main__":
    main()
