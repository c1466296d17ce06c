"""Reading Moodle's GIFT format (https://docs.moodle.org/en/GIFT_format) into `Question`s.

It follows Moodle's own reader (question/format/gift/format.php) rule by rule, so a file that
Moodle imports reads the same here: questions are separated by blank lines; whole-line `//`
comments; `$CATEGORY:` lines; `::title::`; one `{…}` answer block, in the middle of the text for
a missing word; the question type from the answer block (`#` numerical, `~` multiple choice, `=`
with `->` matching, T/TRUE/F/FALSE, otherwise short answer; `{}` essay, no block a description);
`%weight%`, `#feedback`, `####general feedback`; escapes `\\~ \\= \\# \\{ \\} \\: \\\\ \\n`;
text formats `[moodle]` (the default), `[html]`, `[plain]`, `[markdown]`.

Where Moodle quietly guesses, this reader reports an error with its line instead: a title
without its closing `::`, a second answer block, a multiple-choice answer with neither `=` nor
`~`, an empty answer, a weight outside -100..100, a number it cannot read.
"""

import bisect
import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .questions import (
    DESCRIPTION,
    ESSAY,
    MATCHING,
    MAX_ANSWERS,
    MAX_FILE_ANSWERS,
    MAX_QUESTIONS,
    MULTIPLE_CHOICE,
    NUMERICAL,
    SETTINGS_PREFIX,
    SHORT_ANSWER,
    TRUE_FALSE,
    Answer,
    Invalid,
    Parsed,
    Problem,
    Question,
    read_settings,
    too_many_answers,
    too_many_file_answers,
    too_many_questions,
)
from .text import (
    MOODLE,
    PLAIN,
    TEXT_FORMATS,
    TooComplex,
    to_plain_text,
    to_rich_text,
    translated,
)

# Escaped characters become private-use characters while the question is taken apart, as
# Moodle's reader does with its "&&058;" placeholders, and are turned back afterwards.
_ESCAPED = {char: chr(0xF0000 + n) for n, char in enumerate("~=#{}:\\")}
_NEWLINE = chr(0xF0010)
_UNESCAPE = str.maketrans({**{v: k for k, v in _ESCAPED.items()}, _NEWLINE: "\n"})
_REPLACED = [
    *((f"\\{char}", private) for char, private in _ESCAPED.items() if char != "\\"),
    ("\\n", _NEWLINE),
]

# Moodle's extract_idnumber_and_tags_from_comment: "[id:…]" and "[tag:…]" anywhere in a comment,
# "\\]" for a "]" inside them; the first id number counts.
_ID_NUMBER = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f\x7f])+)\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f\x7f])+)\]")
_WEIGHT = re.compile(r"%(?P<weight>-?[0-9]+(?:\.[0-9]*)?)%")
_NUMBER = re.compile(r"[-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]{1,3})?")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}
_BLANK = "_____"
MAX_NUMBER = Decimal(10) ** 12
WEIGHT_PLACES = Decimal("0.00001")  # Moodle keeps fractions to 7 places: weights to 5


def parse(text: str) -> Parsed:
    """The questions in GIFT text (already decoded, line ends as "\\n").

    A file with more than MAX_QUESTIONS questions is refused before any is read in detail, and
    one with more than MAX_FILE_ANSWERS answers as soon as they are counted.
    """
    parsed = Parsed([], [], [])
    paragraphs = list(_paragraphs(text))
    n_questions = sum(1 for lines in paragraphs if _is_question(lines))
    if n_questions > MAX_QUESTIONS:
        parsed.errors.append(too_many_questions(n_questions))
        return parsed
    counter = _AnswerCounter()
    for lines in paragraphs:
        try:
            question = _read_paragraph(lines, parsed, counter)
        except _TooManyAnswers:
            return Parsed([], [too_many_file_answers()], [])
        except Invalid as error:
            parsed.errors.append(error.problem)
            continue
        if question is not None:
            parsed.questions.append(question)
    return parsed


