"""Audit entries are never changed or removed: not through the model, not through a
queryset, and on PostgreSQL not even through raw SQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from portal.audit import services as audit
from portal.audit.models import Action, AppendOnlyError, AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(member):
    return audit.record(action=Action.MEMBER_VIEWED, target=member, page="test")


def test_saving_an_existing_entry_is_refused(entry):
    entry.action = Action.BALANCE_ADJUSTED
    with pytest.raises(AppendOnlyError):
        entry.save()
    fetched = AuditEntry.objects.get(pk=entry.pk)
    with pytest.raises(AppendOnlyError):
        fetched.save()
    assert AuditEntry.objects.get(pk=entry.pk).action == Action.MEMBER_VIEWED


def test_deleting_an_entry_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda qs, e: qs.update(action=Action.MODERATED),
        lambda qs, e: qs.delete(),
        lambda qs, e: AuditEntry.objects.update(detail={}),
        lambda qs, e: AuditEntry.objects.all().delete(),
        lambda qs, e: AuditEntry.objects.bulk_update([e], ["action"]),
        lambda qs, e: AuditEntry.objects.update_or_create(pk=e.pk, defaults={"ip": None}),
    ],
)
def test_queryset_updates_and_deletes_are_refused(entry, change):
    with pytest.raises(AppendOnlyError):
        change(AuditEntry.objects.filter(pk=entry.pk), entry)
    assert AuditEntry.objects.get(pk=entry.pk).detail == {"page": "test"}


def test_the_member_cannot_be_deleted_while_entries_name_them(entry, member):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        member.delete()


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET action = 'moderated'",
        "UPDATE audit_auditentry SET ip = NULL, user_agent = ''",
        "DELETE FROM audit_auditentry",
    ],
)
def test_postgres_refuses_raw_updates_and_deletes(entry, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql)
    entry_now = AuditEntry.objects.get(pk=entry.pk)
    assert entry_now.action == Action.MEMBER_VIEWED and entry_now.user_agent == ""


@pytest.mark.postgres
def test_postgres_still_accepts_inserts(entry, member):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditentry (action, target_type, target_repr, detail, "
            "user_agent, created_at) VALUES ('moderated', '', '', '{}', '', now())"
        )
    assert AuditEntry.objects.count() == 2
