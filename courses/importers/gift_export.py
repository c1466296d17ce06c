"""Writing a quiz's questions as GIFT, the way Moodle's own exporter writes them, so the file
imports into Moodle and back into Komek unchanged.

Every question is written in the [html] format (Komek's prompts are rich text), answers and
feedback HTML-escaped because Moodle reads them in the question's format; short answers and
matches are written as they are, as Moodle reads them verbatim. What GIFT cannot say but Komek
needs — points other than 1, all-or-nothing scoring, a numeric unit — goes into a
`// komek: {...}` comment before the question, which Moodle ignores and Komek reads back.
Ordering questions have no GIFT form; a comment says where one was left out.
"""

import html
import json
from decimal import Decimal

from django.utils.translation import gettext as _

from courses.blocks import QUESTION_TYPES, question_to_plain

from .questions import SETTINGS_PREFIX, number_text
from .text import html_to_text

_GIFT_SPECIAL = str.maketrans(
    {
        "\\": "\\\\",
        "~": "\\~",
        "=": "\\=",
        "#": "\\#",
        "{": "\\{",
        "}": "\\}",
        ":": "\\:",
        "\n": "\\n",
        "\r": "",
    }
)
_FULL = Decimal(100)
_WEIGHT_PLACES = Decimal("0.00001")


def quiz_items(stream_value, *, expand_links=None) -> list[dict]:
    """A quiz's blocks as the plain dicts `export_gift` writes: questions as grading sees them
    (`question_to_plain`), descriptions as {"type": "description", "text": html}.

    `expand_links` turns Wagtail's stored rich text into HTML with real addresses
    (`wagtail.rich_text.expand_db_html`); tests without a database leave it out.
    """
    expand = expand_links or (lambda source: source)
    items = []
    for block in stream_value:
        if block.block_type in QUESTION_TYPES:
            item = question_to_plain(block.block_type, block.value, block.id)
            item["prompt"] = expand(item["prompt"])
            item["feedback"] = expand(item["feedback"])
        elif block.block_type == "description":
            item = {"type": "description", "text": expand(_source(block.value["text"]))}
        else:
            continue
        items.append(item)
    return items


def _source(rich_text):
    return str(getattr(rich_text, "source", rich_text) or "")


def export_gift(items: list[dict], *, heading: str = "") -> str:
    """GIFT text for the questions, one paragraph each."""
    paragraphs = [f"// {' '.join(heading.split())}"] if heading else []
    paragraphs.extend(_WRITERS[item["type"]](item) for item in items)
    return "\n\n".join(paragraphs) + "\n"


def _escape(text):
    return text.translate(_GIFT_SPECIAL)


def _html(text):
    """Plain text in a question written as [html]: escaped for HTML, then for GIFT. A leading
    "%" or "[" is written as a character reference so it cannot be read as a weight or a format.
    """
    escaped = html.escape(text, quote=False)
    if escaped.startswith("%"):
        escaped = "&#37;" + escaped[1:]
    elif escaped.startswith("["):
        escaped = "&#91;" + escaped[1:]
    return _escape(escaped.replace("->", "-&gt;"))


def _verbatim(text):
    return _escape(text)


def _weight(credit):
    return f"%{number_text(Decimal(str(credit)).quantize(_WEIGHT_PLACES))}%"


def _head(item, settings=None):
    lines = []
    settings = dict(settings or {})
    if Decimal(item.get("points") or 1) != 1:
        settings = {"points": number_text(Decimal(item["points"])), **settings}
    if settings:
        lines.append(f"// {SETTINGS_PREFIX} {json.dumps(settings, ensure_ascii=False)}")
    title = f"::{_escape(item['title'])}::" if item.get("title") else ""
    lines.append(f"{title}[html]{_escape(item['prompt'])}")
    return lines


def _feedback(text):
    return f"#{_html(text)}" if text else ""


def _general_feedback(item):
    feedback = item.get("feedback") or ""
    # An empty paragraph from the editor is no feedback.
    return [f"\t####{_escape(feedback)}"] if html_to_text(feedback) else []


def _block(lines, answers, item):
    return "\n".join([*lines[:-1], lines[-1] + "{", *answers, *_general_feedback(item), "}"])