def _paragraphs(text):
    """Runs of non-blank lines, each line with its number: a question each (or a category)."""
    paragraph = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            # Trailing spaces stay: two of them end a line in [markdown] text.
            paragraph.append((number, line.lstrip()))
        elif paragraph:
            yield paragraph
            paragraph = []
    if paragraph:
        yield paragraph


def _is_question(lines):
    """Whether a paragraph holds a question: more than comments and a category."""
    kept = [line for _number, line in lines if not line.startswith("//")]
    return bool(kept[1:] if kept and kept[0].startswith("$CATEGORY:") else kept)


class _TooManyAnswers(Exception):
    pass


class _AnswerCounter:
    """The answers of the file's questions so far, counted before any is read in detail."""

    def __init__(self):
        self.n = 0

    def add(self, answer_block):
        # Every answer starts with one of these, but a first short answer or pair may not.
        self.n += answer_block.count("~") + answer_block.count("=") + 1
        if self.n > MAX_FILE_ANSWERS:
            raise _TooManyAnswers


def _read_paragraph(lines, parsed, counter):
    settings, settings_line = {}, None
    tags, id_number = [], ""
    kept = []
    for number, line in lines:
        if line.startswith("//"):
            comment = line[2:].strip()
            if comment.lower().startswith(SETTINGS_PREFIX):
                settings = read_settings(comment[len(SETTINGS_PREFIX) :], number)
                settings_line = number
                continue
            found = _ID_NUMBER.search(comment)
            if found and not id_number:
                id_number = _bracketed(found[1])
            tags.extend(tag for tag in map(_bracketed, _TAG.findall(comment)) if tag)
            continue
        kept.append((number, line))
    if kept and kept[0][1].startswith("$CATEGORY:"):
        parsed.warnings.append(
            Problem(
                kept[0][0],
                _(
                    "Categories ($CATEGORY:) are ignored: the questions go into this quiz, "
                    "which has no categories."
                ),
            )
        )
        kept = kept[1:]
    if not kept:
        if settings:
            raise Invalid(Problem(settings_line, _("Komek settings must come before a question.")))
        return None
    question = _read_question(_Source(kept), counter)
    question.settings, question.settings_line = settings, settings_line
    question.tags, question.id_number = tags, id_number
    return question


def _bracketed(text):
    """An id number's or tag's text, "\\]" read as "]" (as Moodle reads it)."""
    return text.replace("\\]", "]").strip()


class _Source:
    """A question's text with escapes replaced, and the file line of every character."""

    def __init__(self, lines):
        # Pairs of backslashes first, from the left, as a reader going character by character
        # pairs them; in what is left, each backslash escapes the character after it.
        pieces = "\n".join(line for _number, line in lines).split("\\\\")
        for char, replacement in _REPLACED:
            pieces = [piece.replace(char, replacement) for piece in pieces]
        self.text = _ESCAPED["\\"].join(pieces)
        self.numbers = [number for number, _line in lines]
        # Escapes never make a line end, so the text's line ends are the file's.
        self.line_ends = [found.start() for found in re.finditer("\n", self.text)]
        self.first_line = lines[0][0]

    def line_at(self, position):
        if not self.text:
            return self.first_line
        position = min(position, len(self.text) - 1)
        return self.numbers[bisect.bisect_right(self.line_ends, position)]

    def span(self, start=0, end=None):
        return _Span(self, start, len(self.text) if end is None else end)


class _Span:
    """Part of a question's text that knows the line it starts on."""

    # A plain class: there is one for every answer and its parts, and it is never changed.
    __slots__ = ("end", "source", "start")

    def __init__(self, source, start, end):
        self.source, self.start, self.end = source, start, end

    @property
    def text(self):
        return self.source.text[self.start : self.end]

    @property
    def line(self):
        return self.source.line_at(self.start)

    def __len__(self):
        return self.end - self.start

    def sub(self, start, end=None):
        end = len(self) if end is None else end
        return _Span(self.source, self.start + start, self.start + end)

    def strip(self):
        text = self.text
        left = len(text) - len(text.lstrip())
        right = len(text.rstrip())
        return self.sub(left, max(left, right))

    def find(self, needle, start=0):
        return self.text.find(needle, start)


