"""State changes of learning: enrol, complete lessons, record video, start and submit attempts."""

import random
import secrets
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import grading, video
from .blocks import QUESTION_TYPES, question_to_plain
from .models import (
    AttemptAnswer,
    CoursePage,
    Enrolment,
    LessonCompletion,
    LessonPage,
    QuizAttempt,
    QuizPage,
    VideoProgress,
)
from .selectors import course_is_complete, missing_prerequisites
from .signals import course_completed

# Time allowed after the deadline for the final submission to arrive from a slow phone network.
SUBMIT_GRACE = timedelta(seconds=60)


class LearningError(Exception):
    """A refused learner action, with a message to show them."""


def enrol(*, user, course: CoursePage) -> Enrolment:
    if not course.live:
        raise LearningError(_("This course is not open for enrolment."))
    missing = missing_prerequisites(user=user, course=course)
    if missing:
        raise LearningError(
            _("Complete these courses first: %(courses)s.")
            % {"courses": ", ".join(p.title for p in missing)}
        )
    enrolment, _created = Enrolment.objects.get_or_create(user=user, course=course)
    return enrolment


def require_enrolment(*, user, course) -> Enrolment:
    enrolment = Enrolment.objects.filter(user=user, course=course).first()
    if enrolment is None:
        raise LearningError(_("Enrol in the course to continue."))
    return enrolment


# No savepoint of its own: every caller is a service in its own transaction already, and the
# completion commits or rolls back with the lesson or attempt that completed the course.
@transaction.atomic(savepoint=False)
def check_course_completion(*, user, course: CoursePage, now=None) -> Enrolment | None:
    """Record the completion once, when every lesson is done and every quiz passed."""
    # The lock comes first and the progress is read after it, in another statement: two requests
    # completing the last two items take turns, and the second sees the first's (committed) work.
    enrolment = Enrolment.objects.select_for_update().filter(user=user, course=course).first()
    if enrolment is None or enrolment.completed_at is not None:
        return enrolment
    # Receivers of course_completed read these: the caller has them loaded already.
    enrolment.user, enrolment.course = user, course
    if not course_is_complete(user=user, course=course):
        return enrolment
    if missing_prerequisites(user=user, course=course):
        return enrolment
    enrolment.completed_at = now or timezone.now()
    enrolment.save(update_fields=["completed_at"])
    course_completed.send(sender=CoursePage, enrolment=enrolment)
    return enrolment


@transaction.atomic
def complete_lesson(*, user, lesson: LessonPage, now=None) -> LessonCompletion:
    course = lesson.get_course()
    require_enrolment(user=user, course=course)
    pending = set(lesson.required_video_ids) - set(
        VideoProgress.objects.filter(
            user=user, lesson=lesson, completed_at__isnull=False
        ).values_list("block_id", flat=True)
    )
    if pending:
        raise LearningError(_("Watch the video to the end first."))
    completion, _created = LessonCompletion.objects.get_or_create(
        user=user, lesson=lesson, defaults={"completed_at": now or timezone.now()}
    )
    check_course_completion(user=user, course=course, now=now)
    return completion


@transaction.atomic
def record_video_progress(
    *,
    user,
    lesson: LessonPage,
    block_id: str,
    duration,
    intervals,
    position,
    now=None,
    played_at=None,
    page_sent_at=None,
) -> VideoProgress:
    """Merge what the player says was played; complete the lesson when its videos are watched.

    A report queued offline gives `played_at` (when the player made it) and `page_sent_at` (the
    lesson page's signed time); see video.report_moment for how far they are believed.
    """
    now = now or timezone.now()
    if block_id not in lesson.tracked_video_ids:
        raise LearningError(_("This video is not part of the lesson."))
    course = lesson.get_course()
    require_enrolment(user=user, course=course)
    try:
        reported_duration = float(duration)
        reported = [[float(start), float(end)] for start, end in intervals]
        position = float(position)
    except (TypeError, ValueError) as error:
        raise LearningError(_("The video progress report is malformed.")) from error
    if len(reported) > 500 or not (0 < reported_duration < 24 * 3600):
        raise LearningError(_("The video progress report is malformed."))

    progress, created = VideoProgress.objects.select_for_update().get_or_create(
        user=user, lesson=lesson, block_id=block_id, defaults={"updated_at": now}
    )
    # The media library's duration is authoritative; the player's only fills a gap.
    progress.duration = lesson.video_duration(block_id) or progress.duration or reported_duration
    moment = video.report_moment(
        played_at, previous=page_sent_at if created else progress.updated_at, now=now
    )
    since_last = 0.0 if created else max(0.0, (moment - progress.updated_at).total_seconds())
    progress.intervals = video.add_watched(
        progress.intervals,
        video.clamp(reported, progress.duration),
        video.report_budget(since_last, is_first=created),
    )
    progress.watched_seconds = video.covered_seconds(progress.intervals)
    progress.position = min(max(0.0, position), progress.duration)
    progress.updated_at = moment
    if progress.completed_at is None and progress.watched_share >= video.COMPLETION_SHARE:
        progress.completed_at = now
    progress.save()
    if (
        progress.completed_at
        and not LessonCompletion.objects.filter(user=user, lesson=lesson).exists()
    ):
        done = set(
            VideoProgress.objects.filter(
                user=user, lesson=lesson, completed_at__isnull=False
            ).values_list("block_id", flat=True)
        )
        if done >= set(lesson.required_video_ids):
            LessonCompletion.objects.create(user=user, lesson=lesson, completed_at=now)
            check_course_completion(user=user, course=course, now=now)
    return progress


