"""Grading and saving a 50-question attempt, as a ratio to saving one empty attempt.

Both are measured in the same run on the configured database. Lower is better.
"""

from common import median_seconds, report, setup_django

N_QUESTIONS = 50


def main():
    setup_django()
    from django.utils import timezone

    from courses import services
    from courses.models import AttemptAnswer, QuizAttempt
    from tests.courses.test_pages import every_question_type
    from tests.factories import UserFactory, make_course, quiz_of

    pool = [q for _ in range(N_QUESTIONS // 7 + 1) for q in every_question_type()][:N_QUESTIONS]
    course = make_course(slug="bench", quiz={"questions": pool, "pass_mark": 50})
    quiz = quiz_of(course)
    learner = UserFactory()
    services.enrol(user=learner, course=course)
    template = services.start_attempt(user=learner, quiz=quiz)
    answers = {}
    for question in template.questions:
        key = f"q-{question['id']}"
        if question["type"] in {"single_choice", "multiple_choice"}:
            answers[key] = [question["choices"][0]["id"]]
        elif question["type"] == "true_false":
            answers[key] = ["true"]
        elif question["type"] == "short_answer":
            answers[key] = ["дефибриллятор"]
        elif question["type"] == "numeric":
            answers[key] = ["115,5"]
        elif question["type"] == "matching":
            for n, pair in enumerate(question["pairs"], start=1):
                answers[f"{key}-{n}"] = [pair["id"]]
        elif question["type"] == "ordering":
            for n, item in enumerate(question["items"], start=1):
                answers[f"{key}-{item['id']}"] = [str(n)]
    services.submit_attempt(attempt=template, form=answers)
    numbers = iter(range(1000, 100000))

    def grade_and_save():
        attempt = QuizAttempt.objects.create(
            user=learner, quiz=quiz, number=next(numbers), questions=template.questions, layout=[]
        )
        services.submit_attempt(attempt=attempt, form=answers)

    def save_empty():
        QuizAttempt.objects.create(
            user=learner, quiz=quiz, number=next(numbers), status=QuizAttempt.Status.SUBMITTED,
            submitted_at=timezone.now(),
        )  # fmt: skip

    graded = median_seconds(grade_and_save, repeat=40)
    empty = median_seconds(save_empty, repeat=40)
    assert AttemptAnswer.objects.filter(attempt__quiz=quiz).count() >= 40 * N_QUESTIONS
    report(
        "quiz_grading",
        graded / empty,
        questions=N_QUESTIONS,
        graded_ms=f"{graded * 1000:.2f}",
        empty_attempt_ms=f"{empty * 1000:.2f}",
    )


if __name__ == "__main__":
    main()
