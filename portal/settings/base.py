"""Settings shared by every mode. Everything configurable is read from the environment
(a `.env` file in the project root is loaded first); README.md lists every variable."""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent.parent
load_dotenv(BASE_DIR / ".env")


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# The dev key is public: production.py refuses to start with it.
DEV_SECRET_KEY = "django-insecure-customer-club-development-key-do-not-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", DEV_SECRET_KEY)
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "daphne",
    "portal.shell",
    "portal.accounts",
    "portal.notifications",
    "portal.pages",
    "portal.audit",
    "portal.fraud",
    "cardgateway",
    "gamification",
    "tickets",
    "community",
    "community.forums",
    "community.contests",
    "community.surveys",
    "content",
    "reports",
    "automations",
    "cockpit",
    "imports",
    "kb",
    "showcase",
    "events",
    "wagtail.contrib.sitemaps",
    "django.contrib.sitemaps",  # the sitemap.xml template wagtail.contrib.sitemaps renders
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "channels",
    "csp",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication (no i18n_patterns, so CommonMiddleware does not need it first).
    "portal.shell.middleware.ClubLocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "portal.accounts.middleware.ReferralCaptureMiddleware",
    "portal.fraud.middleware.DeviceCookieMiddleware",
    "portal.accounts.middleware.StaffMFAMiddleware",
    "portal.accounts.middleware.StaffSessionMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

# Content-Security-Policy (django-csp): the portal's own pages run no inline script or
# style and load nothing from elsewhere (tests/shell/test_csp.py checks the templates and
# the header; the browser tests fail on any violation). WebSockets are same-origin
# ('self' covers ws:/wss: of this host). The Wagtail and Django admins ship inline
# scripts of their own and are left out.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/cms/", "/django-admin/"],
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        # Video players of the showcase app (showcase/video.py PLAYER_HOSTS) only.
        "frame-src": [
            "'self'",
            "https://www.youtube-nocookie.com",
            "https://player.vimeo.com",
            "https://www.aparat.com",
        ],
        "frame-ancestors": ["'none'"],
    },
}
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

ROOT_URLCONF = "portal.urls"
ASGI_APPLICATION = "portal.asgi.application"
WSGI_APPLICATION = None

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "portal.shell.context_processors.shell",
            ],
        },
    },
]

# --- Services -------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
# Under Daphne each request runs in a thread of its own, so a persistent connection
# (CONN_MAX_AGE > 0) is never reused and piles up idle until max_connections is reached
# (bench/README.md). Connections are therefore closed after each request, or, with
# DATABASE_POOL_SIZE set, taken from psycopg's pool of at most that many per process.
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)
    if DATABASE_URL
    else {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}
}
DATABASE_POOL_SIZE = int(os.environ.get("DATABASE_POOL_SIZE", "0") or 0)
if DATABASE_URL and DATABASE_POOL_SIZE:
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": min(2, DATABASE_POOL_SIZE),
        "max_size": DATABASE_POOL_SIZE,
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "club"),
            "OPTIONS": {"pool_class": "portal.redis_pool.SharedConnectionPool"},
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                "prefix": os.environ.get("CHANNEL_LAYER_PREFIX", "club"),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Celery: Redis is the broker when configured; otherwise tasks run in-process, eagerly.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_SERIALIZER = "json"
CELERY_TIMEZONE = "Asia/Tehran"
CELERY_BEAT_SCHEDULE: dict = {
    "reevaluate-tiers": {
        "task": "gamification.tasks.reevaluate_tiers",
        "schedule": crontab(hour=3, minute=15),
    },
    "tickets-auto-close-waiting": {
        "task": "tickets.tasks.auto_close_waiting",
        "schedule": crontab(minute="*/15"),
    },
    "tickets-flag-sla-breaches": {
        "task": "tickets.tasks.flag_sla_breaches",
        "schedule": crontab(minute="*/5"),
    },
    "accounts-erase-due-accounts": {
        "task": "portal.accounts.tasks.erase_due_accounts",
        "schedule": crontab(minute=20),
    },
    "fraud-scan": {
        "task": "portal.fraud.tasks.scan_fraud",
        "schedule": crontab(minute="*/15"),
    },
    "accounts-purge-retention": {
        "task": "portal.accounts.tasks.purge_retention",
        "schedule": crontab(hour=4, minute=40),
    },
    "contests-close": {
        "task": "community.contests.tasks.close_contests",
        "schedule": crontab(minute="*/5"),
    },
    "automations-birthdays": {
        "task": "automations.tasks.send_birthday_greetings",
        "schedule": crontab(hour=9, minute=0),
    },
    "automations-winback": {
        "task": "automations.tasks.send_winback_offers",
        "schedule": crontab(hour=10, minute=30),
    },
    "automations-welcome": {
        "task": "automations.tasks.welcome_new_members",
        "schedule": crontab(minute=45),
    },
    "automations-expire-points": {
        "task": "automations.tasks.expire_points",
        "schedule": crontab(hour=2, minute=30),
    },
    "cockpit-send-due-campaigns": {
        "task": "cockpit.tasks.send_due_campaigns",
        "schedule": crontab(),
    },
    "reports-purge-old-exports": {
        "task": "reports.tasks.purge_old_exports",
        "schedule": crontab(hour=4, minute=50),
    },
}

