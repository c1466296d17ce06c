"""`manage.py health`: database, cache, broker, workers and beat, one line each; exit 1 if any is
down."""

from django.core.management.base import BaseCommand, CommandError

from lms import health


class Command(BaseCommand):
    help = "Check the database, cache, broker, Celery workers and beat; exit 1 if one is down."

    def handle(self, *args, **options):
        results = health.report(health.EVERYTHING)
        for name, (is_up, detail) in results.items():
            style = self.style.SUCCESS if is_up else self.style.ERROR
            self.stdout.write(style(f"{name:<9} {'up' if is_up else 'DOWN'}  {detail}"))
        down = [name for name, (is_up, _detail) in results.items() if not is_up]
        if down:
            raise CommandError(f"Down: {', '.join(down)}.")
