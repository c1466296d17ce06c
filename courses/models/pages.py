"""Wagtail pages: catalogue → course → lessons and quizzes, authored by instructors."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from courses.blocks import QUESTION_TYPES, LessonStreamBlock, QuizStreamBlock
from lms.slugs import LatinSlugMixin


class CataloguePage(LatinSlugMixin, Page):
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "italic", "link"])

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["lms.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count_per_parent = 1
    template = "courses/catalogue_page.html"

    class Meta:
        verbose_name = _("course catalogue")

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import catalogue_courses

        context = super().get_context(request, *args, **kwargs)
        context.update(catalogue_courses(request=request, catalogue=self))
        return context


class CoursePage(LatinSlugMixin, RoutablePageMixin, Page):
    summary = models.TextField(
        _("summary"), max_length=500, help_text=_("One or two sentences for the catalogue.")
    )
    description = RichTextField(_("description"), blank=True)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    direction = models.ForeignKey(
        "certification.Direction",
        verbose_name=_("direction"),
        on_delete=models.PROTECT,
        related_name="courses",
    )
    target_level = models.ForeignKey(
        "certification.Level",
        verbose_name=_("target level"),
        on_delete=models.PROTECT,
        related_name="courses",
    )
    estimated_minutes = models.PositiveSmallIntegerField(
        _("estimated time, minutes"), default=30, validators=[MinValueValidator(1)]
    )
    prerequisites = ParentalManyToManyField(
        "courses.CoursePage",
        verbose_name=_("prerequisites"),
        blank=True,
        related_name="required_by",
        help_text=_("Courses a learner must complete before enrolling in this one."),
    )
    issues_certificate = models.BooleanField(_("issue a certificate on completion"), default=True)
    certificate_validity_months = models.PositiveSmallIntegerField(
        _("certificate validity, months"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(240)],
        help_text=_("Leave blank for certificates that do not expire."),
    )
    # Blank means "none named": holders renew by taking this course again.
    refresher_course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("Refresher course"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The course holders take to renew this certificate before it expires."),
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        FieldRowPanel(
            [FieldPanel("direction"), FieldPanel("target_level"), FieldPanel("estimated_minutes")]
        ),
        FieldPanel("description"),
        FieldPanel("prerequisites", widget=None),
        MultiFieldPanel(
            [
                FieldPanel("issues_certificate"),
                FieldPanel("certificate_validity_months"),
                FieldPanel("refresher_course"),
            ],
            heading=_("Certificate"),
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("description"),
        index.FilterField("direction"),
        index.FilterField("target_level"),
        index.FilterField("locale"),
    ]
    parent_page_types = ["courses.CataloguePage"]
    subpage_types = ["courses.LessonPage", "courses.QuizPage"]
    template = "courses/course_page.html"

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def clean(self):
        super().clean()
        from django.core.exceptions import ValidationError

        if self.pk and any(course.pk == self.pk for course in self.prerequisites.all()):
            raise ValidationError({"prerequisites": _("A course cannot be its own prerequisite.")})

    @path("enrol/", name="enrol")
    def enrol_route(self, request):
        from courses import views

        return views.enrol(request, self)

    @path("offline/", name="offline")
    def offline_route(self, request):
        from courses import views

        return views.offline_package(request, self)

    def get_context(self, request, *args, **kwargs):
        from courses.selectors import course_overview

        context = super().get_context(request, *args, **kwargs)
        context.update(course_overview(user=request.user, course=self))
        return context


class CourseItemMixin:
    """Lessons and quizzes: they live in a course and show its outline."""

    def get_course(self):
        if not hasattr(self, "_course"):
            self._course = CoursePage.objects.ancestor_of(self).select_related("locale").first()
        return self._course


class LessonPage(LatinSlugMixin, CourseItemMixin, RoutablePageMixin, Page):
    estimated_minutes = models.PositiveSmallIntegerField(_("estimated time, minutes"), default=10)
    body = StreamField(LessonStreamBlock(), verbose_name=_("lesson content"))

    content_panels = [*Page.content_panels, FieldPanel("estimated_minutes"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("body")]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = []
    template = "courses/lesson_page.html"

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    @path("")
    def index_route(self, request, *args, **kwargs):
        from courses import views

        return views.lesson(request, self)

    @path("complete/", name="complete")
    def complete_route(self, request):
        from courses import views

        return views.complete_lesson(request, self)

    @path("progress/", name="progress")
    def progress_route(self, request):
        from courses import views

        return views.video_progress(request, self)

    @path("check/<str:question_id>/", name="check")
    def check_route(self, request, question_id):
        from courses import views

        return views.knowledge_check(request, self, question_id)

    @property
    def tracked_video_ids(self):
        return [str(block.id) for block in self.body if block.block_type == "video"]

    @cached_property
    def required_video_ids(self):
        """The videos a learner must watch to complete the lesson: all but those that could not
        be prepared and will not play (the learner sees a message in their place)."""
        from .video import VideoTranscode

        videos = {
            str(block.id): block.value["video"].pk
            for block in self.body
            if block.block_type == "video" and block.value["video"] is not None
        }
        if not videos:
            return []
        unplayable = set(
            VideoTranscode.objects.filter(
                media_id__in=videos.values(),
                status=VideoTranscode.Status.FAILED,
                error__in=VideoTranscode.UNPLAYABLE,
            ).values_list("media_id", flat=True)
        )
        return [block_id for block_id, media_id in videos.items() if media_id not in unplayable]

    def video_duration(self, block_id):
        """The duration wagtailmedia knows for a video block, or None when it was not entered."""
        for block in self.body:
            if str(block.id) == block_id and block.block_type == "video":
                return block.value["video"].duration or None
        return None


class QuizPage(LatinSlugMixin, CourseItemMixin, RoutablePageMixin, Page):
    class Feedback(models.TextChoices):
        SCORE_ONLY = "score", _("Score only")
        PER_QUESTION = "per_question", _("Score and per-question feedback")
        CORRECT_ANSWERS = "correct_answers", _("Score, feedback and correct answers")

    intro = RichTextField(
        _("introduction"), blank=True, features=["bold", "italic", "ol", "ul", "link"]
    )
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark, %"), default=70, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("maximum attempts"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave blank for unlimited attempts."),
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        _("time limit, minutes"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Leave blank for no time limit."),
    )
    allows_retake_after_pass = models.BooleanField(
        _("allow a new attempt after a pass"),
        default=False,
        help_text=_("Off: a learner who has passed cannot start the quiz again."),
    )
    shuffle_questions = models.BooleanField(_("shuffle questions"), default=False)
    shuffle_choices = models.BooleanField(_("shuffle answer choices"), default=True)
    questions_per_attempt = models.PositiveSmallIntegerField(
        _("questions drawn per attempt"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Draw this many random questions from the pool for each attempt. Blank: all."),
    )
    feedback_mode = models.CharField(
        _("after submitting, learners see"),
        max_length=20,
        choices=Feedback.choices,
        default=Feedback.PER_QUESTION,
    )
    questions = StreamField(QuizStreamBlock(), verbose_name=_("questions"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        MultiFieldPanel(
            [
                FieldRowPanel(
                    [
                        FieldPanel("pass_mark"),
                        FieldPanel("max_attempts"),
                        FieldPanel("time_limit_minutes"),
                    ]
                ),
                FieldPanel("allows_retake_after_pass"),
                FieldRowPanel([FieldPanel("shuffle_questions"), FieldPanel("shuffle_choices")]),
                FieldRowPanel([FieldPanel("questions_per_attempt"), FieldPanel("feedback_mode")]),
            ],
            heading=_("Rules"),
        ),
        FieldPanel("questions"),
    ]
    parent_page_types = ["courses.CoursePage"]
    subpage_types = []
    template = "courses/quiz_page.html"

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    @path("")
    def index_route(self, request, *args, **kwargs):
        from courses import views

        return views.quiz_overview(request, self)

    @path("start/", name="start")
    def start_route(self, request):
        from courses import views

        return views.start_attempt(request, self)

    @path("attempt/<int:number>/", name="attempt")
    def attempt_route(self, request, number):
        from courses import views

        return views.take_attempt(request, self, number)

    @path("attempt/<int:number>/save/", name="attempt_save")
    def attempt_save_route(self, request, number):
        from courses import views

        return views.save_attempt(request, self, number)

    @path("attempt/<int:number>/result/", name="attempt_result")
    def attempt_result_route(self, request, number):
        from courses import views

        return views.attempt_result(request, self, number)

    @property
    def question_blocks(self):
        return [block for block in self.questions if block.block_type in QUESTION_TYPES]

    @property
    def n_questions_per_attempt(self):
        n_pool = len(self.question_blocks)
        return min(self.questions_per_attempt, n_pool) if self.questions_per_attempt else n_pool

    def clean(self):
        super().clean()
        from django.core.exceptions import ValidationError

        n_pool = len([block for block in self.questions if block.block_type in QUESTION_TYPES])
        if self.questions_per_attempt and self.questions_per_attempt > n_pool:
            raise ValidationError(
                {"questions_per_attempt": _("The pool has only %(n)s questions.") % {"n": n_pool}}
            )
