from datetime import UTC, datetime
from types import SimpleNamespace

from certification.events import calendar


def event(**fields):
    values = {
        "pk": 5,
        "title": "Донорлық күн; қан тапсыру, Алматы",
        "place": "Қан орталығы",
        "description": "Бірінші жол\nЕкінші жол",
        "starts_at": datetime(2026, 12, 4, 4, 0, tzinfo=UTC),
        "ends_at": datetime(2026, 12, 4, 8, 30, tzinfo=UTC),
    }
    return SimpleNamespace(**{**values, **fields})


def test_text_values_escape_commas_semicolons_backslashes_and_newlines():
    assert calendar.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_long_lines_fold_at_75_octets_without_splitting_a_kazakh_letter():
    line = "SUMMARY:" + "Әәғқңөұүһі" * 20
    folded = calendar.fold(line).split("\r\n")
    assert all(len(part.encode()) <= 75 for part in folded)
    assert all(part.startswith(" ") for part in folded[1:])
    assert "".join(part[1:] if i else part for i, part in enumerate(folded)) == line


def test_a_calendar_has_crlf_lines_and_utc_times():
    text = calendar.calendar([event()], now=datetime(2026, 12, 1, tzinfo=UTC))
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert "DTSTART:20261204T040000Z\r\n" in text
    assert "DTEND:20261204T083000Z\r\n" in text
    assert "SUMMARY:Донорлық күн\\; қан тапсыру\\, Алматы" in text
    assert "DESCRIPTION:Бірінші жол\\nЕкінші жол" in text
