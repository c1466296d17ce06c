"""Instructors' quiz results in the Wagtail admin, per quiz and per question; CSV/XLSX export."""

import datetime
from types import SimpleNamespace

from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Q
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy

from .models import QuizAttempt, QuizPage
from .selectors import quiz_results

FINISHED = ~Q(attempts__status=QuizAttempt.OPEN)


def editable_quizzes(user):
    editable = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
    return QuizPage.objects.filter(pk__in=editable.values("pk"))


def whole_percent(value):
    return "" if value is None else round(value)


EXPORT_PERCENT = {"csv": whole_percent, "xlsx": whole_percent}


class PercentColumn(Column):
    def get_value(self, instance):
        value = super().get_value(instance)
        return "—" if value is None else f"{value:.0f}%"


class QuizResultsIndexView(ReportView):
    page_title = _("Quiz results")
    header_icon = "help"
    index_url_name = "quiz_results:index"
    index_results_url_name = "quiz_results:index_results"
    list_export = ["title", "course_title", "n_attempts", "n_learners", "pass_rate", "mean_percent"]
    custom_field_preprocess = {"pass_rate": EXPORT_PERCENT, "mean_percent": EXPORT_PERCENT}
    export_headings = {
        "title": _("Quiz"),
        "course_title": _("Course"),
        "n_attempts": _("Attempts"),
        "n_learners": _("Learners"),
        "pass_rate": _("Pass rate, %"),
        "mean_percent": _("Mean score, %"),
    }

    @property
    def columns(self):
        return [
            TitleColumn(
                "title",
                label=_("Quiz"),
                get_url=lambda quiz: reverse("quiz_results:detail", args=[quiz.pk]),
            ),
            Column("course_title", label=_("Course")),
            Column("n_attempts", label=_("Attempts")),
            Column("n_learners", label=_("Learners")),
            PercentColumn("pass_rate", label=_("Pass rate")),
            PercentColumn("mean_percent", label=_("Mean score")),
        ]

    def get_filename(self):
        return f"quiz-results-{datetime.date.today():%Y-%m-%d}"

    def get_queryset(self):
        quizzes = (
            editable_quizzes(self.request.user)
            .annotate(
                n_attempts=Count("attempts", filter=FINISHED),
                n_passed=Count("attempts", filter=FINISHED & Q(attempts__passed=True)),
                n_learners=Count("attempts__user", filter=FINISHED, distinct=True),
                mean_percent=Avg("attempts__percent", filter=FINISHED),
            )
            .order_by("path")
        )
        courses = {
            page.path: page.title
            for page in Page.objects.filter(
                depth__gte=3, path__in={q.path[: -Page.steplen] for q in quizzes}
            )
        }
        for quiz in quizzes:
            quiz.course_title = courses.get(quiz.path[: -Page.steplen], "")
            quiz.pass_rate = 100 * quiz.n_passed / quiz.n_attempts if quiz.n_attempts else None
        return list(quizzes)


class QuizResultsView(ReportView):
    header_icon = "help"
    index_url_name = "quiz_results:detail"
    index_results_url_name = "quiz_results:detail_results"
    results_template_name = "courses/admin/quiz_results_results.html"
    paginate_by = None
    list_export = ["number", "title", "type", "n_answers", "share_correct"]
    custom_field_preprocess = {"share_correct": EXPORT_PERCENT}
    export_headings = {
        "number": "#",
        "title": _("Question"),
        "type": _("Type"),
        "n_answers": _("Answers"),
        "share_correct": _("Answered correctly, %"),
    }

    @property
    def columns(self):
        return [
            Column("number", label="#"),
            Column("title", label=_("Question")),
            Column("type", label=_("Type")),
            Column("n_answers", label=_("Answers")),
            PercentColumn("share_correct", label=_("Answered correctly")),
        ]

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.quiz = get_object_or_404(QuizPage, pk=kwargs["quiz_id"])
        if not self.quiz.permissions_for_user(request.user).can_edit():
            raise PermissionDenied
        self.results = quiz_results(quiz=self.quiz)

    def get_page_title(self):
        return _("Results: %(quiz)s") % {"quiz": self.quiz.title}

    @property
    def page_title(self):
        return self.get_page_title()

    def get_index_url(self):
        return reverse(self.index_url_name, args=[self.quiz.pk])

    def get_index_results_url(self):
        return reverse(self.index_results_url_name, args=[self.quiz.pk])

    def get_filename(self):
        return f"quiz-{self.quiz.slug}-{datetime.date.today():%Y-%m-%d}"

    def get_queryset(self):
        return [
            SimpleNamespace(number=n, **{**row, "type": str(row["type"])})
            for n, row in enumerate(self.results["questions"], start=1)
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["totals"] = self.results["totals"]
        context["quiz"] = self.quiz
        return context
