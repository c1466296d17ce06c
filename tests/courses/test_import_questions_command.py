"""`manage.py import_questions`: the admin's import, from the command line."""

import io

import pytest
from django.core.management import CommandError, call_command

from courses.models import QuizPage
from tests.factories import make_course, quiz_of

pytestmark = pytest.mark.django_db

BANK = "::Cooling::How long?{=20 minutes ~2 minutes}\n\nCover with cling film.{T}\n\nWrite.{}\n"


@pytest.fixture
def quiz():
    return quiz_of(make_course(slug="burns", quiz={}))


@pytest.fixture
def bank(tmp_path):
    path = tmp_path / "burns.gift"
    path.write_text(BANK, encoding="utf-8")
    return path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_questions", *map(str, args), "--language", "en", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def question_types(quiz):
    page = QuizPage.objects.get(pk=quiz.pk)
    return [block.block_type for block in page.get_latest_revision_as_object().questions]


def test_dry_run_lists_the_questions_and_imports_nothing(quiz, bank):
    out, err = run(bank, "--quiz", quiz.pk, "--dry-run")

    assert "line 1" in out and "single_choice" in out and "Cooling" in out
    assert "line 3" in out and "true_false" in out
    assert "Dry run: 2 questions read, nothing imported" in out
    assert "Line 5: Essay questions are not imported" in err
    assert question_types(quiz) == ["single_choice"]


def test_import_adds_the_questions_and_publishes_a_live_quiz(quiz, bank):
    out, _err = run(bank, "--quiz", quiz.pk)

    assert "2 questions added to “Тест” and published." in out
    quiz.refresh_from_db()
    assert [block.block_type for block in quiz.questions] == [
        "single_choice",
        "single_choice",
        "true_false",
    ]


def test_import_into_a_quiz_with_a_draft_stays_a_draft(quiz, bank):
    quiz.get_latest_revision_as_object().save_revision()

    out, _err = run(bank, "--quiz", quiz.pk)

    assert "as a draft" in out
    assert question_types(quiz) == ["single_choice", "single_choice", "true_false"]


def test_a_file_with_errors_imports_nothing_and_names_each_line(quiz, tmp_path):
    path = tmp_path / "broken.gift"
    path.write_text("Good.{T}\n\nBad {~a ~b}\n\nWorse {#x}\n", encoding="utf-8")

    with pytest.raises(CommandError) as error:
        run(path, "--quiz", quiz.pk)

    assert "Nothing was imported" in str(error.value)
    assert "Line 3: No answer is right." in str(error.value)
    assert "Line 5: Expected a number" in str(error.value)
    assert question_types(quiz) == ["single_choice"]


def test_format_can_be_named(quiz, tmp_path):
    path = tmp_path / "bank.txt"
    path.write_text("Which number?\nA. 101\nB. 103\nANSWER: B\n", encoding="utf-8")

    run(path, "--quiz", quiz.pk, "--format", "aiken")

    assert question_types(quiz) == ["single_choice", "single_choice"]


def test_an_unknown_quiz_is_an_error(bank):
    with pytest.raises(CommandError, match="no quiz with id 999"):
        run(bank, "--quiz", 999)


def test_a_missing_file_is_an_error(quiz, tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run(tmp_path / "missing.gift", "--quiz", quiz.pk)
