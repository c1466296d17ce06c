from courses.video import add_watched, clamp, covered_seconds, merge, report_budget


def test_overlapping_and_touching_intervals_merge_into_one():
    assert merge([[10, 20], [0, 5], [5, 12], [30, 31]]) == [[0, 20], [30, 31]]


def test_empty_and_reversed_intervals_are_ignored():
    assert merge([[5, 5], [9, 3]]) == []


def test_watching_the_same_part_twice_counts_once():
    assert covered_seconds([[0, 10], [0, 10], [5, 15]]) == 15


def test_intervals_are_clamped_to_the_video():
    assert clamp([[-3, 4], [25, 99]], 27) == [[0, 4], [25, 27]]


def test_new_coverage_beyond_the_budget_is_not_credited():
    watched = add_watched([[0, 10]], [[0, 100]], budget_seconds=20)

    assert watched == [[0, 30]]


def test_already_watched_parts_cost_no_budget():
    watched = add_watched([[0, 50]], [[0, 50], [60, 65]], budget_seconds=5)

    assert watched == [[0, 50], [60, 65]]


def test_the_budget_grows_with_the_time_since_the_last_report():
    assert report_budget(10) - report_budget(0) == 20  # up to double speed playback


def test_reports_sent_at_once_earn_nothing_more():
    assert report_budget(0) == 0


def test_a_report_after_a_long_pause_earns_only_what_plays_between_two_reports():
    assert report_budget(7 * 24 * 3600) == report_budget(120) == 240