def _unescape(text):
    return text.translate(_UNESCAPE)


def _read_question(source, counter):
    span = source.span().strip()
    title = ""
    if span.text.startswith("::"):
        end = span.find("::", 2)
        if end == -1:
            raise Invalid(
                Problem(
                    span.line, _("The title is not closed: write it as ::title:: at the start.")
                )
            )
        title = " ".join(_unescape(span.text[2:end]).split())
        span = span.sub(end + 2).strip()

    opening, closing = span.find("{"), span.find("}")
    if opening == -1 and closing == -1:
        return _description(span, title)
    _check_braces(span, opening, closing)
    answer_block = span.sub(opening + 1, closing).strip()
    counter.add(answer_block.text)
    before, after = span.text[:opening], span.text[closing + 1 :]
    # Moodle: an answer block in the middle of the text leaves a blank in its place.
    question_text = before + _BLANK + after if after.strip() else before

    answer_text, general_feedback, feedback_line = answer_block, "", answer_block.line
    separator = answer_block.text.rfind("####")
    if separator != -1:
        general_feedback = answer_block.text[separator + 4 :]
        feedback_line = answer_block.sub(separator).line
        answer_text = answer_block.sub(0, separator).strip()

    text_format, question_text = _text_format(question_text.strip(), MOODLE)
    question = Question(kind=ESSAY, line=span.line, title=title)
    question.text = _rich(question, question_text, text_format, span.line)
    feedback_format, general_feedback = _text_format(general_feedback.strip(), text_format)
    question.feedback = _rich(question, general_feedback, feedback_format, feedback_line)

    content = answer_text.text
    if not content:
        question.kind = ESSAY
    elif content.startswith("#"):
        _read_numerical(question, answer_text.sub(1), text_format)
    elif "~" in content:
        _read_multiple_choice(question, answer_text, text_format)
    elif "=" in content and "->" in content:
        _read_matching(question, answer_text, text_format)
    elif content.split("#", 1)[0].strip() in _TRUE_FALSE:
        _read_true_false(question, answer_text, text_format)
    else:
        _read_short_answer(question, answer_text, text_format)
    return question


def _check_braces(span, opening, closing):
    text = span.text
    if closing != -1 and (opening == -1 or closing < opening):
        raise Invalid(
            Problem(
                span.sub(closing).line,
                _(
                    "“}” closes an answer block that was not opened with “{”. "
                    "To show a brace in the text, write \\}."
                ),
            )
        )
    if closing == -1:
        raise Invalid(
            Problem(
                span.sub(opening).line,
                _("The answer block opened here with “{” is not closed with “}”."),
            )
        )
    extra = min(
        (found for found in (text.find("{", closing), text.find("}", closing + 1)) if found != -1),
        default=-1,
    )
    nested = text.find("{", opening + 1, closing)
    if nested != -1 or extra != -1:
        raise Invalid(
            Problem(
                span.sub(nested if nested != -1 else extra).line,
                _(
                    "A question has only one answer block {…}. To show a brace in the text, "
                    "write \\{ or \\}."
                ),
            )
        )


def _text_format(text, default):
    """The text without its [format] prefix, and that format (Moodle's parse_text_with_format)."""
    if text.startswith("["):
        end = text.find("]")
        if end != -1 and text[1:end] in TEXT_FORMATS:
            return text[1:end], text[end + 1 :].strip()
    return default, text


def _rich(question, text, text_format, line):
    if not text:
        return ""
    try:
        converted = to_rich_text(_unescape(text), text_format)
    except TooComplex as error:
        raise Invalid(Problem(line, str(error))) from None
    _note_losses(question, converted.losses, line)
    return converted.text


