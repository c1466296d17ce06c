"""Celery tasks of the courses app: thin wrappers over services."""

from celery import shared_task

from . import services


@shared_task(name="courses.close_expired_attempts")
def close_expired_attempts() -> int:
    return services.close_expired_attempts()
