"""Time-limited goals: do an action N times between two dates, get points or a badge."""

from django.db import transaction
from django.utils import timezone

from . import hooks, ledger
from .models import Award, Challenge, ChallengeProgress, Currency, EntryKind, MemberBadge


def progress(*, member, action: str, at=None) -> list[ChallengeProgress]:
    """Recount the member's live awards for `action` in every open challenge on it and pay
    the reward once when the target is reached. Idempotent (recount, keyed reward)."""
    at = at or timezone.now()
    rows = []
    for challenge in Challenge.objects.filter(action=action, starts_at__lte=at, ends_at__gte=at):
        count = Award.objects.filter(
            member=member,
            action=action,
            revoked_at__isnull=True,
            created_at__gte=challenge.starts_at,
            created_at__lte=challenge.ends_at,
        ).count()
        with transaction.atomic():
            row, _created = ChallengeProgress.objects.select_for_update().get_or_create(
                challenge=challenge, member=member
            )
            row.count = max(row.count, count) if row.completed_at else count
            if row.completed_at is None and count >= challenge.target:
                row.completed_at = at
                _reward(challenge=challenge, member=member)
            row.save()
        rows.append(row)
    return rows


def _reward(*, challenge: Challenge, member) -> None:
    if challenge.reward_points:
        ledger.post(
            member=member,
            currency=Currency.POINTS,
            amount=challenge.reward_points,
            kind=EntryKind.CHALLENGE,
            idempotency_key=f"challenge:{challenge.pk}:{member.pk}",
            subject=challenge,
            description=challenge.name,
        )
    if challenge.reward_badge_id:
        held_badge, created = MemberBadge.objects.get_or_create(
            member=member, badge_id=challenge.reward_badge_id
        )
        if created:
            hooks.badge_granted(member=member, member_badge=held_badge)
