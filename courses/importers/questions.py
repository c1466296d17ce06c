"""Questions read from a GIFT or Aiken file, and how they become Komek quiz blocks.

The readers produce `Question`s that say what the file says, in Moodle's terms (weights in
percent, "=" for a right answer, feedback per answer); `to_block` decides what that means for
Komek's question blocks (`courses.blocks`) and returns their raw StreamField value:

- multiple choice with a "=" answer → single choice: the first "=" answer is the correct one
  (a further "=" answer is worth full credit too); "~%w%" sets that choice's credit.
- multiple choice without "=" → multiple choice with partial credit: each choice's credit is its
  weight, an unweighted choice counts 0 as in Moodle; choices with a positive weight are correct.
- true/false, short answer (weights → credits), numerical (value ± tolerance, ranges, several
  weighted answers, "~#" feedback for any other answer), matching (a "= -> match" without an
  item is an extra wrong match), description.
- essay: not imported, reported. Komek grades every answer automatically.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from .text import html_to_text

MULTIPLE_CHOICE = "multiple_choice"
TRUE_FALSE = "true_false"
SHORT_ANSWER = "short_answer"
NUMERICAL = "numerical"
MATCHING = "matching"
ESSAY = "essay"
DESCRIPTION = "description"

# What one file may hold: beyond these a file is refused before it is read in detail, which
# bounds the time an upload can take.
MAX_QUESTIONS = 500
MAX_ANSWERS = 100  # per question: choices, accepted answers, pairs or numbers
MAX_FILE_ANSWERS = 5_000  # in all the questions of a file

FULL_WEIGHT = Decimal(100)
MAX_POINTS = Decimal(1000)
# Lengths the question blocks allow (courses.blocks).
MAX_TITLE = 200
MAX_CHOICE = 500
MAX_CHOICE_FEEDBACK = 500
MAX_ACCEPTED = 300
MAX_PAIR_SIDE = 300
MAX_UNIT = 30


@dataclass
class Problem:
    """Something to tell the instructor about a line of the file; the message is translated."""

    line: int | None
    message: str

    def __str__(self):
        if self.line is None:
            return self.message
        return _("Line %(line)d: %(message)s") % {"line": self.line, "message": self.message}


def too_many_questions(n: int) -> Problem:
    return Problem(
        None,
        _("The file has %(n)d questions; import at most %(max)d at a time.")
        % {"n": n, "max": MAX_QUESTIONS},
    )


def too_many_file_answers() -> Problem:
    return Problem(
        None,
        _("The file has more than %(max)d answers; import at most %(max)d at a time.")
        % {"max": MAX_FILE_ANSWERS},
    )


def too_many_answers(line: int, n: int) -> Problem:
    return Problem(
        line,
        _("The question has %(n)d answers; a question may have at most %(max)d.")
        % {"n": n, "max": MAX_ANSWERS},
    )


@dataclass
class Answer:
    line: int
    text: str = ""  # plain text: a choice, an accepted short answer, a matching item
    weight: Decimal | None = None  # percent, from -100 to 100; None when the file gives none
    is_right: bool = False  # written with "=" in a multiple-choice question
    feedback: str = ""  # plain text
    match: str = ""  # matching: what the item matches
    value: Decimal | None = None  # numerical
    tolerance: Decimal = Decimal(0)


@dataclass
class Question:
    kind: str
    line: int
    title: str = ""
    text: str = ""  # rich text
    feedback: str = ""  # general feedback, rich text
    answers: list[Answer] = field(default_factory=list)
    is_single: bool = True  # multiple choice: one answer to choose, or several
    is_true: bool = False  # true/false: the statement is true
    feedback_true: str = ""  # true/false: feedback for the answer "True", plain text
    feedback_false: str = ""
    feedback_other: str = ""  # numerical: feedback for any other answer
    settings: dict = field(default_factory=dict)  # Komek's own, from a "// komek:" comment
    settings_line: int | None = None
    tags: list[str] = field(default_factory=list)  # Moodle's, from "// [tag:name]" comments
    id_number: str = ""  # Moodle's, from a "// [id:xyz]" comment
    # Losses found while reading the question's text (images, unsupported formatting).
    notes: list[Problem] = field(default_factory=list)


@dataclass
class Parsed:
    """What a reader found in a file: questions, and errors and warnings with their lines."""

    questions: list[Question]
    errors: list[Problem]
    warnings: list[Problem]


class Unsupported(Exception):
    """A question Komek cannot take; it is left out and the instructor is told why."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


