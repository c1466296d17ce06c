"""Reading the Aiken format: one-answer multiple-choice questions, as Moodle imports them.

    Which number do you call for an ambulance in Kazakhstan?
    A. 101
    B) 103
    C. 112
    ANSWER: B

The question text (one or more lines), options lettered A, B, C… in order with "." or ")" and,
usually, a space (Moodle reads "A)101" too), then "ANSWER:" and the right letter. Blank lines
between questions are optional. Aiken text is plain text: "<b>" shows as written.
"""

import re

from django.utils.translation import gettext as _

from .questions import (
    MAX_QUESTIONS,
    MULTIPLE_CHOICE,
    Answer,
    Parsed,
    Problem,
    Question,
    too_many_questions,
)
from .text import rich_text_from_plain

# Moodle's qformat_aiken: an option is ^[A-Z][).][ \t]? and the rest of the line, trimmed.
_OPTION = re.compile(r"(?P<letter>[A-Z])[.)][ \t]*(?P<text>.*)")
_ANSWER = re.compile(r"ANSWER:\s*(?P<letter>.*)")
_ANSWER_LINE = re.compile(r"^[^\S\n]*ANSWER:", re.MULTILINE)


def parse(text: str) -> Parsed:
    """The questions in Aiken text (already decoded, line ends as "\\n").

    A file with more than MAX_QUESTIONS questions is refused before any is read in detail.
    """
    parsed = Parsed([], [], [])
    n_questions = sum(1 for _found in _ANSWER_LINE.finditer(text))
    if n_questions > MAX_QUESTIONS:
        parsed.errors.append(too_many_questions(n_questions))
        return parsed
    reader = _Reader(parsed)
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.strip()
        if line:
            reader.read(number, line)
    reader.finish()
    return parsed


class _Reader:
    def __init__(self, parsed):
        self.parsed = parsed
        self._reset()

    def _reset(self):
        self.first_line = None
        self.text_lines = []
        self.options = []  # (letter, Answer)
        self.is_broken = False  # an error was reported; skip to the next ANSWER line

    def read(self, number, line):
        option = _OPTION.fullmatch(line)
        answer = _ANSWER.fullmatch(line)
        if answer:
            self._finish_question(number, answer["letter"].strip())
        elif self.is_broken:
            return
        elif option and self.text_lines:
            self._add_option(number, option)
        elif self.options:
            expected = chr(ord(self.options[-1][0]) + 1)
            self._fail(
                number,
                _(
                    "Expected option “%(letter)s.” or “ANSWER:” with the right letter, "
                    "found “%(text)s”."
                )
                % {"letter": expected, "text": line[:60]},
            )
        else:
            if self.first_line is None:
                self.first_line = number
            self.text_lines.append(line)

    def _add_option(self, number, option):
        expected = chr(ord("A") + len(self.options))
        if option["letter"] != expected:
            self._fail(
                number,
                _("Expected option “%(expected)s”, found “%(found)s”.")
                % {"expected": expected, "found": option["letter"]},
            )
            return
        self.options.append((option["letter"], Answer(line=number, text=option["text"].strip())))

    def _finish_question(self, number, letter):
        if self.is_broken:
            self._reset()
            return
        if not self.text_lines:
            self._fail(number, _("“ANSWER:” comes before any question text."))
        elif len(self.options) < 2:
            self._fail(
                number,
                _("Expected at least two options (A., B., …) before “ANSWER:”, found %(n)d.")
                % {"n": len(self.options)},
            )
        else:
            letters = {option_letter: answer for option_letter, answer in self.options}
            right = letters.get(letter.upper()) if len(letter) == 1 else None
            if right is None:
                self._fail(
                    number,
                    _("Expected “ANSWER:” and one of the letters %(letters)s, found “%(found)s”.")
                    % {"letters": ", ".join(letters), "found": letter[:20]},
                )
            else:
                right.is_right = True
                self.parsed.questions.append(
                    Question(
                        kind=MULTIPLE_CHOICE,
                        line=self.first_line,
                        text=rich_text_from_plain("\n".join(self.text_lines)),
                        answers=[answer for _letter, answer in self.options],
                        is_single=True,
                    )
                )
        self._reset()

    def _fail(self, number, message):
        self.parsed.errors.append(Problem(number, message))
        self.is_broken = True

    def finish(self):
        if self.is_broken:
            return
        if self.options or self.text_lines:
            self.parsed.errors.append(
                Problem(
                    self.first_line,
                    _("The question that starts here has no “ANSWER:” line."),
                )
            )
