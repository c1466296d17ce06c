"""Tasks of the project itself: health checks that prove beat and the workers are running."""

from celery import shared_task

from . import health


@shared_task(name="lms.ping")
def ping(payload: str) -> str:
    return f"pong: {payload}"


@shared_task(name=health.HEARTBEAT_TASK, ignore_result=True)
def heartbeat():
    """Sent by beat every minute; beat notes the time as it sends it (lms.health)."""
