"""The coordinators' statistics page on PostgreSQL with 100,000 learners and 1,000,000 progress
rows, for a headquarters coordinator (every branch) and a branch coordinator (the largest branch).

Target: the page renders in ≤ 300 ms. Prints the slower of the two median page times as a ratio to
those 300 ms (≤ 1.0 meets the target), each query's time, and EXPLAIN ANALYZE of the heavy
queries so index use can be checked.

Run from the repository root, with PostgreSQL reachable (by default as user postgres on
127.0.0.1:5432, which may create databases):

    .venv/bin/python bench/statistics.py            # (re)creates komek_bench_stats, ~1–2 min
    .venv/bin/python bench/statistics.py --reuse    # times the page on the data already there

BENCH_POSTGRES_URL changes the server (default postgres://postgres@127.0.0.1:5432), and
BENCH_STATS_DB the database name. The database is left in place for inspection; drop it with
`dropdb -h 127.0.0.1 -U postgres komek_bench_stats`.

The data are made with INSERT … SELECT over generate_series, in proportions a year or two of a
national movement might reach; none of them go through the ORM except the course pages.
Learners: 100,000 (90 % of them members, in five branches of unequal size). Progress rows:
300,000 enrolments (60 % completed), 400,000 lesson completions, 200,000 quiz attempts and
100,000 practical activities, spread over the last two years; plus a course certificate for
every completion. The page is rendered by Django's test client, as a browser would get it: no
cache is involved, so the first and the later requests do the same work.
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
N_LEARNERS = 100_000
N_COURSES = 8
LESSONS_PER_COURSE = 4
# Tables worth an EXPLAIN: the big ones.
BIG_TABLES = (
    "courses_enrolment",
    "courses_quizattempt",
    "certification_practicalactivity",
    "certification_certificate",
    "certification_volunteer",
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
            """
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
            FROM generate_series(1, 100000) AS n
            JOIN certification_volunteer v ON v.id = (SELECT min(id) FROM certification_volunteer)
                + (n * 7919) % (SELECT count(*) FROM certification_volunteer)
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


def main():
    reuse = "--reuse" in sys.argv
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

    slowest = max(timings.values())
    report(
        "statistics",
        slowest * 1000 / TARGET_MS,
        learners=f"{counts['accounts_user']:,}",
        progress_rows=f"{n_progress:,}",
        hq_page_ms=f"{timings['headquarters (all branches)'] * 1000:.0f}",
        branch_page_ms=f"{timings['Almaty coordinator'] * 1000:.0f}",
        heavy_plans_using_an_index=f"{n_index} of {sum(len(h) for h in plans.values())}",
        heavy_plans_with_a_seq_scan_of_a_big_table=n_seq,
        target_ms=f"{TARGET_MS:.0f}",
        # Other work on the machine slows every query; read the times with this in mind.
        load_average_1min=f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs",
    )


if __name__ == "__main__":
    main()
