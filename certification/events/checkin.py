"""The rotating check-in code: a signed token that names an event and a 15-second time slot.

The coordinator's screen shows a new code every slot; a scan is accepted with the current or
the previous slot's code only, so a photo of the code sent to a friend at home is soon useless.
Replays within those 30 seconds are refused by the attendance record (services.py), which keeps
the slot each direction was scanned with.
"""

import time
from dataclasses import dataclass

from django.core import signing

SLOT_SECONDS = 15
SALT = "komek.events.check-in"


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
