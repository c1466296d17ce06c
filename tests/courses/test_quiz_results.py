"""Instructors' per-quiz results in the Wagtail admin, with CSV and XLSX export."""

import csv
import io

import pytest
from django.contrib.auth.models import Group, Permission
from openpyxl import load_workbook
from wagtail.models import GroupPagePermission

from courses import services
from tests.factories import UserFactory, make_course, numeric_block, quiz_of, single_choice_block

pytestmark = pytest.mark.django_db


@pytest.fixture
def results_quiz():
    course = make_course(slug="results", quiz={"questions": [single_choice_block(), numeric_block()],
                                               "pass_mark": 100, "max_attempts": None})  # fmt: skip
    quiz = quiz_of(course)
    for n, rate in enumerate(["110", "90", "115"]):
        learner = UserFactory(email=f"learner{n}@example.kz")
        services.enrol(user=learner, course=course)
        attempt = services.start_attempt(user=learner, quiz=quiz)
        first = attempt.questions[0]
        right = next(c["id"] for c in first["choices"] if c["is_correct"])
        services.submit_attempt(
            attempt=attempt,
            form={f"q-{first['id']}": [right], f"q-{attempt.questions[1]['id']}": [rate]},
        )
    return quiz


@pytest.fixture
def instructor(results_quiz):
    group = Group.objects.create(name="Instructors")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    GroupPagePermission.objects.create(
        group=group,
        page=results_quiz.get_parent(),
        permission=Permission.objects.get(codename="change_page"),
    )
    user = UserFactory(email="instructor@example.kz")
    user.groups.add(group)
    return user


def test_instructors_see_pass_rate_mean_score_and_each_questions_success(
    client, instructor, results_quiz
):
    client.force_login(instructor)
    client.cookies["komek_language"] = "en"

    html = client.get(f"/admin/quiz-results/{results_quiz.pk}/").content.decode()

    assert "67%" in html  # 2 of 3 passed; mean score (100 + 50 + 100) / 3
    assert "83%" in html
    assert "Куда звонить при остановке сердца?" in html


def test_results_export_to_csv_and_xlsx(client, instructor, results_quiz):
    client.force_login(instructor)

    response = client.get(f"/admin/quiz-results/{results_quiz.pk}/?export=csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    xlsx = client.get(f"/admin/quiz-results/{results_quiz.pk}/?export=xlsx")
    workbook = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))

    assert len(rows) == 3  # heading and two questions
    assert rows[1][3:] == ["3", "100"]
    assert rows[2][3:] == ["3", "67"]
    assert workbook.active.max_row == 3


def test_the_quiz_list_shows_only_quizzes_the_instructor_can_edit(client, instructor, results_quiz):
    other = make_course(slug="other", quiz={})
    client.force_login(instructor)

    html = client.get("/admin/quiz-results/").content.decode()

    assert f"/admin/quiz-results/{results_quiz.pk}/" in html
    assert f"/admin/quiz-results/{quiz_of(other).pk}/" not in html


def test_someone_who_cannot_edit_the_quiz_cannot_see_its_results(client, results_quiz):
    outsider = UserFactory(email="outsider@example.kz")
    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(outsider)

    response = client.get(f"/admin/quiz-results/{results_quiz.pk}/")

    assert response.status_code in (302, 403)
    assert "Куда звонить" not in response.content.decode()
