"""Reference data an administrator edits as snippets: directions, branches, skills, and the levels
of the path from newcomer to instructor with what each requires."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel
from wagtail.models import Orderable

from lms.translation import TranslatedName


class Direction(TranslatedName):
    """An area of volunteering, e.g. first aid or blood donation."""

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [
        FieldPanel("name_ru"),
        FieldPanel("name_kk"),
        FieldPanel("name_en"),
        FieldPanel("slug"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["sort_order", "name_ru"]
        verbose_name = _("direction")
        verbose_name_plural = _("directions")


class Branch(TranslatedName):
    """A regional branch of the movement, e.g. Almaty. Coordinators work within one."""

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    is_headquarters = models.BooleanField(
        _("headquarters"),
        default=False,
        help_text=_("Coordinators of the headquarters see and manage every branch."),
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [
        FieldPanel("name_ru"),
        FieldPanel("name_kk"),
        FieldPanel("name_en"),
        FieldPanel("slug"),
        FieldPanel("is_headquarters"),
        FieldPanel("sort_order"),
    ]

    class Meta:
        ordering = ["sort_order", "name_ru"]
        verbose_name = _("branch")
        verbose_name_plural = _("branches")


class Skill(TranslatedName):
    """A practical skill an instructor signs off, e.g. "CPR on a manikin"."""

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    direction = models.ForeignKey(
        Direction, verbose_name=_("direction"), null=True, blank=True, on_delete=models.SET_NULL
    )

    panels = [
        FieldPanel("name_ru"),
        FieldPanel("name_kk"),
        FieldPanel("name_en"),
        FieldPanel("slug"),
        FieldPanel("direction"),
    ]

    class Meta:
        ordering = ["name_ru"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")


class Level(ClusterableModel, TranslatedName):
    """A step on the path newcomer → volunteer → senior volunteer → coordinator → instructor.

    What it takes to reach it is the list of its requirements (courses, hours, sign-offs), plus
    time spent at the previous level and, if set, a coordinator's approval.
    """

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    rank = models.PositiveSmallIntegerField(
        _("rank"), unique=True, help_text=_("1 is the first level.")
    )
    min_months_at_previous = models.PositiveSmallIntegerField(
        _("months at the previous level"), default=0
    )
    requires_approval = models.BooleanField(
        _("a coordinator must approve"),
        default=False,
        help_text=_("Volunteers who meet every requirement wait in the approval queue."),
    )

    panels = [
        FieldPanel("name_ru"),
        FieldPanel("name_kk"),
        FieldPanel("name_en"),
        FieldRowPanel([FieldPanel("slug"), FieldPanel("rank")]),
        MultiFieldPanel(
            [FieldPanel("min_months_at_previous"), FieldPanel("requires_approval")],
            heading=_("Promotion"),
        ),
        InlinePanel("requirements", heading=_("Requirements"), label=_("requirement")),
    ]

    class Meta:
        ordering = ["rank"]
        verbose_name = _("level")
        verbose_name_plural = _("levels")


class LevelRequirement(Orderable):
    """One thing a volunteer needs for a level: a passed course, confirmed hours or a sign-off."""

    class Kind(models.TextChoices):
        COURSE = "course", _("Course passed")
        HOURS = "hours", _("Confirmed practical hours")
        SKILL = "skill", _("Skill signed off")

    level = ParentalKey(Level, on_delete=models.CASCADE, related_name="requirements")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    course = models.ForeignKey(
        "courses.CoursePage",
        verbose_name=_("course"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("A pass in any language version of the course counts."),
    )
    hours = models.PositiveIntegerField(_("hours"), null=True, blank=True)
    direction = models.ForeignKey(
        Direction,
        verbose_name=_("in direction"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        help_text=_("Leave empty to count hours in every direction."),
    )
    skill = models.ForeignKey(
        Skill, verbose_name=_("skill"), null=True, blank=True, on_delete=models.CASCADE
    )

    panels = [
        FieldPanel("kind"),
        FieldPanel("course"),
        FieldRowPanel([FieldPanel("hours"), FieldPanel("direction")]),
        FieldPanel("skill"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="course", course__isnull=False)
                    | Q(kind="hours", hours__gt=0)
                    | Q(kind="skill", skill__isnull=False)
                ),
                name="requirement_names_its_target",
            )
        ]

    def clean(self):
        errors = {}
        if self.kind == self.Kind.COURSE and not self.course_id:
            errors["course"] = _("Choose the course to pass.")
        if self.kind == self.Kind.HOURS and not self.hours:
            errors["hours"] = _("Give the number of hours.")
        if self.kind == self.Kind.SKILL and not self.skill_id:
            errors["skill"] = _("Choose the skill.")
        if errors:
            raise ValidationError(errors)
