"""Retention (issue 9): the daily purge removes, on the manager's periods, erased members'
leftovers, old read notifications, the tills' old refused-request log, expired sessions
and audit entries past their retention (through the one approved path), and nothing else."""

import io
from datetime import timedelta

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from cardgateway import services as gateway
from cardgateway.models import Branch, LimitHit
from gamification import ledger
from gamification.models import Badge, MemberBadge, MemberTier, Tier, TierChange
from portal.accounts import erasure, retention
from portal.accounts.models import ErasureRequest, PrivacySettings, PurgeRun
from portal.audit import services as audit
from portal.audit.models import Action, AppendOnlyError, AuditEntry
from portal.notifications.models import Notification
from portal.notifications.services import notify

pytestmark = pytest.mark.django_db

DAY = timedelta(days=1)


def ago(days: float):
    return timezone.now() - days * DAY


def _notification(member, *, days_old: float, read: bool) -> Notification:
    item = notify(member=member, kind="info", title="Hello")
    Notification.objects.filter(pk=item.pk).update(
        created_at=ago(days_old), read_at=ago(days_old) if read else None
    )
    return item


def _old_audit_entry(days_old: float) -> int:
    """An audit entry written `days_old` ago (raw INSERT: the model stamps the time)."""
    stamp = connection.ops.adapt_datetimefield_value(ago(days_old))
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditentry (action, target_type, target_repr, detail, "
            "user_agent, created_at) VALUES ('member_viewed', '', '', '{}', '', %s)",
            [stamp],
        )
    return AuditEntry.objects.order_by("-pk").values_list("pk", flat=True)[0]


# --- Notifications, limit hits, sessions -------------------------------------------------


def test_read_notifications_go_after_their_retention_unread_ones_stay(member):
    old_read = _notification(member, days_old=181, read=True)
    old_unread = _notification(member, days_old=400, read=False)
    young_read = _notification(member, days_old=10, read=True)
    run = retention.purge()
    assert run.counts["read_notifications"] == 1
    left = set(Notification.objects.values_list("pk", flat=True))
    assert left == {old_unread.pk, young_read.pk} and old_read.pk not in left


def test_the_limit_hit_log_keeps_its_period(db):
    branch = Branch.objects.create(code="b", name="B", city="C")
    terminal, _secret = gateway.create_terminal(branch=branch, name="T", terminal_id="T1")
    old = LimitHit.objects.create(kind="rate", terminal=terminal, detail="x", created_at=ago(366))
    young = LimitHit.objects.create(kind="rate", terminal=terminal, detail="y")
    assert retention.purge().counts["limit_hits"] == 1
    assert list(LimitHit.objects.values_list("pk", flat=True)) == [young.pk]
    assert not LimitHit.objects.filter(pk=old.pk).exists()


def test_expired_sessions_go_live_ones_stay(member):
    live = SessionStore()
    live["x"] = 1
    live.create()
    dead = SessionStore()
    dead["x"] = 2
    dead.create()
    Session.objects.filter(session_key=dead.session_key).update(expire_date=ago(1))
    assert retention.purge().counts["expired_sessions"] == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session_key]


def test_the_periods_are_the_managers(member):
    settings = PrivacySettings.load()
    settings.read_notification_retention_days = 5
    settings.save()
    _notification(member, days_old=6, read=True)
    assert retention.purge().counts["read_notifications"] == 1


# --- Erased members' leftovers -----------------------------------------------------------


@pytest.fixture
def erased(member):
    """A member with purchases, a badge and a tier, erased 31 days ago."""
    branch = Branch.objects.create(code="b", name="B", city="C")
    card = gateway.issue_card(member=member, branch=branch)
    gateway.post_purchase(txn_id="T-1", card_number=card.number, amount=1_000_000, branch=branch)
    badge = Badge.objects.create(slug="first", name="First")
    MemberBadge.objects.create(member=member, badge=badge)
    tier = Tier.objects.get_or_create(slug="gold", defaults={"name": "Gold", "threshold": 10**9})[0]
    MemberTier.objects.update_or_create(member=member, defaults={"tier": tier})
    TierChange.objects.create(member=member, to_tier=tier, reason="test")
    erasure.request_erasure(member=member, posts="keep", now=ago(45))
    erasure.erase_due_accounts(now=ago(31))
    return member


def _leftovers(member) -> int:
    return sum(
        model.objects.filter(member=member).count()
        for model in (MemberBadge, MemberTier, TierChange)
    )


