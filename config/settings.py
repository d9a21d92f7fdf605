"""Debrief settings: one module, driven by environment variables.

With nothing set, Debrief runs embedded: a SQLite file next to manage.py and Celery tasks executed
in-process. Production sets DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis), SECRET_KEY,
DEBUG=false and ALLOWED_HOSTS. `.env.example` lists every variable.
"""

from pathlib import Path
from urllib.parse import urlsplit

import django_stubs_ext
import environ
from django.core.exceptions import ImproperlyConfigured

# Lets admin and form classes be subscripted at run time, as the type stubs write them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str(
    "SECRET_KEY",
    default="debrief-insecure-development-key-change-me-in-production-0123456789",
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "django_celery_beat",
    "rubrics",
    "loops",
    "hiring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "config.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Debrief API",
    "DESCRIPTION": (
        "Structured hiring: role profiles with level-specific rating anchors, interview loops, "
        "scorecards and calibrated committee packets."
    ),
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RatingEnum": "rubrics.models.Rating",
        "QuestionStatusEnum": "rubrics.models.QuestionStatus",
        "LoopStatusEnum": "loops.models.LoopStatus",
        "InterviewStatusEnum": "loops.models.InterviewStatus",
        "RequisitionStatusEnum": "hiring.models.RequisitionStatus",
        "ApplicationStatusEnum": "hiring.models.ApplicationStatus",
        "ScorecardStatusEnum": "hiring.models.ScorecardStatus",
        "VoteChoiceEnum": "hiring.models.VoteChoice",
        "PacketStatusEnum": "hiring.models.PacketStatus",
    },
}

# Celery: with no broker configured, tasks run in-process (the embedded default).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "default"
# Notifications and aggregation run on their own queues so a slow one never holds up the other;
# a worker must consume all three (`-Q default,notifications,aggregation`) or be split by queue.
CELERY_TASK_ROUTES = {
    "hiring.feedback_reminders_*": {"queue": "notifications"},
    "hiring.notify_*": {"queue": "notifications"},
    "hiring.packet_*": {"queue": "aggregation"},  # packet_refresh, packet_sweep_stale
    "hiring.calibration_*": {"queue": "aggregation"},
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# A silent broker must not hang a web request: bounded connect and socket timeouts, few retries.
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=2.0),
    "socket_connect_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=2.0),
    "max_retries": 1,
    # Seconds before Redis hands an unacknowledged task (its worker died) to another worker.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # How often a worker looks for such tasks: every interval x throttle seconds.
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 30)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Feedback reminders (hiring/reminders.py, run hourly by django-celery-beat) and the mail they use.
# A scorecard is late SCORECARD_REMINDER_HOURS after its interview ended; the interviewer is then
# reminded once a day, and the recruiter is told once when it is SCORECARD_ESCALATION_DAYS late.
SCORECARD_REMINDER_HOURS = env.int("SCORECARD_REMINDER_HOURS", default=24)
SCORECARD_ESCALATION_DAYS = env.int("SCORECARD_ESCALATION_DAYS", default=3)
# Where people reach Debrief: links in emails are built from it.
DEBRIEF_BASE_URL = env.str("DEBRIEF_BASE_URL", default="http://127.0.0.1:8000")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if "EMAIL_FILE_PATH" in env:
    EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Debrief <debrief@localhost>")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# A silent mail server must not hold a worker: seconds before an SMTP connection gives up.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# The aggregation pipeline (hiring/packets.py): refit the calibration after this many new
# scorecards, as well as nightly.
CALIBRATION_REFIT_EVERY = env.int("CALIBRATION_REFIT_EVERY", default=50)

# The decision webhook (hiring/notifications.py): every recorded or amended decision is POSTed to
# DECISION_WEBHOOK_URL, signed with HMAC-SHA256 under DECISION_WEBHOOK_SECRET, and retried with
# exponential backoff (DECISION_WEBHOOK_RETRY_BACKOFF seconds, doubling, at most 30 minutes apart)
# up to DECISION_WEBHOOK_MAX_RETRIES times. Empty URL: no webhook.
DECISION_WEBHOOK_URL = env.str("DECISION_WEBHOOK_URL", default="")
DECISION_WEBHOOK_SECRET = env.str("DECISION_WEBHOOK_SECRET", default="")
DECISION_WEBHOOK_TIMEOUT = env.float("DECISION_WEBHOOK_TIMEOUT", default=5.0)
DECISION_WEBHOOK_MAX_RETRIES = env.int("DECISION_WEBHOOK_MAX_RETRIES", default=8)
DECISION_WEBHOOK_RETRY_BACKOFF = env.int("DECISION_WEBHOOK_RETRY_BACKOFF", default=30)
DECISION_WEBHOOK_SECRET_MIN_LENGTH = 16


def decision_webhook_settings_check(
    *, url: str, secret: str, timeout: float = 5.0, max_retries: int = 8, backoff: int = 30
) -> None:
    """Refuse to start with a webhook that could not be trusted or sent: a receiver cannot tell
    an unsigned (or trivially signed) decision from a forged one, so a URL needs a real secret."""
    if timeout <= 0:
        raise ImproperlyConfigured("DECISION_WEBHOOK_TIMEOUT must be a positive number of seconds.")
    if max_retries < 0 or backoff < 1:
        raise ImproperlyConfigured(
            "DECISION_WEBHOOK_MAX_RETRIES must be 0 or more and DECISION_WEBHOOK_RETRY_BACKOFF "
            "at least 1 second."
        )
    if not url:
        return
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        raise ImproperlyConfigured("DECISION_WEBHOOK_URL must be an absolute http(s) URL.")
    if len(secret.strip()) < DECISION_WEBHOOK_SECRET_MIN_LENGTH:
        raise ImproperlyConfigured(
            "DECISION_WEBHOOK_URL is set, so DECISION_WEBHOOK_SECRET must be set too (at least "
            f"{DECISION_WEBHOOK_SECRET_MIN_LENGTH} characters; for example the output of "
            "`python -c 'import secrets; print(secrets.token_hex(32))'`): decisions are never "
            "sent unsigned."
        )


decision_webhook_settings_check(
    url=DECISION_WEBHOOK_URL,
    secret=DECISION_WEBHOOK_SECRET,
    timeout=DECISION_WEBHOOK_TIMEOUT,
    max_retries=DECISION_WEBHOOK_MAX_RETRIES,
    backoff=DECISION_WEBHOOK_RETRY_BACKOFF,
)