class Invalid(Exception):
    """A question that is wrong as written; the whole file is refused."""

    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


@dataclass
class Mapped:
    block: dict  # {"type": ..., "value": ...} in StreamField's raw form
    warnings: list[Problem]


def to_block(question: Question) -> Mapped:
    """The question as a quiz block. Raises Unsupported or Invalid."""
    warnings = list(question.notes)
    if question.tags or question.id_number:
        warnings.append(Problem(question.line, _not_kept_message(question)))
    builder = _BUILDERS[question.kind]
    value = builder(question, warnings)
    kind = _BLOCK_TYPES[question.kind](question)
    if kind != "description":
        value = {**_common(question, warnings), **value}
    _apply_settings(question, kind, value)
    return Mapped({"type": kind, "value": value}, warnings)


_BLOCK_TYPES = {
    MULTIPLE_CHOICE: lambda q: "single_choice" if q.is_single else "multiple_choice",
    TRUE_FALSE: lambda q: "true_false",
    SHORT_ANSWER: lambda q: "short_answer",
    NUMERICAL: lambda q: "numeric",
    MATCHING: lambda q: "matching",
    ESSAY: lambda q: "essay",
    DESCRIPTION: lambda q: "description",
}


def _not_kept_message(question):
    """What of Moodle's question bank the question loses: Komek questions have no tags and
    no id numbers, so the instructor is told rather than left to find them gone."""
    tags = ", ".join(f"“{tag}”" for tag in question.tags)
    n_tags = len(question.tags)
    values = {"tags": tags, "id": question.id_number}
    if not question.id_number:
        return (
            ngettext(
                "Not kept: the tag %(tags)s (Komek questions have no tags or id numbers).",
                "Not kept: the tags %(tags)s (Komek questions have no tags or id numbers).",
                n_tags,
            )
            % values
        )
    if not n_tags:
        return (
            _("Not kept: the id number “%(id)s” (Komek questions have no tags or id numbers).")
            % values
        )
    return (
        ngettext(
            "Not kept: the tag %(tags)s and the id number “%(id)s” (Komek questions have no tags "
            "or id numbers).",
            "Not kept: the tags %(tags)s and the id number “%(id)s” (Komek questions have no tags "
            "or id numbers).",
            n_tags,
        )
        % values
    )


def _common(question, warnings):
    if not question.text:
        raise Invalid(Problem(question.line, _("The question has no text.")))
    title = question.title
    if len(title) > MAX_TITLE:
        # Moodle allows longer names; a title is only a note for authors, so shorten it.
        title = title[: MAX_TITLE - 1] + "…"
        warnings.append(
            Problem(
                question.line,
                _("The title is longer than %(limit)d characters and is shortened.")
                % {"limit": MAX_TITLE},
            )
        )
    return {
        "title": title,
        "prompt": question.text,
        "points": "1",
        "feedback": question.feedback,
    }


def _check_length(text, limit, line, what):
    if len(text) > limit:
        raise Invalid(
            Problem(
                line,
                _("%(what)s is longer than %(limit)d characters: “%(start)s…”.")
                % {"what": what, "limit": limit, "start": text[:40]},
            )
        )


def _credit(weight):
    return None if weight is None else number_text(weight)


def number_text(number: Decimal) -> str:
    """A number as plain digits: "3.5", "110", "-0.25" (never "1.1E+2" or "3.50")."""
    text = format(number.normalize(), "f")
    return "0" if text in {"-0", "0"} else text


def _single_choice(question, warnings):
    _need_answers(question, 2)
    choices = []
    has_correct = False
    for answer in question.answers:
        _choice_lengths(answer)
        if answer.is_right and not has_correct:
            has_correct = True
            choice = {"is_correct": True, "credit": None}
        elif answer.is_right:
            # Moodle lets several answers of a one-answer question be right; Komek marks one
            # as correct and gives the others full credit, which grades the same.
            choice = {"is_correct": False, "credit": number_text(FULL_WEIGHT)}
        else:
            choice = {"is_correct": False, "credit": _credit(answer.weight)}
        choices.append({"text": answer.text, **choice, "feedback": answer.feedback})
    return {"choices": choices}


