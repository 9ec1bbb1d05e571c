"""Retention (issue 9): the daily purge of what the club no longer needs, on the periods
the club manager sets in PrivacySettings (Wagtail: Privacy settings). `purge()` runs from
Celery beat (portal.accounts.tasks.purge_retention) and as `manage.py purge_retention`.
It is idempotent: a second run finds nothing more to remove. Each run records what it
removed, as counts, in a PurgeRun row and a log line, and (when anything went) a system
entry in the staff audit trail.

Purged:
  - erased members' leftovers, `erased_purge_days` after the erasure: badges, challenge
    progress, current tier and tier history (engagement data with no accounting value);
    the erasure itself already removed every personal field (erasure.py);
  - read notifications created more than `read_notification_retention_days` ago;
  - the tills' refused-request log (cardgateway LimitHit) older than
    `limit_hit_retention_days`;
  - expired sessions;
  - staff audit entries older than `audit_retention_days`, never younger than
    AUDIT_RETENTION_FLOOR_DAYS (the PostgreSQL trigger checks the floor too), through
    `purge_audit`, the only approved way to delete audit entries.

Kept: the books (ledger entries and accounts, purchases, cards, awards, vouchers,
referrals), consent history of current members (the proof of their consent), the
pseudonymised user and blank profile rows the books point at, erasure requests (the proof
an erasure was done) and the purge runs themselves.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .models import AUDIT_RETENTION_FLOOR_DAYS, ErasureRequest, PrivacySettings, PurgeRun

logger = logging.getLogger(__name__)

# The floor is applied a day early, so a clock difference between this server and the
# database never makes the trigger refuse (and roll back) a whole purge.
FLOOR_MARGIN = timedelta(days=1)


class PurgeRefused(Exception):
    """purge_audit was asked for entries younger than the floor."""


def audit_floor(now: datetime | None = None) -> datetime:
    """The newest time an audit entry may have to be purged."""
    return (now or timezone.now()) - timedelta(days=AUDIT_RETENTION_FLOOR_DAYS) - FLOOR_MARGIN


def purge_audit(*, before: datetime, now: datetime | None = None) -> int:
    """Delete the audit entries created before `before`, which must not be later than
    audit_floor() (PurgeRefused otherwise, nothing deleted). One transaction; on PostgreSQL
    it sets `club.audit_purge` for that transaction only, the flag the append-only trigger
    lets a DELETE through with (the trigger checks the floor again), and unsets it right
    after. The model and its
    querysets keep refusing delete(): this is the one path. Returns how many went."""
    from portal.audit.models import AuditEntry

    if before > audit_floor(now):
        raise PurgeRefused(
            f"audit entries younger than {AUDIT_RETENTION_FLOOR_DAYS} days are never purged"
        )
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    postgres = connection.vendor == "postgresql"
    with transaction.atomic(), connection.cursor() as cursor:
        if postgres:
            cursor.execute("SET LOCAL club.audit_purge = 'on'")
        cursor.execute(f"DELETE FROM {table} WHERE created_at < %s", [before])  # noqa: S608
        count = cursor.rowcount
        if postgres:
            # Off again at once: called inside a longer transaction, the flag must not outlive
            # this statement. (Should the DELETE fail, rolling back undoes the SET as well.)
            cursor.execute("SET LOCAL club.audit_purge = 'off'")
    return count


def purge_erased_members(*, before: datetime, now: datetime | None = None) -> int:
    """Remove the engagement leftovers of members erased before `before` (see the module's
    docstring), one transaction per member, and mark each request purged. Returns how many
    members were purged."""
    from gamification.models import ChallengeProgress, MemberBadge, MemberTier, TierChange

    now = now or timezone.now()
    due = ErasureRequest.objects.filter(completed_at__lt=before, purged_at__isnull=True)
    purged = 0
    for request_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            erasure = (
                ErasureRequest.objects.select_for_update()
                .filter(pk=request_id, purged_at__isnull=True)
                .first()
            )
            if erasure is None:
                continue
            member_id = erasure.member_id
            for model in (MemberBadge, ChallengeProgress, TierChange, MemberTier):
                model.objects.filter(member_id=member_id).delete()
            erasure.purged_at = now
            erasure.save(update_fields=["purged_at"])
            purged += 1
    return purged


def purge_read_notifications(*, before: datetime) -> int:
    from portal.notifications.models import Notification

    return Notification.objects.filter(read_at__isnull=False, created_at__lt=before).delete()[0]


def purge_limit_hits(*, before: datetime) -> int:
    from cardgateway.models import LimitHit

    return LimitHit.objects.filter(created_at__lt=before).delete()[0]


def purge_expired_sessions(*, now: datetime | None = None) -> int:
    """Expired sessions (what `manage.py clearsessions` does), counted where they are rows."""
    from importlib import import_module

    from django.contrib.sessions.models import Session

    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db":
        return Session.objects.filter(expire_date__lt=now or timezone.now()).delete()[0]
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return 0


def purge(*, now: datetime | None = None) -> PurgeRun:
    """One retention run over every kind of data above, on the manager's current numbers.
    Returns the PurgeRun with the counts."""
    now = now or timezone.now()
    numbers = PrivacySettings.load()
    run = PurgeRun.objects.create(started_at=now)
    days = timedelta(days=1)
    counts = {
        "erased_members": purge_erased_members(
            before=now - numbers.erased_purge_days * days, now=now
        ),
        "read_notifications": purge_read_notifications(
            before=now - numbers.read_notification_retention_days * days
        ),
        "limit_hits": purge_limit_hits(before=now - numbers.limit_hit_retention_days * days),
        "expired_sessions": purge_expired_sessions(now=now),
        "audit_entries": purge_audit(
            before=min(now - numbers.audit_retention_days * days, audit_floor(now)), now=now
        ),
    }
    run.finished_at = timezone.now()
    run.counts = counts
    run.save(update_fields=["finished_at", "counts"])
    logger.info("retention purge %s: %s", run.pk, counts)
    if any(counts.values()):
        from portal.audit import services as audit

        audit.record(action=audit.Action.DATA_PURGED, target=run, **counts)
    return run
