"""Learner-facing views behind the course, lesson and quiz pages' routes."""

import contextlib
import copy
import json

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from wagtail.rich_text import expand_db_html

from . import grading, offline, services
from .models import (
    Enrolment,
    LessonCompletion,
    OfflineAction,
    QuizAttempt,
    QuizPage,
    VideoProgress,
)
from .selectors import course_items, course_progress, done_item_ids

MAX_JSON_BODY = 64 * 1024


def wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def respond_once(request, *, kind, action_id, perform):
    """The JSON answer of `perform()`; with an action id (a queued offline action) the first
    result is stored and a repeated send gets it again without acting twice."""
    if not action_id:
        try:
            return JsonResponse(perform())
        except offline.NotApplied as refusal:
            return JsonResponse(refusal.body, status=refusal.status)
    try:
        result = offline.apply_once(
            user=request.user, action_id=action_id, kind=kind, perform=perform
        )
    except offline.ActionIdError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return JsonResponse(result["body"], status=result["status"])


def learner_gate(request, page, *, done=None):
    """Who may open a lesson or quiz: editors previewing, otherwise enrolled learners.

    Returns (course, response): a redirect response when the visitor may not continue. `done`:
    what `done_item_ids` read with the course, if the view read it already.
    """
    course = page.get_course()
    if getattr(request, "is_preview", False):
        return course, None
    if not request.user.is_authenticated:
        return course, redirect_to_login(request.get_full_path())
    if done is not None:
        is_enrolled = course.pk in done
    else:
        is_enrolled = Enrolment.objects.filter(user=request.user, course=course).exists()
    if not is_enrolled:
        messages.info(request, _("Enrol in the course to open its lessons and quizzes."))
        return course, redirect(course.get_url(request))
    return course, None


def item_context(request, page, course, *, done=None):
    progress = course_progress(user=request.user, course=course, current=page, done=done)
    items = progress.items
    index = next((i for i, item in enumerate(items) if item.page.pk == page.pk), None)
    following = items[index + 1] if index is not None and index + 1 < len(items) else None
    return {"course": course, "progress": progress, "next_item": following}


def redirect_to_next_step(request, course):
    """To the first lesson or quiz not done yet, or back to the course when all are done."""
    progress = course_progress(user=request.user, course=course)
    target = progress.next_item.page if progress.next_item else course
    return redirect(target.get_url(request))


# Course -----------------------------------------------------------------------------------------


@require_POST
def enrol(request, course):
    if not request.user.is_authenticated:
        return redirect_to_login(course.get_url(request))
    try:
        services.enrol(user=request.user, course=course)
    except services.LearningError as error:
        messages.error(request, str(error))
        return redirect(course.get_url(request))
    messages.success(request, _("You are enrolled. Good luck!"))
    return redirect_to_next_step(request, course)


def as_get(request, url):
    """The request as if it were a GET of `url`: pages rendered for the offline copy link back to
    themselves (the language switch) as the learner will see them."""
    clone = copy.copy(request)
    clone.method = "GET"
    clone.path = clone.path_info = url
    clone.META = {**request.META, "REQUEST_METHOD": "GET", "PATH_INFO": url, "QUERY_STRING": ""}
    return clone


