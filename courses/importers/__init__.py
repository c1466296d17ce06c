"""Question banks in and out of quizzes: Moodle's GIFT and Aiken formats.

`read_questions` turns an uploaded file into quiz blocks, or into errors with line numbers and
nothing else: a file with any error is refused whole. Questions Komek cannot take (essays) and
parts it cannot keep (images, categories, Moodle's tags and id numbers) are listed as warnings,
never dropped in silence.
`courses.importers.services.import_questions` appends the blocks to a quiz;
`courses.importers.gift_export` writes a quiz back to GIFT.
"""

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import aiken, gift
from .questions import (
    MAX_QUESTIONS,
    Invalid,
    Problem,
    Unsupported,
    check_block,
    to_block,
    too_many_questions,
)
from .text import MAX_FILE_BYTES, UndecodableFile, decode

GIFT = "gift"
AIKEN = "aiken"
FORMATS = [(GIFT, gettext_lazy("GIFT (Moodle)")), (AIKEN, gettext_lazy("Aiken"))]
MAX_ERRORS = 100
# Line breaks, HTML tags and Markdown marks one file may hold. Each becomes an element of some
# question's text, and texts are read element by element: this bounds the time a file takes.
MAX_FORMATTING = 50_000

_READERS = {GIFT: gift.parse, AIKEN: aiken.parse}
_AIKEN_ANSWER = re.compile(r"^ANSWER:\s*[A-Za-z]\s*$", re.MULTILINE)


@dataclass
class ImportedQuestion:
    """A question ready to become a quiz block, with the line it starts on."""

    line: int
    block_type: str
    value: dict
    warnings: list[Problem] = field(default_factory=list)

    @property
    def block(self):
        return {"type": self.block_type, "value": self.value}


@dataclass
class ReadResult:
    file_format: str
    questions: list[ImportedQuestion] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    # File-wide warnings and each left-out question's reason; a question's own are on it.
    warnings: list[Problem] = field(default_factory=list)

    @property
    def can_import(self):
        return not self.errors and bool(self.questions)

    @property
    def all_warnings(self):
        found = [*self.warnings]
        for question in self.questions:
            found.extend(question.warnings)
        return sorted(found, key=lambda problem: problem.line or 0)

    @property
    def blocks(self):
        return [question.block for question in self.questions]


def detect_format(text: str, filename: str = "") -> str:
    """GIFT unless the text reads as Aiken: "ANSWER: X" lines and no GIFT answer blocks."""
    if filename.lower().endswith(".gift"):
        return GIFT
    if _AIKEN_ANSWER.search(text) and "{" not in text:
        return AIKEN
    return GIFT


def count_formatting(text: str) -> int:
    """Line breaks, "<" (each may start a tag) and, in Markdown, "*", "_", "`" and "["."""
    n = text.count("\n") + text.count("<")
    if "[markdown]" in text:
        n += sum(text.count(mark) for mark in "*_`[")
    return n


def read_questions(content: bytes, *, file_format: str | None = None, filename="") -> ReadResult:
    """The questions in an uploaded file, as quiz blocks checked as the quiz editor checks them."""
    if len(content) > MAX_FILE_BYTES:
        return ReadResult(
            file_format or GIFT,
            errors=[
                Problem(
                    None,
                    _("The file is larger than %(size)d KB; split it into smaller files.")
                    % {"size": MAX_FILE_BYTES // 1024},
                )
            ],
        )
    try:
        text = decode(content)
    except UndecodableFile as error:
        return ReadResult(file_format or GIFT, errors=[Problem(None, str(error))])
    file_format = file_format or detect_format(text, filename)
    n_formatting = count_formatting(text)
    if n_formatting > MAX_FORMATTING:
        return ReadResult(
            file_format,
            errors=[
                Problem(
                    None,
                    _(
                        "The file has too much formatting to read at once: %(n)d line breaks, "
                        "HTML tags and Markdown marks, of at most %(max)d. Split it into "
                        "smaller files."
                    )
                    % {"n": n_formatting, "max": MAX_FORMATTING},
                )
            ],
        )
    parsed = _READERS[file_format](text)
    result = ReadResult(file_format, errors=parsed.errors, warnings=parsed.warnings)
    for question in parsed.questions:
        try:
            mapped = to_block(question)
            check_block(mapped.block, question.line)
        except Unsupported as unsupported:
            result.warnings.append(unsupported.problem)
            continue
        except Invalid as invalid:
            result.errors.append(invalid.problem)
            continue
        result.questions.append(
            ImportedQuestion(
                line=question.line,
                block_type=mapped.block["type"],
                value=mapped.block["value"],
                warnings=mapped.warnings,
            )
        )
    result.errors.sort(key=lambda problem: problem.line or 0)
    result.warnings.sort(key=lambda problem: problem.line or 0)
    if len(result.errors) > MAX_ERRORS:
        n_more = len(result.errors) - MAX_ERRORS
        result.errors = result.errors[:MAX_ERRORS]
        result.errors.append(Problem(None, _("…and %(n)d more errors.") % {"n": n_more}))
    if not result.errors and not result.questions:
        result.errors.append(Problem(None, _("The file has no questions to import.")))
    if len(result.questions) > MAX_QUESTIONS:
        result.errors.append(too_many_questions(len(result.questions)))
    return result
