from certification.events.eligibility import Need, Qualifications, unmet

NEWCOMER = Qualifications(rank=1)


def test_a_volunteer_below_the_required_level_is_not_eligible():
    need = Need(kind="level", rank=2, label="level")
    assert unmet([need], NEWCOMER) == [need]
    assert unmet([need], Qualifications(rank=2)) == []


def test_a_pass_in_any_language_version_of_the_course_counts():
    need = Need(kind="course", course="key-1")
    assert unmet([need], Qualifications(rank=1, passed_courses=frozenset({"key-1"}))) == []
    assert unmet([need], Qualifications(rank=1, passed_courses=frozenset({"key-2"}))) == [need]


def test_a_passed_course_without_a_valid_certificate_does_not_meet_a_certificate_requirement():
    need = Need(kind="certificate", course="key-1")
    passed_only = Qualifications(rank=1, passed_courses=frozenset({"key-1"}))
    assert unmet([need], passed_only) == [need]
    certified = Qualifications(rank=1, certified_courses=frozenset({"key-1"}))
    assert unmet([need], certified) == []


def test_a_signed_off_skill_meets_a_skill_requirement():
    need = Need(kind="skill", skill="cpr-manikin")
    assert unmet([need], NEWCOMER) == [need]
    assert unmet([need], Qualifications(rank=1, skills=frozenset({"cpr-manikin"}))) == []


def test_unmet_requirements_keep_the_events_order():
    first, second = Need(kind="skill", skill="a"), Need(kind="level", rank=3)
    assert unmet([first, second], NEWCOMER) == [first, second]