@require_POST
def offline_package(request, course):
    """What "Download for offline" stores, with sizes, so the learner sees the total first.

    Untimed quizzes get their attempt started when the learner confirms the download (a POST
    with `confirm`), online: the server snapshots the questions (what grading on reconnect uses,
    whatever the quiz becomes meanwhile) and the stored attempt page holds the questions without
    their keys. The first POST only measures: its attempts are rolled back, so asking the size
    and cancelling starts nothing. Timed quizzes need a connection.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"error": _("Log in to download the course.")}, status=403)
    if not Enrolment.objects.filter(user=request.user, course=course).exists():
        return JsonResponse({"error": _("Enrol in the course to download it.")}, status=403)
    if "confirm" in request.POST:
        return JsonResponse(offline_plan(request, course))
    with transaction.atomic():
        plan = offline_plan(request, course)
        transaction.set_rollback(True)
    return JsonResponse(plan)


def offline_plan(request, course):
    pages, files, timed = [], {}, []

    def add_page(url, response):
        html = response.render().content.decode()
        pages.append({"url": url, "bytes": len(response.content)})
        for asset, size in offline.page_assets(html).items():
            files[asset] = size if size is not None else offline.stored_file_size(asset)

    for item in course_items(course):
        url = item.get_url(request)
        page = item.specific
        if isinstance(page, QuizPage):
            attempt = None
            if page.time_limit_minutes:
                timed.append(page.title)
            elif not QuizAttempt.objects.filter(user=request.user, quiz=page, passed=True).exists():
                # Passed (a retake is the learner's own choice, online), or no attempts left:
                # the overview alone is stored.
                with contextlib.suppress(services.LearningError):
                    attempt = services.start_attempt(user=request.user, quiz=page)
            add_page(url, quiz_overview(as_get(request, url), page))
            if attempt is not None:
                address = attempt_url(request, page, attempt)
                add_page(address, take_attempt(as_get(request, address), page, attempt.number))
        else:
            add_page(url, lesson(as_get(request, url), page))
    course_url = course.get_url(request)
    return {
        "cache": f"komek-course-{course.pk}",
        "course_url": course_url,
        "pages": [{"url": course_url, "bytes": 0}, *pages],
        "files": [{"url": url, "bytes": size} for url, size in files.items()],
        "bytes": sum(p["bytes"] for p in pages) + sum(files.values()),
        "timed_quizzes": timed,
    }


# Lesson -----------------------------------------------------------------------------------------


def lesson(request, page, *, check=None):
    user = request.user
    done = None
    if user.is_authenticated:
        # The learner's enrolment and progress in one read; the outline is everyone's (cached).
        course = page.get_course()
        done = done_item_ids(user=user, items=course_items(course), course=course)
    course, refusal = learner_gate(request, page, done=done)
    if refusal:
        return refusal
    context = page.get_context(request)
    context.update(item_context(request, page, course, done=done))
    context["is_completed"] = done is not None and page.pk in done
    context["video_progress"] = (
        {p.block_id: p for p in VideoProgress.objects.filter(user=user, lesson=page)}
        if user.is_authenticated
        else {}
    )
    context["check"] = check or {}
    if user.is_authenticated:
        context["page_clock"] = offline.page_clock(user=user, lesson=page)
    return TemplateResponse(request, page.get_template(request), context)


@require_POST
def complete_lesson(request, page):
    course, refusal = learner_gate(request, page)
    if refusal:
        return refusal
    action_id = request.POST.get("action_id")
    if action_id or wants_json(request):

        def perform():
            try:
                services.complete_lesson(user=request.user, lesson=page)
            except services.LearningError as error:
                raise offline.NotApplied({"error": str(error)}, 400) from None
            return {"lesson_completed": True}

        return respond_once(
            request, kind=OfflineAction.Kind.LESSON_COMPLETE, action_id=action_id, perform=perform
        )
    try:
        services.complete_lesson(user=request.user, lesson=page)
    except services.LearningError as error:
        messages.error(request, str(error))
        return redirect(page.get_url(request))
    return redirect_to_next_step(request, course)


@require_POST
def video_progress(request, page):
    _course, refusal = learner_gate(request, page)
    if refusal:
        return JsonResponse({"error": _("Log in and enrol to record progress.")}, status=403)
    malformed = {"error": _("The video progress report is malformed.")}
    if len(request.body) > MAX_JSON_BODY:
        return JsonResponse(malformed, status=400)
    try:
        report = json.loads(request.body)
        if not isinstance(report, dict):
            raise ValueError(report)
    except ValueError:
        return JsonResponse(malformed, status=400)

    def perform():
        try:
            progress = services.record_video_progress(
                user=request.user,
                lesson=page,
                block_id=str(report["block_id"]),
                duration=report["duration"],
                intervals=report.get("intervals", []),
                position=report.get("position", 0),
                played_at=offline.played_at_from_millis(report.get("recorded_at")),
                page_sent_at=offline.page_sent_at(
                    report.get("page_clock"), user=request.user, lesson=page
                ),
            )
        except (ValueError, KeyError, TypeError):
            raise offline.NotApplied(malformed, 400) from None
        except services.LearningError as error:
            raise offline.NotApplied({"error": str(error)}, 400) from None
        lesson_done = LessonCompletion.objects.filter(user=request.user, lesson=page).exists()
        return {
            "watched": round(progress.watched_share, 4),
            "video_completed": progress.completed_at is not None,
            "lesson_completed": lesson_done,
        }

    return respond_once(
        request,
        kind=OfflineAction.Kind.VIDEO_PROGRESS,
        action_id=report.get("action_id"),
        perform=perform,
    )


@require_POST
def knowledge_check(request, page, question_id):
    _course, refusal = learner_gate(request, page)
    if refusal:
        return refusal
    form = {key: values for key, values in request.POST.lists() if key != "action_id"}

    def grade():
        try:
            question, answer, grade = services.check_knowledge(
                lesson=page, question_id=question_id, form=form
            )
        except grading.AnswerError as error:
            raise offline.NotApplied({"error": str(error)}, 400) from None
        except services.LearningError:
            raise Http404 from None
        return {
            "is_correct": grade.is_correct,
            "answered": answer is not None,
            "feedback": list(grade.feedback),
            "general_feedback": question["feedback"],
        }

    action_id = request.POST.get("action_id")
    if action_id or wants_json(request):

        def perform():
            result = grade()
            general = result.pop("general_feedback", "")
            result["general_feedback_html"] = expand_db_html(general) if general else ""
            return result

        return respond_once(
            request, kind=OfflineAction.Kind.KNOWLEDGE_CHECK, action_id=action_id, perform=perform
        )
    try:
        result = grade()
    except offline.NotApplied as refusal:
        result = refusal.body
    return lesson(request, page, check={question_id: result})


# Quiz -------------------------------------------------------------------------------------------


def quiz_overview(request, page):
    course, refusal = learner_gate(request, page)
    if refusal:
        return refusal
    context = page.get_context(request)
    context.update(item_context(request, page, course))
    attempts = list(QuizAttempt.objects.filter(user=request.user, quiz=page).order_by("number"))
    context["attempts"] = attempts
    context["open_attempt"] = next((a for a in attempts if a.is_open), None)
    context["n_attempts_left"] = (
        max(0, page.max_attempts - len(attempts)) if page.max_attempts else None
    )
    context["has_passed"] = any(a.passed for a in attempts)
    context["may_retake"] = page.allows_retake_after_pass or not context["has_passed"]
    return TemplateResponse(request, page.get_template(request), context)


@require_POST
def start_attempt(request, page):
    _course, refusal = learner_gate(request, page)
    if refusal:
        return refusal
    try:
        attempt = services.start_attempt(user=request.user, quiz=page)
    except services.LearningError as error:
        messages.error(request, str(error))
        return redirect(page.get_url(request))
    return redirect(attempt_url(request, page, attempt))


def attempt_url(request, page, attempt, route="attempt"):
    return page.get_url(request) + page.reverse_subpage(route, args=(attempt.number,))


def own_attempt(request, page, number):
    attempt = get_object_or_404(QuizAttempt, user=request.user, quiz=page, number=number)
    attempt.quiz, attempt.user = page, request.user
    return attempt


def take_attempt(request, page, number):
    course, refusal = learner_gate(request, page)
    if refusal:
        return refusal
    attempt = own_attempt(request, page, number)
    if request.method == "POST" and (request.POST.get("action_id") or wants_json(request)):
        return submit_queued_attempt(request, page, attempt)
    if not attempt.is_open:
        return redirect(attempt_url(request, page, attempt, "attempt_result"))
    error = None
    unanswered = None
    values = answers_as_form_values(attempt, attempt.draft)
    if request.method == "POST":
        form = dict(request.POST.lists())
        try:
            attempt = services.submit_attempt(
                attempt=attempt, form=form, ask_if_unanswered="submit_anyway" not in request.POST
            )
        except grading.AnswerError as answer_error:
            error = answer_error
            values = form
        except services.LearningError as learning_error:
            messages.error(request, str(learning_error))
            return redirect(page.get_url(request))
        else:
            if attempt.is_open:
                # Questions were left blank: the answers are saved, the learner confirms first.
                values = form
                unanswered = [
                    item["id"]
                    for item in attempt.layout
                    if item["type"] != "description" and item["id"] not in attempt.draft
                ]
            elif attempt.status == QuizAttempt.Status.EXPIRED:
                messages.warning(
                    request,
                    _(
                        "Time ran out before your answers arrived. "
                        "Answers saved in time were graded."
                    ),
                )
            if not attempt.is_open:
                return redirect(attempt_url(request, page, attempt, "attempt_result"))
    context = page.get_context(request)
    context.update(item_context(request, page, course))
    context.update(
        {
            "attempt": attempt,
            "error": error,
            "unanswered": unanswered,
            "questions": numbered([with_values(item, values) for item in attempt.layout]),
            "seconds_left": attempt.seconds_left(),
            "save_url": attempt_url(request, page, attempt, "attempt_save"),
            "quiz_strings": {
                "timeUp": _("Time is up. Submitting your answers…"),
                "saved": _("Answers saved"),
                "saveFailed": _("Could not save: check your connection."),
                "queued": _(
                    "You are offline. Your answers are saved on this device and are sent for "
                    "grading when the connection returns."
                ),
                # Every count the page can need, each in its language's plural form.
                "unanswered": {
                    n: ngettext(
                        "%(n)s question is unanswered.", "%(n)s questions are unanswered.", n
                    )
                    % {"n": n}
                    for n in range(1, len(attempt.questions) + 1)
                },
            },
        }
    )
    return TemplateResponse(
        request, "courses/quiz_attempt.html", context, status=400 if error else 200
    )


def submit_queued_attempt(request, page, attempt):
    """A submission sent by script, often answered offline and sent on reconnect: JSON, once
    per action id, graded on the server against the attempt's snapshot of the questions."""
    form = {key: values for key, values in request.POST.lists() if key != "action_id"}

    def perform():
        try:
            submitted = services.submit_attempt(
                attempt=attempt, form=form, ask_if_unanswered="submit_anyway" not in form
            )
        except grading.AnswerError as error:
            raise offline.NotApplied({"error": str(error)}, 400) from None
        except services.LearningError as error:
            raise offline.NotApplied({"error": str(error)}, 409) from None
        body = {"attempt": submitted.number, "status": submitted.status}
        if submitted.is_open:
            body["attempt_url"] = attempt_url(request, page, submitted)
            body["message"] = _(
                "Your answers to “%(quiz)s” are saved, but some questions are unanswered: "
                "open the attempt to submit it."
            ) % {"quiz": page.title}
        else:
            body["result_url"] = attempt_url(request, page, submitted, "attempt_result")
            body["passed"] = bool(submitted.passed)
            body["percent"] = float(submitted.percent)
            body["message"] = (
                _("“%(quiz)s” is graded: passed.")
                if submitted.passed
                else _("“%(quiz)s” is graded: not passed.")
            ) % {"quiz": page.title}
        return body

    return respond_once(
        request,
        kind=OfflineAction.Kind.QUIZ_SUBMIT,
        action_id=request.POST.get("action_id"),
        perform=perform,
    )


