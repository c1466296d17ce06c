"""The coordinators' statistics page on PostgreSQL as the movement grows: 10,000, 100,000 and
1,000,000 learners with ten progress rows each, for a headquarters coordinator (every branch) and a
branch coordinator (the largest branch).

Target: the page renders in ≤ 300 ms at the largest size run (≤ 100 ms at 100,000 learners is the
headquarters' own target). Prints each size's median page times, so their growth shows, each
query's time and EXPLAIN ANALYZE of the heavy queries; the last line is the slower of the two
median page times at the largest size as a ratio to those 300 ms (≤ 1.0 meets the target).

Run from the repository root, with PostgreSQL reachable (by default as user postgres on
127.0.0.1:5432, which may create databases):

    .venv/bin/python bench/statistics.py                      # 10k and 100k, ~5 min
    .venv/bin/python bench/statistics.py --sizes 10k,100k,1m  # the 1M size takes ~15–30 min more
    .venv/bin/python bench/statistics.py --reuse              # times the data already there

Each size runs in a child process (`--size 1m`) on its own database, komek_bench_stats_<size>.
BENCH_POSTGRES_URL changes the server (default postgres://postgres@127.0.0.1:5432), and
BENCH_STATS_DB the name's stem. The databases are left in place for inspection; drop them with
`dropdb -h 127.0.0.1 -U postgres komek_bench_stats_100k` (and so on).

The data are made with INSERT … SELECT over generate_series, in proportions a year or two of a
national movement might reach; none of them go through the ORM except the course pages. Per
100,000 learners (90 % of them members, in five branches of unequal size): 300,000 enrolments
(60 % completed), 400,000 lesson completions, 200,000 quiz attempts and 100,000 practical
activities, spread over the last two years; plus a course certificate for every completion. Rows
written by SQL bypass the page's running totals, so the nightly reconciliation then counts them
in (as migration 0013 does on a deployed site); its time is printed. The page is rendered by
Django's test client, as a browser would get it: no cache is involved, so the first and the later
requests do the same work.
"""

import os
import sys
import time
from pathlib import Path

BENCH = str(Path(__file__).resolve().parent)
# This file's name hides the standard library's `statistics` module, which bench/common.py and
# other libraries import: load the real one first, then put bench/ back for `common`.
sys.path[:] = [entry for entry in sys.path if os.path.abspath(entry or ".") != BENCH]
import statistics  # noqa: E402, F401  (the standard library's, kept in sys.modules)

sys.path.insert(0, BENCH)
from common import ROOT, median_seconds, report  # noqa: E402

TARGET_MS = 300.0
SERVER = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DATABASE = os.environ.get("BENCH_STATS_DB", "komek_bench_stats")
# Learners at each size; progress rows are ten per learner. `--sizes 10k,100k,1m` picks them.
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}
DEFAULT_SIZES = ("10k", "100k")
N_LEARNERS = 100_000  # of the size being generated (set by main)
N_COURSES = 8
LESSONS_PER_COURSE = 4
# Tables worth an EXPLAIN: the big ones.
BIG_TABLES = (
    "courses_enrolment",
    "courses_quizattempt",
    "certification_practicalactivity",
    "certification_certificate",
    "certification_volunteer",
    "certification_statisticscount",
)


def array(ids):
    return "(ARRAY[" + ",".join(str(int(pk)) for pk in ids) + "]::int[])"


def recreate_database():
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DATABASE}"')


def setup_django():
    os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.test.utils import setup_test_environment

    setup_test_environment()


