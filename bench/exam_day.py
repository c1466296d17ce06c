"""Exam day: 300 learners log in, start a 20-question quiz, autosave twice and submit, through
gunicorn (4 sync workers) on PostgreSQL and Redis, run as production runs them.

Prints each step's p50/p99, the errors, graded attempts per learner, and submit throughput as a
ratio to a minimal Django view (bench/exam_day_wsgi.py: a view that does nothing, behind all the
middleware) served by the same gunicorn in the same run at the same concurrency. Targets: 0
errors, exactly one graded attempt each, p99 submit ≤ 300 ms, ratio ≥ 0.25.

Exam day comes in waves, one step at a time for everybody (the invigilator says "start", the
time runs out for all together): every learner does a step, CONCURRENCY at a time, before anyone
does the next, so each step is timed at its own peak and submits are timed with nothing else
running. The client does what a browser does, one connection per request (gunicorn's sync
workers close them anyway): the login page and its CSRF token, the login, the quiz page, "Start"
(POST, 302) and the attempt page, two autosaves (multipart POSTs to the save URL, as quiz.js
sends them), the submission (POST, 302) and the result page. Answers are chosen by reading the
page, as a learner who knows them would; one learner in five answers only half and fails.
Learners are newcomers, and the course is the newcomer course, so a pass is the heaviest submit:
course certificate, promotion to Volunteer, level certificate and badge, three render tasks sent
to the broker after commit (no Celery worker runs: the tasks wait in the queue, and are counted,
with those of the 8 learners who warm the workers up first). Under a closed loop like this one a
step's latency is about CONCURRENCY ÷ its throughput, so the p99 target is a throughput target
too: the minimal view's own p99 at the same concurrency is printed beside it.

Requests come through the TLS proxy production has: `X-Forwarded-Proto: https`, so the secure
cookies, HSTS and the HTTPS redirect stay on. Static files are collected with a manifest but
not compressed (compressing takes minutes here and serving them is not measured).

All 300 logins come from one address: django-axes counts only wrong passwords and forgets them
on a right one, and nothing else limits logins, autosaves or submissions, so no rate limit is
lifted and a deployment behind one NAT needs no extra setting for an exam (check the "errors"
line if a limit is ever added).

Needs PostgreSQL at 127.0.0.1:5432 (trust, user postgres; EXAM_DAY_DATABASE_URL to use another
server, whose database the bench creates and drops) and Redis at 127.0.0.1:6379, of which only
db 10 (cache) and 11 (broker) are used and flushed. BENCH_LEARNERS and BENCH_CONCURRENCY change
the load (300, 50); BENCH_KEEP_DB=1 keeps the database for a look afterwards.
"""

import html
import json
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from pathlib import Path

from common import ROOT, report

sys.path.insert(0, str(ROOT))
from tests.processes import stop_group

N_LEARNERS = int(os.environ.get("BENCH_LEARNERS", "300"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "50"))
N_WARMUP = 8  # learners outside the count who go through the flow once, to warm every worker
WORKERS = 4
PORTS = range(8700, 8800)
DATABASE_URL = os.environ.get(
    "EXAM_DAY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/komek_bench"
)
REDIS = "redis://127.0.0.1:6379"
CACHE_DB, BROKER_DB = 10, 11
PASSWORD = "exam day at the branch"
MINIMAL_ROUNDS = 3
MINIMAL_PATH = "/exam-day/minimal/"  # served by bench/exam_day_wsgi.py

TARGET_P99_SUBMIT_MS = 300
TARGET_RATIO = 0.25

