from .pages import CataloguePage, CoursePage, LessonPage, QuizPage
from .progress import AttemptAnswer, Enrolment, LessonCompletion, QuizAttempt, VideoProgress

__all__ = [
    "AttemptAnswer",
    "CataloguePage",
    "CoursePage",
    "Enrolment",
    "LessonCompletion",
    "LessonPage",
    "QuizAttempt",
    "QuizPage",
    "VideoProgress",
]
