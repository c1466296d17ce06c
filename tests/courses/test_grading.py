"""Grading quiz answers: pure functions over plain question dicts, no database."""

import json
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from django.http import QueryDict
from django.utils import translation

from courses.grading import (
    AnswerError,
    answer_from_json,
    answer_to_json,
    correct_answer_text,
    credit_share,
    grade,
    grade_attempt,
    normalise_text,
    parse_answers,
    parse_number,
    public_question,
)

ANSWER_KEYS = {
    "is_correct",
    "credit",
    "feedback",
    "accepted",
    "answers",
    "correct",
    "feedback_true",
    "feedback_false",
    "pairs",
    "scoring",
    "title",
    "feedback_other",
}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# Question builders -----------------------------------------------------------------------------


def base(qid, kind, points="1"):
    return {
        "id": qid,
        "type": kind,
        "title": "Author note",
        "prompt": "<p>Question?</p>",
        "points": points,
        "feedback": "<p>General feedback</p>",
    }


def choice(cid, text, *, is_correct=False, credit=None, feedback=""):
    return {
        "id": cid,
        "text": text,
        "is_correct": is_correct,
        "credit": credit,
        "feedback": feedback,
    }


def single_choice(qid="sc", points="1"):
    return base(qid, "single_choice", points) | {
        "choices": [
            choice("a", "Call 103", is_correct=True, feedback="Right, call first."),
            choice("b", "Wait", feedback="Waiting costs time."),
            choice("c", "Give water", credit=25, feedback="Not first."),
        ]
    }


def multiple_choice(qid="mc", scoring="all_or_nothing", points="1"):
    return base(qid, "multiple_choice", points) | {
        "scoring": scoring,
        "choices": [
            choice("a", "Airway", is_correct=True, feedback="Yes, airway."),
            choice("b", "Breathing", is_correct=True),
            choice("c", "Circulation", is_correct=True),
            choice("d", "Dessert"),
        ],
    }


def true_false(qid="tf", correct=True):
    return base(qid, "true_false") | {
        "correct": correct,
        "feedback_true": "Indeed true.",
        "feedback_false": "It is true, actually.",
    }


def accepted(text, credit=None, feedback=""):
    return {"text": text, "credit": credit, "feedback": feedback}


def short_answer(qid="sa", *answers):
    return base(qid, "short_answer") | {
        "accepted": list(answers) or [accepted("Ёлка", feedback="Good.")],
    }


def numeric_answer(value, tolerance="0", credit=None, feedback=""):
    return {"value": value, "tolerance": tolerance, "credit": credit, "feedback": feedback}


def numeric(qid="nu", *answers, unit="per minute"):
    return base(qid, "numeric", points="2.00") | {
        "answers": list(answers) or [numeric_answer("110", "10", feedback="Close enough.")],
        "unit": unit,
    }


def matching(qid="ma"):
    return base(qid, "matching", points="3") | {
        "pairs": [
            {"id": "p1", "left": "Burn", "right": "Cool water"},
            {"id": "p2", "left": "Bleeding", "right": "Pressure"},
            {"id": "p3", "left": "Choking", "right": "Back blows"},
        ]
    }


def ordering(qid="or", n_items=4):
    steps = ["Check danger", "Check response", "Open airway", "Check breathing", "Call 103"]
    return base(qid, "ordering") | {
        "items": [{"id": f"i{n}", "text": steps[n]} for n in range(n_items)],
    }


def all_questions():
    return [
        single_choice(),
        multiple_choice(),
        true_false(),
        short_answer(),
        numeric(),
        matching(),
        ordering(),
    ]


# normalise_text and parse_number ---------------------------------------------------------------


def test_normalise_text_folds_case_spaces_and_yo():
    assert normalise_text("  Ёжик\u00a0 в\tТУМАНЕ\n ") == "ежик в тумане"


def test_normalise_text_composes_a_decomposed_yo_before_replacing_it():
    assert normalise_text("е\u0308лка") == "елка"


