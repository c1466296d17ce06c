"""New accounts confirm their email address before they can log in.

Sign-up and the application to join answer every address the same way ("check your email"), so
neither tells a visitor whether an account exists (OWASP: account enumeration). What differs goes
to the address itself: a new account gets a link that confirms it; the owner of an existing one
is told that somebody used their address, with links to log in or reset the password.
"""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlencode, urlsafe_base64_encode

from .models import User


class ConfirmationTokenGenerator(PasswordResetTokenGenerator):
    """Signed, expiring after PASSWORD_RESET_TIMEOUT, and spent by the first log-in."""

    key_salt = "lms.accounts.confirmation"

    def _make_hash_value(self, user, timestamp):
        login_timestamp = (
            user.last_login.replace(microsecond=0, tzinfo=None) if user.last_login else ""
        )
        return f"{user.pk}{user.password}{user.email}{user.is_active}{login_timestamp}{timestamp}"


confirmation_token = ConfirmationTokenGenerator()


def is_unconfirmed(user):
    """Signed up, never confirmed: inactive and never logged in (a deactivated account has)."""
    return not user.is_active and user.last_login is None


def existing_account(email):
    return User.objects.filter(email__iexact=email.strip()).first()


def register(*, form, request, next_url="", language=None, before_save=None):
    """A new account from a valid sign-up form, or a message to the address's owner.

    The caller answers "check your email" either way. The new account stays inactive until its
    link is opened and the password given here is typed again. `before_save(user)` fills in the
    rest of an application in the same transaction; it is not called for an address that
    already has an account. An address that signed up but never confirmed is signed up afresh:
    the latest form wins and earlier links stop working, so nobody can sign up with another's
    address first and set the password that address's owner would then confirm.
    """
    email = form.cleaned_data["email"].strip().lower()
    owner = existing_account(email)
    if owner is None or is_unconfirmed(owner):
        try:
            with transaction.atomic():
                if owner is not None:
                    owner.delete()
                user = form.save(commit=False)
                user.email = email
                user.is_active = False
                if language:
                    user.preferred_language = language
                if before_save is not None:
                    before_save(user)
                else:
                    user.save()
        except IntegrityError:
            # The same address signed up twice at once: the first one stands.
            owner = existing_account(email)
            if owner is None:
                raise
        else:
            send_link(user=user, request=request, next_url=next_url)
            return user
    # As long as a new account's password hash takes, so timing does not tell them apart either.
    make_password(form.cleaned_data.get("password1") or "")
    if not is_unconfirmed(owner):
        tell_owner(user=owner, request=request, next_url=next_url)
    return None


def send_link(*, user, request, next_url=""):
    """The confirmation link, in the user's own language."""
    with translation.override(user.preferred_language):
        path = reverse(
            "accounts:confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": confirmation_token.make_token(user),
            },
        )
        if next_url:
            path += "?" + urlencode({"next": next_url})
        deliver(user, "confirm", {"user": user, "link": request.build_absolute_uri(path)})


def tell_owner(*, user, request, next_url=""):
    """Someone signed up or applied with an address that already has an account."""
    with translation.override(user.preferred_language):
        login = reverse("accounts:login")
        if next_url:
            login += "?" + urlencode({"next": next_url})
        context = {
            "user": user,
            "login_link": request.build_absolute_uri(login),
            "reset_link": request.build_absolute_uri(reverse("accounts:password_reset")),
        }
        deliver(user, "account_exists", context)


def deliver(user, name, context):
    subject = render_to_string(f"accounts/email/{name}_subject.txt", context)
    body = render_to_string(f"accounts/email/{name}.txt", context)
    send_mail(" ".join(subject.split()), body, None, [user.email])


@transaction.atomic
def confirm(*, user) -> User:
    """The link was opened: the account can log in from now on."""
    user = User.objects.select_for_update().get(pk=user.pk)
    user.is_active = True
    user.save(update_fields=["is_active"])
    return user
