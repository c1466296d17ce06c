"""Certification listens to one event of learning: a course completed."""

from django.dispatch import receiver

from courses.models import CoursePage
from courses.signals import course_completed

from . import services


@receiver(course_completed, sender=CoursePage, dispatch_uid="certification.course_certificate")
def issue_course_certificate(sender, enrolment, **kwargs):
    services.issue_for_course(enrolment=enrolment)