def test_normalise_text_keeps_kazakh_letters_and_lowers_them():
    assert normalise_text("Әә Ғғ Ққ Ңң Өө Ұұ Үү Һһ Іі") == "әә ғғ ққ ңң өө ұұ үү һһ іі"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3,5", Decimal("3.5")),
        ("3.5", Decimal("3.5")),
        ("  42 ", Decimal("42")),
        ("1 000", Decimal("1000")),
        ("1\u00a0000,25", Decimal("1000.25")),
        ("12\u202f345\u202f678", Decimal("12345678")),
        ("-0,75", Decimal("-0.75")),
    ],
)
def test_parse_number_reads_comma_and_point_decimals_and_spaced_thousands(text, expected):
    assert parse_number(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "abc", "3,5,1", "1,000.5", "1e5", "+3", "NaN", "Infinity", "10 00", "- 5", "3.", ".5"],
)
def test_parse_number_rejects_anything_that_is_not_a_plain_number(text):
    with pytest.raises(AnswerError, match="Enter a number"):
        parse_number(text)


# Grading each type -----------------------------------------------------------------------------


def test_single_choice_correct_choice_earns_full_points_and_its_feedback():
    result = grade(single_choice(points="2.50"), "a")
    assert result.score == Decimal("2.50")
    assert result.max_score == Decimal("2.50")
    assert result.fraction == Decimal("1.0000")
    assert result.is_correct is True
    assert result.feedback == ("Right, call first.",)


def test_single_choice_wrong_choice_earns_nothing_by_default():
    result = grade(single_choice(), "b")
    assert result.score == Decimal("0.00")
    assert result.is_correct is False
    assert result.feedback == ("Waiting costs time.",)


def test_single_choice_wrong_choice_with_credit_earns_its_share():
    result = grade(single_choice(points="2"), "c")
    assert result.score == Decimal("0.50")
    assert result.fraction == Decimal("0.2500")
    assert result.is_correct is False


def test_single_choice_negative_credit_is_clamped_to_zero():
    question = single_choice()
    question["choices"][1]["credit"] = -50
    assert grade(question, "b").score == Decimal("0.00")


def test_unanswered_question_earns_nothing_and_no_feedback():
    result = grade(single_choice(), None)
    assert result.score == Decimal("0.00")
    assert result.max_score == Decimal("1.00")
    assert result.is_correct is False
    assert result.feedback == ()


def test_multiple_choice_all_or_nothing_needs_exactly_the_correct_set():
    question = multiple_choice()
    assert grade(question, frozenset({"a", "b", "c"})).is_correct is True
    assert grade(question, frozenset({"a", "b"})).score == Decimal("0.00")
    assert grade(question, frozenset({"a", "b", "c", "d"})).score == Decimal("0.00")


def test_multiple_choice_gives_feedback_of_every_selected_choice_that_has_some():
    assert grade(multiple_choice(), frozenset({"a", "b"})).feedback == ("Yes, airway.",)


def test_multiple_choice_partial_shares_points_among_correct_choices():
    result = grade(multiple_choice(scoring="partial", points="3"), frozenset({"a", "b"}))
    assert result.score == Decimal("2.00")
    assert result.fraction == Decimal("0.6667")


def test_multiple_choice_partial_three_thirds_make_exactly_full_marks():
    result = grade(multiple_choice(scoring="partial"), frozenset({"a", "b", "c"}))
    assert result.is_correct is True
    assert result.fraction == Decimal("1.0000")


def test_multiple_choice_partial_wrong_choice_takes_away_a_correct_share():
    result = grade(multiple_choice(scoring="partial", points="3"), frozenset({"a", "b", "d"}))
    assert result.score == Decimal("1.00")


def test_multiple_choice_partial_selecting_everything_cannot_win_full_marks():
    question = multiple_choice(scoring="partial")
    question["choices"].append(choice("e", "Exercise"))
    question["choices"].append(choice("f", "Fasting"))
    question["choices"].append(choice("g", "Gossip"))
    result = grade(question, frozenset("abcdefg"))
    assert result.score == Decimal("0.00")
    assert result.fraction == Decimal("0.0000")


def test_multiple_choice_partial_clamps_a_negative_total_to_zero():
    result = grade(multiple_choice(scoring="partial"), frozenset({"d"}))
    assert result.score == Decimal("0.00")


def test_multiple_choice_partial_uses_explicit_credits_as_given():
    question = multiple_choice(scoring="partial", points="10")
    question["choices"][0]["credit"] = 50
    question["choices"][3]["credit"] = -10
    assert grade(question, frozenset({"a", "d"})).score == Decimal("4.00")


def test_multiple_choice_partial_clamps_a_total_over_full_marks():
    question = multiple_choice(scoring="partial")
    for each in question["choices"][:3]:
        each["credit"] = 60
    assert grade(question, frozenset({"a", "b", "c"})).fraction == Decimal("1.0000")


