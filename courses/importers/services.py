"""Adding imported questions to a quiz: one new revision, in one transaction."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import Revision

from courses.blocks import QuizStreamBlock, stream_from_raw
from courses.models import QuizPage

from .text import html_to_text


class ImportRefused(Exception):
    """The questions cannot be added to this quiz; `str(error)` is a translated message."""


def publishes_on_import(*, quiz: QuizPage, user=None) -> bool:
    """Whether an import into the quiz is published at once (see `import_questions`)."""
    can_publish = user is None or quiz.permissions_for_user(user).can_publish()
    return quiz.live and not quiz.has_unpublished_changes and can_publish


def is_published(revision: Revision) -> bool:
    """Whether the import's revision is what learners see now."""
    return QuizPage.objects.filter(pk=revision.object_id, live_revision=revision).exists()


@transaction.atomic
def import_questions(*, quiz: QuizPage, blocks: list[dict], user=None) -> Revision:
    """Append the blocks to the quiz's latest content as a new revision.

    The revision is published when the quiz was live with nothing unpublished, and the user may
    publish it: learners then see the new questions at once, as they would after an editor's
    "Publish". Otherwise it stays a draft, and a draft in progress keeps its changes. Attempts
    already started are graded against their own snapshot of the questions.

    `user` is None only for the management command, which runs with full rights.
    """
    if not blocks:
        raise ImportRefused(_("There are no questions to import."))
    # Locking the page row makes concurrent imports into one quiz queue, so neither is lost.
    quiz = QuizPage.objects.select_for_update().get(pk=quiz.pk)
    if user is not None:
        if not quiz.permissions_for_user(user).can_edit():
            raise ImportRefused(_("You do not have permission to edit this quiz."))
        lock = quiz.get_lock()
        if lock and lock.for_user(user):
            raise ImportRefused(
                _("The quiz is locked, so no questions can be added: %(reason)s")
                % {"reason": html_to_text(str(lock.get_message(user)))}
            )
    should_publish = publishes_on_import(quiz=quiz, user=user)

    latest = quiz.get_latest_revision_as_object()
    latest.questions = stream_from_raw(QuizStreamBlock(), [*latest.questions.raw_data, *blocks])
    try:
        revision = latest.save_revision(user=user, log_action=True)
    except ValidationError as error:
        raise ImportRefused(" ".join(error.messages)) from None
    if should_publish:
        revision.publish(user=user, log_action=True)
    return revision
