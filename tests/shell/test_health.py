import pytest
from django.test import override_settings

from portal.shell import health

pytestmark = pytest.mark.django_db


def test_health_is_ok_when_services_answer(client):
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["checks"]["database"] is True
    from django.conf import settings

    assert ("redis" in body["checks"]) == bool(settings.REDIS_URL)


def test_health_is_503_when_the_database_fails(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise RuntimeError("database is down")

    monkeypatch.setattr(health.connection, "cursor", broken_cursor)
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable" and body["checks"]["database"] is False


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_health_is_503_when_redis_is_configured_but_down(client):
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": True, "redis": False}


def test_health_is_never_cached(client):
    assert "no-cache" in client.get("/health/")["Cache-Control"]
