"""Check-in at the start of a big event: 500 signed-up volunteers scan the event's code within a
minute, through gunicorn (4 sync workers) on PostgreSQL and Redis, run as production runs them.

Prints the check-in's p50/p99, the errors, check-ins per volunteer, and the last line
`check_in: <ratio>`: p99 of a check-in ÷ p99 of the minimal Django view (bench/exam_day_wsgi.py)
served by the same gunicorn in the same run at the same concurrency. Targets: 0 errors, exactly
one check-in each, the whole crowd checked in within 60 s.

Each volunteer opens the check-in address the QR code on the coordinator's screen encodes, with
the token the screen shows at that moment (the bench reads the same clock and key), CONCURRENCY
at a time. One in ten taps twice at once, as people do on a slow connection: the second request
must be told "you are checked in" (HTTP 400, counted apart, not an error) and never record a
second check-in. The volunteers are logged in already, as on their own phones: the bench makes
their sessions directly (cached_db, as the server reads them) rather than logging in 500 times,
which would be 500 password hashes (about 100 s of CPU on two cores) measuring the login, not the
check-in; the warm-up volunteers do log in through the form, so the path is exercised.

Needs what bench/exam_day.py needs: PostgreSQL at 127.0.0.1:5432 (trust, user postgres;
CHECK_IN_DATABASE_URL for another server, whose database the bench creates and drops) and Redis
at 127.0.0.1:6379, of which only db 10 (cache) and 11 (broker) are used and flushed.
BENCH_VOLUNTEERS and BENCH_CONCURRENCY change the load (500, 50); BENCH_KEEP_DB=1 keeps the
database for a look afterwards.
"""

import os
import re
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# isort: off
# exam_day first: it imports common, which then takes bench/ off the import path.
from exam_day import (
    MINIMAL_PATH,
    PASSWORD,
    WORKERS,
    Browser,
    StepError,
    Timings,
    csrf_token,
    flush_redis,
    free_port,
    percentile_ms,
    production_env,
    recreate_database,
    start_server,
    stop,
)
from common import ROOT, report

# isort: on

N_VOLUNTEERS = int(os.environ.get("BENCH_VOLUNTEERS", "500"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "50"))
N_WARMUP = 8  # volunteers outside the count who log in and check in first, warming every worker
DOUBLE_TAP_EVERY = 10
DATABASE_URL = os.environ.get(
    "CHECK_IN_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/komek_bench_check_in"
)
TARGET_WALL_S = 60
# The double tap's answers, in Russian (Accept-Language: ru): the same code again, or a new one
# straight after checking in (services.scan).
ALREADY_IN = ("Этот код уже использован для отметки о приходе", "Ваш приход отмечен")


# Setting the stage ----------------------------------------------------------------------------