def generate():
    """Courses through the ORM, everything else in bulk SQL."""
    from django.core.management import call_command
    from django.db import connection

    from tests.factories import lessons_of, make_course, quiz_of

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    courses = [
        make_course(f"Курс {n}", slug=f"course-{n}", n_lessons=LESSONS_PER_COURSE, quiz={})
        for n in range(1, N_COURSES + 1)
    ]
    course_ids = [course.pk for course in courses]
    lesson_ids = [[lesson.pk for lesson in lessons_of(course)] for course in courses]
    quiz_ids = [quiz_of(course).pk for course in courses]

    with connection.cursor() as cursor:
        # Only integers we made go into the SQL, so it is written out without parameters (and
        # "%" is the modulo operator throughout).
        def run(label, sql):
            step = time.perf_counter()
            cursor.execute(sql)
            print(f"  {label}: {cursor.rowcount:,} rows in {time.perf_counter() - step:.1f} s")

        # Learners, created over the last three years.
        run(
            "learners",
            f"""
            INSERT INTO accounts_user (password, is_superuser, is_staff, is_active, date_joined,
                email, first_name, last_name, patronymic, full_name_latin, phone,
                preferred_language)
            SELECT '!', false, false, true, now() - (n % 1095) * interval '1 day',
                'learner' || n || '@bench.kz', 'Имя' || (n % 500), 'Фамилия' || n, '', '',
                '+7 701 ' || lpad((n % 10000000)::text, 7, '0'), 'ru'
            FROM generate_series(1, {N_LEARNERS}) AS n
            """,
        )
        # 90 % are members: branches of unequal size, most members low on the ladder.
        run(
            "members",
            """
            INSERT INTO certification_volunteer (level_since, city, motivation, photo, consent_at,
                joined_at, branch_id, level_id, user_id)
            SELECT u.date_joined, '', '', '', u.date_joined, u.date_joined,
                (SELECT id FROM certification_branch WHERE slug = CASE
                    WHEN u.id % 20 < 3 THEN 'astana' WHEN u.id % 20 < 10 THEN 'almaty'
                    WHEN u.id % 20 < 14 THEN 'shymkent' WHEN u.id % 20 < 17 THEN 'aktobe'
                    ELSE 'semey' END),
                (SELECT id FROM certification_level WHERE slug = CASE
                    WHEN u.id % 100 < 50 THEN 'newcomer' WHEN u.id % 100 < 80 THEN 'volunteer'
                    WHEN u.id % 100 < 95 THEN 'senior-volunteer'
                    WHEN u.id % 100 < 99 THEN 'coordinator' ELSE 'instructor' END),
                u.id
            FROM accounts_user u WHERE u.email LIKE '%@bench.kz' AND u.id % 10 <> 0
            """,
        )
        run(
            "member directions",
            """
            INSERT INTO certification_volunteer_directions (volunteer_id, direction_id)
            SELECT v.id, d.id FROM certification_volunteer v
            JOIN certification_direction d
              ON d.sort_order = 1 + v.id % 7 OR (v.id % 2 = 0 AND d.sort_order = 1 + (v.id + 3) % 7)
            """,
        )
        # Every learner enrols in three of the courses; 60 % of enrolments are completed.
        run(
            "enrolments",
            f"""
            INSERT INTO courses_enrolment (enrolled_at, completed_at, course_id, user_id)
            SELECT e.at, CASE WHEN (u.id + k) % 5 < 3 THEN e.at + ((u.id + k) % 40) * interval
                '1 day' END, {array(course_ids)}[1 + (u.id + k * 3) % {N_COURSES}], u.id
            FROM accounts_user u CROSS JOIN generate_series(0, 2) AS k
            CROSS JOIN LATERAL (SELECT now() - ((u.id * 7 + k * 131) % 730) * interval '1 day'
                - (u.id % 1440) * interval '1 minute' AS at) e
            WHERE u.email LIKE '%@bench.kz'
            """,
        )
        flat_lessons = [lesson for lessons in lesson_ids for lesson in lessons]
        run(
            "lesson completions",
            f"""
            INSERT INTO courses_lessoncompletion (completed_at, user_id, lesson_id)
            SELECT e.enrolled_at + j * interval '1 hour', e.user_id,
                {array(flat_lessons)}[
                    (array_position({array(course_ids)}, e.course_id) - 1)
                    * {LESSONS_PER_COURSE} + 1 + j]
            FROM courses_enrolment e CROSS JOIN generate_series(0, 1) AS j
            WHERE e.id % 3 <> 0
            """,
        )
        run(
            "quiz attempts",
            f"""
            INSERT INTO courses_quizattempt (number, status, started_at, submitted_at, questions,
                layout, draft, score, max_score, percent, passed, user_id, quiz_id)
            SELECT 1, 'submitted', e.enrolled_at + interval '2 hours',
                e.enrolled_at + interval '2 hours 10 minutes', '[]', '[]', '{{}}',
                (e.id % 5), 4, 25 * (e.id % 5), e.id % 5 >= 3, e.user_id,
                {array(quiz_ids)}[array_position({array(course_ids)}, e.course_id)]
            FROM courses_enrolment e WHERE e.id % 3 <> 2
            """,
        )
        run(
            "practical activities",
            f"""
            INSERT INTO certification_practicalactivity (date, event, hours, note, status,
                reviewed_at, rejection_reason, created_at, direction_id, volunteer_id)
            SELECT (now() - (n % 730) * interval '1 day')::date, 'Событие ' || (n % 300),
                1 + n % 8, '',
                CASE WHEN n % 20 < 16 THEN 'confirmed' WHEN n % 20 < 19 THEN 'pending'
                     ELSE 'rejected' END,
                CASE WHEN n % 20 < 16 OR n % 20 = 19 THEN now() - (n % 700) * interval '1 day' END,
                CASE WHEN n % 20 = 19 THEN 'Не подтверждено' ELSE '' END,
                now() - (n % 730) * interval '1 day',
                (SELECT id FROM certification_direction WHERE sort_order = 1 + n % 7),
                v.id
            FROM generate_series(1, {N_LEARNERS}) AS n
            JOIN certification_volunteer v ON v.id = (SELECT min(id) FROM certification_volunteer)
                + (n::bigint * 7919) % (SELECT count(*) FROM certification_volunteer)
            """,
        )
        run(
            "course certificates",
            """
            INSERT INTO certification_certificate (kind, status, public_code, source_key,
                holder_name, holder_name_latin, title_ru, title_kk, title_en, languages,
                issued_at, revoked_reason, pdf, pdf_sha256, credential_jwt, n_render_attempts,
                last_error, n_verifications, created_at, course_id, holder_id, branch_id, text)
            SELECT 'course', 'issued', 'B' || lpad(e.id::text, 15, '0'), 'course:' || e.id,
                'Фамилия', '', 'Курс', '', '', 'ru', e.completed_at, '', '', '', '', 1, '',
                (e.id % 7) / 3, e.completed_at, e.course_id, e.user_id, v.branch_id, ''
            FROM courses_enrolment e LEFT JOIN certification_volunteer v ON v.user_id = e.user_id
            WHERE e.completed_at IS NOT NULL
            """,
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    # The rows above bypassed the running totals, as rows from before migration 0013 did: the
    # nightly reconciliation (what that migration runs too) counts them in.
    from certification.coordination.aggregates import reconcile

    step = time.perf_counter()
    n_keys = reconcile()
    print(f"  running totals: {n_keys:,} keys recounted in {time.perf_counter() - step:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE certification_statisticscount")
    print(f"  generated in {time.perf_counter() - started:.0f} s")


def progress_rows():
    from django.db import connection

    with connection.cursor() as cursor:
        counts = {}
        for table in (
            "accounts_user",
            "certification_volunteer",
            "courses_enrolment",
            "courses_lessoncompletion",
            "courses_quizattempt",
            "certification_practicalactivity",
            "certification_certificate",
        ):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts[table] = cursor.fetchone()[0]
    return counts


def coordinators():
    """A headquarters coordinator and one of the largest branch (Almaty), made once."""
    from django.utils import timezone

    from certification.models import Branch, Level, Volunteer
    from certification.volunteers.roles import coordinators_group
    from lms.accounts.models import User

    made = []
    for slug in ("astana", "almaty"):
        user, created = User.objects.get_or_create(
            email=f"coordinator.{slug}@bench.kz",
            defaults={"first_name": "Координатор", "last_name": slug.title()},
        )
        if created:
            Volunteer.objects.create(
                user=user,
                branch=Branch.objects.get(slug=slug),
                level=Level.objects.get(slug="coordinator"),
                consent_at=timezone.now(),
            )
            user.groups.add(coordinators_group())
        made.append(user)
    return made


def explain(sql):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY ON) {sql}")
        return [row[0] for row in cursor.fetchall()]


