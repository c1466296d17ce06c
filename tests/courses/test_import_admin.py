"""Importing questions in the Wagtail admin: upload, preview of every question, confirm; and
exporting a quiz to GIFT. Only users who may edit the quiz can do either."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from wagtail.models import GroupPagePermission

from courses import admin_views, services
from courses.importers import read_questions
from courses.models import QuizPage
from tests.factories import UserFactory, make_course, quiz_of

pytestmark = pytest.mark.django_db

BANK = """// A small bank from Moodle
$CATEGORY: $course$/top/Burns

::Cooling::How long should a burn be cooled?{
    =20 minutes#Yes, at least 20.
    ~%-50%2 minutes#Far too short.
    ~with ice#Ice damages the skin.
    ####Cool running water, 20 minutes.}

A burn should be covered with cling film.{T#It should: it keeps the wound clean.#Right.}

Write about the last burn you saw.{}
"""
BROKEN = "Good.{T}\n\nBad {~a ~b}\n\nWorse {#many}\n"


@pytest.fixture
def quiz():
    return quiz_of(make_course(slug="burns", quiz={"pass_mark": 50}))


def admin_user(quiz, email, *codenames):
    group = Group.objects.create(name=email)
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in codenames:
        GroupPagePermission.objects.create(
            group=group,
            page=quiz.get_parent(),
            permission=Permission.objects.get(codename=codename),
        )
    user = UserFactory(email=email)
    user.groups.add(group)
    return user


@pytest.fixture
def instructor(quiz):
    return admin_user(quiz, "instructor@example.kz", "change_page")


@pytest.fixture
def publisher(quiz):
    return admin_user(quiz, "publisher@example.kz", "change_page", "publish_page")


@pytest.fixture
def outsider(quiz):
    return admin_user(quiz, "outsider@example.kz")


def login(client, user):
    client.force_login(user)
    client.cookies["komek_language"] = "en"
    return client


def upload(client, quiz, text=BANK, name="burns.gift", file_format=""):
    return client.post(
        f"/admin/quiz-questions/{quiz.pk}/import/",
        {"file": SimpleUploadedFile(name, text.encode()), "file_format": file_format},
    )


def confirm(client, quiz, token, **extra):
    return client.post(
        f"/admin/quiz-questions/{quiz.pk}/import/confirm/", {"token": token, **extra}, follow=True
    )


def latest(quiz):
    return QuizPage.objects.get(pk=quiz.pk).get_latest_revision_as_object()


def question_types(page):
    return [block.block_type for block in page.questions]


def refused(response):
    """Wagtail answers PermissionDenied in the admin with a redirect to the dashboard."""
    return response.status_code == 302 and response["Location"] == "/admin/"


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


# Upload and preview ----------------------------------------------------------------------------


def test_instructor_sees_every_question_with_its_answers_and_feedback_before_anything_changes(
    client, instructor, quiz
):
    login(client, instructor)

    assert client.get(f"/admin/quiz-questions/{quiz.pk}/import/").status_code == 200
    response = upload(client, quiz)

    html = response.content.decode()
    assert response.status_code == 200
    for text in [
        "Cooling",
        "How long should a burn be cooled?",
        "20 minutes",
        "Yes, at least 20.",
        "credit -50%",
        "Ice damages the skin.",
        "Cool running water, 20 minutes.",
        "A burn should be covered with cling film.",
        "It should: it keeps the wound clean.",
        "Line 2: Categories ($CATEGORY:) are ignored",
        "Line 12: Essay questions are not imported",
        "Import 2 questions",
        "saved as a draft",
    ]:
        assert text in html, text
    assert question_types(latest(quiz)) == ["single_choice"]


def test_file_with_errors_lists_each_with_its_line_and_offers_no_import(client, instructor, quiz):
    login(client, instructor)

    html = upload(client, quiz, BROKEN).content.decode()

    assert "Nothing can be imported" in html
    assert "Line 3: No answer is right." in html
    assert "Line 5: Expected a number" in html
    assert 'name="token"' not in html
    assert "Upload a corrected file" in html
    assert question_types(latest(quiz)) == ["single_choice"]


def test_file_that_is_not_utf8_is_explained(client, instructor, quiz):
    login(client, instructor)

    response = client.post(
        f"/admin/quiz-questions/{quiz.pk}/import/",
        {"file": SimpleUploadedFile("bank.txt", "Вопрос{T}".encode("cp1251"))},
    )

    assert "not UTF-8" in response.content.decode()


def test_file_too_large_is_refused_by_the_form(client, instructor, quiz, monkeypatch):
    monkeypatch.setattr("courses.importers.MAX_FILE_BYTES", 10)
    login(client, instructor)

    html = upload(client, quiz).content.decode()

    assert "larger than" in html
    assert 'name="token"' not in html


def test_aiken_file_is_recognised_and_previewed(client, instructor, quiz):
    login(client, instructor)

    html = upload(client, quiz, "Which number?\nA. 101\nB. 103\nANSWER: B\n", "bank.txt")
    html = html.content.decode()

    assert "(AIKEN)" in html
    assert "Import 1 question" in html


# Confirm ---------------------------------------------------------------------------------------


def token_from(response):
    return response.context["token"]


def test_confirming_appends_the_questions_as_a_draft_for_an_instructor_who_cannot_publish(
    client, instructor, quiz
):
    login(client, instructor)
    token = token_from(upload(client, quiz))

    response = confirm(client, quiz, token)

    assert response.redirect_chain[-1][0] == f"/admin/pages/{quiz.pk}/edit/"
    assert "2 questions were added to “Тест” as a draft" in messages_of(response)[0]
    assert question_types(latest(quiz)) == ["single_choice", "single_choice", "true_false"]
    quiz.refresh_from_db()
    assert question_types(quiz) == ["single_choice"]  # learners still see the live quiz
    assert quiz.has_unpublished_changes
    assert latest(quiz).latest_revision.user == instructor


def test_confirming_publishes_at_once_when_the_quiz_was_live_without_changes_and_the_user_can_publish(
    client, publisher, quiz
):
    login(client, publisher)
    token = token_from(upload(client, quiz))
    assert "published at once" in upload(client, quiz).content.decode()

    response = confirm(client, quiz, token)

    assert "published" in messages_of(response)[0]
    quiz.refresh_from_db()
    assert question_types(quiz) == ["single_choice", "single_choice", "true_false"]
    assert not quiz.has_unpublished_changes


def test_a_draft_in_progress_keeps_its_changes_and_stays_a_draft(client, publisher, quiz):
    draft = quiz.get_latest_revision_as_object()
    draft.title = "Тест (черновик)"
    draft.save_revision(user=publisher)
    login(client, publisher)

    confirm(client, quiz, token_from(upload(client, quiz)))

    page = latest(quiz)
    assert page.title == "Тест (черновик)"
    assert question_types(page) == ["single_choice", "single_choice", "true_false"]
    quiz.refresh_from_db()
    assert quiz.title == "Тест"
    assert question_types(quiz) == ["single_choice"]


def test_imported_questions_keep_their_ids_and_can_be_taken_and_graded(client, publisher, quiz):
    login(client, publisher)
    confirm(client, quiz, token_from(upload(client, quiz)))
    quiz = QuizPage.objects.get(pk=quiz.pk)
    first_load = [
        (block.id, [c.id for c in block.value["choices"].bound_blocks])
        for block in quiz.questions
        if block.block_type == "single_choice"
    ]
    second_load = [
        (block.id, [c.id for c in block.value["choices"].bound_blocks])
        for block in QuizPage.objects.get(pk=quiz.pk).questions
        if block.block_type == "single_choice"
    ]
    assert first_load == second_load

    learner = UserFactory(email="learner@example.kz")
    services.enrol(user=learner, course=quiz.get_course())
    attempt = services.start_attempt(user=learner, quiz=quiz)
    cooling = next(q for q in attempt.questions if q["title"] == "Cooling")
    too_short = next(c["id"] for c in cooling["choices"] if c["text"] == "2 minutes")
    attempt = services.submit_attempt(attempt=attempt, form={f"q-{cooling['id']}": [too_short]})

    answer = attempt.answers.get(question_id=cooling["id"])
    assert answer.score == 0  # -50% is clamped to nothing


def test_confirm_reads_the_signed_upload_again_and_ignores_anything_else_sent(
    client, instructor, quiz
):
    login(client, instructor)
    token = token_from(upload(client, quiz))

    confirm(client, quiz, token, questions='[{"type": "true_false"}]', file_format="aiken")

    assert question_types(latest(quiz)) == ["single_choice", "single_choice", "true_false"]


def test_a_tampered_upload_imports_nothing(client, instructor, quiz):
    login(client, instructor)
    token = token_from(upload(client, quiz))

    response = confirm(client, quiz, token[:-3] + "abc")

    assert "could not be read" in messages_of(response)[0]
    assert question_types(latest(quiz)) == ["single_choice"]


def test_a_signed_file_with_errors_is_still_refused_on_confirm(client, instructor, quiz):
    token = signing.dumps(
        {"quiz": quiz.pk, "user": instructor.pk, "format": "gift", "name": "x", "text": BROKEN},
        salt=admin_views.IMPORT_TOKEN_SALT,
        compress=True,
    )
    login(client, instructor)

    html = confirm(client, quiz, token).content.decode()

    assert "Line 3: No answer is right." in html
    assert question_types(latest(quiz)) == ["single_choice"]


def test_an_expired_preview_asks_for_the_file_again(client, instructor, quiz, monkeypatch):
    login(client, instructor)
    token = token_from(upload(client, quiz))
    monkeypatch.setattr(admin_views, "IMPORT_TOKEN_MAX_AGE", -1)

    response = confirm(client, quiz, token)

    assert "expired" in messages_of(response)[0]
    assert question_types(latest(quiz)) == ["single_choice"]


def test_confirming_twice_imports_once(client, instructor, quiz):
    login(client, instructor)
    token = token_from(upload(client, quiz))

    confirm(client, quiz, token)
    response = confirm(client, quiz, token)

    assert "already been imported" in messages_of(response)[0]
    assert len(latest(quiz).questions) == 3


def test_an_upload_for_another_quiz_cannot_be_confirmed_here(client, instructor, quiz):
    other = quiz_of(make_course(slug="other", quiz={}, parent=quiz.get_parent().get_parent()))
    login(client, instructor)
    token = token_from(upload(client, quiz))

    response = client.post(f"/admin/quiz-questions/{other.pk}/import/confirm/", {"token": token})

    assert refused(response)
    assert len(latest(other).questions) == 1


def test_a_locked_quiz_takes_no_questions(client, instructor, publisher, quiz):
    quiz.locked = True
    quiz.locked_by = publisher
    quiz.save()
    login(client, instructor)

    response = confirm(client, quiz, token_from(upload(client, quiz)))

    assert "locked" in messages_of(response)[0]
    assert len(latest(quiz).questions) == 1


# Permissions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["import/", "import/confirm/", "export/"])
def test_a_user_who_cannot_edit_the_quiz_is_refused(client, outsider, quiz, url):
    login(client, outsider)

    token = signing.dumps(
        {"quiz": quiz.pk, "user": outsider.pk, "format": "gift", "name": "x", "text": BANK},
        salt=admin_views.IMPORT_TOKEN_SALT,
    )

    get = client.get(f"/admin/quiz-questions/{quiz.pk}/{url}")
    post = client.post(
        f"/admin/quiz-questions/{quiz.pk}/{url}",
        {"token": token, "file": SimpleUploadedFile("bank.gift", BANK.encode())},
    )

    assert refused(get)
    assert refused(post)
    assert len(latest(quiz).questions) == 1


def test_an_upload_signed_for_another_user_is_refused(client, instructor, publisher, quiz):
    login(client, instructor)
    token = token_from(upload(client, quiz))
    login(client, publisher)

    response = client.post(f"/admin/quiz-questions/{quiz.pk}/import/confirm/", {"token": token})

    assert refused(response)
    assert len(latest(quiz).questions) == 1


def test_import_and_export_are_offered_for_quizzes_to_their_editors(client, instructor, quiz):
    login(client, instructor)

    listing = client.get(f"/admin/pages/{quiz.get_parent().pk}/").content.decode()
    editor = client.get(f"/admin/pages/{quiz.pk}/edit/").content.decode()
    course_editor = client.get(f"/admin/pages/{quiz.get_parent().pk}/edit/").content.decode()

    for html in (listing, editor):
        assert f"/admin/quiz-questions/{quiz.pk}/import/" in html
        assert f"/admin/quiz-questions/{quiz.pk}/export/" in html
    assert "/admin/quiz-questions/" not in course_editor


def test_import_and_export_are_not_offered_to_users_who_cannot_edit(client, outsider, quiz):
    from courses.wagtail_hooks import quiz_question_buttons

    assert list(quiz_question_buttons(quiz, outsider)) == []


# Export ----------------------------------------------------------------------------------------


def test_export_downloads_the_latest_revision_as_gift_that_imports_back(client, instructor, quiz):
    login(client, instructor)
    confirm(client, quiz, token_from(upload(client, quiz)))

    response = client.get(f"/admin/quiz-questions/{quiz.pk}/export/")

    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="quiz-quiz-gift.txt"'
    text = response.content.decode()
    assert text.startswith("// Quiz “Тест”, exported from Komek on ")
    again = read_questions(response.content)
    assert [q.block_type for q in again.questions] == [
        "single_choice",
        "single_choice",
        "true_false",
    ]
    assert again.questions[1].value["title"] == "Cooling"


def test_the_quiz_editor_opens_with_imported_fractional_credits_and_other_answer_feedback(
    client, publisher, quiz
):
    login(client, publisher)
    bank = "Which three?{~%33.33333%a ~%33.33333%b ~%33.33333%c ~%-100%d}\n\nRate?{#100..120 ~#No.}"
    confirm(client, quiz, token_from(upload(client, quiz, bank)))

    html = client.get(f"/admin/pages/{quiz.pk}/edit/").content.decode()

    assert "33.33333" in html
    assert "feedback_other" in html
