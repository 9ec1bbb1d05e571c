"""Leaderboards: who earned the most points this week, this month, ever; club-wide or per
home branch.

Read only from the pre-aggregates the ledger keeps under the account lock: DailyTotal (one
row per member per day, for "week" and "month") and Account.lifetime_earned (for "all"),
never from LedgerEntry. Every function runs a fixed number of queries, however many
members there are.

    top(period="week")                          -> [Row(rank, member_id, name, points), ...]
    rank_of(member=request.user, period="week") -> (rank or None, points)

Ranks are standard competition ranks: equal points share a rank and the next rank skips
(1, 2, 2, 4). Only members with more than zero points in the period are ranked."""

from datetime import date, timedelta
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone

from .models import Account, Currency, DailyTotal

WEEK, MONTH, ALL_TIME = "week", "month", "all"
# Period -> the number of local days it covers, today included (None: all time).
PERIOD_DAYS: dict[str, int | None] = {WEEK: 7, MONTH: 30, ALL_TIME: None}
PERIODS = tuple(PERIOD_DAYS)

# The portal's staff role names (portal.accounts.roles.STAFF_ROLES). Spelled out here
# because gamification imports no other app; keep the two lists in step. Staff are club
# employees, not competitors, so they never appear on a board.
STAFF_GROUPS = ("Moderator", "Support agent", "Cashier", "Club manager")

DEFAULT_LIMIT = 50


class Row(NamedTuple):
    rank: int
    member_id: int
    name: str
    points: int


def top(
    *, period: str, branch_id: int | None = None, limit: int = DEFAULT_LIMIT, at=None
) -> list[Row]:
    """The `limit` members with the most points in `period`, best first (ties by member
    id). Excludes staff, superusers and inactive users; with `branch_id`, only members
    whose home branch it is. Two queries: the totals, then the members' names."""
    _check(period)
    if limit <= 0:
        return []
    at = at or timezone.now()  # one instant for both ends of the window
    if PERIOD_DAYS[period] is None:
        best = list(
            _accounts(branch_id)
            .order_by("-lifetime_earned", "member_id")
            .values_list("member_id", "lifetime_earned")[:limit]
        )
    else:
        best = list(
            _period_totals(period, branch_id, at)
            .order_by("-points", "member_id")
            .values_list("member_id", "points")[:limit]
        )
    users = get_user_model().objects.select_related("profile").in_bulk([m for m, _ in best])
    rows: list[Row] = []
    for position, (member_id, points) in enumerate(best, start=1):
        # The list is sorted, so the rank of a tie is where its first member stands.
        rank = rows[-1].rank if rows and rows[-1].points == points else position
        user = users.get(member_id)
        rows.append(Row(rank, member_id, user.display_name if user else "", points))
    return rows


def rank_of(
    *, member, period: str, branch_id: int | None = None, at=None
) -> tuple[int | None, int]:
    """The member's (rank, points) on the board of `period` (and `branch_id`): one more
    than the number of ranked members with strictly more points. The rank is None when the
    member is not on that board: no points in the period, staff, inactive, or another
    home branch. Two queries, whatever the rank."""
    _check(period)
    at = at or timezone.now()
    points, eligible = _own_points(member, period, branch_id, at)
    if not eligible or points <= 0:
        return None, points
    if PERIOD_DAYS[period] is None:
        ahead = _accounts(branch_id).filter(lifetime_earned__gt=points).count()
    else:
        ahead = _period_totals(period, branch_id, at).filter(points__gt=points).count()
    return ahead + 1, points


def period_start(period: str, at=None) -> date | None:
    """The first local day the period covers (None for all time)."""
    days = PERIOD_DAYS[_check(period)]
    if days is None:
        return None
    return timezone.localdate(at or timezone.now()) - timedelta(days=days - 1)


def _check(period: str) -> str:
    if period not in PERIOD_DAYS:
        raise ValueError(f"unknown period {period!r}; expected one of {PERIODS}")
    return period


def _ranked_members(branch_id: int | None, prefix: str = "member__") -> Q:
    """Who may appear on a board, as a filter on the user reached through `prefix` ("" when
    filtering users themselves). A plain join with the users: on 100,000 members it beat
    NOT EXISTS over the few unranked users for the week and per-branch boards (see
    bench/README.md)."""
    staff = get_user_model().groups.through.objects.filter(
        user_id=OuterRef(f"{prefix}pk" if prefix else "pk"), group__name__in=STAFF_GROUPS
    )
    condition = Q(**{f"{prefix}is_active": True, f"{prefix}is_superuser": False}) & ~Exists(staff)
    if branch_id is not None:
        condition &= Q(**{f"{prefix}profile__home_branch_id": branch_id})
    return condition


def _accounts(branch_id: int | None) -> QuerySet:
    """Points accounts on the all-time board (walks the account_earned index)."""
    return Account.objects.filter(
        _ranked_members(branch_id), currency=Currency.POINTS, lifetime_earned__gt=0
    )


def _period_totals(period: str, branch_id: int | None, at) -> QuerySet:
    """One row per ranked member with points > 0 in the period: member_id, points."""
    today = timezone.localdate(at or timezone.now())
    return (
        DailyTotal.objects.filter(
            _ranked_members(branch_id),
            day__gte=period_start(period, at),
            day__lte=today,
        )
        .values("member_id")
        .annotate(points=Sum("earned"))
        .filter(points__gt=0)
    )


def _own_points(member, period: str, branch_id: int | None, at) -> tuple[int, bool]:
    """The member's points in the period and whether they may be ranked, in one query."""
    if PERIOD_DAYS[period] is None:
        points = Account.objects.filter(member_id=member.pk, currency=Currency.POINTS).values(
            "lifetime_earned"
        )[:1]
    else:
        today = timezone.localdate(at or timezone.now())
        points = (
            DailyTotal.objects.filter(
                member_id=member.pk, day__gte=period_start(period, at), day__lte=today
            )
            .values("member_id")
            .annotate(points=Sum("earned"))
            .values("points")
        )
    row = (
        get_user_model()
        .objects.filter(pk=member.pk)
        .annotate(
            points=Subquery(points, output_field=BigIntegerField()),
            eligible=ExpressionWrapper(
                _ranked_members(branch_id, prefix=""), output_field=BooleanField()
            ),
        )
        .values_list("points", "eligible")
        .first()
    )
    if row is None:
        return 0, False
    return int(row[0] or 0), bool(row[1])
