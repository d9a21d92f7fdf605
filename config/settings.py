"""Debrief settings: one module, driven by environment variables.

With nothing set, Debrief runs embedded: a SQLite file next to manage.py and Celery tasks executed
in-process. Production sets DATABASE_URL (PostgreSQL), CELERY_BROKER_URL (Redis), SECRET_KEY,
DEBUG=false and ALLOWED_HOSTS. `.env.example` lists every variable.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import django_stubs_ext
import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

# Lets admin and form classes be subscripted at run time, as the type stubs write them.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
# Only for DEBUG=true; production refuses to start with it (secret_key_settings_check).
DEVELOPMENT_SECRET_KEY = "debrief-insecure-development-key-change-me-in-production-0123456789"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
SECRET_KEY_MIN_LENGTH = 50


def secret_key_settings_check(*, secret_key: str, debug: bool) -> None:
    """Refuse to start in production with a key anyone could know or guess: it signs sessions,
    password-reset links and CSRF tokens, so a weak one hands out every account."""
    if debug:
        return
    if secret_key == DEVELOPMENT_SECRET_KEY or not secret_key.strip():
        raise ImproperlyConfigured(
            "DEBUG is false, so SECRET_KEY must be set to a secret of your own; generate one "
            "with `python -c 'import secrets; print(secrets.token_urlsafe(50))'`."
        )
    if (
        len(secret_key) < SECRET_KEY_MIN_LENGTH
        or len(set(secret_key)) < 5
        or secret_key.startswith("django-insecure-")
    ):
        raise ImproperlyConfigured(
            f"SECRET_KEY is too weak for production: use at least {SECRET_KEY_MIN_LENGTH} random "
            "characters (`python -c 'import secrets; print(secrets.token_urlsafe(50))'`)."
        )


secret_key_settings_check(secret_key=SECRET_KEY, debug=DEBUG)

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "csp",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "rubrics",
    "loops",
    "hiring",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Records every 403 (pages, API, CSRF) in the audit log; after authentication, so it knows who.
    "config.middleware.AuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into its 429 page.
    "axes.middleware.AxesMiddleware",
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
# django-axes first: it refuses a locked-out username + address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
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
    "DEFAULT_PAGINATION_CLASS": "config.pagination.Pagination",
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
    # Swagger UI and ReDoc from the drf-spectacular-sidecar package: nothing loads from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
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

# No candidate PII in logs: every handler redacts email addresses and phone numbers from the
# message, its arguments and any traceback (config/log_redaction.py). Django's own loggers are
# pointed at the same handler so none of their records bypass it; Celery workers get the filter
# on the handlers they set up themselves.
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_pii": {"()": "config.log_redaction.RedactPIIFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_pii"],
        },
    },
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
        "django.server": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
}

# Security. Production (DEBUG=false) gets HTTPS-only cookies, an HTTPS redirect and HSTS by
# default; each can be changed through the environment (docs/operations.md, "Security").
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# A load balancer's plain-HTTP probe of /healthz must get its answer, not a redirect.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (and strips it from clients), trust
# it so Django knows the request was HTTPS. Never enable it without such a proxy in front.
if env.bool("TRUST_X_FORWARDED_PROTO", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)

# Content-Security-Policy (django-csp): everything from this origin, no inline script or style
# unless it carries the per-request nonce (`nonce="{{ request.csp_nonce }}"`), no plugins, no
# framing. Charts are inline SVG styled by attributes and static/css, so they need no exception.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    },
}

# Brute-force lockout (django-axes): AXES_FAILURE_LIMIT wrong passwords for one username from one
# address lock that pair out for AXES_COOLOFF_MINUTES (the sign-in page, the admin and the API
# token endpoint alike); a successful sign-in resets the count. Unlock early with
# `manage.py axes_reset_username USERNAME`. The client address is REMOTE_ADDR only: headers such
# as X-Forwarded-For are set by the client and would let an attacker pick a fresh address per try.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# Sign-ins and sign-outs are in the audit log (hiring/audit.py); axes keeps only failed attempts.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False

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

# Data retention (hiring/retention.py, nightly): a candidate whose applications are all rejected or
# withdrawn is anonymised this many days after the last decision or change; 0 disables it.
CANDIDATE_RETENTION_DAYS = env.int("CANDIDATE_RETENTION_DAYS", default=365)

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