@require_POST
def save_attempt(request, page, number):
    _course, refusal = learner_gate(request, page)
    if refusal:
        return JsonResponse({"error": _("Log in to continue.")}, status=403)
    attempt = own_attempt(request, page, number)
    try:
        services.save_draft(attempt=attempt, form=dict(request.POST.lists()))
    except grading.AnswerError as error:
        return JsonResponse({"error": str(error)}, status=400)
    except services.LearningError as error:
        return JsonResponse({"error": str(error)}, status=409)
    return JsonResponse({"saved": True})


def attempt_result(request, page, number):
    course, refusal = learner_gate(request, page)
    if refusal:
        return refusal
    attempt = own_attempt(request, page, number)
    if attempt.is_open:
        return redirect(attempt_url(request, page, attempt))
    graded = {row.question_id: row for row in attempt.answers.all()}
    by_id = {question["id"]: question for question in attempt.questions}
    mode = page.feedback_mode
    review = []
    for item in attempt.layout:
        if item["type"] == "description":
            continue
        question = by_id[item["id"]]
        row = graded.get(item["id"])
        answer = (
            grading.answer_from_json(question, row.answer)
            if row and row.answer is not None
            else None
        )
        grade = grading.grade(question, answer)
        review.append(
            {
                "item": item,
                "grade": grade,
                "your_answer": describe_answer(question, answer),
                "feedback": [*grade.feedback] if mode != page.Feedback.SCORE_ONLY else [],
                "general_feedback": question["feedback"]
                if mode != page.Feedback.SCORE_ONLY
                else "",
                "correct_answer": grading.correct_answer_text(question)
                if mode == page.Feedback.CORRECT_ANSWERS
                else "",
            }
        )
    context = page.get_context(request)
    context.update(item_context(request, page, course))
    passes = list(
        QuizAttempt.objects.filter(user=request.user, quiz=page).values_list("passed", flat=True)
    )
    n_used = len(passes)
    context.update(
        {
            "attempt": attempt,
            "review": review,
            "show_questions": mode != page.Feedback.SCORE_ONLY,
            "can_retry": (page.allows_retake_after_pass or not any(passes))
            and (page.max_attempts is None or n_used < page.max_attempts),
            "enrolment": Enrolment.objects.filter(user=request.user, course=course).first(),
        }
    )
    return TemplateResponse(request, "courses/quiz_result.html", context)


