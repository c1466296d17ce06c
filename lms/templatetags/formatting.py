"""Template filters for dates and numbers in the active language: `{% load formatting %}`.

{{ certificate.issued_at|long_date }}     2 декабря 2026 г. · 2026 ж. 2 желтоқсан · 2 December 2026
{{ attempt.started_at|day_and_time }}     2 декабря, 14:05
{{ month|month_year }}                    дек. 2026 г.
{{ score|number:2 }}                      13,25 (at most 2 decimals; default 1)
{{ attempt.percent|percentage:1 }}        87,5 % (0–100 scale; default 0 decimals)
{{ activity.hours|hours }}                4,5
"""

from django import template

from lms import formatting

register = template.Library()


@register.filter
def long_date(value):
    return formatting.format_date(value)


@register.filter
def day_and_time(value):
    return formatting.format_day_and_time(value)


@register.filter
def month_year(value):
    return formatting.format_month(value)


@register.filter
def number(value, decimals=1):
    return formatting.format_number(value, int(decimals))


@register.filter
def percentage(value, decimals=0):
    return formatting.format_percent(value, int(decimals))


@register.filter
def hours(value):
    return formatting.format_hours(value)
