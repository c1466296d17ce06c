"""Tasks of the project itself: a health check that proves a worker consumes from the broker."""

from celery import shared_task


@shared_task(name="lms.ping")
def ping(payload: str) -> str:
    return f"pong: {payload}"