def test_true_false_right_answer_earns_full_points_and_its_feedback():
    result = grade(true_false(correct=True), True)
    assert result.is_correct is True
    assert result.feedback == ("Indeed true.",)


def test_true_false_wrong_answer_earns_nothing_and_the_other_feedback():
    result = grade(true_false(correct=True), False)
    assert result.score == Decimal("0.00")
    assert result.feedback == ("It is true, actually.",)


def test_true_false_false_statement_accepts_false():
    assert grade(true_false(correct=False), False).is_correct is True


def test_short_answer_ignores_case_spacing_and_yo():
    result = grade(short_answer(), "  ЕЛКА ")
    assert result.is_correct is True
    assert result.feedback == ("Good.",)


def test_short_answer_compares_kazakh_letters_case_insensitively():
    question = short_answer("sa", accepted("Жүрек Қағысы"))
    assert grade(question, "жүрек  қағысы").is_correct is True


def test_short_answer_does_not_confuse_kazakh_letters_with_russian_look_alikes():
    question = short_answer("sa", accepted("Қан"))
    assert grade(question, "Кан").is_correct is False


def test_short_answer_star_matches_any_run_of_characters():
    question = short_answer("sa", accepted("сердечн*реанимац*"))
    assert grade(question, "Сердечно-лёгочная реанимация").is_correct is True


def test_short_answer_other_regex_characters_are_literal():
    question = short_answer("sa", accepted("a.c"))
    assert grade(question, "abc").is_correct is False
    assert grade(question, "A.C").is_correct is True


def test_short_answer_takes_the_best_credit_among_matching_answers():
    question = short_answer(
        "sa", accepted("*ожог*", credit=50, feedback="Partly."), accepted("ожог", feedback="Yes.")
    )
    result = grade(question, "Ожог")
    assert result.fraction == Decimal("1.0000")
    assert result.feedback == ("Yes.",)


def test_short_answer_partial_credit_answer_earns_its_share():
    question = short_answer("sa", accepted("ожог"), accepted("*ожог*", credit=50))
    assert grade(question, "термический ожог").fraction == Decimal("0.5000")


def test_short_answer_without_a_match_earns_nothing():
    result = grade(short_answer(), "сосна")
    assert result.score == Decimal("0.00")
    assert result.feedback == ()


def test_numeric_answer_within_tolerance_earns_full_points():
    result = grade(numeric(), Decimal("104.5"))
    assert result.score == Decimal("2.00")
    assert result.feedback == ("Close enough.",)


def test_numeric_tolerance_boundary_is_inclusive():
    assert grade(numeric(), Decimal("100")).is_correct is True
    assert grade(numeric(), Decimal("120")).is_correct is True


def test_numeric_just_outside_tolerance_earns_nothing():
    assert grade(numeric(), Decimal("99.99")).score == Decimal("0.00")
    assert grade(numeric(), Decimal("120.01")).score == Decimal("0.00")


def test_numeric_takes_the_best_credit_among_matching_answers():
    question = numeric(
        "nu",
        numeric_answer("3.5", "1", credit=40, feedback="Roughly."),
        numeric_answer("3.5", "0.1", feedback="Exactly."),
    )
    result = grade(question, parse_number("3,5"))
    assert result.is_correct is True
    assert result.feedback == ("Exactly.",)
    assert grade(question, Decimal("4")).score == Decimal("0.80")


def test_numeric_negative_credit_answer_is_clamped_to_zero():
    question = numeric("nu", numeric_answer("10"), numeric_answer("-10", credit=-100))
    assert grade(question, Decimal("-10")).score == Decimal("0.00")


def test_matching_earns_a_share_for_each_correct_pair():
    result = grade(matching(), {"p1": "p1", "p2": "p3", "p3": "p2"})
    assert result.score == Decimal("1.00")
    assert result.fraction == Decimal("0.3333")
    assert result.is_correct is False


def test_matching_all_pairs_right_is_correct():
    assert grade(matching(), {"p1": "p1", "p2": "p2", "p3": "p3"}).is_correct is True


def test_matching_unmatched_items_earn_nothing():
    assert grade(matching(), {"p2": "p2"}).score == Decimal("1.00")


def test_ordering_correct_order_earns_full_points():
    assert grade(ordering(), ["i0", "i1", "i2", "i3"]).is_correct is True


