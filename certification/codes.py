"""Public certificate codes: 60 random bits in Crockford base32, grouped, with a check symbol.

K7QM-4TZP-9XWR-3 — short enough to type from paper, unguessable, and a mistyped character is
caught by the check symbol (Crockford's mod-37 scheme, https://www.crockford.com/base32.html).
Accepted in any case, with or without dashes; I/L read as 1 and O as 0.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_ALPHABET = ALPHABET + "*~$=U"
N_DATA_SYMBOLS = 12  # 12 × 5 = 60 random bits
READ_AS = {"I": "1", "L": "1", "O": "0"}


def check_symbol(data: str) -> str:
    value = 0
    for char in data:
        value = value * 32 + ALPHABET.index(char)
    return CHECK_ALPHABET[value % 37]


def new_code() -> str:
    data = "".join(secrets.choice(ALPHABET) for _ in range(N_DATA_SYMBOLS))
    return format_code(data + check_symbol(data))


def format_code(compact: str) -> str:
    return "-".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def normalise(text: str) -> str | None:
    """The canonical form of a typed code, or None when it cannot be one of ours."""
    compact = "".join(READ_AS.get(c, c) for c in text.upper() if c not in "- \u00a0")
    if len(compact) != N_DATA_SYMBOLS + 1:
        return None
    data, check = compact[:-1], compact[-1]
    if any(c not in ALPHABET for c in data) or check_symbol(data) != check:
        return None
    return format_code(compact)
