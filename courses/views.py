"""Learner-facing views behind the course, lesson and quiz pages' routes."""

import json

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST
from wagtail.rich_text import expand_db_html

from . import grading, services
from .models import Enrolment, LessonCompletion, QuizAttempt, VideoProgress
from .selectors import course_progress

MAX_JSON_BODY = 64 * 1024


def wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def learner_gate(request, page):
    """Who may open a lesson or quiz: editors previewing, otherwise enrolled learners.

    Returns (course, response): a redirect response when the visitor may not continue.
    """
    course = page.get_course()
    if getattr(request, "is_preview", False):
        return course, None
    if not request.user.is_authenticated:
        return course, redirect_to_login(request.get_full_path())
    if not Enrolment.objects.filter(user=request.user, course=course).exists():
        messages.info(request, _("Enrol in the course to open its lessons and quizzes."))
        return course, redirect(course.get_url(request))
    return course, None


def item_context(request, page, course):
    progress = course_progress(user=request.user, course=course, current=page)
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


# Lesson -----------------------------------------------------------------------------------------


def lesson(request, page, *, check=None):
    course, refusal = learner_gate(request, page)
    if refusal:
        return refusal
    context = page.get_context(request)
    context.update(item_context(request, page, course))
    user = request.user
    context["is_completed"] = (
        user.is_authenticated and LessonCompletion.objects.filter(user=user, lesson=page).exists()
    )
    context["video_progress"] = (
        {p.block_id: p for p in VideoProgress.objects.filter(user=user, lesson=page)}
        if user.is_authenticated
        else {}
    )
    context["check"] = check or {}
    return TemplateResponse(request, page.get_template(request), context)


@require_POST
def complete_lesson(request, page):
    course, refusal = learner_gate(request, page)
    if refusal:
        return refusal
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
    if len(request.body) > MAX_JSON_BODY:
        return JsonResponse({"error": _("The video progress report is malformed.")}, status=400)
    try:
        report = json.loads(request.body)
        progress = services.record_video_progress(
            user=request.user,
            lesson=page,
            block_id=str(report["block_id"]),
            duration=report["duration"],
            intervals=report.get("intervals", []),
            position=report.get("position", 0),
        )
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": _("The video progress report is malformed.")}, status=400)
    except services.LearningError as error:
        return JsonResponse({"error": str(error)}, status=400)
    lesson_done = LessonCompletion.objects.filter(user=request.user, lesson=page).exists()
    return JsonResponse(
        {
            "watched": round(progress.watched_share, 4),
            "video_completed": progress.completed_at is not None,
            "lesson_completed": lesson_done,
        }
    )


@require_POST
def knowledge_check(request, page, question_id):
    _course, refusal = learner_gate(request, page)
    if refusal:
        return refusal
    try:
        question, answer, grade = services.check_knowledge(
            lesson=page, question_id=question_id, form=dict(request.POST.lists())
        )
    except grading.AnswerError as error:
        result = {"error": str(error)}
    except services.LearningError:
        raise Http404 from None
    else:
        result = {
            "is_correct": grade.is_correct,
            "answered": answer is not None,
            "feedback": list(grade.feedback),
            "general_feedback": question["feedback"],
        }
    if wants_json(request):
        general = result.pop("general_feedback", "")
        result["general_feedback_html"] = expand_db_html(general) if general else ""
        return JsonResponse(result, status=400 if "error" in result else 200)
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
        return "; ".join(
            f"{pair['left']} → {rights.get(answer.get(pair['id']), '—')}"
            for pair in question["pairs"]
        )
    if kind == "ordering":
        texts = {item["id"]: item["text"] for item in question["items"]}
        return "; ".join(f"{n}. {texts[item_id]}" for n, item_id in enumerate(answer, start=1))
    return str(answer)