def answers_as_form_values(attempt, draft):
    """Autosaved answers as the form field values that re-fill the page."""
    by_id = {question["id"]: question for question in attempt.questions}
    values = {}
    for question_id, data in (draft or {}).items():
        question = by_id.get(question_id)
        if question is None:
            continue
        answer = grading.answer_from_json(question, data)
        key = f"q-{question_id}"
        kind = question["type"]
        if kind == "multiple_choice":
            values[key] = [str(choice) for choice in answer]
        elif kind == "true_false":
            values[key] = ["true" if answer else "false"]
        elif kind == "matching":
            positions = {pair["id"]: n for n, pair in enumerate(question["pairs"], start=1)}
            for left, right in answer.items():
                values[f"{key}-{positions[left]}"] = [right]
        elif kind == "ordering":
            for position, item_id in enumerate(answer, start=1):
                values[f"{key}-{item_id}"] = [str(position)]
        else:
            values[key] = [str(answer)]
    return values


def numbered(items):
    """Questions numbered as the result page lists them: descriptions between them get none."""
    n = 0
    for item in items:
        if item["type"] != "description":
            n += 1
            item["number"] = n
    return items


def with_values(item, values):
    """A public question with the learner's current values, for re-rendering the form."""
    key = f"q-{item['id']}"
    item = dict(item)
    item["field"] = key
    item["values"] = values.get(key, [])
    if item["type"] == "matching":
        item["lefts"] = [
            {
                **left,
                "field": f"{key}-{left['id']}",
                "value": (values.get(f"{key}-{left['id']}") or [""])[0],
            }
            for left in item["lefts"]
        ]
    if item["type"] == "ordering":
        item["items"] = [
            {
                **entry,
                "field": f"{key}-{entry['id']}",
                "value": (values.get(f"{key}-{entry['id']}") or [""])[0],
            }
            for entry in item["items"]
        ]
        item["positions"] = [str(n) for n in range(1, len(item["items"]) + 1)]
    return item


def describe_answer(question, answer):
    """The learner's answer in words, for the review page."""
    if answer is None:
        return ""
    kind = question["type"]
    if kind in {"single_choice", "multiple_choice"}:
        chosen = {answer} if kind == "single_choice" else set(answer)
        return "; ".join(choice["text"] for choice in question["choices"] if choice["id"] in chosen)
    if kind == "true_false":
        return _("True") if answer else _("False")
    if kind == "matching":
        rights = {pair["id"]: pair["right"] for pair in question["pairs"]}
        rights.update((wrong["id"], wrong["text"]) for wrong in question.get("distractors", ()))
        return "; ".join(
            f"{pair['left']} → {rights.get(answer.get(pair['id']), '—')}"
            for pair in question["pairs"]
        )
    if kind == "ordering":
        texts = {item["id"]: item["text"] for item in question["items"]}
        return "; ".join(f"{n}. {texts[item_id]}" for n, item_id in enumerate(answer, start=1))
    return str(answer)