def _plain(question, text, text_format, line):
    """An answer's or feedback's text, with its own [format] prefix if it has one."""
    text_format, text = _text_format(text.strip(), text_format)
    if not text:
        return ""
    try:
        converted = to_plain_text(_unescape(text), text_format)
    except TooComplex as error:
        raise Invalid(Problem(line, str(error))) from None
    _note_losses(question, converted.losses, line)
    return converted.text


def _note_losses(question, losses, line):
    for loss in losses:
        # Looked up once: there may be a loss on every answer.
        message = translated(gettext_noop("Not imported from this question: %(what)s."))
        problem = Problem(line, message % {"what": loss})
        if problem not in question.notes:
            question.notes.append(problem)


def _verbatim(text):
    """Short answers and matches are taken as written, without text formats (as in Moodle)."""
    _format, text = _text_format(text.strip(), PLAIN)
    return " ".join(_unescape(text).split())


def _description(span, title):
    text_format, text = _text_format(span.text, MOODLE)
    question = Question(kind=DESCRIPTION, line=span.line, title=title)
    question.text = _rich(question, text, text_format, span.line)
    return question


def _split_feedback(question, span, text_format):
    """An answer and its "#feedback" (Moodle's commentparser)."""
    found = span.find("#")
    if found == -1:
        return span.strip(), ""
    feedback = _plain(question, span.text[found + 1 :], text_format, span.sub(found).line)
    return span.sub(0, found).strip(), feedback


def _weight(span):
    """A leading %weight% and the rest of the answer; weights in percent, as Moodle writes them."""
    match = _WEIGHT.match(span.text)
    if not match:
        return None, span
    try:
        weight = Decimal(match["weight"])
    except InvalidOperation:
        weight = None
    if weight is None or not -100 <= weight <= 100:
        raise Invalid(
            Problem(
                span.line,
                _("The weight %(weight)s is not a percentage from -100 to 100.")
                % {"weight": match.group(0)},
            )
        )
    return weight.quantize(WEIGHT_PLACES).normalize(), span.sub(match.end()).strip()


def _answers(span, separators):
    """The answers in an answer block, each starting with one of `separators` (kept); at most
    MAX_ANSWERS of them, counting a first answer without a separator."""
    text = span.text
    n_separated = sum(text.count(separator) for separator in separators)
    first = min((found for found in map(text.find, separators) if found != -1), default=len(text))
    head = span.sub(0, first).strip()
    n_answers = n_separated + (1 if len(head) else 0)
    if n_answers > MAX_ANSWERS:
        raise Invalid(too_many_answers(span.line, n_answers))
    starts = [found.start() for found in re.finditer(f"[{re.escape(separators)}]", text)]
    ends = [*starts[1:], len(text)] if starts else []
    return head, [span.sub(start, end).strip() for start, end in zip(starts, ends, strict=True)]


def _read_multiple_choice(question, span, text_format):
    question.kind = MULTIPLE_CHOICE
    head, parts = _answers(span, "~=")
    if len(head):
        raise Invalid(
            Problem(
                head.line,
                _("Expected an answer starting with = or ~, found “%(text)s”.")
                % {"text": _unescape(head.text)[:60]},
            )
        )
    question.is_single = any(part.text.startswith("=") for part in parts)
    for part in parts:
        answer = Answer(line=part.line, is_right=part.text.startswith("="))
        rest = part.sub(1).strip()
        if not answer.is_right:
            answer.weight, rest = _weight(rest)
        elif _WEIGHT.match(rest.text):
            # Moodle would keep "%50%" as part of the answer's text.
            raise Invalid(
                Problem(
                    part.line,
                    _(
                        "A right answer written with = is worth %(full)s; to give an answer "
                        "another weight, write it as %(example)s."
                    )
                    % {"full": "100%", "example": "~%50%answer"},
                )
            )
        rest, answer.feedback = _split_feedback(question, rest, text_format)
        answer.text = _plain(question, rest.text, text_format, rest.line)
        if not answer.text:
            raise Invalid(Problem(part.line, _("An answer is empty.")))
        question.answers.append(answer)


