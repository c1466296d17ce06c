"""Public certificate codes: 60 random bits in Crockford base32, grouped, with a check character.

K7QM-4TZP-9XWR-3 — short enough to type from paper, unguessable, and a mistyped character is
caught by the check character. Crockford's alphabet (https://www.crockford.com/base32.html) has
no I, L, O or U; the check is Luhn mod N over that alphabet, so it stays a letter or digit and
detects every single wrong character and most swaps of neighbours. Accepted in any case, with or
without dashes; I/L read as 1 and O as 0.
"""

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
N = len(ALPHABET)
N_DATA_SYMBOLS = 12  # 12 × 5 = 60 random bits
READ_AS = {"I": "1", "L": "1", "O": "0"}


def _luhn_sum(symbols, double_first):
    total, double = 0, double_first
    for char in reversed(symbols):
        addend = ALPHABET.index(char) * (2 if double else 1)
        total += addend // N + addend % N
        double = not double
    return total


def check_symbol(data: str) -> str:
    return ALPHABET[(N - _luhn_sum(data, double_first=True) % N) % N]


def new_code() -> str:
    data = "".join(secrets.choice(ALPHABET) for _ in range(N_DATA_SYMBOLS))
    return format_code(data + check_symbol(data))


def format_code(compact: str) -> str:
    return "-".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def normalise(text: str) -> str | None:
    """The canonical form of a typed code, or None when it cannot be one of ours."""
    compact = "".join(READ_AS.get(c, c) for c in text.upper() if c not in "- \u00a0")
    if len(compact) != N_DATA_SYMBOLS + 1 or any(c not in ALPHABET for c in compact):
        return None
    if _luhn_sum(compact, double_first=False) % N != 0:
        return None
    return format_code(compact)
