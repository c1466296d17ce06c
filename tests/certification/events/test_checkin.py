import pytest

from certification.events import checkin

NOW = 1_800_000_000.0  # the start of a slot (divisible by 15)


def test_a_code_is_accepted_in_its_own_slot_and_the_next():
    token = checkin.token_for(7, at=NOW)
    assert checkin.read(token, event_id=7, at=NOW + 1).slot == checkin.slot_at(NOW)
    assert checkin.read(token, event_id=7, at=NOW + 29).event_id == 7


def test_a_code_older_than_the_previous_slot_is_expired():
    token = checkin.token_for(7, at=NOW)
    with pytest.raises(checkin.TokenError) as refused:
        checkin.read(token, event_id=7, at=NOW + 30)
    assert refused.value.reason == checkin.EXPIRED


def test_a_code_from_the_future_is_expired():
    token = checkin.token_for(7, at=NOW + 60)
    with pytest.raises(checkin.TokenError) as refused:
        checkin.read(token, event_id=7, at=NOW)
    assert refused.value.reason == checkin.EXPIRED


def test_a_code_of_another_event_is_refused_as_such():
    token = checkin.token_for(8, at=NOW)
    with pytest.raises(checkin.TokenError) as refused:
        checkin.read(token, event_id=7, at=NOW)
    assert refused.value.reason == checkin.OTHER_EVENT


@pytest.mark.parametrize("token", ["", "7.120000000", "7.120000000:forged", "rubbish"])
def test_a_code_without_a_valid_signature_is_forged(token):
    with pytest.raises(checkin.TokenError) as refused:
        checkin.read(token, event_id=7, at=NOW)
    assert refused.value.reason == checkin.FORGED


def test_a_changed_slot_breaks_the_signature():
    _value, signature = checkin.token_for(7, at=NOW).rsplit(":", 1)
    later = f"7.{checkin.slot_at(NOW) + 1}:{signature}"
    with pytest.raises(checkin.TokenError) as refused:
        checkin.read(later, event_id=7, at=NOW + 15)
    assert refused.value.reason == checkin.FORGED