def set_the_stage():
    """Migrate, collect static files, create the event, the volunteers, their sign-ups and
    sessions. Returns the event, the warm-up users, the crowd and the crowd's session keys."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from datetime import timedelta
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.test.utils import override_settings
    from django.utils import timezone

    call_command("migrate", interactive=False, verbosity=0)
    manifest_only = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": manifest_only}):
        call_command("collectstatic", interactive=False, verbosity=0)

    from certification.models import Event, Level, SignUp, Volunteer
    from tests.factories import branch, direction, make_coordinator

    coordinator = make_coordinator(email="coordinator@check-in.komek.kz")
    now = timezone.now()
    # Half an hour before the start: check-in is open (an hour before), nobody can check out yet.
    event = Event.objects.create(
        branch=branch("almaty"),
        title="Алматы марафоны: медициналық кезекшілік",
        kind=Event.Kind.DUTY_SHIFT,
        direction=direction("mass-events"),
        place="Республика алаңы, мәре",
        starts_at=now + timedelta(minutes=30),
        ends_at=now + timedelta(hours=6),
        capacity=N_WARMUP + N_VOLUNTEERS,
        created_by=coordinator,
    )
    password = make_password(PASSWORD)  # one hash for all: the warm-up logs in with it
    users = get_user_model().objects.bulk_create(
        get_user_model()(
            email=f"volunteer{n:03}@check-in.komek.kz",
            password=password,
            first_name="Дана",
            last_name=f"Ахметова-{n}",
            preferred_language="ru",
        )
        for n in range(N_WARMUP + N_VOLUNTEERS)
    )
    volunteer = Level.objects.get(slug="volunteer")
    members = Volunteer.objects.bulk_create(
        Volunteer(
            user=user,
            branch=event.branch,
            level=volunteer,
            level_since=now,
            consent_at=now,
            joined_at=now,
        )
        for user in users
    )
    SignUp.objects.bulk_create(
        SignUp(event=event, volunteer=member, status=SignUp.Status.SIGNED_UP, queued_at=now)
        for member in members
    )
    backend = "django.contrib.auth.backends.ModelBackend"
    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
    sessions = []
    for user in users[N_WARMUP:]:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        sessions.append(session.session_key)
    return event, users[:N_WARMUP], users[N_WARMUP:], sessions


# The volunteers ---------------------------------------------------------------------------------


def check_in_path(event_id):
    """What the coordinator's screen shows now: the QR code's address."""
    from certification.events import checkin

    return f"/check-in/{event_id}/{checkin.token_for(event_id)}/"


def log_in(browser, email):
    page = browser.get("/ru/accounts/login/")
    if page.status != 200:
        raise StepError(f"login page: HTTP {page.status}")
    response = browser.post_form(
        "/ru/accounts/login/",
        [
            ("csrfmiddlewaretoken", csrf_token(page.text)),
            ("username", email),
            ("password", PASSWORD),
        ],
    )
    if response.status != 302:
        raise StepError(f"login: HTTP {response.status}")


def scan(browser, event_id):
    """One scan as a phone makes it: open the code's address, press the button. 'checked in'
    (200), 'checked in already' (400 with that message), or an error."""
    path = check_in_path(event_id)
    page = browser.get(path)
    ticket = re.search(r'name="ticket" value="([^"]+)"', page.text)
    if page.status != 200 or ticket is None:
        raise StepError(f"check-in page: HTTP {page.status}")
    response = browser.post_form(
        path, [("csrfmiddlewaretoken", csrf_token(page.text)), ("ticket", ticket[1])]
    )
    if response.status == 200:
        return "checked_in"
    if response.status == 400 and any(words in response.text for words in ALREADY_IN):
        return "already_in"
    message = re.search(r'status--bad">.*?</p>\s*<p>(.*?)</p>', response.text, re.S)
    raise StepError(f"HTTP {response.status}: {message[1].strip() if message else ''}")


def crowd_check_in(port, event_id, cookie_name, sessions, timings):
    """Every volunteer scans, CONCURRENCY at a time; double tappers' two scans go side by side.
    Returns the wall time and the answers."""
    answers = Counter()
    scans = []
    for n, key in enumerate(sessions):
        scans.append(key)
        if n % DOUBLE_TAP_EVERY == DOUBLE_TAP_EVERY - 1:
            scans.append(key)

    def one(key):
        browser = Browser(port)
        browser.cookies[cookie_name] = key
        began = time.perf_counter()
        try:
            answer = scan(browser, event_id)
        except (StepError, OSError) as error:
            timings.record("check_in", time.perf_counter() - began, f"{error}")
            answers["error"] += 1
        else:
            timings.record("check_in", time.perf_counter() - began)
            answers[answer] += 1

    began = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(one, scans))
    return time.perf_counter() - began, answers


def minimal_view(port, n_requests, timings):
    def one(_n):
        began = time.perf_counter()
        try:
            status = Browser(port).get(MINIMAL_PATH).status
            error = None if status == 200 else f"HTTP {status}"
        except OSError as failure:
            error = f"{type(failure).__name__}: {failure}"
        timings.record("minimal_view", time.perf_counter() - began, error)

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(one, range(n_requests)))


def outcomes(event, crowd):
    """{check-ins: volunteers with that many} for the crowd, from the database."""
    from certification.models import Attendance

    per_volunteer = Counter(
        Attendance.objects.filter(sign_up__event=event, sign_up__volunteer__user__in=crowd)
        .values_list("sign_up__volunteer_id", flat=True)
        .order_by()
    )
    counts = Counter(per_volunteer.values())
    counts[0] = len(crowd) - len(per_volunteer)
    return {n: k for n, k in sorted(counts.items()) if k}


# The run ----------------------------------------------------------------------------------------


def main():
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    scratch = Path(tempfile.mkdtemp(prefix="komek-check-in-"))
    port = free_port()
    env = {**production_env(port=port, scratch=scratch), "DATABASE_URL": DATABASE_URL}
    os.environ.update(env)
    server = None
    log = open(scratch / "gunicorn.log", "w+")  # noqa: SIM115 (closed in finally)
    timings = Timings()
    try:
        recreate_database(database_url=DATABASE_URL)
        flush_redis()
        began = time.perf_counter()
        event, warmup, crowd, sessions = set_the_stage()
        setup_s = time.perf_counter() - began
        from django.conf import settings
        from django.contrib.sessions.models import Session

        cookie_name = settings.SESSION_COOKIE_NAME
        server = start_server(env=env, port=port, log=log)

        # The warm-up volunteers log in through the form and check in, on every worker.
        for user in warmup:
            browser = Browser(port)
            log_in(browser, user.email)
            if scan(browser, event.pk) != "checked_in":
                raise SystemExit("The warm-up check-in failed.")
        minimal_view(port, 4 * WORKERS, Timings())

        wall_s, answers = crowd_check_in(port, event.pk, cookie_name, sessions, timings)
        minimal_view(port, len(timings.seconds["check_in"]), timings)
        stop(server)
        n_sessions = Session.objects.filter(session_key__in=sessions).count()
        per_volunteer = outcomes(event, crowd)
    finally:
        stop(server)
        log.seek(0)
        server_log = log.read()
        log.close()
        from django.db import connections

        connections.close_all()
        if os.environ.get("BENCH_KEEP_DB") != "1":
            recreate_database(database_url=DATABASE_URL, drop_only=True)
        flush_redis()
        shutil.rmtree(scratch, ignore_errors=True)
        if sys.exc_info()[0] is not None:
            print(server_log[-5000:], file=sys.stderr)

    n_scans = len(timings.seconds["check_in"])
    print(
        f"check-in: {N_VOLUNTEERS} volunteers ({n_scans} scans with the double taps), "
        f"{CONCURRENCY} at a time, {WORKERS} gunicorn workers"
    )
    print(f"  {'request':<13} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for step in ("check_in", "minimal_view"):
        samples = timings.seconds[step]
        print(
            f"  {step:<13} {percentile_ms(samples, 0.5):>8.0f} {percentile_ms(samples, 0.99):>8.0f}"
            f" {timings.errors[step]:>7}"
        )
    for step, messages in timings.samples.items():
        print(f"  {step} errors, e.g.: {'; '.join(sorted(messages)[:3])}")
    if "Traceback" in server_log or "[ERROR]" in server_log:
        print("  server log:\n" + server_log[-3000:])

    n_errors = sum(timings.errors.values())
    p99_check_in = percentile_ms(timings.seconds["check_in"], 0.99)
    p99_minimal = percentile_ms(timings.seconds["minimal_view"], 0.99)
    n_double_taps = N_VOLUNTEERS // DOUBLE_TAP_EVERY
    met = {
        "0 errors": n_errors == 0,
        "one check-in each": per_volunteer == {1: N_VOLUNTEERS},
        "every double tap told it is in": answers["already_in"] == n_double_taps,
        f"all within {TARGET_WALL_S} s": wall_s <= TARGET_WALL_S,
    }
    report(
        "check_in",
        p99_check_in / p99_minimal,
        setup_s=f"{setup_s:.0f}",
        sessions=n_sessions,
        errors=n_errors,
        answers=", ".join(f"{name} {n}" for name, n in sorted(answers.items())),
        check_ins_per_volunteer=per_volunteer,
        wall_s=f"{wall_s:.1f}",
        check_ins_per_s=f"{n_scans / wall_s:.0f}",
        check_in_p99_ms=f"{p99_check_in:.0f}",
        minimal_view_p99_ms=f"{p99_minimal:.0f}",
        targets=", ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in met.items()),
    )


if __name__ == "__main__":
    main()
