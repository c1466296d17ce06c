"""Instructors' quiz tools in the Wagtail admin: results per quiz and per question (CSV/XLSX
export), and importing questions from GIFT or Aiken files and exporting them to GIFT."""

import datetime
import hashlib
from decimal import Decimal
from types import SimpleNamespace

from django import forms
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db.models import Avg, Count, Q
from django.http import HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views import View
from wagtail.admin import messages
from wagtail.admin.ui.tables import Column, TitleColumn
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.views.reports import ReportView
from wagtail.models import Page
from wagtail.permission_policies.pages import PagePermissionPolicy
from wagtail.rich_text import expand_db_html

from lms.exports import SafeSpreadsheetExport
from lms.formatting import format_percent

from . import importers
from .blocks import QuizStreamBlock
from .importers import services as import_services
from .importers.gift_export import export_gift, quiz_items
from .models import QuizAttempt, QuizPage, VideoTranscode
from .selectors import quiz_results

FINISHED = ~Q(attempts__status=QuizAttempt.Status.OPEN)


def editable_quizzes(user):
    editable = PagePermissionPolicy().instances_user_has_permission_for(user, "change")
    return QuizPage.objects.filter(pk__in=editable.values("pk"))


def whole_percent(value):
    return "" if value is None else round(value)


EXPORT_PERCENT = {"csv": whole_percent, "xlsx": whole_percent}


class PercentColumn(Column):
    def get_value(self, instance):
        value = super().get_value(instance)
        return "—" if value is None else format_percent(value)


class QuizResultsIndexView(SafeSpreadsheetExport, ReportView):
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


class QuizResultsView(SafeSpreadsheetExport, ReportView):
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


# Importing and exporting questions -------------------------------------------------------------

IMPORT_TOKEN_SALT = "courses.import_questions"  # noqa: S105 (a salt, not a secret)
IMPORT_TOKEN_MAX_AGE = 60 * 60
# Digests of confirmed uploads, so a second click or the back button does not import twice.
SESSION_IMPORTED = "courses_imported_question_files"


class QuestionImportForm(forms.Form):
    file = forms.FileField(
        label=_("Question file"),
        help_text=_("A GIFT or Aiken text file in UTF-8, at most 1 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".gift,.txt,text/plain"}),
    )
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("", _("Recognise from the file")), *importers.FORMATS],
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importers.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)d KB; split it into smaller files.")
                % {"size": importers.MAX_FILE_BYTES // 1024}
            )
        return upload


