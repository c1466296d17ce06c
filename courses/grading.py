"""Reading and grading quiz answers: pure functions over the plain question dicts that
`courses.blocks.question_to_plain` produces, with no database and no Wagtail.

Answer values, as `parse_answers` returns them and `grade` takes them:

    single_choice    str          the chosen choice id
    multiple_choice  frozenset    the chosen choice ids (a sorted list in JSON)
    true_false       bool
    short_answer     str          as typed, stripped
    numeric          Decimal
    matching         dict         left pair id -> chosen pair or wrong match id, unmatched items
                                  left out
                                  (the form names left items by position: q-<qid>-<n>)
    ordering         list         item ids in the learner's order

An unanswered question has no entry in the answers dict; `grade` takes None for it.
"""

import random
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.utils.translation import gettext as _

MAX_SHORT_ANSWER_LENGTH = 500
FULL_CREDIT = 100

CENTS = Decimal("0.01")
FRACTION_PLACES = Decimal("0.0001")

# Spaces a learner or a phone keyboard may put between thousands: space, no-break space and
# narrow no-break space (the CLDR group separator for Russian and Kazakh).
_GROUP = "[ \u00a0\u202f]"
_NUMBER = re.compile(
    rf"(?P<sign>[-\u2212]?)"
    rf"(?P<whole>[0-9]{{1,3}}(?:{_GROUP}[0-9]{{3}})+|[0-9]+)"
    rf"(?:[.,](?P<part>[0-9]+))?"
)
_MAX_NUMBER_LENGTH = 40
_POSITION = re.compile(r"[0-9]{1,4}")


class AnswerError(ValueError):
    """A submitted form that no honest learner could have produced, or a value we cannot read.

    `str(error)` is a translated message fit to show the learner.
    """

    def __init__(self, message: str, question_id: str | None = None):
        super().__init__(str(message))
        self.question_id = question_id


# Reading the form ------------------------------------------------------------------------------


def normalise_text(text: str) -> str:
    """Text as short answers are compared: case, spacing and ё/е make no difference.

    NFC first so that a decomposed "е" + combining diaeresis is caught by the ё rule, and again
    after casefolding, which can decompose (İ → i + combining dot).
    """
    text = unicodedata.normalize("NFC", text)
    text = unicodedata.normalize("NFC", text.casefold())
    text = text.replace("ё", "е").replace("Ё", "Е")
    return " ".join(text.split())


def parse_number(text: str) -> Decimal:
    """A learner's number: "3,5" or "3.5", spaces between thousands ("1 000"), a leading minus."""
    stripped = text.strip()
    match = _NUMBER.fullmatch(stripped) if len(stripped) <= _MAX_NUMBER_LENGTH else None
    if match is None:
        raise AnswerError(_("Enter a number, for example 3.5 or 3,5."))
    whole = re.sub(_GROUP, "", match["whole"])
    part = match["part"]
    sign = "-" if match["sign"] else ""
    return Decimal(f"{sign}{whole}.{part}" if part else f"{sign}{whole}")