def page_timings(client, url, label):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = time.perf_counter()
    response = client.get(url)
    first_s = time.perf_counter() - first
    assert response.status_code == 200, response.status_code
    assert "levels-by-branch" in response.content.decode()
    median_s = median_seconds(lambda: client.get(url), repeat=9, warmup=2)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    print(f"\n{label}: first {first_s * 1000:.0f} ms, median {median_s * 1000:.0f} ms, "
          f"{len(queries)} queries")  # fmt: skip
    heavy = []
    for query in queries.captured_queries:
        sql = query["sql"]
        print(f"  {float(query['time']) * 1000:6.1f} ms  {sql[:110]}")
        if sql.startswith("SELECT") and any(f'"{table}"' in sql for table in BIG_TABLES):
            heavy.append(sql)
    return median_s, heavy


def measure(reuse):
    """Generates (unless reusing) and times one size; prints a `size-result:` line for main."""
    if not reuse:
        print(f"Creating {DATABASE} and generating the data…")
        recreate_database()
    setup_django()
    if not reuse:
        generate()
    counts = progress_rows()
    n_progress = sum(
        counts[table]
        for table in (
            "courses_enrolment",
            "courses_lessoncompletion",
            "courses_quizattempt",
            "certification_practicalactivity",
        )
    )
    for table, n in counts.items():
        print(f"  {table}: {n:,}")
    print(f"  progress rows: {n_progress:,}")

    from django.test import Client
    from django.urls import reverse
    from django.utils import translation

    hq, almaty = coordinators()
    with translation.override("ru"):
        url = reverse("coordination:statistics")
    timings = {}
    plans = {}
    for label, user in (("headquarters (all branches)", hq), ("Almaty coordinator", almaty)):
        client = Client()
        client.force_login(user)
        timings[label], heavy = page_timings(client, url, label)
        plans[label] = heavy

    n_index, n_seq = 0, 0
    for label, heavy in plans.items():
        print(f"\nEXPLAIN ANALYZE, {label}:")
        for sql in heavy:
            plan = explain(sql)
            n_index += any("Index" in line for line in plan)
            n_seq += any("Seq Scan on" in line and any(t in line for t in BIG_TABLES)
                         for line in plan)  # fmt: skip
            print(f"\n  {sql[:160]}…")
            for line in plan:
                print(f"    {line}")

    hq_ms = timings["headquarters (all branches)"] * 1000
    branch_ms = timings["Almaty coordinator"] * 1000
    print(f"size-result: {counts['accounts_user']} {n_progress} {hq_ms:.1f} {branch_ms:.1f}")
    for key, value in dict(
        learners=f"{counts['accounts_user']:,}",
        progress_rows=f"{n_progress:,}",
        hq_page_ms=f"{hq_ms:.0f}",
        branch_page_ms=f"{branch_ms:.0f}",
        heavy_plans_using_an_index=f"{n_index} of {sum(len(h) for h in plans.values())}",
        heavy_plans_with_a_seq_scan_of_a_big_table=n_seq,
        # Other work on the machine slows every query; read the times with this in mind.
        load_average_1min=f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs",
    ).items():
        print(f"  {key}: {value}")


