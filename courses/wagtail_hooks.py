"""Quiz results report, and importing and exporting quiz questions, in the Wagtail admin."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button

from . import admin_views
from .models import QuizPage

app_name = "quiz_results"
urlpatterns = [
    path("", admin_views.QuizResultsIndexView.as_view(), name="index"),
    path(
        "results/",
        admin_views.QuizResultsIndexView.as_view(results_only=True),
        name="index_results",
    ),
    path("<int:quiz_id>/", admin_views.QuizResultsView.as_view(), name="detail"),
    path(
        "<int:quiz_id>/results/",
        admin_views.QuizResultsView.as_view(results_only=True),
        name="detail_results",
    ),
]


@hooks.register("register_admin_urls")
def register_quiz_results_urls():
    return [path("quiz-results/", include((urlpatterns, app_name), namespace=app_name))]


@hooks.register("register_reports_menu_item")
def register_quiz_results_menu_item():
    return MenuItem(
        _("Quiz results"),
        reverse("quiz_results:index"),
        name="quiz-results",
        icon_name="help",
        order=50,
    )


@hooks.register("register_page_listing_more_buttons")
def quiz_results_button(page, user, next_url=None):
    if isinstance(page.specific_deferred, QuizPage) and page.permissions_for_user(user).can_edit():
        yield Button(
            _("Results"),
            reverse("quiz_results:detail", args=[page.pk]),
            icon_name="help",
            priority=60,
        )


questions_urlpatterns = [
    path("<int:quiz_id>/import/", admin_views.ImportQuestionsView.as_view(), name="import"),
    path(
        "<int:quiz_id>/import/confirm/",
        admin_views.ConfirmImportView.as_view(),
        name="import_confirm",
    ),
    path("<int:quiz_id>/export/", admin_views.ExportQuestionsView.as_view(), name="export"),
]


@hooks.register("register_admin_urls")
def register_quiz_questions_urls():
    return [
        path(
            "quiz-questions/",
            include((questions_urlpatterns, "quiz_questions"), namespace="quiz_questions"),
        )
    ]


def quiz_question_buttons(page, user):
    if isinstance(page.specific_deferred, QuizPage) and page.permissions_for_user(user).can_edit():
        yield Button(
            _("Import questions"),
            reverse("quiz_questions:import", args=[page.pk]),
            icon_name="upload",
            priority=61,
        )
        yield Button(
            _("Export questions to GIFT"),
            reverse("quiz_questions:export", args=[page.pk]),
            icon_name="download",
            priority=62,
        )


@hooks.register("register_page_listing_more_buttons")
def quiz_questions_listing_buttons(page, user, next_url=None):
    yield from quiz_question_buttons(page, user)


@hooks.register("register_page_header_buttons")
def quiz_questions_header_buttons(page, user, view_name, next_url=None):
    yield from quiz_question_buttons(page, user)


@hooks.register("register_admin_urls")
def register_video_transcode_urls():
    patterns = [
        path("<int:media_id>/", admin_views.video_transcode_status, name="status"),
    ]
    return [
        path(
            "video-transcode/",
            include((patterns, "video_transcode"), namespace="video_transcode"),
        )
    ]