def _read_matching(question, span, text_format):
    question.kind = MATCHING
    head, parts = _answers(span, "=")
    for part in [head, *parts] if len(head) else parts:
        body = part.sub(1) if part.text.startswith("=") else part
        arrow = body.find("->")
        if arrow == -1:
            raise Invalid(
                Problem(
                    part.line,
                    _("Expected a pair written as =item -> match, found “%(text)s”.")
                    % {"text": _unescape(part.text)[:60]},
                )
            )
        item = _plain(question, body.text[:arrow], text_format, part.line)
        match = _verbatim(body.text[arrow + 2 :])
        if not match:
            raise Invalid(Problem(part.line, _("The match after -> is empty.")))
        question.answers.append(Answer(line=part.line, text=item, match=match))


def _read_true_false(question, span, text_format):
    question.kind = TRUE_FALSE
    # Moodle: {T#feedback for a wrong answer#feedback for a right answer}.
    parts = span.text.split("#", 2)
    question.is_true = _TRUE_FALSE[parts[0].strip()]
    wrong = _plain(question, parts[1], text_format, span.line) if len(parts) > 1 else ""
    right = _plain(question, parts[2], text_format, span.line) if len(parts) > 2 else ""
    if question.is_true:
        question.feedback_true, question.feedback_false = right, wrong
    else:
        question.feedback_true, question.feedback_false = wrong, right


def _read_short_answer(question, span, text_format):
    question.kind = SHORT_ANSWER
    head, parts = _answers(span, "=")
    for part in [head, *parts] if len(head) else parts:
        body = part.sub(1).strip() if part.text.startswith("=") else part
        answer = Answer(line=part.line)
        answer.weight, body = _weight(body)
        body, answer.feedback = _split_feedback(question, body, text_format)
        answer.text = _verbatim(body.text)
        if not answer.text:
            raise Invalid(Problem(part.line, _("An accepted answer is empty.")))
        question.answers.append(answer)


def _read_numerical(question, span, text_format):
    question.kind = NUMERICAL
    other = span.find("~")
    if other != -1:
        # Moodle: "~#feedback" is the feedback for any answer that matches none of these.
        _unused, question.feedback_other = _split_feedback(
            question, span.sub(other + 1), text_format
        )
        span = span.sub(0, other)
    head, parts = _answers(span, "=")
    for part in [head, *parts] if len(head) else parts:
        body = part.sub(1).strip() if part.text.startswith("=") else part
        answer = Answer(line=part.line)
        answer.weight, body = _weight(body)
        body, answer.feedback = _split_feedback(question, body, text_format)
        answer.value, answer.tolerance = _number_and_tolerance(body)
        question.answers.append(answer)
    if not question.answers:
        raise Invalid(
            Problem(span.line, _("Expected at least one number after # in the answer block."))
        )


def _number_and_tolerance(span):
    text = _unescape(span.text).strip()
    if text.find("..") > 0:
        low, high = (_number(part, span) for part in text.split("..", 1))
        if low > high:
            raise Invalid(
                Problem(
                    span.line,
                    _("The range %(range)s starts above its end.") % {"range": text},
                )
            )
        return (low + high) / 2, (high - low) / 2
    if text.find(":") > 0:
        value, tolerance = (_number(part, span) for part in text.split(":", 1))
        if tolerance < 0:
            raise Invalid(Problem(span.line, _("The tolerance after : must not be negative.")))
        return value, tolerance
    return _number(text, span), Decimal(0)


def _number(text, span):
    text = text.strip()
    number = Decimal(text) if _NUMBER.fullmatch(text) else None
    # copy_abs, unlike abs, does not round, so a number of a million digits cannot overflow.
    if number is None or number.copy_abs() >= MAX_NUMBER:
        raise Invalid(
            Problem(
                span.line,
                _(
                    "Expected a number, number:tolerance or a range min..max, such as 3.14, "
                    "3.14:0.01 or 3..4; found “%(text)s”."
                )
                % {"text": _unescape(span.text).strip()[:60]},
            )
        )
    return number