def parse_answers(questions: list[dict], form: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """The learner's answers, keyed by question id, from `dict(request.POST.lists())`.

    Raises AnswerError, and returns nothing partial, when a field names a question, choice,
    pair or step that is not in the quiz, or holds a value the form could not have sent.
    """
    fields = _expected_fields(questions)
    for key in form:
        if key.startswith("q-") and key not in fields:
            raise AnswerError(
                _("This answer does not belong to any question in this quiz."),
                question_id=_question_id_for_unknown_key(questions, key),
            )

    answers = {}
    for question in questions:
        answer = _PARSERS[question["type"]](question, form)
        if answer is not None:
            answers[question["id"]] = answer
    return answers


def _expected_fields(questions):
    fields = set()
    for question in questions:
        prefix = f"q-{question['id']}"
        if question["type"] == "matching":
            # Left items are named by position, never by pair id: the options carry pair ids,
            # and a shared id would tell every match from the page source.
            fields.update(f"{prefix}-{n}" for n in range(1, len(question["pairs"]) + 1))
        elif question["type"] == "ordering":
            fields.update(f"{prefix}-{item['id']}" for item in question["items"])
        else:
            fields.add(prefix)
    return fields


def _question_id_for_unknown_key(questions, key):
    for question in questions:
        if key.startswith(f"q-{question['id']}-"):
            return question["id"]
    return None


def _field_values(form, key):
    # A QueryDict's get() gives only the last value; its lists are what tampering shows up in.
    if hasattr(form, "getlist"):
        return form.getlist(key)
    values = form.get(key, ())
    return [values] if isinstance(values, str) else list(values)


def _single_value(question, form, key):
    values = _field_values(form, key)
    if len(values) > 1:
        raise AnswerError(_("Give only one answer to this question."), question_id=question["id"])
    return values[0] if values and values[0] != "" else None


def _parse_single_choice(question, form):
    value = _single_value(question, form, f"q-{question['id']}")
    if value is None:
        return None
    if value not in {choice["id"] for choice in question["choices"]}:
        raise AnswerError(_("This answer is not one of the choices."), question_id=question["id"])
    return value


def _parse_multiple_choice(question, form):
    # An empty value is what a hidden "nothing selected" input sends.
    values = [value for value in _field_values(form, f"q-{question['id']}") if value != ""]
    if len(values) != len(set(values)):
        raise AnswerError(_("Each choice can be selected only once."), question_id=question["id"])
    if not set(values) <= {choice["id"] for choice in question["choices"]}:
        raise AnswerError(_("This answer is not one of the choices."), question_id=question["id"])
    return frozenset(values) or None


def _parse_true_false(question, form):
    value = _single_value(question, form, f"q-{question['id']}")
    if value is None:
        return None
    if value not in {"true", "false"}:
        raise AnswerError(_("Choose “True” or “False”."), question_id=question["id"])
    return value == "true"


def _parse_short_answer(question, form):
    value = _single_value(question, form, f"q-{question['id']}")
    value = (value or "").strip()
    if not value:
        return None
    if len(value) > MAX_SHORT_ANSWER_LENGTH:
        raise AnswerError(
            _("Keep your answer to %(limit)d characters or fewer.")
            % {"limit": MAX_SHORT_ANSWER_LENGTH},
            question_id=question["id"],
        )
    # PostgreSQL cannot store a null character in a JSON field.
    if "\x00" in value:
        raise AnswerError(
            _("Your answer contains a character that is not allowed."), question_id=question["id"]
        )
    return value


def _parse_numeric(question, form):
    value = _single_value(question, form, f"q-{question['id']}")
    if value is None or not value.strip():
        return None
    try:
        return parse_number(value)
    except AnswerError as error:
        raise AnswerError(str(error), question_id=question["id"]) from None


def _parse_matching(question, form):
    pair_ids = {pair["id"] for pair in question["pairs"]}
    pair_ids |= {wrong["id"] for wrong in question.get("distractors", ())}
    matches = {}
    for position, pair in enumerate(question["pairs"], start=1):
        values = _field_values(form, f"q-{question['id']}-{position}")
        if len(values) > 1:
            raise AnswerError(_("Choose one match for each item."), question_id=question["id"])
        if not values or values[0] == "":
            continue
        if values[0] not in pair_ids:
            raise AnswerError(
                _("This match is not one of the options."), question_id=question["id"]
            )
        matches[pair["id"]] = values[0]
    return matches or None


def _parse_ordering(question, form):
    items = question["items"]
    n_items = len(items)
    invalid = AnswerError(
        _("Give each step a different position from 1 to %(n)d.") % {"n": n_items},
        question_id=question["id"],
    )
    positions = {}
    for item in items:
        values = _field_values(form, f"q-{question['id']}-{item['id']}")
        if len(values) > 1:
            raise invalid
        if not values or not values[0].strip():
            continue
        position = values[0].strip()
        if not _POSITION.fullmatch(position) or not 1 <= int(position) <= n_items:
            raise invalid
        positions[item["id"]] = int(position)
    if not positions:
        return None
    if sorted(positions.values()) != list(range(1, n_items + 1)):
        raise invalid
    return sorted(positions, key=positions.__getitem__)


_PARSERS = {
    "single_choice": _parse_single_choice,
    "multiple_choice": _parse_multiple_choice,
    "true_false": _parse_true_false,
    "short_answer": _parse_short_answer,
    "numeric": _parse_numeric,
    "matching": _parse_matching,
    "ordering": _parse_ordering,
}


# Storing answers -------------------------------------------------------------------------------


def answer_to_json(question: dict, answer: Any) -> Any:
    """The answer as JSON-ready data for a JSONField; `answer_from_json` reads it back."""
    if answer is None:
        return None
    kind = question["type"]
    if kind == "multiple_choice":
        return sorted(answer)
    if kind == "numeric":
        return str(answer)
    if kind == "matching":
        return dict(answer)
    if kind == "ordering":
        return list(answer)
    return answer


def answer_from_json(question: dict, data: Any) -> Any:
    if data is None:
        return None
    kind = question["type"]
    if kind == "multiple_choice":
        return frozenset(data)
    if kind == "numeric":
        return Decimal(data)
    if kind == "true_false":
        return bool(data)
    if kind == "matching":
        return dict(data)
    if kind == "ordering":
        return list(data)
    return str(data)


# Grading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grade:
    score: Decimal
    max_score: Decimal
    fraction: Decimal
    is_correct: bool
    # Feedback written for the answer given (the chosen choice's, the matched accepted
    # answer's); the question's general feedback is shown to everyone and is not repeated here.
    feedback: tuple[str, ...] = ()


@dataclass(frozen=True)
class AttemptGrade:
    score: Decimal
    max_score: Decimal
    percent: Decimal
    grades: dict[str, Grade]


def grade(question: dict, answer: Any) -> Grade:
    """How much of the question's points the answer earns. None means unanswered: nothing."""
    if answer is None:
        share, feedback = Fraction(0), ()
    else:
        share, feedback = _GRADERS[question["type"]](question, answer)
    # Shares stay exact fractions until here, so three default shares of 100/3 make exactly 1.
    share = min(max(share, Fraction(0)), Fraction(1))
    points = Decimal(question["points"])
    return Grade(
        score=_quantize(points * share.numerator / share.denominator, CENTS),
        max_score=_quantize(points, CENTS),
        fraction=_quantize(Decimal(share.numerator) / share.denominator, FRACTION_PLACES),
        is_correct=share == 1,
        feedback=tuple(text for text in feedback if text),
    )


def grade_attempt(questions: list[dict], answers: Mapping[str, Any]) -> AttemptGrade:
    grades = {
        question["id"]: grade(question, answers.get(question["id"])) for question in questions
    }
    score = sum((each.score for each in grades.values()), Decimal(0))
    max_score = sum((each.max_score for each in grades.values()), Decimal(0))
    percent = score * 100 / max_score if max_score else Decimal(0)
    return AttemptGrade(
        score=_quantize(score, CENTS),
        max_score=_quantize(max_score, CENTS),
        percent=_quantize(percent, CENTS),
        grades=grades,
    )


def _quantize(value, places):
    return Decimal(value).quantize(places, rounding=ROUND_HALF_UP)


def _credit(entry, default):
    """An answer's share of the points: its author-set credit, a percentage, or the default."""
    credit = entry.get("credit")
    return Fraction(default, 100) if credit is None else credit_share(credit)


# Moodle stores weights to seven decimal places of a fraction (0.3333333 for a third).
_CREDIT_ROUNDING = Fraction(1, 10**7)


def credit_share(credit) -> Fraction:
    """A credit in percent (an int, or a decimal string such as "33.33333") as a share.

    A credit within Moodle's rounding of a fraction with a denominator up to 100 counts as that
    fraction, so three answers credited 33.33333 together earn exactly full points. Whole
    percentages are exact already and never change.
    """
    share = Fraction(Decimal(str(credit))) / 100
    nearest = share.limit_denominator(100)
    return nearest if abs(nearest - share) <= _CREDIT_ROUNDING else share


def _grade_single_choice(question, answer):
    for choice in question["choices"]:
        if choice["id"] == answer:
            default = FULL_CREDIT if choice["is_correct"] else 0
            return _credit(choice, default), (choice.get("feedback", ""),)
    return Fraction(0), ()


def _grade_multiple_choice(question, answer):
    selected = [choice for choice in question["choices"] if choice["id"] in answer]
    feedback = tuple(choice.get("feedback", "") for choice in selected)
    correct_ids = {choice["id"] for choice in question["choices"] if choice["is_correct"]}
    if question.get("scoring") == "partial":
        n_correct = max(len(correct_ids), 1)
        share = sum((_partial_credit(choice, n_correct) for choice in selected), Fraction(0))
        return share, feedback
    return Fraction(int(set(answer) == correct_ids)), feedback


def _partial_credit(choice, n_correct):
    """A selected choice's share under partial scoring. By default the correct choices share the
    points equally and each wrong one takes away as much as a correct one gives."""
    if choice.get("credit") is not None:
        return credit_share(choice["credit"])
    return Fraction(1 if choice["is_correct"] else -1, n_correct)


def _grade_true_false(question, answer):
    feedback = question.get("feedback_true" if answer else "feedback_false", "")
    return Fraction(int(answer == question["correct"])), (feedback,)


def _grade_short_answer(question, answer):
    given = normalise_text(answer)
    matches = [
        accepted
        for accepted in question["accepted"]
        if _accepted_pattern(accepted["text"]).fullmatch(given)
    ]
    return _best(matches)


def _accepted_pattern(text):
    # Moodle's short-answer convention: "*" stands for any run of characters, "\*" for an
    # asterisk, all else is literal.
    parts = re.split(r"(?<!\\)\*+", normalise_text(text))
    return re.compile(".*".join(re.escape(part.replace("\\*", "*")) for part in parts), re.DOTALL)


def _grade_numeric(question, answer):
    matches = [
        accepted
        for accepted in question["answers"]
        if abs(answer - Decimal(accepted["value"])) <= Decimal(accepted["tolerance"] or 0)
    ]
    if not matches:
        return Fraction(0), (question.get("feedback_other", ""),)
    return _best(matches)


def _best(matches):
    """The share and feedback of the best-credited of several matching accepted answers."""
    if not matches:
        return Fraction(0), ()
    best = max(matches, key=lambda accepted: _credit(accepted, FULL_CREDIT))
    return _credit(best, FULL_CREDIT), (best.get("feedback", ""),)


def _grade_matching(question, answer):
    pairs = question["pairs"]
    n_matched = sum(1 for pair in pairs if answer.get(pair["id"]) == pair["id"])
    return Fraction(n_matched, len(pairs)), ()


def _grade_ordering(question, answer):
    correct_order = [item["id"] for item in question["items"]]
    return Fraction(int(list(answer) == correct_order)), ()


_GRADERS = {
    "single_choice": _grade_single_choice,
    "multiple_choice": _grade_multiple_choice,
    "true_false": _grade_true_false,
    "short_answer": _grade_short_answer,
    "numeric": _grade_numeric,
    "matching": _grade_matching,
    "ordering": _grade_ordering,
}


# Showing questions and answers -----------------------------------------------------------------


def correct_answer_text(question: dict) -> str:
    """The correct answer in words, for reviews that show correct answers."""
    kind = question["type"]
    if kind in {"single_choice", "multiple_choice"}:
        return "; ".join(choice["text"] for choice in question["choices"] if choice["is_correct"])
    if kind == "true_false":
        return _("True") if question["correct"] else _("False")
    if kind == "short_answer":
        return " / ".join(
            accepted["text"].replace("\\*", "*") for accepted in _full_credit(question["accepted"])
        )
    if kind == "numeric":
        return " / ".join(
            _numeric_answer_text(accepted, question.get("unit", ""))
            for accepted in _full_credit(question["answers"])
        )
    if kind == "matching":
        return "; ".join(f"{pair['left']} → {pair['right']}" for pair in question["pairs"])
    if kind == "ordering":
        return "; ".join(
            f"{position}. {item['text']}" for position, item in enumerate(question["items"], 1)
        )
    raise ValueError(f"Unknown question type {kind!r}")


def _full_credit(accepted_answers):
    """The answers worth full credit; if the author gave none, the best-credited ones."""
    best = max(_credit(accepted, FULL_CREDIT) for accepted in accepted_answers)
    return [accepted for accepted in accepted_answers if _credit(accepted, FULL_CREDIT) == best]


def _numeric_answer_text(accepted, unit):
    text = _plain_number(Decimal(accepted["value"]))
    tolerance = Decimal(accepted["tolerance"] or 0)
    if tolerance:
        text = f"{text} ± {_plain_number(tolerance)}"
    return f"{text} {unit}" if unit else text


def _plain_number(value):
    # normalize() drops trailing zeros ("3.50" → "3.5"); "f" keeps "110" from becoming "1.1E+2".
    return format(value.normalize(), "f")


def public_question(question: dict, *, rng: random.Random, shuffle_choices: bool) -> dict:
    """What the learner's browser may see before submitting: no answer key, no feedback.

    Matching options and ordering steps are always shuffled, and never left in the correct
    order, which would give the answer away.
    """
    public = {
        "id": question["id"],
        "type": question["type"],
        "prompt": question["prompt"],
        "points": question["points"],
    }
    kind = question["type"]
    if kind in {"single_choice", "multiple_choice"}:
        choices = [{"id": choice["id"], "text": choice["text"]} for choice in question["choices"]]
        if shuffle_choices:
            rng.shuffle(choices)
        public["choices"] = choices
    elif kind == "numeric":
        public["unit"] = question.get("unit", "")
    elif kind == "matching":
        pairs = question["pairs"]
        public["lefts"] = [
            {"id": str(n), "text": pair["left"]} for n, pair in enumerate(pairs, start=1)
        ]
        options = _shuffled_out_of_order(
            [{"id": pair["id"], "text": pair["right"]} for pair in pairs], rng
        )
        # Extra wrong matches go in anywhere, leaving the matches among themselves out of
        # order; questions frozen before there were any have none.
        for wrong in question.get("distractors", ()):
            options.insert(
                rng.randrange(len(options) + 1), {"id": wrong["id"], "text": wrong["text"]}
            )
        public["options"] = options
    elif kind == "ordering":
        public["items"] = _shuffled_out_of_order(
            [{"id": item["id"], "text": item["text"]} for item in question["items"]], rng
        )
    return public


def _shuffled_out_of_order(entries, rng):
    if len(entries) < 2:
        return list(entries)
    if len(entries) == 2:
        return [entries[1], entries[0]]
    shuffled = list(entries)
    # Each try is in order with probability 1/n!, at most 1/6, so this loop ends fast.
    while shuffled == entries:
        rng.shuffle(shuffled)
    return shuffled
