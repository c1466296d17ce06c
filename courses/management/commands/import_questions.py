"""Import a GIFT or Aiken question bank into a quiz from the command line.

    manage.py import_questions bank.gift --quiz 42 [--format gift|aiken] [--dry-run]

The same reading and the same rules as the admin's "Import questions": a file with any error
imports nothing, and what is left out is listed. The new questions are added as a new revision,
published if the quiz was live with no unpublished changes.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from courses import importers
from courses.importers.services import ImportRefused, import_questions, is_published
from courses.importers.text import html_to_text
from courses.models import QuizPage


class Command(BaseCommand):
    help = "Import questions from a GIFT or Aiken file into a quiz."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="GIFT or Aiken file, UTF-8 text.")
        parser.add_argument("--quiz", type=int, required=True, help="The quiz page's id.")
        parser.add_argument(
            "--format",
            choices=[name for name, _label in importers.FORMATS],
            help="The file's format; recognised from the file when left out.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and list the questions; import nothing."
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="Language of the messages (default: the site's).",
        )

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            self._import(options)

    def _import(self, options):
        quiz = QuizPage.objects.filter(pk=options["quiz"]).first()
        if quiz is None:
            raise CommandError(_("There is no quiz with id %(id)d.") % {"id": options["quiz"]})
        try:
            content = options["file"].read_bytes()
        except OSError as error:
            raise CommandError(str(error)) from None

        result = importers.read_questions(
            content, file_format=options["format"], filename=options["file"].name
        )
        for problem in result.all_warnings:
            self.stderr.write(self.style.WARNING(str(problem)))
        if result.errors:
            raise CommandError(
                "\n".join(
                    [_("Nothing was imported. Fix the file and try again:")]
                    + [str(problem) for problem in result.errors]
                )
            )
        for number, question in enumerate(result.questions, start=1):
            self.stdout.write(self._summary(number, question))

        n = len(result.questions)
        if options["dry_run"]:
            self.stdout.write(
                _("Dry run: %(n)d questions read, nothing imported into “%(quiz)s”.")
                % {"n": n, "quiz": quiz.title}
            )
            return
        try:
            revision = import_questions(quiz=quiz, blocks=result.blocks)
        except ImportRefused as refusal:
            raise CommandError(str(refusal)) from None
        if is_published(revision):
            message = _("%(n)d questions added to “%(quiz)s” and published.")
        else:
            message = _("%(n)d questions added to “%(quiz)s” as a draft.")
        self.stdout.write(self.style.SUCCESS(message % {"n": n, "quiz": quiz.title}))

    def _summary(self, number, question):
        value = question.value
        text = value.get("title") or html_to_text(value.get("prompt") or value.get("text", ""))
        if len(text) > 60:
            text = text[:59] + "…"
        return f"{number:>4}. {_('line')} {question.line:<5} {question.block_type:<16} {text}"
