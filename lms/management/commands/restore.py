"""`manage.py restore FOLDER --yes`: replace the database and the stored files with a backup."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lms import backups


class Command(BaseCommand):
    help = "Replace the database and all stored files with a backup made by `manage.py backup`."

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--yes", action="store_true", help="Confirm that the current data is to be replaced."
        )

    def handle(self, *args, folder, yes, **options):
        if not yes:
            raise CommandError("Restoring replaces every row and file: add --yes to go on.")
        try:
            manifest = backups.restore(folder)
        except backups.BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored the backup of {manifest['made_at']} ({manifest['n_files']} files)."
            )
        )
