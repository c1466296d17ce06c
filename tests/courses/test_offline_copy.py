"""What "Download for offline" stores: a course's pages and files with their sizes, untimed
quizzes with an attempt started online (snapshotted, no answer keys), timed ones left out."""

import pytest

from courses import services
from courses.models import LessonPage, QuizAttempt, QuizPage
from tests.factories import single_choice_block

pytestmark = pytest.mark.django_db


def package(client, course, *, confirm=True):
    """The copy's plan: measured only (the size the learner is asked about), or confirmed."""
    data = {"confirm": "1"} if confirm else {}
    return client.post(course.url + "offline/", data, headers={"accept": "application/json"})


def test_asking_the_size_starts_no_attempt_and_confirming_starts_one(client, enrolled, course):
    client.force_login(enrolled)

    asked = package(client, course, confirm=False).json()
    attempts_after_asking = QuizAttempt.objects.count()
    confirmed = package(client, course).json()

    assert attempts_after_asking == 0
    assert QuizAttempt.objects.filter(user=enrolled).count() == 1
    assert [entry["url"] for entry in asked["pages"]] == [
        entry["url"] for entry in confirmed["pages"]
    ]
    assert asked["bytes"] == pytest.approx(confirmed["bytes"], rel=0.05)


def test_only_an_enrolled_learner_may_download_a_course(client, learner, course):
    client.force_login(learner)

    response = package(client, course)

    assert response.status_code == 403
    assert response.json()["error"] == "Запишитесь на курс, чтобы скачать его."
    assert not QuizAttempt.objects.exists()


def test_the_copy_lists_every_lesson_and_quiz_page_with_its_size(client, enrolled, course):
    client.force_login(enrolled)

    plan = package(client, course).json()

    urls = [entry["url"] for entry in plan["pages"]]
    lessons = [page.url for page in LessonPage.objects.child_of(course).order_by("path")]
    quiz = QuizPage.objects.child_of(course).get()
    attempt = QuizAttempt.objects.get(user=enrolled, quiz=quiz)
    assert urls == [course.url, *lessons, quiz.url, f"{quiz.url}attempt/{attempt.number}/"]
    assert all(entry["bytes"] > 1000 for entry in plan["pages"][1:])
    assert plan["cache"] == f"komek-course-{course.pk}"
    assert plan["bytes"] == sum(e["bytes"] for e in plan["pages"] + plan["files"])


def test_the_copy_holds_the_pages_scripts_and_video_files_with_their_sizes(
    client, enrolled, course
):
    from wagtailmedia.models import Media

    from courses.blocks import LessonStreamBlock, stream_from_raw

    media = Media.objects.create(title="СЛР", type="video", duration=100, file="media/cpr.webm")
    body = [{"type": "video", "value": {"video": media.pk, "captions": [], "poster": None}}]
    course.add_child(
        instance=LessonPage(
            title="Видео", slug="video", body=stream_from_raw(LessonStreamBlock(), body)
        )
    )
    client.force_login(enrolled)

    files = {entry["url"]: entry["bytes"] for entry in package(client, course).json()["files"]}

    assert files["/static/courses/video-progress.js"] > 0
    assert files["/static/lms/komek.css"] > 0
    video_files = [url for url in files if "cpr" in url]
    assert video_files, files


def test_a_downloaded_quiz_attempt_page_holds_no_answer_keys(client, enrolled, course):
    client.force_login(enrolled)
    plan = package(client, course).json()
    attempt_url = plan["pages"][-1]["url"]

    html = client.get(attempt_url).content.decode()

    assert "is_correct" not in html
    assert "Верно" not in html  # the right choice's feedback
    assert 'name="q-' in html


def test_a_timed_quiz_is_not_downloaded_and_is_named_as_needing_a_connection(
    client, enrolled, course
):
    from courses.blocks import QuizStreamBlock, stream_from_raw

    course.add_child(
        instance=QuizPage(
            title="Экзамен",
            slug="exam",
            time_limit_minutes=20,
            questions=stream_from_raw(QuizStreamBlock(), [single_choice_block()]),
        )
    )
    client.force_login(enrolled)

    plan = package(client, course).json()

    assert plan["timed_quizzes"] == ["Экзамен"]
    exam = QuizPage.objects.get(slug="exam")
    assert not QuizAttempt.objects.filter(quiz=exam).exists()
    assert not any("/exam/attempt/" in entry["url"] for entry in plan["pages"])


def test_a_passed_quiz_gets_no_new_attempt_from_a_download(client, enrolled, quiz):
    attempt = services.start_attempt(user=enrolled, quiz=quiz)
    question = attempt.questions[0]
    right = next(c["id"] for c in question["choices"] if c["is_correct"])
    services.submit_attempt(attempt=attempt, form={f"q-{question['id']}": [right]})
    client.force_login(enrolled)

    plan = package(client, quiz.get_course()).json()

    assert QuizAttempt.objects.filter(user=enrolled).count() == 1
    assert plan["pages"][-1]["url"] == quiz.url


def test_the_download_button_shows_only_to_enrolled_learners(client, learner, course):
    client.force_login(learner)
    assert "data-offline-panel" not in client.get(course.url).content.decode()

    services.enrol(user=learner, course=course)

    assert "Скачать для офлайн-доступа" in client.get(course.url).content.decode()


def test_the_copy_takes_files_from_the_object_storage_and_from_nowhere_else(settings):
    from courses import offline

    settings.STORAGE_ORIGIN = "https://files.komek.kz"
    html = """<img src="https://files.komek.kz/media/images/splint.jpg?X-Amz-Signature=ab">
        <img src="https://tracker.example.com/pixel.gif">
        <script src="/static/courses/video-progress.js"></script>
        <figure data-offline-src="https://files.komek.kz/media/video/1/small.mp4?X-Amz-Expires=60"
                data-offline-bytes="1200"></figure>"""

    assets = offline.page_assets(html)

    assert assets == {
        "https://files.komek.kz/media/images/splint.jpg?X-Amz-Signature=ab": None,
        "/static/courses/video-progress.js": None,
        "https://files.komek.kz/media/video/1/small.mp4?X-Amz-Expires=60": 1200,
    }
    assert offline.storage_name("https://files.komek.kz/media/images/splint.jpg?s=1") == (
        "images/splint.jpg"
    )
