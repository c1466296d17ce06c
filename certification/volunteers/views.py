"""A member's own pages: the application to join, the ladder of levels, and practical hours."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from courses.models import CoursePage
from courses.selectors import one_version_each
from lms.accounts import confirmation
from lms.network import client_key

from ..models import Certificate, Level, LevelAward, LevelRequirement, PracticalActivity, Volunteer
from ..recertification import selectors as recertification
from . import progression
from . import services as volunteers
from .forms import NAME_AND_PHONE, AccountForm, ActivityForm, ApplicationForm


def membership(user):
    if not user.is_authenticated:
        return None
    return Volunteer.objects.select_related("branch", "level").filter(user=user).first()


def newcomer_courses():
    """The courses the second level asks for, in the visitor's language where one exists."""
    second = Level.objects.order_by("rank")[1:2].first()
    if second is None:
        return []
    keys = LevelRequirement.objects.filter(
        level=second, kind=LevelRequirement.Kind.COURSE
    ).values_list("course__translation_key", flat=True)
    return localized_courses(keys)


def localized_courses(translation_keys):
    pages = CoursePage.objects.live().filter(translation_key__in=list(translation_keys))
    return one_version_each(pages.select_related("locale").order_by("path"))


def course_title(course):
    """The course's title marked with its own language, inside a sentence in the reader's
    (WCAG 3.1.2: the language of parts)."""
    return format_html('<span lang="{}">{}</span>', course.locale.language_code, course.title)


@require_http_methods(["GET", "POST"])
@ratelimit(
    key=client_key, rate=lambda group, request: settings.JOIN_RATE_LIMIT, method="POST", block=False
)
def join(request):
    """The application to join the movement; it creates the account too when there is none."""
    user = request.user if request.user.is_authenticated else None
    if user is not None and membership(user) is not None:
        messages.info(request, _("You are already a member of the movement."))
        return redirect("volunteer:ladder")
    initial = {}
    if user is not None:
        initial = {field: getattr(user, field) for field in NAME_AND_PHONE}
    form = ApplicationForm(request.POST or None, request.FILES or None, initial=initial)
    account_form = None
    if user is None:
        account_form = AccountForm(request.POST or None, prefix="account")
    if request.method == "POST" and getattr(request, "limited", False):
        # Each application lands in a coordinator's queue: scripts must not flood it.
        form.is_valid()
        form.add_error(None, _("Too many applications from your network. Try again in an hour."))
    elif request.method == "POST":
        forms_valid = form.is_valid() and (account_form is None or account_form.is_valid())
        if forms_valid and account_form is not None:
            # A visitor: the account waits for its address to be confirmed, and the page says
            # the same whether the address already had one (lms.accounts.confirmation).
            confirmation.register(
                form=account_form,
                request=request,
                next_url=reverse("volunteer:ladder"),
                language=request.LANGUAGE_CODE,
                before_save=lambda new_user: create_member(new_user, form.cleaned_data),
            )
            return render(
                request,
                "accounts/check_email.html",
                {"email": account_form.cleaned_data["email"]},
            )
        if forms_valid:
            try:
                with transaction.atomic():
                    create_member(user, form.cleaned_data)
            except (volunteers.VolunteerError, IntegrityError):
                # The same application sent twice at once: the first one stands.
                messages.info(request, _("You are already a member of the movement."))
                return redirect("volunteer:ladder")
            messages.success(
                request,
                _("Welcome to the movement! You are a newcomer: your next step is below."),
            )
            return redirect("volunteer:ladder")
    return render(
        request,
        "certification/volunteer/join.html",
        {"form": form, "account_form": account_form, "courses": newcomer_courses()},
    )


def create_member(user, data):
    """The applicant's name as printed and the membership; the caller holds the transaction."""
    for field in NAME_AND_PHONE:
        setattr(user, field, data[field].strip())
    user.save()
    volunteers.apply(
        user=user,
        branch=data["branch"],
        directions=data["directions"],
        city=data["city"].strip(),
        motivation=data["motivation"].strip(),
        photo=data["photo"],
    )
    return user


@login_required
def ladder(request):
    """Where the member stands: every level, the dates reached, and what the next one needs."""
    member = membership(request.user)
    if member is None:
        return render(request, "certification/volunteer/not_member.html", status=200)
    record = volunteers.record_of(member)
    standing = progression.standing(record, volunteers.ladder(), today=timezone.localdate())
    awards = {
        award.level_id: award
        for award in LevelAward.objects.filter(volunteer=member).order_by("requested_at")
    }
    steps = []
    for level in Level.objects.order_by("rank"):
        award = awards.get(level.pk)
        steps.append(
            {
                "level": level,
                "award": award,
                "is_current": level.pk == member.level_id,
                "is_reached": level.rank <= member.level.rank,
                "is_next": standing.next is not None and level.rank == standing.next.level.rank,
            }
        )
    next_award = None
    requirements = []
    if standing.next is not None:
        next_award = awards.get(
            Level.objects.values_list("pk", flat=True).get(rank=standing.next.level.rank)
        )
        courses = {
            str(page.translation_key): page
            for page in localized_courses(
                item.requirement.course
                for item in standing.next.requirements
                if item.requirement.course
            )
        }
        for item in standing.next.requirements:
            course = courses.get(item.requirement.course)
            requirements.append(
                {
                    "item": item,
                    "course": course,
                    "course_title": course_title(course) if course else None,
                    "percent": min(100, int(100 * item.have / item.need)) if item.need else 100,
                }
            )
    badge = (
        Certificate.objects.filter(holder=request.user, kind=Certificate.Kind.BADGE)
        .exclude(status=Certificate.Status.REPLACED)
        .first()
    )
    activities = member.activities.select_related("direction")[:10]
    return render(
        request,
        "certification/volunteer/ladder.html",
        {
            "member": member,
            "standing": standing,
            "steps": steps,
            "requirements": requirements,
            "lapses": [
                {
                    "lapse": lapse,
                    "course_title": course_title(lapse.course),
                    "refresher_title": course_title(lapse.refresher) if lapse.refresher else None,
                }
                for lapse in recertification.lapses_of(member, language=request.LANGUAGE_CODE)
            ],
            "next_award": next_award,
            "badge": badge,
            "activities": activities,
            "sign_offs": member.sign_offs.select_related("skill", "signed_by")[:10],
            "total_hours": record.total_hours,
        },
    )


def confirmed_hours(member):
    return (
        member.activities.filter(status=PracticalActivity.Status.CONFIRMED).aggregate(
            total=Sum("hours")
        )["total"]
        or 0
    )


@login_required
@require_http_methods(["GET", "POST"])
def hours(request):
    """Log practical activity; see what coordinators confirmed or rejected, and why."""
    member = membership(request.user)
    if member is None:
        return render(request, "certification/volunteer/not_member.html")
    form = ActivityForm(
        request.POST or None,
        initial={"date": timezone.localdate(), "direction": member.directions.first()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            volunteers.log_activity(volunteer=member, **form.cleaned_data)
        except volunteers.VolunteerError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request, _("Logged. A coordinator of your branch will confirm the hours.")
            )
            return redirect("volunteer:hours")
    activities = member.activities.select_related("direction", "reviewed_by")
    return render(
        request,
        "certification/volunteer/hours.html",
        {
            "member": member,
            "form": form,
            "activities": activities[:100],
            "total_hours": confirmed_hours(member),
            "n_pending": activities.filter(status=PracticalActivity.Status.PENDING).count(),
        },
    )