def _multiple_choice(question, warnings):
    _need_answers(question, 2)
    if not any((answer.weight or 0) > 0 for answer in question.answers):
        raise Invalid(
            Problem(
                question.line,
                _(
                    "No answer is right. Mark the right answer with = or give the right "
                    "answers positive weights, such as %(example)s."
                )
                % {"example": "~%50%"},
            )
        )
    total = sum(answer.weight for answer in question.answers if (answer.weight or 0) > 0)
    if abs(total - FULL_WEIGHT) > Decimal("0.001"):
        warnings.append(Problem(question.line, _weights_message(total)))
    choices = []
    for answer in question.answers:
        _choice_lengths(answer)
        weight = answer.weight or Decimal(0)
        choices.append(
            {
                "text": answer.text,
                "is_correct": weight > 0,
                # Moodle counts an unweighted wrong choice as 0, not as a penalty.
                "credit": number_text(weight),
                "feedback": answer.feedback,
            }
        )
    return {"choices": choices, "scoring": "partial"}


def _weights_message(total):
    if total < FULL_WEIGHT:
        return _(
            "The right answers' weights add up to %(total)s%%, so choosing all of them earns "
            "only %(total)s%% of the points. It is imported as written."
        ) % {"total": number_text(total)}
    return _(
        "The right answers' weights add up to %(total)s%%, so a learner can earn full points "
        "without choosing all of them. It is imported as written."
    ) % {"total": number_text(total)}


def _choice_lengths(answer):
    # Lazy: translated only for a message (there may be thousands of answers).
    _check_length(answer.text, MAX_CHOICE, answer.line, gettext_lazy("The answer"))
    _check_length(
        answer.feedback, MAX_CHOICE_FEEDBACK, answer.line, gettext_lazy("The answer's feedback")
    )


def _need_answers(question, minimum):
    if len(question.answers) < minimum:
        raise Invalid(
            Problem(
                question.line,
                _("Expected at least %(n)d answers, found %(found)d.")
                % {"n": minimum, "found": len(question.answers)},
            )
        )


def _true_false(question, warnings):
    return {
        "correct": question.is_true,
        "feedback_true": question.feedback_true,
        "feedback_false": question.feedback_false,
    }


def _short_answer(question, warnings):
    _need_answers(question, 1)
    accepted = []
    for answer in question.answers:
        if not answer.text:
            raise Invalid(Problem(answer.line, _("An accepted answer is empty.")))
        _check_length(answer.text, MAX_ACCEPTED, answer.line, gettext_lazy("The accepted answer"))
        accepted.append(
            {"text": answer.text, "credit": _credit(answer.weight), "feedback": answer.feedback}
        )
    return {"accepted": accepted}


def _numeric(question, warnings):
    _need_answers(question, 1)
    return {
        "answers": [
            {
                "value": number_text(answer.value),
                "tolerance": number_text(answer.tolerance),
                "credit": _credit(answer.weight),
                "feedback": answer.feedback,
            }
            for answer in question.answers
        ],
        "unit": "",
        "feedback_other": question.feedback_other,
    }


def _matching(question, warnings):
    pairs = [answer for answer in question.answers if answer.text]
    # Moodle's extra wrong answers, "= -> text": matches of no item, offered in every row.
    distractors = [answer for answer in question.answers if not answer.text]
    if len(pairs) < 2:
        raise Invalid(
            Problem(
                question.line,
                _("Expected at least two pairs written as =item -> match, found %(n)d.")
                % {"n": len(pairs)},
            )
        )
    seen = {}
    for pair in pairs:
        _check_length(pair.text, MAX_PAIR_SIDE, pair.line, gettext_lazy("The item"))
        _check_length(pair.match, MAX_PAIR_SIDE, pair.line, gettext_lazy("The match"))
        key = " ".join(pair.match.casefold().split())
        if key in seen:
            raise Unsupported(
                Problem(
                    question.line,
                    _(
                        "Two items have the same match (“%(match)s”), and each item of a Komek "
                        "matching question needs its own match. The question is not imported."
                    )
                    % {"match": pair.match},
                )
            )
        seen[key] = pair
    value = {"pairs": [{"left": pair.text, "right": pair.match} for pair in pairs]}
    for wrong in distractors:
        _check_length(wrong.match, MAX_PAIR_SIDE, wrong.line, gettext_lazy("The wrong match"))
    if distractors:
        value["distractors"] = [wrong.match for wrong in distractors]
    return value


def _essay(question, warnings):
    raise Unsupported(
        Problem(
            question.line,
            _(
                "Essay questions are not imported: Komek grades every answer automatically and "
                "has no marking of essays."
            ),
        )
    )