# --- Mail and SMS ----------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Customer Club <club@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SMS_BACKEND = os.environ.get("SMS_BACKEND", "portal.notifications.sms.ConsoleBackend")
SMS_FILE_PATH = os.environ.get("SMS_FILE_PATH", str(BASE_DIR / "var" / "sms"))
SMS_HTTP_URL = os.environ.get("SMS_HTTP_URL", "")
SMS_HTTP_TOKEN = os.environ.get("SMS_HTTP_TOKEN", "")
SMS_SENDER = os.environ.get("SMS_SENDER", "CustomerClub")

# --- Accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "portal.accounts.auth_backends.ClubAuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:panel"

ACCOUNT_ADAPTER = "portal.accounts.adapter.ClubAccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email", "phone"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "phone", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "portal.accounts.forms.SignupExtraForm"
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PHONE_VERIFICATION_ENABLED = True
# Members registered at the till have no password: they log in with a code sent by SMS
# (or e-mail), which also verifies the mobile.
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
# Six digits: easy to type from an SMS on any phone keyboard.
ACCOUNT_PHONE_VERIFICATION_CODE_FORMAT = {"numeric": True, "length": 6, "dashed": False}
ACCOUNT_RATE_LIMITS_ENABLED = True  # allauth's defaults: login, signup, reset, codes
ACCOUNT_PREVENT_ENUMERATION = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Customer Club"
# Production turns this on: staff roles must enrol TOTP before using any page.
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", False)
# A staff session ends after this long without a request (members: SESSION_COOKIE_AGE).
STAFF_SESSION_IDLE_MINUTES = int(os.environ.get("STAFF_SESSION_IDLE_MINUTES", "120"))

# Referral codes carried in `?ref=CODE` are remembered this long in the session.
REFERRAL_SESSION_KEY = "club_referral_code"

# --- Languages ------------------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("fa", _("Persian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Tehran")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "club_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and uploaded files --------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Ticket attachments: never under MEDIA_ROOT, only sent by a view that checks who asks.
TICKET_FILES_ROOT = Path(os.environ.get("TICKET_FILES_ROOT", BASE_DIR / "var" / "ticket-files"))
# Report exports (reports app): outside MEDIA_ROOT too, sent only to club managers; removed
# after REPORT_EXPORT_KEEP_DAYS by reports.tasks.purge_old_exports.
PRIVATE_EXPORT_ROOT = Path(os.environ.get("PRIVATE_EXPORT_ROOT", BASE_DIR / "var" / "exports"))
REPORT_EXPORT_KEEP_DAYS = int(os.environ.get("REPORT_EXPORT_KEEP_DAYS", "7"))
TICKET_TRACK_RATE = os.environ.get("TICKET_TRACK_RATE", "10/m")  # tracking page, per client
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Wagtail ------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "Customer Club"
WAGTAILADMIN_BASE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = [
    "csv",
    "docx",
    "mp4",
    "odt",
    "pdf",
    "pptx",
    "txt",
    "webm",
    "xlsx",
    "zip",
]  # fmt: skip - mp4/webm: showcase video files
WAGTAIL_I18N_ENABLED = False

# --- Security shared by all modes ---------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the notification JS never reads it; forms carry the token
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # Wagtail logs every page change and background task at INFO; keep the console useful.
    "loggers": {name: {"level": "WARNING"} for name in ("wagtail", "django_tasks", "modelsearch")},
}

# --- Card gateway (GATEWAY.md) ----------------------------------------------------------
# 6-digit issuer prefix of every card number.
CARD_ISSUER_PREFIX = os.environ.get("CARD_ISSUER_PREFIX", "603799")
# Keys that encrypt terminal secrets at rest, newest first (Fernet keys or passphrases).
# The dev key is public: production.py refuses to start with it.
DEV_TERMINAL_SECRET_KEY = "customer-club-development-terminal-key"  # noqa: S105
TERMINAL_SECRET_KEYS = env_list("TERMINAL_SECRET_KEYS", DEV_TERMINAL_SECRET_KEY)
# Bodies larger than this are refused before they are read (the largest valid one is ~200).
GATEWAY_MAX_BODY_BYTES = int(os.environ.get("GATEWAY_MAX_BODY_BYTES", "2048"))
# Nonces are remembered 600 s in this cache (Redis when REDIS_URL is set).
GATEWAY_NONCE_CACHE = "default"
