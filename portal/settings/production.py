"""Production: refuses to start unless the secret key is strong and debug is off."""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    DEBUG,
    DEV_SECRET_KEY,
    DEV_TERMINAL_SECRET_KEY,
    SECRET_KEY,
    TERMINAL_SECRET_KEYS,
    env_bool,
)


def check_secret_key(key: str) -> None:
    if not key or key == DEV_SECRET_KEY or key.startswith("django-insecure"):
        raise ImproperlyConfigured("Set SECRET_KEY to a long random value in production.")
    if len(key) < 50 or len(set(key)) < 5:
        raise ImproperlyConfigured("SECRET_KEY must be at least 50 varied characters.")


if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")
check_secret_key(SECRET_KEY)
if not TERMINAL_SECRET_KEYS or DEV_TERMINAL_SECRET_KEY in TERMINAL_SECRET_KEYS:
    raise ImproperlyConfigured(
        "Set TERMINAL_SECRET_KEYS (e.g. a Fernet key) to encrypt terminal secrets in production."
    )

ACCOUNT_EMAIL_VERIFICATION = "mandatory"
MFA_REQUIRED_FOR_STAFF = env_bool("MFA_REQUIRED_FOR_STAFF", True)

SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
