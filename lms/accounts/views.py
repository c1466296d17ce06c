"""Sign-up, log-in and profile pages for volunteers."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme, urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_ratelimit.core import is_ratelimited
from django_ratelimit.decorators import ratelimit

from lms.language_switch import landing_url
from lms.network import client_key

from . import confirmation
from .forms import ConfirmForm, ProfileForm, SignupForm
from .models import User


def remember_language(response, language):
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
    )
    return response


def switch_to_user_language(request, user, url):
    """Redirect to `url` in the user's preferred language and keep that choice in the cookie:
    where the language switch would land (a page in one language only keeps its address)."""
    language = user.preferred_language
    translation.activate(language)
    target = f"/{language}/" if url == "/" else landing_url(request, url, language)
    return remember_language(redirect(target), language)


def next_url(request, default="/"):
    """The `next` parameter when it points back into this site; never an open redirect."""
    url = request.POST.get("next") or request.GET.get("next")
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


def login_name(request, credentials):
    """The account a login attempt names, as django-axes counts it: the email, in lower case."""
    name = (credentials or {}).get("username") or request.POST.get("username", "")
    return name.strip().lower() or None


def locked_out(request, original_response=None, credentials=None):
    """What django-axes answers once an account or an address has too many wrong passwords."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    response = render(request, "accounts/locked_out.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        login(self.request, form.get_user())
        return switch_to_user_language(self.request, form.get_user(), self.get_success_url())


@require_http_methods(["GET", "POST"])
@ratelimit(
    key=client_key,
    rate=lambda group, request: settings.SIGNUP_RATE_LIMIT,
    method="POST",
    block=False,
)
def signup(request):
    if request.user.is_authenticated:
        return redirect("/")
    if request.method == "POST":
        form = SignupForm(request.POST)
        if getattr(request, "limited", False):
            form.is_valid()
            form.add_error(
                None, _("Too many new accounts from your network. Try again in an hour.")
            )
        elif form.is_valid():
            confirmation.register(
                form=form, request=request, next_url=next_url(request, default="")
            )
            return check_email(request, form.cleaned_data["email"])
    else:
        form = SignupForm(initial={"preferred_language": translation.get_language()})
    return render(request, "accounts/signup.html", {"form": form})


def check_email(request, email):
    """The one answer to a sign-up or an application, whether the address had an account."""
    return render(request, "accounts/check_email.html", {"email": email})


@require_http_methods(["GET", "POST"])
def confirm(request, uidb64, token):
    """The link from the confirmation email. Opening it shows a button, so a mail scanner that
    fetches links does not spend it; pressing it activates the account and logs in."""
    try:
        user = User.objects.get(pk=urlsafe_base64_decode(uidb64).decode())
    except (ValueError, OverflowError, UnicodeDecodeError, User.DoesNotExist):
        user = None
    is_valid = (
        user is not None
        and confirmation.is_unconfirmed(user)
        and confirmation.confirmation_token.check_token(user, token)
    )
    if not is_valid:
        return render(request, "accounts/confirm.html", {"is_valid": False}, status=400)
    form = ConfirmForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = confirmation.confirm(user=user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your address is confirmed. Welcome to Komek!"))
        return switch_to_user_language(request, user, next_url(request))
    return render(
        request,
        "accounts/confirm.html",
        {
            "is_valid": True,
            "form": form,
            "email": user.email,
            "next": next_url(request, default=""),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=request.user)
        if form.is_valid():
            user = form.save()
            messages.success(request, _("Your profile has been saved."))
            return switch_to_user_language(request, user, request.path)
    else:
        form = ProfileForm(instance=request.user)
    return render(request, "accounts/profile.html", {"form": form})


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset by email, limited per client address and per address asked for, so the
    form cannot be used to flood someone's mailbox."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        rate = settings.PASSWORD_RESET_RATE_LIMIT
        by_client = is_ratelimited(
            self.request, group="accounts.password_reset", key=client_key, rate=rate, increment=True
        )
        by_email = is_ratelimited(
            self.request,
            group="accounts.password_reset.email",
            key=lambda group, request: email,
            rate=rate,
            increment=True,
        )
        if by_client or by_email:
            form.add_error(None, _("Too many reset requests. Try again in an hour."))
            return self.form_invalid(form)
        return super().form_valid(form)
