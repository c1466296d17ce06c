"""Dates and numbers as each interface language writes them, from CLDR data (Babel).

Every page, email, message and certificate formats through these functions (templates through
`{% load formatting %}`), so that "2 декабря 2026 г.", "2026 ж. 2 желтоқсан" and "2 December 2026",
"13,5" and "13.5" come from one place. Django's own formats for Kazakh and English, which the
admin and form widgets use, follow the same CLDR patterns: lms/formats/.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from django.utils import timezone

from lms.translation import current_language

# CLDR locales for the interface languages. English is British English: the day before the
# month, as everyone in Kazakhstan and Russia writes dates ("2 December 2026").
BABEL_LOCALES = {"ru": "ru", "kk": "kk", "en": "en_GB"}
# CLDR puts a narrow no-break space before "г." and "ж."; PT Sans, in which certificates are
# printed, has no such glyph, so the ordinary no-break space stands in for it everywhere.
NARROW_NO_BREAK_SPACE, NO_BREAK_SPACE = "\u202f", "\u00a0"


def babel_locale(language=None) -> Locale:
    """The CLDR locale of an interface language (the active one by default)."""
    code = (language or current_language())[:2]
    return Locale.parse(BABEL_LOCALES.get(code, code))


def _clean(text):
    return text.replace(NARROW_NO_BREAK_SPACE, NO_BREAK_SPACE)


def _as_date(value):
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def format_date(value, language=None) -> str:
    """A day in full, CLDR's long date: "2 декабря 2026 г.", "2026 ж. 2 желтоқсан"."""
    if value in (None, ""):
        return ""
    return _clean(babel_dates.format_date(_as_date(value), "long", locale=babel_locale(language)))


def format_day_and_time(value, language=None) -> str:
    """Day, month and time of day, without the year: "2 декабря, 14:05"."""
    if value in (None, ""):
        return ""
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    locale = babel_locale(language)
    day = babel_dates.format_skeleton("MMMMd", value, locale=locale)
    time = babel_dates.format_skeleton("Hm", value, locale=locale)
    return _clean(locale.datetime_formats["medium"].format(time, day))


def format_month(value, language=None) -> str:
    """A month of a year, abbreviated as CLDR does: "дек. 2026 г.", "2026 ж. жел.", "Dec 2026"."""
    if value in (None, ""):
        return ""
    return _clean(
        babel_dates.format_skeleton("yMMM", _as_date(value), locale=babel_locale(language))
    )


def _rounded(value, decimals):
    """`value` as a Decimal rounded half up, as Django's floatformat rounds, without trailing
    zeros; None for what is not a number."""
    try:
        number = Decimal(str(value))
        rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        return None
    if rounded == 0:
        return Decimal(0)  # never "-0"
    # normalize() alone would write 100 as 1E+2
    return rounded.to_integral() if rounded == rounded.to_integral() else rounded.normalize()


def format_number(value, decimals=1, language=None) -> str:
    """A number with at most `decimals` decimals, trailing zeros dropped, grouped and separated
    as the language writes it: "13,5", "1 234", "6" (never "6.0")."""
    rounded = _rounded(value, decimals)
    if rounded is None:
        return ""
    return _clean(
        babel_numbers.format_decimal(
            rounded, locale=babel_locale(language), decimal_quantization=False
        )
    )


def format_percent(value, decimals=0, language=None) -> str:
    """A percentage given on the 0–100 scale: "88 %" in Russian, "87,5%" in Kazakh."""
    rounded = _rounded(value, decimals)
    if rounded is None:
        return ""
    return _clean(
        babel_numbers.format_percent(
            rounded / 100, locale=babel_locale(language), decimal_quantization=False
        )
    )


def format_hours(value, language=None) -> str:
    """Hours, which come in halves: "4,5", "6"."""
    return format_number(value, 1, language)
