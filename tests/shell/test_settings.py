"""Each settings mode, loaded in a fresh interpreter with a controlled environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3y-" + "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ" * 2
TERMINAL_KEY = "a-long-production-passphrase-for-terminal-secrets-0123456789"

PROBE = """
import json, django
from django.conf import settings
django.setup()
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "layer": settings.CHANNEL_LAYERS["default"]["BACKEND"],
    "cache": settings.CACHES["default"]["BACKEND"],
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "broker": settings.CELERY_BROKER_URL,
    "email": settings.EMAIL_BACKEND,
    "sms": settings.SMS_BACKEND,
    "debug": settings.DEBUG,
    "verification": settings.ACCOUNT_EMAIL_VERIFICATION,
    "mfa_staff": settings.MFA_REQUIRED_FOR_STAFF,
}))
"""


def load(module: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "DEBUG",
            "CI",
            "REQUIRE_SERVICES",
            "CELERY_TASK_ALWAYS_EAGER",
            "DJANGO_SETTINGS_MODULE",
            "MFA_REQUIRED_FOR_STAFF",
        }
    }
    clean.update(env, DJANGO_SETTINGS_MODULE=module)
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def loaded(module: str, **env: str) -> dict:
    result = load(module, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_dev_with_nothing_set_is_self_contained():
    config = loaded("portal.settings.dev")
    assert config["engine"] == "django.db.backends.sqlite3"
    assert config["layer"] == "channels.layers.InMemoryChannelLayer"
    assert config["cache"].endswith("LocMemCache")
    assert config["eager"] is True
    assert config["broker"] == "memory://"
    assert config["email"] == "django.core.mail.backends.console.EmailBackend"
    assert config["sms"] == "portal.notifications.sms.ConsoleBackend"
    assert config["debug"] is True


def test_database_and_redis_urls_switch_to_postgres_and_redis():
    config = loaded(
        "portal.settings.dev",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/test",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert config["engine"] == "django.db.backends.postgresql"
    assert config["layer"] == "channels_redis.core.RedisChannelLayer"
    assert config["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert config["broker"] == "redis://127.0.0.1:6379/0"
    assert config["eager"] is False


def test_test_settings_refuse_to_run_without_services_when_required():
    result = load("portal.settings.test", REQUIRE_SERVICES="1")
    assert result.returncode != 0
    assert "REQUIRE_SERVICES" in result.stderr


def test_production_refuses_the_default_secret_key():
    result = load("portal.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_short_secret_key():
    result = load("portal.settings.production", SECRET_KEY="short-but-not-default")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_the_dev_terminal_secret_key():
    result = load("portal.settings.production", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "TERMINAL_SECRET_KEYS" in result.stderr


def test_production_refuses_debug():
    result = load("portal.settings.production", SECRET_KEY=STRONG_KEY, DEBUG="true")
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_production_verifies_email_and_requires_staff_mfa():
    config = loaded(
        "portal.settings.production", SECRET_KEY=STRONG_KEY, TERMINAL_SECRET_KEYS=TERMINAL_KEY
    )
    assert config["debug"] is False
    assert config["verification"] == "mandatory"
    assert config["mfa_staff"] is True


def test_check_deploy_is_clean_under_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        SECRET_KEY=STRONG_KEY,
        TERMINAL_SECRET_KEYS=TERMINAL_KEY,
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        ALLOWED_HOSTS="club.example.com",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
