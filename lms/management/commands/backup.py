"""`manage.py backup FOLDER`: the database and every stored file into a new folder."""

from pathlib import Path

from django.core.management.base import BaseCommand

from lms import backups


class Command(BaseCommand):
    help = "Back up the database and all uploads and certificate PDFs into a new folder."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path, help="A folder that does not exist yet.")

    def handle(self, *args, folder, **options):
        manifest = backups.back_up(folder)
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up the database and {manifest['n_files']} files to {folder}."
            )
        )
