"""The test suite. Uses PostgreSQL and Redis when DATABASE_URL / REDIS_URL are set; when
REQUIRE_SERVICES (or CI) is set, a missing service is an error, never a silent skip."""

import uuid

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CHANNEL_LAYERS, DATABASE_URL, REDIS_URL, env_bool

REQUIRE_SERVICES = env_bool("REQUIRE_SERVICES", env_bool("CI", False))
if REQUIRE_SERVICES and not (DATABASE_URL.startswith("postgres") and REDIS_URL):
    raise ImproperlyConfigured(
        "REQUIRE_SERVICES is set: DATABASE_URL must point at PostgreSQL and REDIS_URL at Redis."
    )

DEBUG = False
SECRET_KEY = "test-secret-key-only-for-the-test-suite-" + "x" * 20
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "portal.notifications.sms.LocmemBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
LANGUAGE_CODE = "en"
# One namespace per test process, so parallel or repeated runs never see each other.
_RUN = uuid.uuid4().hex[:8]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"test-{_RUN}",
        }
    }
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"test-{_RUN}"
# Serve static files from the source folders (no collectstatic needed for tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# Uploaded ticket files go to a throw-away folder per test run.
import tempfile  # noqa: E402
from pathlib import Path  # noqa: E402

TICKET_FILES_ROOT = Path(tempfile.mkdtemp(prefix="club-ticket-files-"))
