"""The activity engine: callers say what happened, the engine decides what it pays.

    record(member=author, action=Action.COMMENT_POSTED, subject=post)
    revoke(subject=post)      # a moderator hid it: every award about it is taken back

Rules (EarningRule rows, edited by the club manager) give the points, the daily cap,
the minimum account age and whether removal takes the points back."""

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from . import ledger
from .models import Action, Award, Currency, EarningRule, EntryKind


@dataclass(frozen=True)
class Outcome:
    """What record() did: `awarded` points (0 when nothing), and why not if not."""

    awarded: int
    reason: str
    award: Award | None = None


def _day_start(now):
    local = timezone.localtime(now)
    return local.replace(hour=0, minute=0, second=0, microsecond=0)


def record(*, member, action: str, subject, actor=None, at=None) -> Outcome:
    """Pay `member` for `action` about `subject`, at most once per (member, action, subject)
    while the award stands. Honours the rule's daily cap (the last award of a day may be
    cut to fit), minimum account age, and never pays for one's own like or vote (`actor`
    is who did it). Idempotent; one transaction; locks the member's points account."""
    now = at or timezone.now()
    if action not in Action.values:
        raise ValueError(f"unknown action {action!r}")
    if actor is not None and actor.pk == member.pk and action in SELF_EXCLUDED:
        return Outcome(0, "self")
    rule = EarningRule.objects.filter(action=action, is_active=True).first()
    if rule is None or rule.points == 0:
        return Outcome(0, "no_rule")
    if member.date_joined > now - timedelta(days=rule.min_account_age_days):
        return Outcome(0, "account_too_new")
    if not member.is_active:
        return Outcome(0, "inactive")
    subject_type = ContentType.objects.get_for_model(subject)
    with transaction.atomic():
        ledger.lock_accounts([member], currencies=(Currency.POINTS,))
        live = Award.objects.filter(
            member=member,
            action=action,
            subject_type=subject_type,
            subject_id=subject.pk,
            revoked_at__isnull=True,
        ).first()
        if live is not None:
            return Outcome(0, "already_awarded", live)
        points = rule.points
        if rule.daily_cap:
            today = (
                Award.objects.filter(
                    member=member, action=action, created_at__gte=_day_start(now)
                ).aggregate(total=Sum("points"))["total"]
                or 0
            )
            points = min(points, rule.daily_cap - today)
            if points <= 0:
                return Outcome(0, "daily_cap")
        generation = Award.objects.filter(
            member=member, action=action, subject_type=subject_type, subject_id=subject.pk
        ).count()
        entry = ledger.post(
            member=member,
            currency=Currency.POINTS,
            amount=points,
            kind=EntryKind.AWARD,
            idempotency_key=(
                f"award:{member.pk}:{action}:{subject_type.pk}:{subject.pk}:{generation}"
            ),
            subject=subject,
            actor=actor,
            description=str(rule),
            at=now,
        )
        award = Award.objects.create(
            member=member,
            action=action,
            subject_type=subject_type,
            subject_id=subject.pk,
            points=points,
            entry=entry,
            created_at=now,
        )
    _after_award(member=member, action=action, at=now)
    return Outcome(points, "awarded", award)


# Liking or voting for oneself never pays.
SELF_EXCLUDED = frozenset({Action.LIKE_RECEIVED, Action.PHOTO_VOTE_RECEIVED})


def revoke(*, subject, actor=None, force: bool = False) -> int:
    """Take back every live award about `subject` (hidden post, withdrawn like) whose rule
    says so (all of them with `force`). Points never go below zero: when the member has
    already spent them, what is left is taken. Returns the points taken back."""
    subject_type = ContentType.objects.get_for_model(subject)
    taken = 0
    awards = Award.objects.filter(
        subject_type=subject_type, subject_id=subject.pk, revoked_at__isnull=True
    )
    revocable = set(
        EarningRule.objects.filter(revoke_on_removal=True).values_list("action", flat=True)
    )
    for award_id, member_id, action in awards.values_list("pk", "member_id", "action"):
        if not force and action not in revocable:
            continue
        with transaction.atomic():
            accounts = ledger.lock_accounts([member_id], currencies=(Currency.POINTS,))
            award = Award.objects.select_for_update().select_related("entry").get(pk=award_id)
            if award.revoked_at is not None:
                continue
            balance = accounts[(member_id, Currency.POINTS)].balance
            amount = min(award.points, balance)
            entry = None
            if amount > 0:
                entry = ledger.reverse(
                    entry=award.entry,
                    amount=amount,
                    kind=EntryKind.AWARD_REVOKED,
                    idempotency_key=f"revoke:{award.pk}",
                    actor=actor,
                    allow_negative=False,
                )
            award.revoked_at = timezone.now()
            award.revoked_entry = entry
            award.save(update_fields=["revoked_at", "revoked_entry"])
            taken += amount
        _after_award(member=award.member, action=action, at=award.revoked_at)
    return taken


def _after_award(*, member, action: str, at) -> None:
    """Tiers, badges and challenges follow the member's points (imported here: they in
    turn post through the ledger)."""
    from . import badges, challenges, tiers

    tiers.evaluate(member=member, reason=f"points from {action}", at=at)
    challenges.progress(member=member, action=action, at=at)
    badges.evaluate(member=member)
