"""A Celery app for reliability tests: rendering stalls first, so a test can kill the worker in
the middle of a task. Start it with `celery --app tests.slow_worker worker`."""

import time

from celery.signals import task_prerun

from lms.celery import app  # noqa: F401  (the app Celery loads from this module)


@task_prerun.connect
def stall_rendering(**kwargs):
    from django.db.models import F

    from certification.certificates import pipeline
    from certification.models import Certificate

    if getattr(pipeline.render, "stalls", False):
        return
    real_render = pipeline.render

    def stalling_render(*, certificate_id):
        # Mark the start as the real service does, then stall where a crash hurts most.
        Certificate.objects.filter(pk=certificate_id).update(
            n_render_attempts=F("n_render_attempts") + 1
        )
        time.sleep(60)
        return real_render(certificate_id=certificate_id)

    stalling_render.stalls = True
    pipeline.render = stalling_render