def _single_choice(item):
    lines, answers = _head(item), []
    for choice in item["choices"]:
        credit = choice.get("credit")
        if choice["is_correct"]:
            if credit is not None and Decimal(str(credit)) != _FULL:
                lines.insert(
                    -1,
                    "// "
                    + _(
                        "The correct answer “%(answer)s” earns %(credit)s%% in Komek; GIFT "
                        "writes a correct answer as 100%%."
                    )
                    % {"answer": choice["text"], "credit": credit},
                )
            marker = "="
        else:
            marker = "~" if credit is None else f"~{_weight(credit)}"
        answers.append(f"\t{marker}{_html(choice['text'])}{_feedback(choice['feedback'])}")
    return _block(lines, answers, item)


def _multiple_choice(item):
    choices = item["choices"]
    n_correct = max(sum(1 for choice in choices if choice["is_correct"]), 1)
    share = _FULL / n_correct
    all_or_nothing = item.get("scoring") != "partial"
    lines = _head(item, {"scoring": "all_or_nothing"} if all_or_nothing else None)
    answers = []
    for choice in choices:
        credit = choice.get("credit")
        if all_or_nothing:
            # Moodle has no all-or-nothing scoring; these weights come closest: every right
            # answer shares the points and a wrong one takes them all away.
            weight = share if choice["is_correct"] else -_FULL
        elif credit is None:
            # Komek's defaults for partial credit, written out (grading._partial_credit).
            weight = share if choice["is_correct"] else -share
        else:
            weight = Decimal(str(credit))
        marker = "~" if weight == 0 else f"~{_weight(weight)}"
        answers.append(f"\t{marker}{_html(choice['text'])}{_feedback(choice['feedback'])}")
    return _block(lines, answers, item)


def _true_false(item):
    lines = _head(item)
    if item["correct"]:
        answer, right, wrong = "TRUE", item["feedback_true"], item["feedback_false"]
    else:
        answer, right, wrong = "FALSE", item["feedback_false"], item["feedback_true"]
    # Moodle: {TRUE#feedback for the wrong answer#feedback for the right answer}.
    if wrong:
        answer += f"#{_html(wrong)}"
    elif right:
        answer += "#"
    if right:
        answer += f"#{_html(right)}"
    feedback = "".join(line.strip() for line in _general_feedback(item))
    return "\n".join([*lines[:-1], f"{lines[-1]}{{{answer}{feedback}}}"])


def _short_answer(item):
    answers = []
    for accepted in item["accepted"]:
        credit = accepted.get("credit")
        weight = "" if credit is None else _weight(credit)
        answers.append(f"\t={weight}{_verbatim(accepted['text'])}{_feedback(accepted['feedback'])}")
    return _block(_head(item), answers, item)


def _numeric(item):
    unit = item.get("unit") or ""
    lines = _head(item, {"unit": unit} if unit else None)
    answers = []
    for accepted in item["answers"]:
        credit = accepted.get("credit")
        weight = "" if credit is None else _weight(credit)
        value = number_text(Decimal(accepted["value"]))
        tolerance = number_text(Decimal(accepted["tolerance"] or 0))
        answers.append(f"\t={weight}{value}:{tolerance}{_feedback(accepted['feedback'])}")
    if item.get("feedback_other"):
        answers.append(f"\t~{_feedback(item['feedback_other'])}")
    lines[-1] += "{#"
    return "\n".join([*lines, *answers, *_general_feedback(item), "}"])


def _matching(item):
    answers = [f"\t={_html(pair['left'])} -> {_verbatim(pair['right'])}" for pair in item["pairs"]]
    # Moodle writes an extra wrong match as a pair with an empty item.
    answers.extend(f"\t= -> {_verbatim(wrong['text'])}" for wrong in item.get("distractors", ()))
    return _block(_head(item), answers, item)


def _ordering(item):
    name = item.get("title") or html_to_text(item["prompt"])[:60]
    return "// " + _(
        "Not exported: the ordering question “%(name)s” (GIFT has no ordering questions)."
    ) % {"name": " ".join(name.split())}


def _description(item):
    return f"[html]{_escape(item['text'])}"


_WRITERS = {
    "single_choice": _single_choice,
    "multiple_choice": _multiple_choice,
    "true_false": _true_false,
    "short_answer": _short_answer,
    "numeric": _numeric,
    "matching": _matching,
    "ordering": _ordering,
    "description": _description,
}