def test_ordering_is_all_or_nothing():
    assert grade(ordering(), ["i0", "i1", "i3", "i2"]).score == Decimal("0.00")


def test_score_is_rounded_half_up_to_cents():
    question = matching() | {"points": "0.05"}
    # 0.05 × 1/3 = 0.01666…
    assert grade(question, {"p1": "p1"}).score == Decimal("0.02")


# grade_attempt ---------------------------------------------------------------------------------


def test_grade_attempt_adds_scores_and_gives_a_percent():
    questions = [single_choice(points="1"), numeric(), matching()]
    result = grade_attempt(questions, {"sc": "a", "ma": {"p1": "p1"}})
    assert result.score == Decimal("2.00")
    assert result.max_score == Decimal("6.00")
    assert result.percent == Decimal("33.33")
    assert list(result.grades) == ["sc", "nu", "ma"]
    assert result.grades["nu"].score == Decimal("0.00")


def test_grade_attempt_of_zero_points_gives_zero_percent():
    result = grade_attempt([single_choice(points="0")], {"sc": "a"})
    assert result.max_score == Decimal("0.00")
    assert result.percent == Decimal("0.00")


# parse_answers ---------------------------------------------------------------------------------


def full_form():
    return {
        "csrfmiddlewaretoken": ["token"],
        "q-sc": ["a"],
        "q-mc": ["c", "a"],
        "q-tf": ["false"],
        "q-sa": ["  Ёлка  "],
        "q-nu": ["1 000,5"],
        "q-ma-1": ["p2"],
        "q-ma-2": [""],
        "q-ma-3": ["p3"],
        "q-or-i0": ["2"],
        "q-or-i1": ["1"],
        "q-or-i2": ["4"],
        "q-or-i3": ["3"],
    }


def test_parse_answers_reads_every_question_type():
    assert parse_answers(all_questions(), full_form()) == {
        "sc": "a",
        "mc": frozenset({"a", "c"}),
        "tf": False,
        "sa": "Ёлка",
        "nu": Decimal("1000.5"),
        "ma": {"p1": "p2", "p3": "p3"},
        "or": ["i1", "i0", "i3", "i2"],
    }


def test_parse_answers_reads_a_query_dict():
    form = QueryDict(mutable=True)
    form.setlist("q-mc", ["a", "b"])
    form.setlist("q-sc", ["b"])
    assert parse_answers(all_questions(), form) == {"mc": frozenset({"a", "b"}), "sc": "b"}


def test_parse_answers_leaves_out_unanswered_questions():
    form = {
        "q-sc": [""],
        "q-mc": [],
        "q-sa": ["   "],
        "q-nu": [" "],
        "q-ma-1": [""],
        "q-or-i0": [""],
        "q-or-i1": [""],
    }
    assert parse_answers(all_questions(), form) == {}


def test_parse_answers_ignores_fields_that_are_not_answers():
    assert parse_answers(all_questions(), {"csrfmiddlewaretoken": ["x"], "next": ["/"]}) == {}


def test_parse_answers_rejects_an_unknown_question():
    with pytest.raises(AnswerError, match="does not belong to any question") as error:
        parse_answers(all_questions(), {"q-sc": ["a"], "q-zz": ["a"]})
    assert error.value.question_id is None


def test_parse_answers_rejects_an_unknown_matching_item_and_names_its_question():
    with pytest.raises(AnswerError) as error:
        parse_answers(all_questions(), {"q-ma-9": ["p1"]})
    assert error.value.question_id == "ma"


def test_parse_answers_rejects_an_unknown_choice():
    with pytest.raises(AnswerError, match=r"^This answer is not one of the choices\.$") as error:
        parse_answers(all_questions(), {"q-sc": ["z"]})
    assert error.value.question_id == "sc"


def test_parse_answers_rejects_an_unknown_multiple_choice_id():
    with pytest.raises(AnswerError, match="not one of the choices"):
        parse_answers(all_questions(), {"q-mc": ["a", "z"]})


def test_parse_answers_rejects_two_values_for_a_single_choice():
    with pytest.raises(AnswerError, match="only one answer") as error:
        parse_answers(all_questions(), {"q-sc": ["a", "b"]})
    assert error.value.question_id == "sc"