def test_an_erased_members_leftovers_go_after_the_period_the_books_stay(erased):
    books = (erased.accounts.count(), ledger.balances(erased), erased.card_transactions.count())
    assert _leftovers(erased)
    run = retention.purge()
    assert run.counts["erased_members"] == 1
    assert _leftovers(erased) == 0
    assert ErasureRequest.objects.get(member=erased).purged_at is not None
    assert (
        erased.accounts.count(),
        ledger.balances(erased),
        erased.card_transactions.count(),
    ) == books
    assert ledger.audit() == []


def test_nothing_of_a_recently_erased_member_goes(erased):
    settings = PrivacySettings.load()
    settings.erased_purge_days = 60
    settings.save()
    assert retention.purge().counts["erased_members"] == 0
    assert _leftovers(erased)
    assert ErasureRequest.objects.get(member=erased).purged_at is None


def test_a_member_who_is_not_erased_keeps_everything(member, make_user):
    erasure.request_erasure(member=member, posts="keep", now=ago(100))  # pending forever
    badge = Badge.objects.create(slug="b", name="B")
    MemberBadge.objects.create(member=member, badge=badge)
    assert retention.purge().counts["erased_members"] == 0
    assert MemberBadge.objects.filter(member=member).exists()


# --- Runs are recorded and harmless twice --------------------------------------------------


def test_each_run_is_recorded_and_a_second_finds_nothing(erased):
    _notification(erased, days_old=200, read=True)
    first = retention.purge()
    assert first.finished_at and first.counts["erased_members"] == 1
    second = retention.purge()
    assert set(second.counts.values()) == {0}
    assert PurgeRun.objects.count() == 2
    purged = AuditEntry.objects.get(action=Action.DATA_PURGED)  # only the run that removed
    assert purged.actor is None and purged.detail["erased_members"] == 1


def test_the_command_and_the_task_run_it(member):
    from portal.accounts.tasks import purge_retention

    _notification(member, days_old=200, read=True)
    out = io.StringIO()
    call_command("purge_retention", stdout=out)
    assert "read_notifications 1" in out.getvalue()
    assert purge_retention.delay().get()["read_notifications"] == 0


# --- The audit trail ---------------------------------------------------------------------


def test_audit_entries_past_their_retention_go_younger_ones_stay(member):
    old = _old_audit_entry(800)
    kept_by_setting = _old_audit_entry(700)
    young = audit.record(action=Action.MEMBER_VIEWED, target=member)
    run = retention.purge()
    assert run.counts["audit_entries"] == 1
    left = set(AuditEntry.objects.values_list("pk", flat=True))
    assert old not in left and {kept_by_setting, young.pk} <= left


def test_the_setting_cannot_go_below_the_floor(db):
    settings = PrivacySettings.load()
    settings.audit_retention_days = 30
    with pytest.raises(IntegrityError), transaction.atomic():
        settings.save()


def test_purge_audit_refuses_entries_younger_than_the_floor(member):
    young = _old_audit_entry(100)
    with pytest.raises(retention.PurgeRefused):
        retention.purge_audit(before=timezone.now())
    assert AuditEntry.objects.filter(pk=young).exists()


def test_the_orm_still_refuses_to_delete_audit_entries(member):
    old = _old_audit_entry(800)
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=old).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.get(pk=old).delete()
    assert AuditEntry.objects.filter(pk=old).exists()


@pytest.mark.postgres
def test_postgres_still_refuses_a_plain_delete_even_of_old_entries(member):
    old = _old_audit_entry(800)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [old])
    assert AuditEntry.objects.filter(pk=old).exists()


@pytest.mark.postgres
def test_postgres_refuses_the_purge_flag_on_young_entries_and_updates(member):
    young = _old_audit_entry(300)  # older than any setting could be but under the floor
    old = _old_audit_entry(800)
    for sql in (
        "DELETE FROM audit_auditentry WHERE id = %s",
        "UPDATE audit_auditentry SET action = 'moderated' WHERE id = %s",
    ):
        pk = young if sql.startswith("DELETE") else old
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL club.audit_purge = 'on'")
                cursor.execute(sql, [pk])
    assert AuditEntry.objects.filter(pk=young).exists()
    assert AuditEntry.objects.get(pk=old).action == Action.MEMBER_VIEWED


@pytest.mark.postgres
def test_postgres_lets_the_purge_remove_only_old_entries(member):
    old = _old_audit_entry(800)
    young = _old_audit_entry(10)
    assert retention.purge_audit(before=retention.audit_floor()) == 1
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [young]
    assert not AuditEntry.objects.filter(pk=old).exists()
    # The flag went with the purge, even inside this (the test's) longer transaction.
    another_old = _old_audit_entry(900)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [another_old])
    assert AuditEntry.objects.filter(pk=another_old).exists()
