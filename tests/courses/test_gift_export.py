"""Writing quizzes as GIFT: what Moodle reads, and what comes back unchanged when imported again.

No database: quizzes are built as StreamField values from raw data, as pages store them.
"""

from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from courses import grading
from courses.blocks import QuizStreamBlock, question_to_plain, stream_from_raw
from courses.importers import GIFT, read_questions
from courses.importers.gift_export import export_gift, quiz_items
from demo.blood_donation_course import BLOOD_DONATION_COURSE
from demo.first_aid_course import FIRST_AID_COURSE

CORPUS_FILES = sorted((Path(__file__).parent / "gift_corpus").glob("*.gift"))


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def stream(blocks):
    return stream_from_raw(QuizStreamBlock(), blocks)


def export(blocks, **kwargs):
    return export_gift(quiz_items(stream(blocks)), **kwargs)


def reimport(text):
    result = read_questions(text.encode(), file_format=GIFT)
    assert not result.errors, [str(error) for error in result.errors]
    return result


def question(kind, **value):
    return {
        "type": kind,
        "value": {"title": "", "prompt": "<p>Q?</p>", "points": "1", "feedback": "", **value},
    }


def choice(text, *, is_correct=False, credit=None, feedback=""):
    return {"text": text, "is_correct": is_correct, "credit": credit, "feedback": feedback}


# Round trips -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda path: path.stem)
def test_exporting_imported_questions_and_importing_them_again_gives_the_same_questions(path):
    imported = read_questions(path.read_bytes(), file_format=GIFT).blocks

    again = reimport(export(imported)).blocks

    assert again == imported


def meaning(block_type, value):
    """A question as grading sees it, without ids: credits as the shares they earn."""
    plain = question_to_plain(block_type, value, "q")
    plain.pop("id")
    plain["points"] = Decimal(plain["points"])
    for key in ("choices", "accepted", "answers"):
        for entry in plain.get(key, []):
            entry.pop("id", None)
            if key == "choices" and plain.get("scoring") == "all_or_nothing":
                entry["credit"] = None
            elif key == "choices" and block_type == "multiple_choice":
                n_correct = sum(1 for each in plain["choices"] if each["is_correct"])
                entry["credit"] = grading._partial_credit(entry, n_correct)
            elif entry.get("credit") is not None:
                entry["credit"] = grading.credit_share(entry["credit"])
    for pair in plain.get("pairs", []):
        pair.pop("id")
    return plain


@pytest.mark.parametrize(
    "course", [FIRST_AID_COURSE, BLOOD_DONATION_COURSE], ids=["first_aid", "kk"]
)
def test_demo_quizzes_come_back_from_gift_grading_the_same(course):
    original = stream(course["quiz"]["questions"])
    gift = export_gift(quiz_items(original))

    again = stream(reimport(gift).blocks)

    expected = [
        meaning(block.block_type, block.value)
        for block in original
        if block.block_type not in {"ordering", "description"}
    ]
    got = [
        meaning(block.block_type, block.value)
        for block in again
        if block.block_type != "description"
    ]
    assert got == expected
    assert [b.value["text"].source for b in again if b.block_type == "description"] == [
        b.value["text"].source for b in original if b.block_type == "description"
    ]


def test_komek_settings_survive_the_round_trip():
    blocks = [
        question(
            "multiple_choice",
            points="2.5",
            scoring="all_or_nothing",
            choices=[choice("a", is_correct=True), choice("b", is_correct=True), choice("c")],
        ),
        question(
            "numeric",
            answers=[{"value": "110", "tolerance": "10", "credit": None, "feedback": ""}],
            unit="в минуту",
            feedback_other="Count again.",
        ),
    ]

    again = reimport(export(blocks)).blocks

    assert again == blocks


def test_special_characters_in_every_field_survive_the_round_trip():
    tricky = "a {b} ~c =d #e: f\\g -> h % [html] <i>"
    blocks = [
        question(
            "single_choice",
            title=f"Title {tricky}",
            prompt="<p>Prompt {x} ~ = # : \\</p>",
            feedback="<p>General {y}</p>",
            choices=[
                choice(tricky, is_correct=True, feedback=tricky),
                choice(f"%50% {tricky}", credit="-33.33333"),
                choice("[plain]text"),
            ],
        ),
        question(
            "true_false",
            correct=False,
            feedback_true=f"true {tricky}",
            feedback_false=f"false {tricky}",
        ),
        question(
            "short_answer",
            accepted=[
                {"text": "a {b} ~c =d #e: f\\g", "credit": None, "feedback": tricky},
                {"text": "a\\*b", "credit": "50", "feedback": ""},
            ],
        ),
        question(
            "matching",
            pairs=[
                {"left": f"left {tricky}", "right": "right {x} ~ = # :"},
                {"left": "two", "right": "2"},
            ],
        ),
        {"type": "description", "value": {"text": "<p>About {this} ~ = # :</p>"}},
    ]

    again = reimport(export(blocks)).blocks

    assert again == blocks


