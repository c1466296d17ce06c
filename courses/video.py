"""Watched-interval arithmetic for video progress: pure functions over [start, end] pairs.

The browser reports the ranges it really played (HTMLMediaElement.played), so seeking adds
nothing. The server still caps how much new coverage a report may add by the wall-clock time
since the previous report of that video (from any tab or device), at double speed: however many
reports arrive, a learner is never credited more than twice the time that really passed. The
only allowance is for the first report, which the player sends after up to 10 s of playback.
"""

COMPLETION_SHARE = 0.9
MAX_PLAYBACK_RATE = 2.0
# The player reports every 10 s while playing: the first report covers at most that much.
FIRST_REPORT_SECONDS = 15.0
# A longer gap between reports means the video was paused or the page closed: what a report
# after it can add is what plays between two reports of a throttled background tab (Chrome
# runs its timers once a minute there), not the whole gap.
MAX_REPORT_GAP_SECONDS = 120.0


def merge(intervals):
    """Sorted, non-overlapping intervals covering the same time as `intervals`."""
    merged = []
    for start, end in sorted((float(s), float(e)) for s, e in intervals if float(e) > float(s)):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def covered_seconds(intervals):
    return sum(end - start for start, end in merge(intervals))


def clamp(intervals, duration):
    return [[max(0.0, float(s)), min(float(duration), float(e))] for s, e in intervals]


def uncovered_parts(interval, covered):
    """The parts of `interval` not inside the merged `covered` intervals."""
    start, end = interval
    parts = []
    for c_start, c_end in covered:
        if c_end <= start or c_start >= end:
            continue
        if c_start > start:
            parts.append([start, c_start])
        start = max(start, c_end)
        if start >= end:
            break
    if start < end:
        parts.append([start, end])
    return parts


def add_watched(old, incoming, budget_seconds):
    """`old` plus at most `budget_seconds` of new coverage from `incoming`, earliest first."""
    covered = merge(old)
    added = []
    budget = max(0.0, budget_seconds)
    for interval in merge(incoming):
        for start, end in uncovered_parts(interval, covered):
            if budget <= 0:
                break
            take = min(end - start, budget)
            added.append([start, start + take])
            budget -= take
    return merge(covered + added)


def report_budget(seconds_since_last_report, *, is_first=False):
    """How many seconds of new coverage a report may add."""
    seconds = FIRST_REPORT_SECONDS if is_first else seconds_since_last_report
    return max(0.0, min(seconds, MAX_REPORT_GAP_SECONDS)) * MAX_PLAYBACK_RATE


def report_moment(played_at, *, previous, now):
    """The moment a report counts from when the budget above is computed.

    A live report counts at `now`. A report queued offline arrives later in a burst with the
    moment the player recorded it (`played_at`); the server believes that moment only between
    `previous` (the server's moment of the video's previous report, or the signed time the page
    was sent when there is none) and `now`. The budgets of a burst then add up to at most the real
    time between `previous` and now, at double speed, however the moments are forged: a moment in
    the future counts as now (leaving nothing for the reports after it), one before `previous`
    counts as `previous` (adding nothing). Without a `previous` a queued report counts at now.
    """
    if played_at is None or previous is None:
        return now
    return min(max(played_at, previous), now)
