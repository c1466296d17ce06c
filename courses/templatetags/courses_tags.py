import json
import random
from datetime import date

from django import template

from courses import grading
from courses.blocks import question_to_plain
from lms import formatting

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(str(key)) if mapping else None


@register.simple_tag
def knowledge_question(block):
    """A knowledge check's question as the learner may see it: no answer key in the page.

    It is known by the id of the knowledge-check block that holds it (always one question).
    """
    child = block.value[0]
    question = question_to_plain(child.block_type, child.value, block.id)
    rng = random.Random(str(block.id))  # noqa: S311 (a stable order, not a secret)
    public = grading.public_question(question, rng=rng, shuffle_choices=False)
    public["field"] = f"q-{public['id']}"
    public.pop("points", None)  # a knowledge check is never graded: it has no points to show
    return public


@register.filter
def percent(value):
    return round(100 * float(value or 0))


@register.simple_tag
def offline_copy_formats():
    """How the offline-copy panel writes a date and a decimal in the page's language (CLDR, as
    lms.formatting does on the server): browsers' own data lacks Kazakh month names. Each long
    date is 15 <month> 2000, for the script to put the real day and year in."""
    return json.dumps(
        {
            "dates": [formatting.format_date(date(2000, month, 15)) for month in range(1, 13)],
            "decimal": formatting.format_number(1.5)[1],
            "percent": formatting.format_percent(45).replace("45", "{n}"),
        },
        ensure_ascii=False,
    )