def option(name, default):
    if name in sys.argv:
        return sys.argv[sys.argv.index(name) + 1]
    return default


def main():
    """One child process per size (Django binds to one database per process), then the growth."""
    import subprocess

    global DATABASE, N_LEARNERS
    reuse = "--reuse" in sys.argv
    size = option("--size", None)
    if size is not None:
        N_LEARNERS = SIZES[size]
        DATABASE = f"{DATABASE}_{size}"
        measure(reuse)
        return
    sizes = option("--sizes", ",".join(DEFAULT_SIZES)).split(",")
    results = {}
    for size in sizes:
        print(f"\n=== {size} learners ===", flush=True)
        command = [sys.executable, __file__, "--size", size] + (["--reuse"] if reuse else [])
        output = subprocess.run(command, check=True, stdout=subprocess.PIPE, text=True).stdout
        print(output, end="")
        line = next(line for line in output.splitlines() if line.startswith("size-result:"))
        learners, progress, hq_ms, branch_ms = line.split()[1:]
        results[size] = (int(learners), int(progress), float(hq_ms), float(branch_ms))
    print("\nHow the page's median time grows:")
    for learners, progress, hq_ms, branch_ms in results.values():
        print(f"  {learners:>9,} learners, {progress:>10,} progress rows: "
              f"HQ {hq_ms:6.0f} ms, branch {branch_ms:6.0f} ms")  # fmt: skip
    largest = sizes[-1]
    learners, progress, hq_ms, branch_ms = results[largest]
    report(
        "statistics",
        max(hq_ms, branch_ms) / TARGET_MS,
        largest_size=f"{learners:,} learners",
        target_ms=f"{TARGET_MS:.0f} (slower of HQ and branch at the largest size)",
        load_average_1min=f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs",
    )


if __name__ == "__main__":
    main()