@pytest.mark.parametrize("key", ["q-tf", "q-sa", "q-nu"])
def test_parse_answers_rejects_two_values_for_a_single_valued_field(key):
    with pytest.raises(AnswerError, match="only one answer"):
        parse_answers(all_questions(), {key: ["true", "true"]})


def test_parse_answers_rejects_duplicate_multiple_choice_values():
    with pytest.raises(AnswerError, match="only once"):
        parse_answers(all_questions(), {"q-mc": ["a", "a"]})


def test_parse_answers_rejects_a_true_false_value_other_than_true_or_false():
    with pytest.raises(AnswerError, match="Choose “True” or “False”"):
        parse_answers(all_questions(), {"q-tf": ["yes"]})


def test_parse_answers_rejects_a_non_number_for_numeric():
    with pytest.raises(AnswerError, match="Enter a number") as error:
        parse_answers(all_questions(), {"q-nu": ["about ten"]})
    assert error.value.question_id == "nu"


def test_parse_answers_rejects_an_over_long_short_answer():
    with pytest.raises(AnswerError, match="500 characters"):
        parse_answers(all_questions(), {"q-sa": ["я" * 501]})


def test_parse_answers_accepts_a_short_answer_of_500_characters_after_stripping():
    answers = parse_answers(all_questions(), {"q-sa": ["  " + "я" * 500 + "  "]})
    assert answers["sa"] == "я" * 500


def test_parse_answers_rejects_a_null_character_in_a_short_answer():
    with pytest.raises(AnswerError, match="not allowed"):
        parse_answers(all_questions(), {"q-sa": ["a\x00b"]})


def test_parse_answers_rejects_an_unknown_match():
    with pytest.raises(AnswerError, match="not one of the options"):
        parse_answers(all_questions(), {"q-ma-1": ["p9"]})


def test_parse_answers_rejects_two_matches_for_one_item():
    with pytest.raises(AnswerError, match="one match for each item"):
        parse_answers(all_questions(), {"q-ma-1": ["p1", "p2"]})


def test_parse_answers_rejects_duplicate_ordering_positions():
    form = {"q-or-i0": ["1"], "q-or-i1": ["1"], "q-or-i2": ["3"], "q-or-i3": ["4"]}
    with pytest.raises(AnswerError) as error:
        parse_answers(all_questions(), form)
    assert str(error.value) == "Give each step a different position from 1 to 4."
    assert error.value.question_id == "or"


def test_parse_answers_rejects_a_partly_filled_ordering():
    form = {"q-or-i0": ["1"], "q-or-i1": ["2"], "q-or-i2": [""]}
    with pytest.raises(AnswerError, match="different position from 1 to 4"):
        parse_answers(all_questions(), form)


@pytest.mark.parametrize("position", ["0", "5", "-1", "1.5", "one", "²"])
def test_parse_answers_rejects_an_ordering_position_outside_one_to_n(position):
    form = {"q-or-i0": [position], "q-or-i1": ["2"], "q-or-i2": ["3"], "q-or-i3": ["4"]}
    with pytest.raises(AnswerError, match="different position"):
        parse_answers(all_questions(), form)


def test_parse_answers_returns_nothing_when_a_later_field_is_tampered():
    form = full_form() | {"q-or-i3": ["2"]}
    with pytest.raises(AnswerError):
        parse_answers(all_questions(), form)


# Storing answers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "answer"),
    [
        (single_choice(), "b"),
        (multiple_choice(), frozenset({"c", "a"})),
        (true_false(), False),
        (short_answer(), "Ёлка"),
        (numeric(), Decimal("-1000.50")),
        (matching(), {"p1": "p2", "p3": "p3"}),
        (ordering(), ["i2", "i0", "i1", "i3"]),
        (single_choice(), None),
    ],
    ids=["single", "multiple", "true_false", "short", "numeric", "matching", "ordering", "none"],
)
def test_answer_survives_a_json_round_trip(question, answer):
    stored = json.loads(json.dumps(answer_to_json(question, answer)))
    restored = answer_from_json(question, stored)
    assert restored == answer
    assert type(restored) is type(answer)


def test_multiple_choice_answer_is_stored_as_a_sorted_list():
    assert answer_to_json(multiple_choice(), frozenset({"c", "a"})) == ["a", "c"]


def test_numeric_answer_is_stored_as_a_decimal_string():
    assert answer_to_json(numeric(), Decimal("3.50")) == "3.50"


# correct_answer_text ---------------------------------------------------------------------------


