"""Certification listens to a course completed, and to its own changes to drop cached pages."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver

from courses.models import CoursePage
from courses.signals import course_completed

from .certificates import issuer, issuing, status_list, verification
from .coordination import aggregates  # noqa: F401  (keeps the statistics' running totals)
from .models import Certificate, CertificateSettings, Level, LevelRequirement, Volunteer
from .volunteers import services as volunteers


@receiver(course_completed, sender=CoursePage, dispatch_uid="certification.course_certificate")
def issue_course_certificate(sender, enrolment, **kwargs):
    issuing.issue_for_course(enrolment=enrolment)


@receiver(course_completed, sender=CoursePage, dispatch_uid="certification.progression")
def advance_on_course_completed(sender, enrolment, **kwargs):
    volunteer = Volunteer.objects.filter(user_id=enrolment.user_id).first()
    if volunteer is not None:
        volunteers.advance(volunteer=volunteer, now=enrolment.completed_at)


@receiver(post_save, sender=Certificate, dispatch_uid="certification.forget_record")
def forget_cached_record(sender, instance, **kwargs):
    transaction.on_commit(lambda: verification.forget_record(instance.public_code))


@receiver(pre_save, sender=Certificate, dispatch_uid="certification.status_before")
def note_status_before(sender, instance, raw=False, update_fields=None, **kwargs):
    instance._status_before = None  # unknown: the lists are rebuilt
    if instance._state.adding:
        instance._status_before = ""
    elif not raw and (update_fields is None or "status" in update_fields):
        instance._status_before = (
            Certificate.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
        )


@receiver(post_save, sender=Certificate, dispatch_uid="certification.status_lists")
def rebuild_status_lists(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and "status" not in update_fields:
        return  # e.g. a verification count or a render attempt
    before = getattr(instance, "_status_before", None)
    if before is not None and not status_list.changes_a_list(
        kind=instance.kind, status_before=before, status_after=instance.status
    ):
        return  # e.g. a course certificate issued: no bit changes (1,000 issued, no rebuild)
    # After the commit, so the lists are read from what the verify page and the API now show.
    transaction.on_commit(status_list.rebuild_all)


@receiver(post_save, sender=get_user_model(), dispatch_uid="certification.suspend_badges")
def suspend_or_resume_badges(sender, instance, update_fields=None, **kwargs):
    """A deactivated account pauses its badges; reactivating it lets them stand again."""
    if update_fields is not None and "is_active" not in update_fields:
        return  # e.g. a login saving last_login
    codes = list(
        Certificate.objects.filter(holder=instance, kind=Certificate.Kind.BADGE).values_list(
            "public_code", flat=True
        )
    )
    if not codes:
        return

    def refresh():
        for code in codes:
            verification.forget_record(code)
        status_list.rebuild(status_list.SUSPENSION)

    transaction.on_commit(refresh)


@receiver(post_save, sender=CertificateSettings, dispatch_uid="certification.forget_issuer")
def forget_cached_issuer(sender, instance, **kwargs):
    transaction.on_commit(issuer.forget_issuer_name)


@receiver(pre_delete, sender=CoursePage, dispatch_uid="certification.keep_course_requirements")
def keep_course_requirements(sender, instance, **kwargs):
    """A level asks for a course in any language: deleting one version points the requirement at
    another. Deleting the last one removes the requirement, and the level then waits for a
    coordinator's approval rather than opening to everyone."""
    requirements = LevelRequirement.objects.filter(course=instance)
    if not requirements.exists():
        return
    other = (
        CoursePage.objects.filter(translation_key=instance.translation_key)
        .exclude(pk=instance.pk)
        .first()
    )
    if other is not None:
        # The rows pointing at this version are already marked for deletion with it: new rows
        # point at the other version instead.
        for requirement in requirements:
            LevelRequirement.objects.create(
                level_id=requirement.level_id,
                sort_order=requirement.sort_order,
                kind=requirement.kind,
                course=other,
            )
    else:
        Level.objects.filter(requirements__in=requirements).update(requires_approval=True)