def _description(question, warnings):
    if not question.text:
        raise Invalid(Problem(question.line, _("The description has no text.")))
    if question.title and not _is_default_name(question.title, question.text):
        warnings.append(
            Problem(
                question.line,
                _("Descriptions have no title in Komek; the title “%(title)s” is not imported.")
                % {"title": question.title},
            )
        )
    return {"text": question.text}


def _is_default_name(title, text):
    """Whether the title is the start of the text, as Moodle names untitled questions."""
    start = title.rstrip(".… ")
    return bool(start) and html_to_text(text).startswith(start)


_BUILDERS = {
    MULTIPLE_CHOICE: lambda q, w: (_single_choice if q.is_single else _multiple_choice)(q, w),
    TRUE_FALSE: _true_false,
    SHORT_ANSWER: _short_answer,
    NUMERICAL: _numeric,
    MATCHING: _matching,
    ESSAY: _essay,
    DESCRIPTION: _description,
}


# Komek's settings ---------------------------------------------------------------------------------
#
# What GIFT cannot say but a Komek quiz has travels in a comment before the question, which
# Moodle ignores:  // komek: {"points": "2", "scoring": "all_or_nothing", "unit": "в минуту"}

SETTINGS_PREFIX = "komek:"


def read_settings(text: str, line: int) -> dict:
    """The settings in a "// komek:" comment (the text after "komek:"). Raises Invalid."""
    try:
        settings = json.loads(text)
    except ValueError:
        settings = None
    if not isinstance(settings, dict):
        raise Invalid(
            Problem(
                line,
                _('Expected Komek settings as JSON after “// komek:”, such as {"points": "2"}.'),
            )
        )
    unknown = set(settings) - {"points", "scoring", "unit"}
    if unknown:
        raise Invalid(
            Problem(
                line,
                _("Unknown Komek setting: %(names)s.") % {"names": ", ".join(sorted(unknown))},
            )
        )
    return settings


def _apply_settings(question, kind, value):
    settings = question.settings
    line = question.settings_line or question.line
    if not settings:
        return
    if kind == "description":
        raise Invalid(Problem(line, _("A description takes no Komek settings.")))
    if "points" in settings:
        try:
            points = Decimal(str(settings["points"]))
        except InvalidOperation:
            points = None
        if points is None or not points.is_finite() or not 0 <= points <= MAX_POINTS:
            raise Invalid(
                Problem(line, _("Points must be a number from 0 to %(max)s.") % {"max": MAX_POINTS})
            )
        value["points"] = number_text(points.quantize(Decimal("0.01")))
    if "scoring" in settings:
        if kind != "multiple_choice" or settings["scoring"] not in {"partial", "all_or_nothing"}:
            raise Invalid(
                Problem(
                    line,
                    _(
                        "Scoring is set only for questions with several right answers, as "
                        "“partial” or “all_or_nothing”."
                    ),
                )
            )
        value["scoring"] = settings["scoring"]
        if settings["scoring"] == "all_or_nothing":
            # All or nothing ignores credits; the weights only said which choices are correct.
            for choice in value["choices"]:
                choice["credit"] = None
    if "unit" in settings:
        unit = settings["unit"]
        if kind != "numeric" or not isinstance(unit, str) or len(unit) > MAX_UNIT:
            raise Invalid(
                Problem(
                    line,
                    _("A unit is set only for numerical questions, in at most %(n)d characters.")
                    % {"n": MAX_UNIT},
                )
            )
        value["unit"] = unit


# Checking against the blocks ------------------------------------------------------------------


def check_block(block: dict, line: int) -> None:
    """Validate the raw block as the quiz editor would, so an import never stores a question
    the editor would refuse to save. Raises Invalid."""
    from courses.blocks import QuizStreamBlock

    child = QuizStreamBlock().child_blocks[block["type"]]
    try:
        child.clean(child.to_python(block["value"]))
    except ValidationError as error:
        raise Invalid(
            Problem(
                line,
                _("The question does not fit a Komek question: %(errors)s")
                % {"errors": " ".join(_messages(error))},
            )
        ) from None


def _messages(error):
    """Every message in a (nested) block validation error."""
    if hasattr(error, "block_errors") and error.block_errors:
        errors = error.block_errors
        items = errors.values() if isinstance(errors, dict) else errors
        for item in items:
            if item is not None:
                yield from _messages(item)
    if hasattr(error, "non_block_errors") and error.non_block_errors:
        for item in error.non_block_errors:
            yield from _messages(item)
    if not getattr(error, "block_errors", None) and not getattr(error, "non_block_errors", None):
        yield from getattr(error, "messages", [str(error)])
