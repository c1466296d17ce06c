from .offline import OfflineAction
from .pages import CataloguePage, CoursePage, LessonPage, QuizPage
from .progress import AttemptAnswer, Enrolment, LessonCompletion, QuizAttempt, VideoProgress
from .video import VideoTranscode

__all__ = [
    "AttemptAnswer",
    "CataloguePage",
    "CoursePage",
    "Enrolment",
    "LessonCompletion",
    "LessonPage",
    "OfflineAction",
    "QuizAttempt",
    "QuizPage",
    "VideoProgress",
    "VideoTranscode",
]