class QuizQuestionsMixin(WagtailAdminTemplateMixin):
    """Views on one quiz's questions, for users who may edit the quiz."""

    header_icon = "help"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.quiz = get_object_or_404(QuizPage, pk=kwargs["quiz_id"])
        self.permissions = self.quiz.permissions_for_user(request.user)
        if not self.permissions.can_edit():
            raise PermissionDenied

    def get_page_subtitle(self):
        return self.quiz.get_admin_display_title()

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {
                "url": reverse("wagtailadmin_pages:edit", args=[self.quiz.pk]),
                "label": self.quiz.get_admin_display_title(),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["quiz"] = self.quiz
        context["edit_url"] = reverse("wagtailadmin_pages:edit", args=[self.quiz.pk])
        return context


class ImportQuestionsView(QuizQuestionsMixin, View):
    """Upload a file, then see every question it holds before anything is imported."""

    page_title = _("Import questions")
    template_name = "courses/admin/import_questions.html"
    preview_template_name = "courses/admin/import_questions_preview.html"

    def get(self, request, quiz_id):
        return self.render_to_response(self.get_context_data(form=QuestionImportForm()))

    def post(self, request, quiz_id):
        form = QuestionImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        content = upload.read()
        result = importers.read_questions(
            content,
            file_format=form.cleaned_data["file_format"] or None,
            filename=upload.name,
        )
        token = None
        if result.can_import:
            token = signing.dumps(
                {
                    "quiz": self.quiz.pk,
                    "user": request.user.pk,
                    "format": result.file_format,
                    "name": upload.name,
                    # Kept as decoded text: the confirmation reads it again, never trusting
                    # parsed questions sent back by the browser.
                    "text": content.decode("utf-8-sig"),
                },
                salt=IMPORT_TOKEN_SALT,
                compress=True,
            )
        return self.render_preview(result, filename=upload.name, token=token)

    def render_preview(self, result, *, filename, token):
        self.template_name = self.preview_template_name
        latest = self.quiz.get_latest_revision_as_object()
        context = self.get_context_data(
            result=result,
            filename=filename,
            token=token,
            questions=preview_questions(result.questions),
            n_existing=len(latest.questions),
            will_publish=import_services.publishes_on_import(
                quiz=self.quiz, user=self.request.user
            ),
            form=QuestionImportForm(initial={"file_format": ""}),
        )
        return self.render_to_response(context)


def preview_questions(questions):
    labels = {name: block.meta.label for name, block in QuizStreamBlock().child_blocks.items()}
    return [
        {
            "number": number,
            "line": question.line,
            "type": question.block_type,
            "type_label": labels[question.block_type],
            "value": question.value,
            "warnings": question.warnings,
            "is_default_points": Decimal(question.value.get("points") or 1) == 1,
        }
        for number, question in enumerate(questions, start=1)
    ]


class ConfirmImportView(ImportQuestionsView):
    """Import the previewed file: read again from the signed upload, then add to the quiz."""

    http_method_names = ["post"]

    def post(self, request, quiz_id):
        try:
            upload = signing.loads(
                request.POST.get("token", ""),
                salt=IMPORT_TOKEN_SALT,
                max_age=IMPORT_TOKEN_MAX_AGE,
            )
        except signing.SignatureExpired:
            messages.error(request, _("The preview has expired. Upload the file again."))
            return redirect("quiz_questions:import", quiz_id=self.quiz.pk)
        except signing.BadSignature:
            messages.error(request, _("The upload could not be read. Upload the file again."))
            return redirect("quiz_questions:import", quiz_id=self.quiz.pk)
        if upload["quiz"] != self.quiz.pk or upload["user"] != request.user.pk:
            raise PermissionDenied

        digest = hashlib.sha256(request.POST["token"].encode()).hexdigest()
        imported = request.session.get(SESSION_IMPORTED, [])
        if digest in imported:
            messages.warning(request, _("These questions have already been imported."))
            return redirect("wagtailadmin_pages:edit", self.quiz.pk)

        result = importers.read_questions(
            upload["text"].encode(), file_format=upload["format"], filename=upload["name"]
        )
        if not result.can_import:
            return self.render_preview(result, filename=upload["name"], token=None)
        try:
            revision = import_services.import_questions(
                quiz=self.quiz, blocks=result.blocks, user=request.user
            )
        except import_services.ImportRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("quiz_questions:import", quiz_id=self.quiz.pk)
        request.session[SESSION_IMPORTED] = [*imported[-19:], digest]

        n = len(result.questions)
        if import_services.is_published(revision):
            message = ngettext(
                "%(n)d question was added to “%(quiz)s” and published.",
                "%(n)d questions were added to “%(quiz)s” and published.",
                n,
            )
        else:
            message = ngettext(
                "%(n)d question was added to “%(quiz)s” as a draft. Publish the quiz when "
                "it is ready.",
                "%(n)d questions were added to “%(quiz)s” as a draft. Publish the quiz when "
                "they are ready.",
                n,
            )
        messages.success(
            request,
            message % {"n": n, "quiz": self.quiz.get_admin_display_title()},
            buttons=[
                messages.button(
                    reverse("wagtailadmin_pages:edit", args=[self.quiz.pk]), _("Edit quiz")
                )
            ],
        )
        return redirect("wagtailadmin_pages:edit", self.quiz.pk)


class ExportQuestionsView(QuizQuestionsMixin, View):
    """The quiz's questions as a GIFT file, from its latest revision (what the editor shows)."""

    def get(self, request, quiz_id):
        latest = self.quiz.get_latest_revision_as_object()
        text = export_gift(
            quiz_items(latest.questions, expand_links=expand_db_html),
            heading=_("Quiz “%(quiz)s”, exported from Komek on %(date)s")
            % {"quiz": latest.title, "date": datetime.date.today().isoformat()},
        )
        response = HttpResponse(text, content_type="text/plain; charset=utf-8")
        # Slugs may be Cyrillic: RFC 6266 filename* keeps them readable.
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"quiz-{self.quiz.slug}-gift.txt"
        )
        return response


def video_transcode_status(request, media_id):
    """How far a video's renditions are, for its edit page to refresh while they are made."""
    from wagtailmedia import get_permission_policy
    from wagtailmedia.models import get_media_model

    media = get_object_or_404(get_media_model(), pk=media_id, type="video")
    policy = get_permission_policy()
    if not policy.user_has_permission_for_instance(request.user, "change", media):
        # Not PermissionDenied: the admin would answer a poll with a redirect to its home page.
        return HttpResponseForbidden()
    response = TemplateResponse(
        request,
        "courses/admin/video_transcode_state.html",
        {"media": media, "transcode": VideoTranscode.objects.filter(media=media).first()},
    )
    response["Cache-Control"] = "no-store"
    return response