def test_correct_answer_text_of_single_choice_is_the_correct_choice():
    assert correct_answer_text(single_choice()) == "Call 103"


def test_correct_answer_text_of_multiple_choice_joins_correct_choices():
    assert correct_answer_text(multiple_choice()) == "Airway; Breathing; Circulation"


def test_correct_answer_text_of_true_false_is_translated_true_or_false():
    assert correct_answer_text(true_false(correct=True)) == "True"
    assert correct_answer_text(true_false(correct=False)) == "False"


def test_correct_answer_text_of_short_answer_lists_full_credit_answers():
    question = short_answer(
        "sa", accepted("ожог"), accepted("*ожог*", credit=50), accepted("burn", credit=100)
    )
    assert correct_answer_text(question) == "ожог / burn"


def test_correct_answer_text_of_numeric_shows_value_tolerance_and_unit():
    question = numeric(
        "nu",
        numeric_answer("110.00", "10.00"),
        numeric_answer("60", "0"),
        numeric_answer("200", "50", credit=50),
    )
    assert correct_answer_text(question) == "110 ± 10 per minute / 60 per minute"


def test_correct_answer_text_of_numeric_without_unit_is_just_the_number():
    question = numeric("nu", numeric_answer("3.50", "0.25"), unit="")
    assert correct_answer_text(question) == "3.5 ± 0.25"


def test_correct_answer_text_of_matching_pairs_each_left_with_its_right():
    assert correct_answer_text(matching()) == (
        "Burn → Cool water; Bleeding → Pressure; Choking → Back blows"
    )


def test_correct_answer_text_of_ordering_numbers_the_steps():
    assert correct_answer_text(ordering(n_items=3)) == (
        "1. Check danger; 2. Check response; 3. Open airway"
    )


# public_question -------------------------------------------------------------------------------


def all_strings(value):
    """Every key and string anywhere inside a nested structure."""
    if isinstance(value, dict):
        keys = {str(key) for key in value}
        return keys | {s for each in value.values() for s in all_strings(each)}
    if isinstance(value, list | tuple):
        return {s for each in value for s in all_strings(each)}
    return {value} if isinstance(value, str) else set()


@pytest.mark.parametrize("question", all_questions(), ids=lambda question: question["type"])
def test_public_question_has_no_answer_key_or_feedback(question):
    public = public_question(question, rng=random.Random(1), shuffle_choices=True)
    assert not ANSWER_KEYS & all_strings(public)
    assert {"id", "type", "prompt", "points"} <= set(public)
    assert "General feedback" not in str(public)


def test_public_single_choice_shows_only_ids_and_texts():
    public = public_question(single_choice(), rng=random.Random(1), shuffle_choices=False)
    assert public == {
        "id": "sc",
        "type": "single_choice",
        "prompt": "<p>Question?</p>",
        "points": "1",
        "choices": [
            {"id": "a", "text": "Call 103"},
            {"id": "b", "text": "Wait"},
            {"id": "c", "text": "Give water"},
        ],
    }


def test_public_multiple_choice_shuffles_choices_when_asked():
    question = multiple_choice()
    publics = [
        public_question(question, rng=random.Random(seed), shuffle_choices=True)
        for seed in range(20)
    ]
    orders = {tuple(each["id"] for each in public["choices"]) for public in publics}
    assert len(orders) > 1
    assert all(sorted(order) == ["a", "b", "c", "d"] for order in orders)


def test_public_true_false_and_short_answer_show_only_the_prompt():
    for question in (true_false(), short_answer()):
        public = public_question(question, rng=random.Random(1), shuffle_choices=True)
        assert set(public) == {"id", "type", "prompt", "points"}


def test_public_numeric_shows_the_unit_but_no_values():
    public = public_question(numeric(), rng=random.Random(1), shuffle_choices=True)
    assert public["unit"] == "per minute"
    assert "110" not in str(public)


def test_public_matching_keeps_lefts_in_order_without_their_rights():
    public = public_question(matching(), rng=random.Random(1), shuffle_choices=False)
    assert public["lefts"] == [
        {"id": "1", "text": "Burn"},
        {"id": "2", "text": "Bleeding"},
        {"id": "3", "text": "Choking"},
    ]
    # Options carry pair ids; lefts must not, or the page would give every match away.
    assert not {left["id"] for left in public["lefts"]} & {o["id"] for o in public["options"]}
    assert sorted(option["text"] for option in public["options"]) == [
        "Back blows",
        "Cool water",
        "Pressure",
    ]


