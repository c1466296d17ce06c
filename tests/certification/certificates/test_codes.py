import re

import pytest

from certification.certificates.codes import new_code, normalise


def test_codes_look_like_the_printed_format():
    assert re.fullmatch(
        r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z*~$=U]",
        new_code(),
    )


def test_codes_do_not_repeat():
    assert len({new_code() for _ in range(2000)}) == 2000


@pytest.mark.parametrize("typed", ["{}", "{lower}", "{compact}", "{lower_compact}", " {spaced} "])
def test_codes_are_accepted_in_any_case_with_or_without_dashes(typed):
    code = new_code()
    compact = code.replace("-", "")
    variants = {"lower": code.lower(), "compact": compact, "lower_compact": compact.lower(),
                "spaced": " ".join(code.split("-"))}  # fmt: skip

    assert normalise(typed.format(code, **variants)) == code


def test_letters_that_look_like_digits_are_read_as_digits():
    code = normalise("0000-0000-0000-0")
    assert normalise("oooo-OOOO-0000-0") == code


@pytest.mark.parametrize("position", [0, 5, 10, 13, 15])
def test_every_single_mistyped_character_is_rejected_by_the_check(position):
    from certification.certificates.codes import ALPHABET

    code = new_code()
    for wrong in ALPHABET:
        if wrong != code[position]:
            assert normalise(code[:position] + wrong + code[position + 1 :]) is None


def test_swapping_two_neighbouring_characters_is_usually_caught():
    codes = [new_code() for _ in range(300)]
    swapped = [c[1] + c[0] + c[2:] for c in codes if c[0] != c[1]]

    caught = sum(normalise(c) is None for c in swapped)

    assert caught / len(swapped) > 0.9


@pytest.mark.parametrize(
    "garbage", ["", "K7QM", "K7QM-4TZP-9XWR-3-X", "ЖЖЖЖ-ЖЖЖЖ-ЖЖЖЖ-Ж", "<script>"]
)
def test_garbage_is_not_a_code(garbage):
    assert normalise(garbage) is None
