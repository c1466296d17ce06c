"""An uploaded or replaced lesson video gets its renditions made (courses.transcoding); a
course's cached outline and the catalogue's cached lists are forgotten when what they show
changes."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from wagtail.images import get_image_model
from wagtail.models import Page, PageViewRestriction
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move
from wagtailmedia.models import get_media_model

from certification.models import Direction, Level

from . import transcoding
from .models import CataloguePage, CoursePage, LessonPage, QuizPage
from .selectors import forget_catalogue, forget_outline


@receiver(post_save, sender=get_media_model(), dispatch_uid="courses.transcode_uploaded_video")
def transcode_uploaded_video(sender, instance, raw=False, **kwargs):
    if not raw and transcoding.needs_transcode(instance):
        transcoding.enqueue_transcode(instance)


# A course's outline (selectors.course_items) is kept for every learner: forgotten when one of its
# lessons or quizzes is saved (published, unpublished, retitled, reordered), moved or deleted.


def forget_outline_of(page):
    try:
        course = page.get_parent(update=True)
    except Page.DoesNotExist:
        return  # the course is gone too (deleted with its pages)
    if course is not None:
        forget_outline(course)


def page_class(instance):
    """The page's own class, also when Wagtail saves it as a plain Page (a scheduled expiry, a
    bulk unpublish in the admin)."""
    if isinstance(instance, Page):
        return instance.specific_class or type(instance)
    return type(instance)


@receiver(post_save, dispatch_uid="courses.outline_page_saved")
@receiver(post_delete, dispatch_uid="courses.outline_page_deleted")
def page_changed(sender, instance, raw=False, **kwargs):
    if not raw and issubclass(page_class(instance), (LessonPage, QuizPage)):
        forget_outline_of(instance)


@receiver(page_published, dispatch_uid="courses.outline_page_published")
@receiver(page_unpublished, dispatch_uid="courses.outline_page_unpublished")
def page_published_or_not(sender, instance, **kwargs):
    if issubclass(page_class(instance), (LessonPage, QuizPage)):
        forget_outline_of(instance)


@receiver(post_page_move, dispatch_uid="courses.outline_page_moved")
@receiver(page_slug_changed, dispatch_uid="courses.outline_slug_changed")
def addresses_changed(sender, instance, parent_page_before=None, parent_page_after=None, **kwargs):
    """A page moved (or reordered) or renamed: the outlines it is in, and those of every course at
    or under it (their lessons' addresses changed)."""
    for course in (parent_page_before, parent_page_after):
        if course is not None:
            forget_outline(course)
    courses = CoursePage.objects.descendant_of(instance, inclusive=True)
    for course in courses.only("translation_key"):
        forget_outline(course)
    if issubclass(page_class(instance), (LessonPage, QuizPage)):
        forget_outline_of(instance)


# The catalogue's cached lists (selectors.catalogue_courses) start again when anything they show
# changes: a course or catalogue published, unpublished, moved, renamed or deleted; a cover image;
# the names of directions and levels.


@receiver(page_published, dispatch_uid="courses.catalogue_published")
@receiver(page_unpublished, dispatch_uid="courses.catalogue_unpublished")
@receiver(post_page_move, dispatch_uid="courses.catalogue_moved")
@receiver(page_slug_changed, dispatch_uid="courses.catalogue_renamed")
def catalogue_page_changed(sender, instance, **kwargs):
    if issubclass(page_class(instance), (CoursePage, CataloguePage)) or issubclass(
        sender, (CoursePage, CataloguePage)
    ):
        forget_catalogue()


def shown_in_the_catalogue(instance):
    kinds = (CoursePage, CataloguePage, Direction, Level, get_image_model(), PageViewRestriction)
    return issubclass(page_class(instance), kinds)


@receiver(post_delete, dispatch_uid="courses.catalogue_deleted")
def catalogue_item_deleted(sender, instance, **kwargs):
    if shown_in_the_catalogue(instance):
        forget_catalogue()


@receiver(post_save, dispatch_uid="courses.catalogue_saved")
def catalogue_item_saved(sender, instance, raw=False, **kwargs):
    # Any save of a course or catalogue: a page made live in code (an import, the demo) is
    # published without the page_published signal.
    # A view restriction added or lifted takes a course out of the public list or back in.
    if not raw and shown_in_the_catalogue(instance):
        forget_catalogue()
