"""Dates and numbers as each language writes them (CLDR through Babel), and Django's formats
agreeing with them."""

import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import formats, translation

from lms import formatting

NBSP = "\u00a0"
DAY = datetime.date(2026, 12, 2)
# 20:30 in UTC is already the next morning in Almaty (TIME_ZONE).
EVENING_UTC = datetime.datetime(2026, 12, 1, 20, 30, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("ru", f"2 декабря 2026{NBSP}г."),
        ("kk", f"2026{NBSP}ж. 2 желтоқсан"),
        ("en", "2 December 2026"),
    ],
)
def test_a_date_is_written_as_each_language_writes_it(language, expected):
    assert formatting.format_date(DAY, language) == expected


def test_kazakh_month_names_are_lower_case_inside_a_date():
    assert "желтоқсан" in formatting.format_date(DAY, "kk")
    assert "Желтоқсан" not in formatting.format_date(DAY, "kk")


def test_a_moment_is_dated_by_its_day_in_the_local_time_zone():
    assert formatting.format_date(EVENING_UTC, "en") == "2 December 2026"


def test_the_active_language_is_used_when_none_is_given():
    with translation.override("kk"):
        assert formatting.format_date(DAY) == f"2026{NBSP}ж. 2 желтоқсан"


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", "2 декабря, 01:30"), ("kk", "2 желтоқсан, 01:30"), ("en", "2 December, 01:30")],
)
def test_a_day_and_time_reads_in_each_language(language, expected):
    assert formatting.format_day_and_time(EVENING_UTC, language) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ru", f"дек. 2026{NBSP}г."), ("kk", f"2026{NBSP}ж. жел."), ("en", "Dec 2026")],
)
def test_a_month_of_a_year_is_abbreviated_as_each_language_does(language, expected):
    assert formatting.format_month(DAY, language) == expected


@pytest.mark.parametrize(("language", "expected"), [("ru", "13,5"), ("kk", "13,5"), ("en", "13.5")])
def test_decimals_use_the_languages_separator(language, expected):
    assert formatting.format_number(Decimal("13.5"), 1, language) == expected


@pytest.mark.parametrize(
    ("language", "expected"), [("ru", f"12{NBSP}345"), ("kk", f"12{NBSP}345"), ("en", "12,345")]
)
def test_thousands_are_grouped_as_each_language_groups_them(language, expected):
    assert formatting.format_number(12345, 0, language) == expected


def test_whole_numbers_have_no_trailing_zero():
    assert formatting.format_hours(Decimal("6.0"), "ru") == "6"
    assert formatting.format_number(Decimal("2.50"), 2, "en") == "2.5"


def test_numbers_round_half_up_to_the_decimals_asked_for():
    assert formatting.format_number(Decimal("33.335"), 2, "en") == "33.34"
    assert formatting.format_number(Decimal("-0.04"), 1, "en") == "0"


def test_what_is_not_a_number_is_written_as_nothing():
    assert formatting.format_number(None) == formatting.format_number("") == ""
    assert formatting.format_percent(None) == ""


@pytest.mark.parametrize(
    ("language", "expected"), [("ru", f"87,5{NBSP}%"), ("kk", "87,5%"), ("en", "87.5%")]
)
def test_percentages_are_written_as_each_language_writes_them(language, expected):
    assert formatting.format_percent(Decimal("87.50"), 1, language) == expected


def test_percentages_are_whole_by_default():
    assert formatting.format_percent(Decimal("66.67"), language="en") == "67%"


def test_template_filters_format_in_the_active_language():
    template = Template(
        "{% load formatting %}{{ day|long_date }} · {{ hours|hours }} · {{ share|percentage:1 }}"
        " · {{ score|number:2 }}"
    )
    context = Context({"day": DAY, "hours": Decimal("4.5"), "share": 87.5, "score": Decimal("1")})

    with translation.override("kk"):
        assert template.render(context) == f"2026{NBSP}ж. 2 желтоқсан · 4,5 · 87,5% · 1"
    with translation.override("en"):
        assert template.render(context) == "2 December 2026 · 4.5 · 87.5% · 1"


@pytest.mark.parametrize(
    ("language", "date", "number"),
    [
        ("ru", "2 декабря 2026 г.", "13,5"),
        ("kk", "2026 ж. 2 желтоқсан", "13,5"),
        ("en", "2 December 2026", "13.5"),
    ],
)
def test_djangos_own_formats_agree_with_cldr(language, date, number):
    """What the admin and form widgets print through Django's formats (lms/formats)."""
    with translation.override(language):
        assert formats.date_format(DAY) == date
        assert formats.number_format(13.5) == number
