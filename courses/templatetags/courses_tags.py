import random

from django import template

from courses import grading
from courses.blocks import question_to_plain

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