# The quiz: 20 questions of every type, with what a learner who knows the answers would give.
# Questions are found on the page by their prompt, choices by their text.
QUIZ = [
    ("single_choice", "Куда звонить при остановке сердца?", "103", ["102", "104", "101"]),
    ("single_choice", "Сколько компрессий в одном цикле СЛР?", "30", ["15", "10", "50"]),
    ("single_choice", "Глубина компрессий у взрослого?", "5–6 см", ["1–2 см", "8–10 см"]),
    ("single_choice", "Что делать при ожоге первым?", "Охладить водой", ["Смазать маслом"]),
    ("single_choice", "Положение при носовом кровотечении?", "Наклон вперёд", ["Наклон назад"]),
    ("multiple_choice", "Признаки инсульта?", ["Асимметрия лица", "Нарушение речи"], ["Икота"]),
    ("multiple_choice", "Что проверить у пострадавшего?", ["Дыхание", "Сознание"], ["Рост"]),
    ("multiple_choice", "Что есть в аптечке?", ["Бинт", "Перчатки", "Жгут"], ["Зеркало"]),
    ("multiple_choice", "Признаки шока?", ["Бледность", "Частый пульс"], ["Румянец", "Жар"]),
    ("true_false", "Пострадавшего без сознания кладут в устойчивое боковое положение.", True),
    ("true_false", "При переломе кость вправляют на месте.", False),
    ("true_false", "Жгут накладывают выше раны.", True),
    ("short_answer", "Прибор для восстановления ритма сердца?", "дефибриллятор"),
    ("short_answer", "Приём при закупорке дыхательных путей (фамилия)?", "Геймлиха"),
    ("short_answer", "Как называется остановка дыхания?", "апноэ"),
    ("numeric", "Темп компрессий в минуту?", "110", "10"),
    ("numeric", "Сколько минут можно держать жгут летом?", "60", "0"),
    ("matching", "Сопоставьте травму и помощь.", [("Ожог", "Охладить"), ("Кровотечение", "Прижать"),
                                                 ("Перелом", "Обездвижить")]),
    ("matching", "Сопоставьте номер и службу.", [("101", "Пожарные"), ("102", "Полиция"),
                                                ("103", "Скорая")]),
    ("ordering", "Порядок действий на месте происшествия.", ["Безопасность", "Сознание",
                                                            "Вызов 103", "Компрессии"]),
]  # fmt: skip


def question_block(kind, prompt, *spec):
    value = {"title": "", "prompt": f"<p>{prompt}</p>", "points": "1", "feedback": ""}
    choice = {"credit": None, "feedback": ""}
    if kind in {"single_choice", "multiple_choice"}:
        right, wrong = spec
        rights = [right] if kind == "single_choice" else right
        value["choices"] = [{"text": t, "is_correct": True, **choice} for t in rights] + [
            {"text": t, "is_correct": False, **choice} for t in wrong
        ]
        if kind == "multiple_choice":
            value["scoring"] = "partial" if len(rights) > 2 else "all_or_nothing"
    elif kind == "true_false":
        value.update(correct=spec[0], feedback_true="", feedback_false="")
    elif kind == "short_answer":
        value["accepted"] = [{"text": spec[0], **choice}]
    elif kind == "numeric":
        value.update(answers=[{"value": spec[0], "tolerance": spec[1], **choice}], unit="")
    elif kind == "matching":
        value["pairs"] = [{"left": left, "right": right} for left, right in spec[0]]
    elif kind == "ordering":
        value["items"] = list(spec[0])
    return {"type": kind, "value": value}


# The server ---------------------------------------------------------------------------------------


def signing_key():
    """A fresh Ed25519 key as PKCS#8 PEM, as .ci/run makes one."""
    from cryptography.hazmat.primitives import serialization as s
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    return key.private_bytes(s.Encoding.PEM, s.PrivateFormat.PKCS8, s.NoEncryption()).decode()


def free_port():
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"No free port in {PORTS.start}–{PORTS.stop - 1}.")


def production_env(*, port, scratch):
    """What production mode reads (lms/settings.py), for the server and this process alike."""
    return {
        "DJANGO_SETTINGS_MODULE": "lms.settings",
        "KOMEK_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": f"https://127.0.0.1:{port}",
        "CREDENTIAL_SIGNING_KEY": signing_key(),
        "DATABASE_URL": DATABASE_URL,
        "CACHE_URL": f"{REDIS}/{CACHE_DB}",
        "CELERY_BROKER_URL": f"{REDIS}/{BROKER_DB}",
        "KOMEK_VAR_DIR": str(scratch / "var"),
        "STATIC_ROOT": str(scratch / "static"),
        "MEDIA_ROOT": str(scratch / "media"),
        "LOG_LEVEL": "WARNING",
    }


