"""The rotating check-in code: a signed token that names an event and a 15-second time slot.

The coordinator's screen shows a new code every slot; a scan is accepted with the current or
the previous slot's code only, so a photo of the code sent to a friend at home is soon useless.
Replays within those 30 seconds are refused by the attendance record (services.py), which keeps
the slot each direction was scanned with.

Opening the address changes nothing: it shows a button, and the press (a POST, CSRF-checked)
carries a ticket signed for this volunteer with the scanned slot. The ticket lives a little
longer than the code, so a volunteer who reads the page before pressing is not refused; being
bound to the volunteer, it is useless to anyone else.
"""

import time
from dataclasses import dataclass

from django.core import signing

SLOT_SECONDS = 15
SALT = "komek.events.check-in"
TICKET_SALT = "komek.events.check-in-ticket"
TICKET_SECONDS = 120


class TokenError(Exception):
    """The code cannot be used; `reason` is one of the constants below."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


FORGED = "forged"
EXPIRED = "expired"
OTHER_EVENT = "other_event"


@dataclass(frozen=True)
class Scan:
    event_id: int
    slot: int


def slot_at(timestamp: float) -> int:
    return int(timestamp // SLOT_SECONDS)


def token_for(event_id: int, *, at: float | None = None) -> str:
    """The code of `event_id` for the slot `at` falls in (now by default)."""
    slot = slot_at(time.time() if at is None else at)
    return signing.Signer(salt=SALT).sign(f"{event_id}.{slot}")


def seconds_left(*, at: float | None = None) -> float:
    """How long the current slot's code stays the newest: the screen fetches the next one then."""
    now = time.time() if at is None else at
    return SLOT_SECONDS - now % SLOT_SECONDS


def read(token: str, *, event_id: int, at: float | None = None) -> Scan:
    """The scan a token stands for, or TokenError: forged, from another event, or expired."""
    try:
        value = signing.Signer(salt=SALT).unsign(token or "")
        token_event, token_slot = (int(part) for part in value.split("."))
    except (signing.BadSignature, ValueError):
        raise TokenError(FORGED) from None
    if token_event != event_id:
        raise TokenError(OTHER_EVENT)
    current = slot_at(time.time() if at is None else at)
    if token_slot not in (current, current - 1):
        raise TokenError(EXPIRED)
    return Scan(event_id=token_event, slot=token_slot)


def ticket_for(scan: Scan, *, volunteer_id: int) -> str:
    """What the check-in page's button sends: this volunteer scanned this event's slot."""
    value = {"e": scan.event_id, "s": scan.slot, "v": volunteer_id}
    return signing.TimestampSigner(salt=TICKET_SALT).sign_object(value)


def read_ticket(ticket: str, *, event_id: int, volunteer_id: int) -> Scan:
    """The scan a ticket stands for, or TokenError: forged, someone else's, another event's,
    or older than TICKET_SECONDS."""
    signer = signing.TimestampSigner(salt=TICKET_SALT)
    try:
        value = signer.unsign_object(ticket or "", max_age=TICKET_SECONDS)
        ticket_event, slot, volunteer = int(value["e"]), int(value["s"]), int(value["v"])
    except signing.SignatureExpired:
        raise TokenError(EXPIRED) from None
    except (signing.BadSignature, ValueError, TypeError, KeyError):
        raise TokenError(FORGED) from None
    if volunteer != volunteer_id:
        raise TokenError(FORGED)
    if ticket_event != event_id:
        raise TokenError(OTHER_EVENT)
    return Scan(event_id=ticket_event, slot=slot)