def check_knowledge(*, lesson: LessonPage, question_id: str, form):
    """Grade an ungraded knowledge-check question for instant feedback; nothing is stored."""
    for block in lesson.body:
        if block.block_type == "knowledge_check" and str(block.id) == question_id:
            child = block.value[0]
            question = question_to_plain(child.block_type, child.value, block.id)
            answer = grading.parse_answers([question], form).get(question_id)
            return question, answer, grading.grade(question, answer)
    raise LearningError(_("This question is not part of the lesson."))


def _draw_questions(quiz: QuizPage, rng: random.Random):
    blocks = list(quiz.questions)
    questions = [
        question_to_plain(block.block_type, block.value, block.id)
        for block in blocks
        if block.block_type in QUESTION_TYPES
    ]
    drawn = quiz.questions_per_attempt and quiz.questions_per_attempt < len(questions)
    if drawn:
        chosen = {q["id"] for q in rng.sample(questions, quiz.questions_per_attempt)}
        questions = [q for q in questions if q["id"] in chosen]
    if quiz.shuffle_questions:
        rng.shuffle(questions)
    layout = [
        grading.public_question(q, rng=rng, shuffle_choices=quiz.shuffle_choices) for q in questions
    ]
    if not drawn and not quiz.shuffle_questions:
        # Descriptions (a case to read) keep their place when the order is the authored one.
        by_id = {item["id"]: item for item in layout}
        layout = []
        for block in blocks:
            if block.block_type == "description":
                layout.append(
                    {"id": str(block.id), "type": "description", "text": block.value["text"].source}
                )
            elif str(block.id) in by_id:
                layout.append(by_id[str(block.id)])
    return questions, layout


def start_attempt(*, user, quiz: QuizPage, now=None) -> QuizAttempt:
    """The learner's open attempt, or a new one when the rules allow it."""
    now = now or timezone.now()
    require_enrolment(user=user, course=quiz.get_course())
    try:
        with transaction.atomic():
            return _start_attempt(user=user, quiz=quiz, now=now)
    except IntegrityError:
        # Two tabs pressed "Start" together: the other request created the attempt.
        return QuizAttempt.objects.get(user=user, quiz=quiz, status=QuizAttempt.Status.OPEN)


def _start_attempt(*, user, quiz, now):
    attempts = list(QuizAttempt.objects.select_for_update().filter(user=user, quiz=quiz))
    current = next((attempt for attempt in attempts if attempt.is_open), None)
    if current is not None:
        if not is_past_deadline(current, now):
            return current
        _finish(
            current, grading_answers_from_draft(current), status=QuizAttempt.Status.EXPIRED, now=now
        )
    if not quiz.allows_retake_after_pass and any(attempt.passed for attempt in attempts):
        raise LearningError(_("You have passed this quiz; it cannot be taken again."))
    if quiz.max_attempts and len(attempts) >= quiz.max_attempts:
        raise LearningError(
            ngettext(
                "You have used your only attempt at this quiz.",
                "You have used all %(n)s attempts at this quiz.",
                quiz.max_attempts,
            )
            % {"n": quiz.max_attempts}
        )
    if not quiz.question_blocks:
        raise LearningError(_("This quiz has no questions yet."))
    rng = random.Random(secrets.randbits(64))  # noqa: S311 (shuffling, not secrets)
    questions, layout = _draw_questions(quiz, rng)
    return QuizAttempt.objects.create(
        user=user,
        quiz=quiz,
        number=max((attempt.number for attempt in attempts), default=0) + 1,
        started_at=now,
        deadline=now + timedelta(minutes=quiz.time_limit_minutes)
        if quiz.time_limit_minutes
        else None,
        questions=questions,
        layout=layout,
    )


def is_past_deadline(attempt, now):
    return attempt.deadline is not None and now > attempt.deadline + SUBMIT_GRACE