# What the file looks like ----------------------------------------------------------------------


def test_exported_questions_read_as_moodle_writes_them():
    blocks = [
        question(
            "single_choice",
            title="Number",
            feedback="<p>Remember 103.</p>",
            choices=[
                choice("103", is_correct=True, feedback="Right."),
                choice("112", credit="50"),
                choice("101"),
            ],
        ),
        question("true_false", correct=True, feedback_true="Yes.", feedback_false="No."),
        question(
            "numeric",
            answers=[
                {"value": "110", "tolerance": "10", "credit": None, "feedback": ""},
                {"value": "110", "tolerance": "30", "credit": "50", "feedback": "Close."},
            ],
            unit="",
            feedback_other="",
        ),
        question(
            "matching", pairs=[{"left": "Burn", "right": "Cool"}, {"left": "Cut", "right": "Press"}]
        ),
    ]

    assert export(blocks, heading="Quiz “Test”") == (
        "// Quiz “Test”\n"
        "\n"
        "::Number::[html]<p>Q?</p>{\n"
        "\t=103#Right.\n"
        "\t~%50%112\n"
        "\t~101\n"
        "\t####<p>Remember 103.</p>\n"
        "}\n"
        "\n"
        "[html]<p>Q?</p>{TRUE#No.#Yes.}\n"
        "\n"
        "[html]<p>Q?</p>{#\n"
        "\t=110:10\n"
        "\t=%50%110:30#Close.\n"
        "}\n"
        "\n"
        "[html]<p>Q?</p>{\n"
        "\t=Burn -> Cool\n"
        "\t=Cut -> Press\n"
        "}\n"
    )


def test_wrong_matches_are_written_as_moodle_does_and_come_back():
    blocks = [
        question(
            "matching",
            pairs=[{"left": "Burn", "right": "Cool"}, {"left": "Cut", "right": "Press"}],
            distractors=["Ice", "Butter"],
        )
    ]

    text = export(blocks)

    assert "\t=Cut -> Press\n\t= -> Ice\n\t= -> Butter\n}" in text
    assert reimport(text).blocks == blocks


def test_partial_credit_defaults_are_written_out_as_moodle_weights():
    blocks = [
        question(
            "multiple_choice",
            scoring="partial",
            choices=[
                choice("a", is_correct=True),
                choice("b", is_correct=True),
                choice("c", is_correct=True),
                choice("d"),
            ],
        )
    ]

    text = export(blocks)

    assert "~%33.33333%a" in text
    assert "~%-33.33333%d" in text
    assert "komek" not in text


def test_all_or_nothing_is_written_as_weights_moodle_understands_and_a_komek_comment():
    blocks = [
        question(
            "multiple_choice",
            points="2",
            scoring="all_or_nothing",
            choices=[choice("a", is_correct=True), choice("b", is_correct=True), choice("c")],
        )
    ]

    text = export(blocks)

    assert text.startswith('// komek: {"points": "2", "scoring": "all_or_nothing"}\n')
    assert "~%50%a" in text
    assert "~%-100%c" in text


def test_ordering_questions_are_left_out_with_a_comment_saying_so():
    blocks = [
        question("ordering", title="Steps", items=["one", "two"]),
        question("true_false", correct=True, feedback_true="", feedback_false=""),
    ]

    text = export(blocks)

    assert "// Not exported: the ordering question “Steps”" in text
    assert len(reimport(text).questions) == 1


def test_a_correct_choice_with_reduced_credit_is_noted_in_a_comment():
    blocks = [
        question(
            "single_choice",
            choices=[choice("a", is_correct=True, credit="80"), choice("b")],
        )
    ]

    text = export(blocks)

    assert "// The correct answer “a” earns 80% in Komek" in text


def test_internal_links_are_expanded_by_the_given_function():
    blocks = [
        question("true_false", prompt='<p><a linktype="page" id="3">See</a></p>', correct=True)
    ]

    items = quiz_items(
        stream(blocks),
        expand_links=lambda html: html.replace('linktype="page" id="3"', 'href="/ru/x/"'),
    )

    assert items[0]["prompt"] == '<p><a href="/ru/x/">See</a></p>'


def test_plain_questions_keep_whole_credits_as_ints_and_fractional_ones_as_decimal_strings():
    blocks = [
        question(
            "multiple_choice",
            scoring="partial",
            choices=[
                choice("a", is_correct=True, credit=50),
                choice("b", is_correct=True, credit="33.33333"),
                choice("c", credit="-50.0"),
                choice("d"),
            ],
        )
    ]

    [item] = quiz_items(stream(blocks))

    assert [c["credit"] for c in item["choices"]] == [50, "33.33333", -50, None]
