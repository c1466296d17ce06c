import random

from django import template

from courses import grading
from courses.blocks import question_to_plain

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(str(key)) if mapping else None


@register.simple_tag
def knowledge_question(child):
    """A knowledge-check question as the learner may see it: no answer key in the page."""
    question = question_to_plain(child.block_type, child.value, child.id)
    rng = random.Random(str(child.id))  # noqa: S311 (a stable order, not a secret)
    public = grading.public_question(question, rng=rng, shuffle_choices=False)
    public["field"] = f"q-{public['id']}"
    return public


@register.filter
def percent(value):
    return round(100 * float(value or 0))