def grading_answers_from_draft(attempt):
    by_id = {question["id"]: question for question in attempt.questions}
    return {
        question_id: grading.answer_from_json(by_id[question_id], data)
        for question_id, data in attempt.draft.items()
        if question_id in by_id
    }


def save_draft(*, attempt: QuizAttempt, form, now=None) -> QuizAttempt:
    """Autosave: validated like a submission, so what is saved is what will be graded."""
    now = now or timezone.now()
    answers = grading.parse_answers(attempt.questions, form)
    with transaction.atomic():
        attempt = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
        if not attempt.is_open or is_past_deadline(attempt, now):
            raise LearningError(_("This attempt is closed."))
        _store_draft(attempt, answers)
    return attempt


def _store_draft(attempt, answers):
    by_id = {question["id"]: question for question in attempt.questions}
    attempt.draft = {
        qid: grading.answer_to_json(by_id[qid], answer) for qid, answer in answers.items()
    }
    attempt.save(update_fields=["draft"])


def submit_attempt(*, attempt: QuizAttempt, form, now=None, ask_if_unanswered=False) -> QuizAttempt:
    """Grade on the server. Malformed or tampered answers raise AnswerError and store nothing.

    After the deadline (plus a grace for slow networks) the submission is not accepted: the
    attempt is closed with the answers autosaved in time.

    With `ask_if_unanswered`, answers that leave questions blank before the time is up are only
    saved as the draft and the attempt stays open, so the learner confirms before spending it.
    """
    now = now or timezone.now()
    with transaction.atomic():
        attempt = _locked(attempt)
        if not attempt.is_open:
            raise LearningError(_("This attempt has already been submitted."))
        if is_past_deadline(attempt, now):
            return _finish(
                attempt,
                grading_answers_from_draft(attempt),
                status=QuizAttempt.Status.EXPIRED,
                now=now,
            )
        answers = grading.parse_answers(attempt.questions, form)
        if (
            ask_if_unanswered
            and len(answers) < len(attempt.questions)
            and (attempt.deadline is None or now < attempt.deadline)
        ):
            _store_draft(attempt, answers)
            return attempt
        return _finish(attempt, answers, status=QuizAttempt.Status.SUBMITTED, now=now)


def _locked(attempt):
    """The attempt read again under a row lock, keeping the quiz and learner the caller loaded
    (the view has both; grading and completion need them)."""
    locked = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
    for name in ("quiz", "user"):
        relation = QuizAttempt._meta.get_field(name)
        if relation.is_cached(attempt):
            relation.set_cached_value(locked, relation.get_cached_value(attempt))
    return locked


_GRADED_FIELDS = ["status", "submitted_at", "score", "max_score", "percent", "passed", "draft"]


def _finish(attempt, answers, *, status, now):
    """Grade and store the attempt in a fixed number of statements, however many questions."""
    result = grading.grade_attempt(attempt.questions, answers)
    by_id = {question["id"]: question for question in attempt.questions}
    AttemptAnswer.objects.bulk_create(
        # By id, not instance: 50 answers set no relation each (half the cost of building them).
        AttemptAnswer(
            attempt_id=attempt.pk,
            question_id=question_id,
            answer=grading.answer_to_json(by_id[question_id], answers[question_id])
            if question_id in answers
            else None,
            score=grade.score,
            max_score=grade.max_score,
            is_correct=grade.is_correct,
        )
        for question_id, grade in result.grades.items()
    )
    quiz = attempt.quiz
    attempt.status = status
    attempt.submitted_at = now
    attempt.score = result.score
    attempt.max_score = result.max_score
    attempt.percent = result.percent
    attempt.passed = result.percent >= quiz.pass_mark
    attempt.draft = {}
    # The questions and layout never change after the start: not written again.
    attempt.save(update_fields=_GRADED_FIELDS)
    if attempt.passed:
        check_course_completion(user=attempt.user, course=quiz.get_course(), now=now)
    return attempt


def close_expired_attempts(*, now=None) -> int:
    """Close attempts whose time ran out while the learner was away (run by Celery beat)."""
    now = now or timezone.now()
    n_closed = 0
    expired = QuizAttempt.objects.filter(
        status=QuizAttempt.Status.OPEN, deadline__lt=now - SUBMIT_GRACE
    )
    for attempt_id in expired.values_list("pk", flat=True):
        with transaction.atomic():
            attempt = (
                QuizAttempt.objects.select_for_update()
                .filter(pk=attempt_id, status=QuizAttempt.Status.OPEN)
                .first()
            )
            if attempt is not None:
                _finish(
                    attempt,
                    grading_answers_from_draft(attempt),
                    status=QuizAttempt.Status.EXPIRED,
                    now=now,
                )
                n_closed += 1
    return n_closed
