"""Django's and Wagtail's own words that Komek's pages show but their catalogues lack in Kazakh
(where Kazakh fell back to Russian), marked here so that `make messages` extracts them.

lms/locale holds their translations; Django reads LOCALE_PATHS after, and over, its own and
Wagtail's catalogues. Nothing imports this module: the marks are for makemessages. The msgids
must stay exactly Django's and Wagtail's (their curly apostrophes included);
tests/lms/test_upstream_strings.py shows them on the forms in Kazakh.
"""

from django.utils.translation import gettext_noop, ngettext_lazy, pgettext_lazy

# django.contrib.auth: sign-up, log-in and new-password forms, the password validators.
AUTH = [
    gettext_noop("Password confirmation"),
    gettext_noop("New password confirmation"),
    gettext_noop("Enter the same password as before, for verification."),
    gettext_noop("The two password fields didn’t match."),
    gettext_noop(
        "Please enter a correct %(username)s and password. Note that both fields may be "
        "case-sensitive."
    ),
    gettext_noop("The password is too similar to the %(verbose_name)s."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("This password is too common."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("This password is entirely numeric."),
    gettext_noop("Your password can’t be entirely numeric."),
]
AUTH_COUNTED = [
    ngettext_lazy(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        "min_length",
    ),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
]

# Django's form fields and validators on the forms members fill in (join, hours, profile).
FORMS = [
    gettext_noop("Enter a valid email address."),
    gettext_noop(
        "File extension “%(extension)s” is not allowed. Allowed extensions are: "
        "%(allowed_extensions)s."
    ),
]
FORMS_COUNTED = [
    ngettext_lazy(
        "Ensure this value has at least %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at least %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure this value has at most %(limit_value)d character (it has %(show_value)d).",
        "Ensure this value has at most %(limit_value)d characters (it has %(show_value)d).",
        "limit_value",
    ),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s digit in total.",
        "Ensure that there are no more than %(max)s digits in total.",
        "max",
    ),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s decimal place.",
        "Ensure that there are no more than %(max)s decimal places.",
        "max",
    ),
    ngettext_lazy(
        "Ensure that there are no more than %(max)s digit before the decimal point.",
        "Ensure that there are no more than %(max)s digits before the decimal point.",
        "max",
    ),
    ngettext_lazy(
        "Ensure this filename has at most %(max)d character (it has %(length)d).",
        "Ensure this filename has at most %(max)d characters (it has %(length)d).",
        "max",
    ),
]

# Month names as Django's date format "E" prints them inside a date (lms/formats/kk): Kazakh
# writes them in lower case there, "2026 ж. 2 желтоқсан"; Django's Kazakh has them capitalised.
MONTHS_IN_DATES = [
    pgettext_lazy("alt. month", "January"),
    pgettext_lazy("alt. month", "February"),
    pgettext_lazy("alt. month", "March"),
    pgettext_lazy("alt. month", "April"),
    pgettext_lazy("alt. month", "May"),
    pgettext_lazy("alt. month", "June"),
    pgettext_lazy("alt. month", "July"),
    pgettext_lazy("alt. month", "August"),
    pgettext_lazy("alt. month", "September"),
    pgettext_lazy("alt. month", "October"),
    pgettext_lazy("alt. month", "November"),
    pgettext_lazy("alt. month", "December"),
]

# Wagtail's page listing header ("1-20 of 45 pages"), which its Russian catalogue lacks too, and
# the words around it and its pagination. Wagtail ships no Kazakh at all.
WAGTAIL_PAGE_LISTING = [
    gettext_noop("page"),
    gettext_noop("pages"),
    gettext_noop("%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s"),
    gettext_noop(
        "%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s across entire site."
    ),
    gettext_noop(
        "%(start_index)s-%(end_index)s of %(items_count)s %(model_name)s in "
        "'<span class=\"w-title-ellipsis\">%(title)s</span>'."
    ),
    gettext_noop("No results across entire site."),
    gettext_noop("No results in '<span class=\"w-title-ellipsis\">%(title)s</span>'."),
    gettext_noop("Search in '<span class=\"w-title-ellipsis\">%(title)s</span>'"),
    gettext_noop("Search the whole site"),
    gettext_noop("Pagination"),
    gettext_noop("Page %(page_num)s of %(total_pages)s"),
]
