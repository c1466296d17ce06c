"""Komek settings, read from the environment.

With nothing set, Komek runs for development: SQLite under var/, a filesystem Celery broker that
needs no server, and a secret key generated once into var/. KOMEK_ENV=production turns on the
deployment checks and makes SECRET_KEY, ALLOWED_HOSTS and SITE_URL mandatory.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp import constants as csp
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KOMEK_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env(name, default=None):
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name, default=False):
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


def required(name):
    value = env(name)
    if value is None:
        raise ImproperlyConfigured(f"{name} must be set when KOMEK_ENV=production.")
    return value


KOMEK_ENV = env("KOMEK_ENV", "development")
if KOMEK_ENV not in {"development", "production"}:
    raise ImproperlyConfigured("KOMEK_ENV must be 'development' or 'production'.")
IS_PRODUCTION = KOMEK_ENV == "production"
DEBUG = env_bool("DEBUG", default=not IS_PRODUCTION)


def development_secret_key():
    """Generated once per checkout into an ignored file, so sessions survive restarts."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(64))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = (
    required("SECRET_KEY") if IS_PRODUCTION else env("SECRET_KEY") or development_secret_key()
)

# In development, QR codes and emails point at the port `make run` serves on.
SITE_URL = (
    required("SITE_URL")
    if IS_PRODUCTION
    else env("SITE_URL", f"http://127.0.0.1:{env('KOMEK_PORT', '8000')}")
).rstrip("/")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if IS_PRODUCTION else "127.0.0.1,localhost,[::1]")
if IS_PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when KOMEK_ENV=production.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", SITE_URL)

INSTALLED_APPS = [
    "lms",
    "lms.accounts",
    "courses",
    "certification",
    "demo",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.simple_translation",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "lms.accounts.apps.KomekUsersAppConfig",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.locales",
    "wagtail.admin",
    "wagtail",
    "wagtailmedia",
    "modelcluster",
    "taggit",
    "django_filters",
    # The API docs' Swagger UI from our own static files, never a CDN.
    "ninja",
    "csp",
    "django.contrib.auth",
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "lms.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "lms.middleware.KomekLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into our "too many attempts" page.
    "axes.middleware.AxesMiddleware",
]

# Login throttling (django-axes) on every login form, Komek's and the Wagtail admin's: after
# LOGIN_FAILURE_LIMIT wrong passwords for one account, or from one address, that account or
# address waits LOGIN_COOLOFF_MINUTES. A right password resets the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(env("LOGIN_FAILURE_LIMIT", "8"))
AXES_COOLOFF_TIME = timedelta(minutes=int(env("LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "lms.network.client_ip"
AXES_LOCKOUT_CALLABLE = "lms.accounts.views.locked_out"
# Login forms post the email as "username"; one account whatever the letter case.
AXES_USERNAME_CALLABLE = "lms.accounts.views.login_name"
AXES_VERBOSE = False

# Content-Security-Policy (django-csp): scripts, styles, fonts and media only from Komek itself;
# no inline script anywhere but in the Wagtail admin, whose panels still need it. Style
# attributes (progress bars) are allowed, <style> elements are not. Lesson videos from YouTube
# or Vimeo play in frames from CSP_FRAME_SOURCES. Tested in the browser: tests/e2e/test_csp.py.
CSP_FRAME_SOURCES = env_list(
    "CSP_FRAME_SOURCES",
    "https://www.youtube.com,https://www.youtube-nocookie.com,https://player.vimeo.com",
)
# Pages load uploads from the object storage's address, when there is one.
CSP_MEDIA_SOURCES = env_list("CSP_MEDIA_SOURCES")
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF],
        "style-src-attr": [csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:", *CSP_MEDIA_SOURCES],
        "media-src": [csp.SELF, "blob:", *CSP_MEDIA_SOURCES],
        "font-src": [csp.SELF, "data:"],
        # hls.js fetches video segments with XHR, from the storage when there is one.
        "connect-src": [csp.SELF, *CSP_MEDIA_SOURCES],
        "worker-src": [csp.SELF],
        "manifest-src": [csp.SELF],
        "frame-src": [csp.SELF, *CSP_FRAME_SOURCES],
        "frame-ancestors": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
    }
}
ADMIN_CONTENT_SECURITY_POLICY_UPDATE = {
    "script-src": [csp.UNSAFE_INLINE],
    "style-src": [csp.UNSAFE_INLINE],
    "img-src": ["blob:"],
}
# Wagtail's admin would otherwise ask releases.wagtail.org for news from every editor's browser.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# ...nor show editors' avatars from Gravatar, which would tell it who edits Komek.
WAGTAIL_GRAVATAR_PROVIDER_URL = None

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "lms" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "lms.context_processors.navigation",
            ],
        },
    },
]

# Database: DATABASE_URL (PostgreSQL in production), SQLite under var/ otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'komek.sqlite3'}"),
        conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "60" if IS_PRODUCTION else "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server and the Celery worker write to the same file: WAL and immediate
    # transactions keep them from failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory, so worker processes started by tests can open it; one per test run,
    # so runs in parallel do not clobber each other.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test_komek_{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

