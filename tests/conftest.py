import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.utils import translation

from portal.accounts import roles
from portal.accounts.services import register_member
from portal.notifications import sms

PASSWORD = "correct-horse-battery-staple"


def using_postgres() -> bool:
    return settings.DATABASES["default"]["ENGINE"].endswith("postgresql")


def pytest_collection_modifyitems(config, items):
    """Service-bound tests skip locally when the service is absent, but under
    REQUIRE_SERVICES (CI) test settings already refuse to load without them."""
    for item in items:
        if "postgres" in item.keywords and not using_postgres():
            item.add_marker(pytest.mark.skip(reason="needs DATABASE_URL=postgres://..."))
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(pytest.mark.skip(reason="needs REDIS_URL"))
    _serialized_rollback_first(items)


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or marker.kwargs.get("serialized_rollback")):
        return True
    return bool({"transactional_db", "live_server"} & set(item.fixturenames))


def _serialized_rollback_first(items) -> None:
    """pytest-django runs transactional tests after the others (its hook runs first). A
    test with serialized rollback restores the migrated rows by primary key, which fails
    once another transactional test has flushed the tables and post_migrate has made the
    content types again under new ids; so such tests go first among the transactional."""
    serialized = [i for i in items if "django_db_serialized_rollback" in i.fixturenames]
    if not serialized:
        return
    rest = [i for i in items if "django_db_serialized_rollback" not in i.fixturenames]
    at = next((n for n, i in enumerate(rest) if _is_transactional(i)), len(rest))
    items[:] = rest[:at] + serialized + rest[at:]


@pytest.fixture(autouse=True)
def _isolated_outboxes():
    # Transactional tests flush and recreate content types under new ids.
    ContentType.objects.clear_cache()
    translation.activate("en")
    cache.clear()
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def role_groups(db):
    """The role groups of migration accounts.0002. Transactional tests flush tables, data
    migrations included, so they are recreated whenever missing."""
    if Group.objects.filter(name__in=roles.ROLE_PERMISSIONS).count() < len(roles.ROLE_PERMISSIONS):
        from django.apps import apps

        roles.sync_role_permissions(apps)


@pytest.fixture
def make_user(db, role_groups):
    counter = {"n": 0}

    def make(role: str | None = roles.MEMBER, **kwargs):
        counter["n"] += 1
        kwargs.setdefault("email", f"user{counter['n']}@example.com")
        kwargs.setdefault("first_name", "Test")
        kwargs.setdefault("last_name", f"User{counter['n']}")
        user = register_member(password=PASSWORD, **kwargs)
        if role:
            user.groups.add(Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def member(make_user):
    return make_user(roles.MEMBER, email="member@example.com")


@pytest.fixture
def member_client(client, member):
    client.force_login(member)
    return client
