from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo that `make run` loads (`manage.py seed_demo`): courses, users, activity. The
    product never imports it; the command refuses to run in production."""

    name = "demo"
    verbose_name = "Demo content"