CACHE_URL = env("CACHE_URL")
if CACHE_URL and CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
    # Every signed-in request reads its session: from Redis, with the database behind it, so a
    # cache flush signs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Languages: Russian first (the default), Kazakh, English. Strings missing from the Kazakh
# catalogues (Wagtail has none) fall back to Russian, which Kazakh-speaking staff read.
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("kk", _("Kazakh")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "lms" / "locale"]
# Django's date and number formats as CLDR writes them (Django has none for Kazakh).
FORMAT_MODULE_PATH = ["lms.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = env("TIME_ZONE", "Asia/Almaty")
LANGUAGE_COOKIE_NAME = "komek_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"

WAGTAIL_I18N_ENABLED = True
# Slugs of Cyrillic titles in Latin letters ("alghashqy-komek"), transliterated by anyascii, as
# Wagtail's editor and Page.full_clean do when unicode slugs are off.
WAGTAIL_ALLOW_UNICODE_SLUGS = False
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_SITE_NAME = "Komek"
WAGTAILADMIN_BASE_URL = SITE_URL
# Wagtail's database backend; on PostgreSQL each page is stemmed in its locale's language (see
# lms/search.py). PostgreSQL has no Kazakh stemmer: Kazakh words are matched by their beginnings.
# After changing these, re-index: `manage.py update_index`.
WAGTAILSEARCH_BACKENDS = {
    "default": {
        "BACKEND": "lms.search",
        "SEARCH_CONFIGS": {"ru": "russian", "kk": "simple", "en": "english"},
        "PREFIX_MATCH_LANGUAGES": ["kk"],
    }
}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "odt", "pdf", "pptx", "txt", "vtt", "xlsx"]
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILMEDIA = {"MEDIA_MODEL": "wagtailmedia.Media"}
WAGTAIL_PASSWORD_RESET_ENABLED = True
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", BASE_DIR / "media"))
# Uploads, videos and certificate PDFs go to S3-compatible object storage (django-storages) when
# AWS_STORAGE_BUCKET_NAME is set, so several web and worker hosts share them; otherwise to
# MEDIA_ROOT. The bucket stays private: pages link uploads by URLs signed for
# AWS_QUERYSTRING_EXPIRE seconds, and certificate PDFs (under private/) are only ever streamed
# by the permission-checked view.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME")
USES_OBJECT_STORAGE = AWS_STORAGE_BUCKET_NAME is not None
AWS_S3_ENDPOINT_URL = env("AWS_S3_ENDPOINT_URL")  # MinIO, Ceph, a cloud's S3 API…
AWS_S3_REGION_NAME = env("AWS_S3_REGION_NAME")
AWS_ACCESS_KEY_ID = env("AWS_ACCESS_KEY_ID")
AWS_SECRET_ACCESS_KEY = env("AWS_SECRET_ACCESS_KEY")
AWS_S3_CUSTOM_DOMAIN = env("AWS_S3_CUSTOM_DOMAIN")
AWS_DEFAULT_ACL = None
AWS_QUERYSTRING_AUTH = env_bool("AWS_QUERYSTRING_AUTH", True)
AWS_QUERYSTRING_EXPIRE = int(env("AWS_QUERYSTRING_EXPIRE", str(6 * 3600)))
# A new file never replaces another of the same name, as on a filesystem: renditions and
# printed images are cached by name.
AWS_S3_FILE_OVERWRITE = False
AWS_S3_SIGNATURE_VERSION = "s3v4"
_S3 = "storages.backends.s3.S3Storage"
STORAGES = {
    "default": (
        {"BACKEND": _S3, "OPTIONS": {"location": "public"}}
        if USES_OBJECT_STORAGE
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Where pages load uploads from when it is not the site itself ("" with files on disk). The
# service worker keeps an offline course's files from there too.
STORAGE_ORIGIN = ""
if USES_OBJECT_STORAGE:
    _parts = urlsplit(AWS_S3_ENDPOINT_URL or "")
    STORAGE_ORIGIN = (
        f"https://{AWS_S3_CUSTOM_DOMAIN}"
        if AWS_S3_CUSTOM_DOMAIN
        else f"{_parts.scheme}://{_parts.netloc}"
        if AWS_S3_ENDPOINT_URL
        else f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com"
    )
    # The bucket's CORS rules must allow GET (with Range) from SITE_URL: hls.js's requests and
    # "Download for offline" read files from there (README: AWS_STORAGE_BUCKET_NAME).
    for _directive in ("img-src", "media-src", "connect-src"):
        CONTENT_SECURITY_POLICY["DIRECTIVES"][_directive].append(STORAGE_ORIGIN)
# Documents (captions among them) are served by Wagtail's view from the storage, never by a
# redirect to it: a caption track may not follow a redirect to another origin, and the offline
# copy stores them under the site's own address.
WAGTAILDOCS_SERVE_METHOD = "serve_view"

# Email: console in development, SMTP from the environment in production.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if IS_PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Komek <noreply@komek.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL

# Celery: a filesystem broker by default, so a real worker runs with nothing installed.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_DIR = Path(env("CELERY_BROKER_DIR", VAR_DIR / "broker"))
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (CELERY_BROKER_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
    _default_result_backend = f"file://{CELERY_BROKER_DIR / 'results'}"
    (CELERY_BROKER_DIR / "results").mkdir(parents=True, exist_ok=True)
elif CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    _default_result_backend = CELERY_BROKER_URL
else:
    _default_result_backend = "rpc://"
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", _default_result_backend)
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# Work is acknowledged only once done, so a worker killed mid-task leaves it for another.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Publishing gives up quickly when the broker is down: the request goes on, the certificate stays
# pending, and the sweep below sends it again.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 3

# Public verification is rate-limited per client address (a fixed-window counter on the cache
# above, certification/certificates/verification.py; production needs the shared Redis cache).
# Behind a proxy, name the header with the client IP (the join form's limit reads it too).
VERIFY_RATE_LIMIT = env("VERIFY_RATE_LIMIT", "60/m")
# Applications to join land in coordinators' queues: a few per client address an hour.
JOIN_RATE_LIMIT = env("JOIN_RATE_LIMIT", "10/h")
# Accounts and password-reset emails, per client address (and per address asked for).
SIGNUP_RATE_LIMIT = env("SIGNUP_RATE_LIMIT", "10/h")
PASSWORD_RESET_RATE_LIMIT = env("PASSWORD_RESET_RATE_LIMIT", "5/h")
RATELIMIT_IP_META_KEY = env("RATELIMIT_IP_META_KEY")
BEAT_HEARTBEAT_SECONDS = float(env("BEAT_HEARTBEAT_SECONDS", "60"))
CELERY_BEAT_SCHEDULE = {
    # Beat notes the time as it sends this: `manage.py health` says when beat last ran.
    "heartbeat": {"task": "lms.heartbeat", "schedule": BEAT_HEARTBEAT_SECONDS},
    "close-expired-quiz-attempts": {"task": "courses.close_expired_attempts", "schedule": 300.0},
    "requeue-stale-certificates": {
        "task": "certification.requeue_stale_certificates",
        "schedule": 60.0,
    },
    "remind-expiring-certificates": {
        "task": "certification.remind_expiring_certificates",
        "schedule": 6 * 3600.0,
    },
    "advance-time-served": {"task": "certification.advance_time_served", "schedule": 6 * 3600.0},
    # Verifications are counted in the cache; this adds them to the certificates.
    "flush-verification-counts": {
        "task": "certification.flush_verification_counts",
        "schedule": 60.0,
    },
    # Events: no-shows and forgotten check-outs once an event has ended; reminders the day before.
    "close-ended-events": {"task": "certification.close_ended_events", "schedule": 900.0},
    "remind-upcoming-events": {"task": "certification.remind_upcoming_events", "schedule": 3600.0},
    "requeue-place-emails": {"task": "certification.requeue_place_emails", "schedule": 300.0},
    "transcode-untranscoded-videos": {
        "task": "courses.transcode_untranscoded_videos",
        "schedule": 600.0,
    },
    # Record book PDFs committed but never sent to a worker.
    "requeue-stale-record-books": {
        "task": "certification.requeue_stale_record_books",
        "schedule": 60.0,
    },
    # The statistics page's running totals: each change adds rows, folded into one per key.
    "fold-statistics": {"task": "certification.fold_statistics", "schedule": 600.0},
    # The statistics page's running totals recounted from the facts, at night (drift repaired).
    "reconcile-statistics": {
        "task": "certification.reconcile_statistics",
        "schedule": crontab(hour=3, minute=30),
    },
}


# Open Badges credentials are signed with an Ed25519 private key (PEM, PKCS#8). Its public half is
# published as a JWKS under CREDENTIAL_KEY_ID; a new key should get a new id.
def development_signing_key(path):
    """Generated once per checkout into an ignored file, so issued credentials keep verifying."""
    if not path.exists():
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        draft = path.with_name(f"{path.name}.{os.getpid()}")
        draft.touch(mode=0o600)
        draft.chmod(0o600)
        draft.write_bytes(pem)
        # The web server and the worker start together: link is atomic, so both get one key.
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text()


CREDENTIAL_SIGNING_KEY = (
    required("CREDENTIAL_SIGNING_KEY")
    if IS_PRODUCTION
    else env("CREDENTIAL_SIGNING_KEY") or development_signing_key(VAR_DIR / "issuer_ed25519.pem")
)
CREDENTIAL_KEY_ID = env("CREDENTIAL_KEY_ID", "key-1")
# Earlier signing keys, still published (JWKS, DID document) so what they signed keeps verifying:
# a JSON list of public JWKs, each with its old key id as "kid" (certification/certificates/keys.py)
CREDENTIAL_RETIRED_KEYS = env("CREDENTIAL_RETIRED_KEYS", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Wagtail's background tasks and page actions log every step at INFO.
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "modelsearch": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "pikepdf": {"level": "WARNING"},
    },
}

if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    # Wagtail's live preview shows pages in a same-origin frame; DENY would break authoring.
    X_FRAME_OPTIONS = "SAMEORIGIN"
    SILENCED_SYSTEM_CHECKS = ["security.W019"]
