"""Extra wrong matches in matching questions (Moodle's "= -> text"): stored on the block, offered
in every row, earning nothing, and shown in the review as the learner chose them.

No database: blocks are built as StreamField values from raw data, as pages store them.
"""

import random
from decimal import Decimal

import pytest
from django.utils import translation
from wagtail.blocks.struct_block import StructBlockValidationError

from courses.blocks import MatchingBlock, QuizStreamBlock, question_to_plain, stream_from_raw
from courses.grading import grade, parse_answers, public_question
from courses.views import describe_answer


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def matching_value(distractors):
    return {
        "title": "",
        "prompt": "<p>Match.</p>",
        "points": "2",
        "feedback": "",
        "pairs": [{"left": "Burn", "right": "Cool water"}, {"left": "Cut", "right": "Pressure"}],
        "distractors": distractors,
    }


def plain_matching(distractors=("Ice", "Butter")):
    [block] = stream_from_raw(
        QuizStreamBlock(), [{"type": "matching", "value": matching_value(list(distractors))}]
    )
    return question_to_plain("matching", block.value, "ma")


def test_wrong_matches_are_part_of_the_question_with_their_own_ids():
    question = plain_matching()

    assert [wrong["text"] for wrong in question["distractors"]] == ["Ice", "Butter"]
    ids = [entry["id"] for entry in question["pairs"] + question["distractors"]]
    assert len(set(ids)) == 4


def test_a_wrong_match_that_repeats_a_match_is_refused_by_the_editor():
    block = MatchingBlock()

    with pytest.raises(StructBlockValidationError):
        block.clean(block.to_python(matching_value(["cool water"])))


def test_a_matching_question_stored_before_wrong_matches_existed_reads_with_none():
    value = matching_value([])
    del value["distractors"]

    assert list(MatchingBlock().clean(MatchingBlock().to_python(value))["distractors"]) == []


@pytest.mark.parametrize("seed", range(10))
def test_wrong_matches_are_offered_among_the_matches_in_every_row(seed):
    question = plain_matching()

    public = public_question(question, rng=random.Random(seed), shuffle_choices=False)

    assert sorted(option["text"] for option in public["options"]) == [
        "Butter",
        "Cool water",
        "Ice",
        "Pressure",
    ]
    matches = [
        option["id"] for option in public["options"] if option["text"] in {"Cool water", "Pressure"}
    ]
    assert matches != [pair["id"] for pair in question["pairs"]]


def test_choosing_a_wrong_match_is_accepted_and_earns_nothing_for_that_item():
    question = plain_matching()
    burn, cut = question["pairs"]
    ice = question["distractors"][0]

    answers = parse_answers([question], {"q-ma-1": [ice["id"]], "q-ma-2": [cut["id"]]})

    assert answers == {"ma": {burn["id"]: ice["id"], cut["id"]: cut["id"]}}
    assert grade(question, answers["ma"]).score == Decimal("1.00")


def test_the_review_shows_the_wrong_match_the_learner_chose():
    question = plain_matching()
    burn = question["pairs"][0]
    ice = question["distractors"][0]

    assert describe_answer(question, {burn["id"]: ice["id"]}) == "Burn → Ice; Cut → —"
