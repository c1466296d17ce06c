"""Actions a learner took offline and the browser sent later: each is applied once per action id."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OfflineAction(models.Model):
    """The first result of a queued action, so a repeated send changes nothing and gets it again.

    The browser makes the id (crypto.randomUUID) when the learner acts; ids are per learner, so
    another learner's id never collides with or reveals this one.
    """

    class Kind(models.TextChoices):
        VIDEO_PROGRESS = "video_progress", _("video progress")
        KNOWLEDGE_CHECK = "knowledge_check", _("knowledge check answer")
        LESSON_COMPLETE = "lesson_complete", _("lesson marked done")
        QUIZ_SUBMIT = "quiz_submit", _("quiz submitted")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offline_actions"
    )
    action_id = models.UUIDField(_("action id"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    created = models.DateTimeField(_("received"), default=timezone.now)
    # The response the first send got: {"status": 200, "body": {...}}.
    result = models.JSONField(_("result"), default=dict)

    class Meta:
        verbose_name = _("offline action")
        verbose_name_plural = _("offline actions")
        constraints = [
            models.UniqueConstraint(fields=["user", "action_id"], name="one_offline_action_per_id")
        ]

    def __str__(self):
        return f"{self.user} · {self.kind} · {self.action_id}"