def recreate_database(*, database_url=DATABASE_URL, drop_only=False):
    import psycopg

    url = urllib.parse.urlsplit(database_url)
    name = url.path.lstrip("/")
    admin = urllib.parse.urlunsplit(url._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def flush_redis():
    import redis

    for db in (CACHE_DB, BROKER_DB):
        redis.Redis.from_url(f"{REDIS}/{db}").flushdb()


def start_server(*, env, port, log):
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "bench.exam_day_wsgi", "--workers", str(WORKERS),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {log.name}")
        try:
            if Browser(port).get(MINIMAL_PATH).status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer in 60 s; see {log.name}")


def stop(process):
    stop_group(process, timeout=20)


# Setting the stage ----------------------------------------------------------------------------


def set_the_stage():
    """Migrate, collect static files for the manifest storage, create the course and learners."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.test.utils import override_settings
    from django.utils import timezone

    call_command("migrate", interactive=False, verbosity=0)
    # The server needs the manifest of hashed names; compressing every file as production's
    # storage does would take minutes here and change nothing the bench measures.
    manifest_only = {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": manifest_only}):
        call_command("collectstatic", interactive=False, verbosity=0)

    from certification.models import Direction, Level, LevelAward, Volunteer
    from courses.models import Enrolment
    from tests.factories import branch, make_course, make_newcomer_course, quiz_of

    course = make_course(
        "Первая помощь: экзамен",
        slug="exam",
        n_lessons=0,
        certificate_validity_months=24,
        quiz={
            "questions": [question_block(*question) for question in QUIZ],
            "pass_mark": 70,
            "max_attempts": 3,
            "time_limit_minutes": 40,
            "shuffle_questions": True,
        },
    )
    make_newcomer_course(course)
    quiz = quiz_of(course)

    # One hash for everybody: hashing 300 passwords would take a minute and prove nothing; every
    # login still checks its password in full.
    password = make_password(PASSWORD)
    now = timezone.now()
    users = get_user_model().objects.bulk_create(
        get_user_model()(
            email=f"learner{n:03}@exam.komek.kz",
            password=password,
            first_name="Айгерім",
            last_name=f"Сейітова-{n}",
            full_name_latin=f"Aigerim Seitova {n}",
            preferred_language="ru",
        )
        for n in range(N_WARMUP + N_LEARNERS)
    )
    newcomer = Level.objects.get(slug="newcomer")
    volunteers = Volunteer.objects.bulk_create(
        Volunteer(
            user=user,
            branch=branch("almaty"),
            level=newcomer,
            level_since=now,
            consent_at=now,
            joined_at=now,
        )
        for user in users
    )
    first_aid = Direction.objects.get(slug="first-aid")
    Volunteer.directions.through.objects.bulk_create(
        Volunteer.directions.through(volunteer=v, direction=first_aid) for v in volunteers
    )
    LevelAward.objects.bulk_create(
        LevelAward(
            volunteer=v,
            level=newcomer,
            status=LevelAward.Status.AWARDED,
            requested_at=now,
            awarded_at=now,
        )
        for v in volunteers
    )
    Enrolment.objects.bulk_create(Enrolment(user=user, course=course) for user in users)
    return quiz, users[:N_WARMUP], users[N_WARMUP:]


# The browser ------------------------------------------------------------------------------------


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def text(self):
        return self.body.decode()

    @property
    def location(self):
        return self.headers.get("Location", "")


class Browser:
    """One learner's browser: its cookies, and requests as they come through the TLS proxy."""

    def __init__(self, port):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies = {}

    def request(self, method, path, *, body=None, content_type=None, accept="text/html"):
        headers = {
            "Host": f"127.0.0.1:{self.port}",
            "X-Forwarded-Proto": "https",
            "User-Agent": "komek-exam-day-bench",
            "Accept": accept,
            "Accept-Language": "ru",
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "POST":
            headers.update(
                {"Origin": self.origin, "Referer": self.origin + path, "Content-Type": content_type}
            )
        connection = HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            response = Response(raw.status, raw.headers, raw.read())
        finally:
            connection.close()
        for cookie in raw.headers.get_all("Set-Cookie") or ():
            name, _sep, rest = cookie.partition("=")
            value = rest.split(";", 1)[0]
            if re.search(r";\s*max-age=0\b", rest, re.IGNORECASE) or value in {"", '""'}:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return response

    def get(self, path):
        return self.request("GET", path)

    def post_form(self, path, fields):
        return self.request(
            "POST",
            path,
            body=urllib.parse.urlencode(fields).encode(),
            content_type="application/x-www-form-urlencoded",
        )

    def post_multipart(self, path, fields, *, accept):
        boundary = f"----komek{secrets.token_hex(12)}"
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields
        ]
        body = ("".join(parts) + f"--{boundary}--\r\n").encode()
        return self.request(
            "POST",
            path,
            body=body,
            content_type=f"multipart/form-data; boundary={boundary}",
            accept=accept,
        )


def csrf_token(page):
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if match is None:
        raise StepError("no CSRF token on the page")
    return match.group(1)


def plain_text(fragment):
    return html.unescape(re.sub(r"<[^>]+>", "", fragment)).strip()


def answers_from_page(page, *, knows_all):
    """The form fields a learner fills in, per question in the order the page shows them."""
    by_prompt = {prompt: spec for _kind, prompt, *spec in QUIZ}
    answered = []
    fieldsets = re.findall(
        r'<fieldset class="question question--(\w+)" id="question-[^"]+">(.*?)</fieldset>',
        page,
        re.DOTALL,
    )
    for kind, fieldset in fieldsets:
        prompt = plain_text(re.search(r'class="question__text">(.*?)</span>', fieldset, re.S)[1])
        spec = by_prompt[prompt]
        fields = []
        if kind in {"single_choice", "multiple_choice", "true_false"}:
            inputs = re.findall(
                r'<input type="(?:radio|checkbox)" name="([^"]+)" value="([^"]+)"[^>]*>'
                r"\s*<span>([^<]*)</span>",
                fieldset,
            )
            if kind == "true_false":
                right = {"true" if spec[0] else "false"}
                fields = [(name, value) for name, value, _text in inputs if value in right]
            else:
                right = {spec[0]} if kind == "single_choice" else set(spec[0])
                fields = [(n, v) for n, v, text in inputs if html.unescape(text) in right]
        elif kind in {"short_answer", "numeric"}:
            name = re.search(r'<input class="text-answer"[^>]* name="([^"]+)"', fieldset)[1]
            fields = [(name, spec[0])]
        elif kind == "matching":
            matches = dict(spec[0])
            for left, name, options in re.findall(
                r'<label for="[^"]+">([^<]*)</label>\s*<select id="[^"]+" name="([^"]+)">'
                r"(.*?)</select>",
                fieldset,
                re.DOTALL,
            ):
                by_text = {
                    html.unescape(text): value
                    for value, text in re.findall(r'<option value="([^"]+)">([^<]*)<', options)
                }
                fields.append((name, by_text[matches[html.unescape(left)]]))
        elif kind == "ordering":
            order = spec[0]
            for name, text in re.findall(
                r'<select id="[^"]+" name="([^"]+)"[^>]*>.*?</select>\s*<span>([^<]*)</span>',
                fieldset,
                re.DOTALL,
            ):
                fields.append((name, str(order.index(html.unescape(text)) + 1)))
        if not fields:
            raise StepError(f"could not answer {kind} question {prompt!r}")
        answered.append(fields)
    if len(answered) != len(QUIZ):
        raise StepError(f"the attempt page shows {len(answered)} questions, not {len(QUIZ)}")
    if not knows_all:
        answered = answered[: len(answered) // 2]
    return answered


# The learner -------------------------------------------------------------------------------------


class StepError(Exception):
    """What a browser would show as a failure: a wrong status, a page that is not the next one."""


class Timings:
    def __init__(self):
        self.seconds = {}
        self.errors = Counter()
        self.samples = {}
        self.lock = threading.Lock()

    def record(self, step, seconds, error=None):
        with self.lock:
            self.seconds.setdefault(step, []).append(seconds)
            if error is not None:
                self.errors[step] += 1
                self.samples.setdefault(step, set()).add(str(error)[:160])


class Learner:
    def __init__(self, *, port, email, quiz_url, knows_all):
        self.browser = Browser(port)
        self.email = email
        self.quiz_url = quiz_url
        self.knows_all = knows_all
        self.failed = False
        self.page = ""
        self.next_url = ""
        self.attempt_url = ""
        self.answers = []

    def expect(self, response, status, location=None):
        if response.status != status:
            raise StepError(f"HTTP {response.status}, expected {status}")
        if location is not None and not re.search(location, response.location):
            raise StepError(f"redirected to {response.location!r}")

    # Each step is one request, as the browser makes it.

    def login_page(self):
        query = urllib.parse.urlencode({"next": self.quiz_url})
        response = self.browser.get(f"/ru/accounts/login/?{query}")
        self.expect(response, 200)
        self.page = response.text

    def login(self):
        response = self.browser.post_form(
            "/ru/accounts/login/",
            [
                ("csrfmiddlewaretoken", csrf_token(self.page)),
                ("username", self.email),
                ("password", PASSWORD),
                ("next", self.quiz_url),
            ],
        )
        self.expect(response, 302)
        self.next_url = response.location

    def quiz_page(self):
        response = self.browser.get(self.next_url)
        self.expect(response, 200)
        self.page = response.text
        if "/start/" not in self.page:
            raise StepError("the quiz page has no start button")

    def start(self):
        response = self.browser.post_form(
            self.quiz_url + "start/", [("csrfmiddlewaretoken", csrf_token(self.page))]
        )
        self.expect(response, 302, r"/attempt/\d+/$")
        self.attempt_url = response.location

    def attempt_page(self):
        response = self.browser.get(self.attempt_url)
        self.expect(response, 200)
        self.page = response.text
        self.answers = answers_from_page(self.page, knows_all=self.knows_all)

    def autosave(self, n_questions):
        fields = [("csrfmiddlewaretoken", csrf_token(self.page))]
        fields += [field for question in self.answers[:n_questions] for field in question]
        save_url = html.unescape(re.search(r'data-save-url="([^"]+)"', self.page)[1])
        response = self.browser.post_multipart(save_url, fields, accept="application/json")
        self.expect(response, 200)
        if json.loads(response.body) != {"saved": True}:
            raise StepError(f"autosave answered {response.text[:80]}")

    def autosave_1(self):
        self.autosave(len(self.answers) // 2)

    def autosave_2(self):
        self.autosave(len(self.answers))

    def submit(self):
        fields = [("csrfmiddlewaretoken", csrf_token(self.page))]
        fields += [field for question in self.answers for field in question]
        response = self.browser.post_form(self.attempt_url, fields)
        if response.status == 200:
            # Questions left blank: the page asks first, and the learner submits anyway.
            fields.append(("submit_anyway", "1"))
            response = self.browser.post_form(self.attempt_url, fields)
        self.expect(response, 302, r"/attempt/\d+/result/$")
        self.next_url = response.location

    def result_page(self):
        response = self.browser.get(self.next_url)
        self.expect(response, 200)


STEPS = [
    "login_page",
    "login",
    "quiz_page",
    "start",
    "attempt_page",
    "autosave_1",
    "autosave_2",
    "submit",
    "result_page",
]


def run_step(step, learners, timings):
    """Every learner still in the exam does `step`, CONCURRENCY at a time; the wall time."""

    def one(learner):
        if learner.failed:
            return
        began = time.perf_counter()
        try:
            getattr(learner, step)()
        except (StepError, OSError, ValueError, KeyError, TypeError) as error:
            learner.failed = True
            timings.record(step, time.perf_counter() - began, f"{type(error).__name__}: {error}")
        else:
            timings.record(step, time.perf_counter() - began)

    began = time.perf_counter()
    with ThreadPoolExecutor(CONCURRENCY) as pool:
        list(pool.map(one, learners))
    return time.perf_counter() - began


def minimal_view_rps(port, timings):
    """Requests a second to the minimal view, in as many requests as there are learners, at the
    same concurrency and with the same client as the submissions: the median of a few rounds."""

    def one(_n):
        began = time.perf_counter()
        try:
            status = Browser(port).get(MINIMAL_PATH).status
            error = None if status == 200 else f"HTTP {status}"
        except OSError as failure:
            error = f"{type(failure).__name__}: {failure}"
        timings.record("minimal_view", time.perf_counter() - began, error)

    rounds = []
    for _ in range(MINIMAL_ROUNDS):
        began = time.perf_counter()
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            list(pool.map(one, range(N_LEARNERS)))
        rounds.append(N_LEARNERS / (time.perf_counter() - began))
    return sorted(rounds)[len(rounds) // 2]


def percentile_ms(samples, share):
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)] * 1000


# The run ----------------------------------------------------------------------------------------


def outcomes(quiz, learners):
    """What the database says happened: graded attempts per learner, passes, certificates."""
    import redis
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q

    from certification.models import Certificate
    from courses.models import QuizAttempt

    graded = Q(quiz_attempts__quiz=quiz) & ~Q(quiz_attempts__status=QuizAttempt.Status.OPEN)
    per_learner = Counter(
        get_user_model()
        .objects.filter(pk__in=[user.pk for user in learners])
        .annotate(n=Count("quiz_attempts", filter=graded))
        .values_list("n", flat=True)
    )
    attempts = QuizAttempt.objects.filter(quiz=quiz, user__in=learners)
    certificates = Counter(
        Certificate.objects.filter(holder__in=learners).values_list("kind", "status")
    )
    queued = redis.Redis.from_url(f"{REDIS}/{BROKER_DB}").llen("celery")
    return {
        "graded_attempts_per_learner": dict(sorted(per_learner.items())),
        "open_attempts": attempts.filter(status=QuizAttempt.Status.OPEN).count(),
        "passed": attempts.filter(passed=True).count(),
        "certificates": ", ".join(f"{k} {s}: {n}" for (k, s), n in sorted(certificates.items())),
        "render_tasks_queued_with_warmup": queued,
    }


def main():
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    scratch = Path(tempfile.mkdtemp(prefix="komek-exam-day-"))
    port = free_port()
    env = production_env(port=port, scratch=scratch)
    os.environ.update(env)
    server = None
    log = open(scratch / "gunicorn.log", "w+")  # noqa: SIM115 (closed in finally)
    timings = Timings()
    wall = {}
    try:
        recreate_database()
        flush_redis()
        began = time.perf_counter()
        quiz, warmup, learners = set_the_stage()
        quiz_url = quiz.get_url()
        setup_s = time.perf_counter() - began
        server = start_server(env=env, port=port, log=log)

        # A few learners outside the count go through everything first, so that no worker
        # compiles a template or opens a connection during the measured run.
        warm = Timings()
        warm_learners = [
            Learner(port=port, email=u.email, quiz_url=quiz_url, knows_all=True) for u in warmup
        ]
        for step in STEPS:
            run_step(step, warm_learners, warm)
        if warm.errors:
            raise SystemExit(f"The warm-up failed: {warm.samples}")

        crowd = [
            Learner(port=port, email=u.email, quiz_url=quiz_url, knows_all=n % 5 != 4)
            for n, u in enumerate(learners)
        ]
        for step in STEPS:
            if step == "submit":
                minimal_rps = minimal_view_rps(port, timings)
            wall[step] = run_step(step, crowd, timings)
        stop(server)
        found = outcomes(quiz, learners)
    finally:
        stop(server)
        log.seek(0)
        server_log = log.read()
        log.close()
        from django.db import connections

        connections.close_all()
        if os.environ.get("BENCH_KEEP_DB") != "1":
            recreate_database(drop_only=True)
        flush_redis()
        shutil.rmtree(scratch, ignore_errors=True)
        if sys.exc_info()[0] is not None:
            print(server_log[-5000:], file=sys.stderr)

    print(f"exam day: {N_LEARNERS} learners, {CONCURRENCY} at a time, {WORKERS} gunicorn workers")
    print(f"  {'step':<13} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'per s':>7}")
    for step in [*STEPS, "minimal_view"]:
        samples = timings.seconds.get(step, [])
        if not samples:
            print(f"  {step:<13} {'—':>8} {'—':>8} {'—':>7}")
            continue
        rate = len(samples) / wall[step] if step in wall else minimal_rps
        print(
            f"  {step:<13} {percentile_ms(samples, 0.5):>8.0f} {percentile_ms(samples, 0.99):>8.0f}"
            f" {timings.errors[step]:>7} {rate:>7.0f}"
        )
    for step, messages in timings.samples.items():
        print(f"  {step} errors, e.g.: {'; '.join(sorted(messages)[:3])}")
    if "Traceback" in server_log or "[ERROR]" in server_log:
        print("  server log:\n" + server_log[-3000:])

    n_errors = sum(timings.errors.values())
    n_submitted = len(timings.seconds.get("submit", [])) - timings.errors["submit"]
    submit_rps = n_submitted / wall["submit"]
    p99_submit = percentile_ms(timings.seconds.get("submit", [0]), 0.99)
    ratio = submit_rps / minimal_rps
    per_learner = found["graded_attempts_per_learner"]
    met = {
        "0 errors": n_errors == 0,
        "one graded attempt each": per_learner == {1: N_LEARNERS},
        f"p99 submit ≤ {TARGET_P99_SUBMIT_MS} ms": p99_submit <= TARGET_P99_SUBMIT_MS,
        f"ratio ≥ {TARGET_RATIO}": ratio >= TARGET_RATIO,
    }
    report(
        "exam_day",
        ratio,
        setup_s=f"{setup_s:.0f}",
        errors=n_errors,
        **found,
        submit_p99_ms=f"{p99_submit:.0f}",
        submits_per_s=f"{submit_rps:.0f}",
        minimal_view_per_s=f"{minimal_rps:.0f}",
        targets=", ".join(f"{name} {'met' if ok else 'MISSED'}" for name, ok in met.items()),
    )


if __name__ == "__main__":
    main()
