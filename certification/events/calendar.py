"""iCalendar files (RFC 5545) of events: one event's .ics and a volunteer's personal feed.

Written by hand (no iCalendar library is installed): text values escaped (§3.3.11), lines
folded at 75 octets without splitting a UTF-8 character (§3.1), CRLF line ends, times in UTC.
"""

from datetime import UTC

from django.conf import settings
from django.utils import timezone

PRODUCT = "-//Komek//Events//EN"
MAX_OCTETS = 75


def escape(text: str) -> str:
    return (
        str(text)
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets; each continuation starts with a
    space (which counts towards its 75)."""
    parts, current, size = [], "", 0
    for character in line:
        octets = len(character.encode())
        limit = MAX_OCTETS if not parts else MAX_OCTETS - 1
        if size + octets > limit:
            parts.append(current)
            current, size = "", 0
        current += character
        size += octets
    parts.append(current)
    return "\r\n ".join(parts)


def utc(moment) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def vevent(event, *, now, url="", status="CONFIRMED") -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:event-{event.pk}@{settings.SITE_URL.split('//')[-1].rstrip('/')}",
        f"DTSTAMP:{utc(now)}",
        f"DTSTART:{utc(event.starts_at)}",
        f"DTEND:{utc(event.ends_at)}",
        f"SUMMARY:{escape(event.title)}",
        f"LOCATION:{escape(event.place)}",
        f"STATUS:{status}",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{escape(event.description)}")
    if url:
        lines.append(f"URL:{url}")
    lines.append("END:VEVENT")
    return lines


def calendar(events, *, name="", now=None, url_of=lambda event: "") -> str:
    """A VCALENDAR with one VEVENT per event; `url_of(event)` gives each one's page."""
    now = now or timezone.now()
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODUCT}", "CALSCALE:GREGORIAN"]
    if name:
        lines.append(f"X-WR-CALNAME:{escape(name)}")
    for event in events:
        lines.extend(vevent(event, now=now, url=url_of(event)))
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