@pytest.mark.parametrize("seed", range(30))
def test_public_matching_options_are_never_in_the_correct_order(seed):
    public = public_question(matching(), rng=random.Random(seed), shuffle_choices=False)
    assert [option["id"] for option in public["options"]] != ["p1", "p2", "p3"]


@pytest.mark.parametrize("seed", range(30))
def test_public_ordering_items_are_never_in_the_correct_order(seed):
    public = public_question(ordering(n_items=3), rng=random.Random(seed), shuffle_choices=False)
    assert [item["id"] for item in public["items"]] != ["i0", "i1", "i2"]
    assert sorted(item["text"] for item in public["items"]) == [
        "Check danger",
        "Check response",
        "Open airway",
    ]


def test_public_ordering_of_two_items_swaps_them():
    public = public_question(ordering(n_items=2), rng=random.Random(0), shuffle_choices=False)
    assert [item["id"] for item in public["items"]] == ["i1", "i0"]


def test_public_matching_of_two_pairs_swaps_the_options():
    question = matching()
    question["pairs"] = question["pairs"][:2]
    public = public_question(question, rng=random.Random(0), shuffle_choices=False)
    assert [option["id"] for option in public["options"]] == ["p2", "p1"]


def test_public_question_does_not_share_lists_with_the_question():
    question = ordering()
    public = public_question(question, rng=random.Random(0), shuffle_choices=False)
    public["items"][0]["text"] = "changed"
    assert "changed" not in str(question)


# Credits and feedback that imported question banks use ----------------------------------------


def test_credit_share_reads_moodle_thirds_as_exact_thirds():
    assert credit_share("33.33333") == Fraction(1, 3)
    assert credit_share("-33.33333") == Fraction(-1, 3)
    assert credit_share("14.28571") == Fraction(1, 7)
    assert credit_share("83.33333") == Fraction(5, 6)


def test_credit_share_keeps_whole_and_exact_percentages_as_they_are():
    assert credit_share(37) == Fraction(37, 100)
    assert credit_share("12.5") == Fraction(1, 8)
    assert credit_share("12.3") == Fraction(123, 1000)


def test_multiple_choice_partial_three_moodle_thirds_make_exactly_full_marks():
    question = multiple_choice(scoring="partial")
    for each in question["choices"][:3]:
        each["credit"] = "33.33333"
    question["choices"][3]["credit"] = "-100"
    result = grade(question, frozenset({"a", "b", "c"}))
    assert result.is_correct is True
    assert result.score == Decimal("1.00")


def test_single_choice_fractional_credit_earns_its_share():
    question = single_choice(points="6")
    question["choices"][2]["credit"] = "83.33333"
    assert grade(question, "c").score == Decimal("5.00")


def test_short_answer_fractional_credits_pick_the_best_match():
    question = short_answer(
        "sa", accepted("*ожог*", credit="33.33333"), accepted("ожог*", credit="66.66667")
    )
    assert grade(question, "ожог кожи").fraction == Decimal("0.6667")


def test_short_answer_escaped_star_is_a_literal_asterisk():
    question = short_answer("sa", accepted("a\\*b"))
    assert grade(question, "a*b").is_correct is True
    assert grade(question, "axxb").is_correct is False


def test_correct_answer_text_shows_an_escaped_star_as_an_asterisk():
    assert correct_answer_text(short_answer("sa", accepted("a\\*b"))) == "a*b"


def test_numeric_answer_matching_nothing_gets_the_feedback_for_other_answers():
    question = numeric() | {"feedback_other": "Count again: 100 to 120."}
    result = grade(question, Decimal("60"))
    assert result.score == Decimal("0.00")
    assert result.feedback == ("Count again: 100 to 120.",)


def test_numeric_feedback_for_other_answers_is_not_given_to_a_right_answer():
    question = numeric() | {"feedback_other": "Count again."}
    assert grade(question, Decimal("110")).feedback == ("Close enough.",)


def test_numeric_question_without_feedback_for_other_answers_still_grades():
    assert grade(numeric(), Decimal("60")).feedback == ()


def test_public_numeric_hides_the_feedback_for_other_answers():
    question = numeric() | {"feedback_other": "Count again."}
    public = public_question(question, rng=random.Random(0), shuffle_choices=False)
    assert "Count again." not in str(public)
