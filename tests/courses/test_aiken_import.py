"""Reading Aiken files: one-answer multiple-choice questions with lettered options."""

import pytest
from django.utils import translation

from courses.importers import AIKEN, read_questions

AMBULANCE = """Which number calls an ambulance in Kazakhstan?
A. 101
B) 103
C. 112
ANSWER: B
"""


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def read(text):
    return read_questions(text.encode(), file_format=AIKEN)


def test_aiken_question_becomes_a_single_choice_with_the_answer_letter_correct():
    result = read(AMBULANCE)

    assert result.can_import
    [question] = result.questions
    assert question.line == 1
    assert question.block == {
        "type": "single_choice",
        "value": {
            "title": "",
            "prompt": "<p>Which number calls an ambulance in Kazakhstan?</p>",
            "points": "1",
            "feedback": "",
            "choices": [
                {"text": "101", "is_correct": False, "credit": None, "feedback": ""},
                {"text": "103", "is_correct": True, "credit": None, "feedback": ""},
                {"text": "112", "is_correct": False, "credit": None, "feedback": ""},
            ],
        },
    }


def test_aiken_questions_follow_each_other_with_or_without_blank_lines():
    text = (
        AMBULANCE
        + "Кто первым оказывает помощь?\nA. Волонтёр\nB. Зритель\nANSWER: A\n\n"
        + AMBULANCE
    )

    result = read(text)

    assert [question.line for question in result.questions] == [1, 6, 11]
    assert result.questions[1].value["choices"][0]["is_correct"] is True


def test_aiken_question_text_may_span_several_lines():
    result = read("A runner collapses.\nWhat first?\nA. Check safety\nB. Give water\nANSWER: A")

    assert result.questions[0].value["prompt"] == "<p>A runner collapses.<br/>What first?</p>"


def test_aiken_text_is_plain_text():
    result = read("Is <b>this</b> bold & safe?\nA. <i>yes</i>\nB. no\nANSWER: B")

    question = result.questions[0].value
    assert question["prompt"] == "<p>Is &lt;b&gt;this&lt;/b&gt; bold &amp; safe?</p>"
    assert question["choices"][0]["text"] == "<i>yes</i>"


def test_aiken_file_with_crlf_and_byte_order_mark_reads_the_same():
    crlf = b"\xef\xbb\xbf" + AMBULANCE.replace("\n", "\r\n").encode()

    assert read_questions(crlf, file_format=AIKEN).blocks == read(AMBULANCE).blocks


def test_aiken_format_is_recognised_without_being_named():
    assert read_questions(AMBULANCE.encode()).file_format == AIKEN


@pytest.mark.parametrize(
    ("text", "line", "expected"),
    [
        ("Q?\nA. one\nC. three\nANSWER: A", 3, "Expected option “B”, found “C”"),
        ("Q?\nA. one\nB. two\nANSWER: D", 4, "one of the letters A, B, found “D”"),
        ("Q?\nA. one\nB. two\nANSWER: A, B", 4, "found “A, B”"),
        ("Q?\nA. one\nANSWER: A", 3, "at least two options"),
        ("ANSWER: A", 1, "comes before any question text"),
        ("Q?\nA. one\nB. two\nmore text\nANSWER: A", 4, "Expected option “C.” or “ANSWER:”"),
        ("Q?\nA. one\nB. two", 1, "has no “ANSWER:” line"),
    ],
)
def test_aiken_mistake_is_reported_with_its_line_and_what_was_expected(text, line, expected):
    result = read(AMBULANCE + "\n" + text)

    assert not result.can_import
    assert [error.line for error in result.errors] == [line + 6]
    assert expected in result.errors[0].message


def test_aiken_reports_every_broken_question_and_reads_on_after_each():
    result = read("Q?\nA. one\nC. two\nANSWER: A\n\n" + AMBULANCE + "\nQ2?\nA. x\nANSWER: A")

    assert [error.line for error in result.errors] == [3, 14]
    assert len(result.questions) == 1


def test_aiken_answer_letter_may_be_lowercase():
    assert read("Q?\nA. one\nB. two\nANSWER: b").questions[0].value["choices"][1]["is_correct"]


def test_aiken_option_may_have_no_space_after_its_letter_as_in_moodle():
    # Moodle's qformat_aiken reads an option as ^[A-Z][).][ \t]? and trims the rest.
    result = read("Which number calls an ambulance?\nA)101\nB.103\nC)\t112\nANSWER: B")

    assert result.can_import
    assert [choice["text"] for choice in result.questions[0].value["choices"]] == [
        "101",
        "103",
        "112",
    ]


def test_aiken_question_text_keeps_its_line_breaks_inside_pre():
    result = read("Read the log:\n<pre>\nline one\nline two\n</pre>\nA. fine\nB. not\nANSWER: A")

    assert result.questions[0].value["prompt"] == (
        "<p>Read the log:<br/>&lt;pre&gt;<br/>line one<br/>line two<br/>&lt;/pre&gt;</p>"
    )
