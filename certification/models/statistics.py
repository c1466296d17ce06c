"""Running totals behind the coordinators' statistics page, kept by the changes that make them.

Rows per (what is counted, day, branch, subject): e.g. enrolments of Almaty's members on 3 May; a
change adds a row, and rows of one key are folded into one every few minutes.
The statistics page sums these rows instead of counting millions of facts; the nightly
reconciliation (coordination/aggregates.py) recounts the facts and repairs any drift.
"""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _

# Counts that are not about a day (how many volunteers are at each level now) use this one.
TIMELESS = datetime.date(1970, 1, 1)


class StatisticsCount(models.Model):
    class Metric(models.TextChoices):
        VOLUNTEERS = "volunteers", _("volunteers by branch and level")
        DIRECTIONS = "directions", _("volunteers by direction and level")
        ENROLLED = "enrolled", _("enrolments")
        COMPLETED = "completed", _("courses completed")
        QUIZ = "quiz", _("quiz attempts")
        HOURS = "hours", _("confirmed practical hours")
        CERTIFICATES = "certificates", _("certificates issued")

    metric = models.CharField(_("what is counted"), max_length=16, choices=Metric.choices)
    # The day in the site's time zone (TIMELESS for counts of now).
    day = models.DateField(_("day"))
    # Plain ids, not foreign keys: 0 is "no branch" (a learner who is not a member), so that rows
    # of one key group together (NULLs would not).
    branch_id = models.IntegerField(_("branch"))
    # The subject within the metric: level, direction or quiz id; `second` the level of a
    # direction row; `kind` a certificate's kind.
    subject = models.IntegerField(_("subject"), default=0)
    second = models.IntegerField(_("second subject"), default=0)
    kind = models.CharField(_("kind"), max_length=16, default="", blank=True)
    n = models.BigIntegerField(_("count"), default=0)
    # Passed attempts; certificates verified at least once.
    n_second = models.BigIntegerField(_("second count"), default=0)
    # Confirmed hours; verifications of the certificates.
    total = models.DecimalField(_("total"), max_digits=16, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("statistics count")
        verbose_name_plural = _("statistics counts")
        # Several rows may share a key until they are folded (coordination/aggregates.py).
        indexes = [models.Index(fields=["metric", "day", "branch_id"], name="statistics_count_day")]

    def __str__(self):
        return f"{self.metric} {self.day} {self.branch_id} {self.subject}/{self.second}/{self.kind}"
