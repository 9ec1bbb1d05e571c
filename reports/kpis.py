"""The club manager's key figures, each a few aggregate queries whatever the number of
members (no Python loop over members or purchases).

Every function takes a `Period` (tickets.reports.Period: local dates start..end, both
included, in the club's time zone, and an optional branch). The words used below:

- member: an active account that is not erased, not Django staff or a superuser, and holds
  no staff role (Moderator, Support agent, Cashier, Club manager), as the cockpit's
  segments count them. With a branch chosen, a member of that
  home branch.
- purchase: a member's till purchase (cardgateway Transaction of kind "purchase") that was
  not reversed, at the chosen branch if any; its time is when it was posted (created_at), its
  amount the bill (credit spent included). Returns are not subtracted.
- active: made a purchase or wrote a forum post (a topic's opening post included), a
  comment or a status update.

DEFINITIONS holds the sentence shown next to each figure on the dashboard."""

import math
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum, Window
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cardgateway.models import Transaction, TxnKind
from community.forums.models import Post, Topic
from community.models import Comment, StatusUpdate
from community.surveys.models import Response
from gamification.models import (
    Account,
    Currency,
    EntryKind,
    HeldCurrency,
    LedgerEntry,
    MemberTier,
    Referral,
    Tier,
)
from portal.accounts import roles
from tickets import reports as desk
from tickets.reports import Period

__all__ = ["Period"]

ACTIVE_DAYS = 30
TOP_SHARE = 0.2  # the "top 20 %" of buyers by spend
CHURN_LIST_SIZE = 50
# Credit the club gives out (the redemption rate's denominator).
CREDIT_ISSUED_KINDS = [
    EntryKind.CASHBACK,
    EntryKind.REFERRAL_SHARE,
    EntryKind.CONVERSION_IN,
    EntryKind.GIFT,
]

DEFINITIONS = {
    "members_total": _(
        "Accounts that are active, not erased and hold no staff role, joined by the end of "
        "the period (with a branch: whose home branch it is)."
    ),
    "new_members": _("Members who joined during the period."),
    "active_30": _(
        "Members who made a purchase or wrote a forum post, comment or status update in the "
        "30 days up to the end of the period."
    ),
    "retention": _(
        "Of the members active in the previous period of the same length, the share who are "
        "active again in this one (active: a purchase, or a forum post, comment or status "
        "update)."
    ),
    "repeat_rate": _(
        "Of the members with at least one purchase in the period, the share with two or more."
    ),
    "frequency": _("Purchases in the period divided by the members who made them."),
    "average_value": _(
        "Purchase amounts (credit spent included) divided by the number of purchases. "
        "Reversed purchases are left out; returns are not subtracted."
    ),
    "redemption_rate": _(
        "Credit spent at the till in the period divided by the credit given out in it "
        "(cashback, referral shares, points converted to credit, gifts)."
    ),
    "outstanding_credit": _(
        "What the club owes its members now: the sum of their credit balances above zero, "
        "held credit included, whatever the period."
    ),
    "top_share": _(
        "The share of the period's purchase amounts spent by the top fifth of buying members "
        "(ranked by their spend in the period)."
    ),
    "tiers": _("Members per tier now; members without a tier are counted apart."),
    "churn": _(
        "Members who match the win-back criteria of the automations (enough past visits, no "
        "purchase for a while), longest absent first."
    ),
    "referrals": _(
        "Friends who joined through a referral in the period, and what all referred members "
        "bought in the period."
    ),
    "community": _(
        "Topics, forum replies, comments and status updates written in the period, the "
        "members who wrote any of them, and dated survey responses (anonymous responses "
        "carry no date and are not counted)."
    ),
    "tickets": _(
        "Tickets open now; of the tickets filed in the period with SLA targets, the share "
        "whose resolution target was missed; the average satisfaction rating (1–5) given in "
        "the period."
    ),
}


# --- Building blocks ---------------------------------------------------------------------


def previous(period: Period) -> Period:
    """The period of the same length just before `period`."""
    days = (period.end - period.start).days + 1
    return Period(
        start=period.start - timedelta(days=days),
        end=period.start - timedelta(days=1),
        branch=period.branch,
    )


def members(period: Period | None = None):
    """Members (see the module docstring), of the period's branch if it has one."""
    staff = get_user_model().groups.through.objects.filter(group__name__in=roles.STAFF_ROLES)
    qs = (
        get_user_model()
        .objects.filter(is_active=True, erased_at__isnull=True, is_staff=False, is_superuser=False)
        .exclude(pk__in=staff.values("user_id"))
    )
    if period is not None and period.branch is not None:
        qs = qs.filter(profile__home_branch=period.branch)
    return qs


def purchases(period: Period, *, begin=None, finish=None, of_members: bool = True):
    """Members' purchases posted in the period (or in [begin, finish)) at its branch (if
    any), not reversed. `of_members=False` leaves out the check that the buyer is a member
    (for a subquery already correlated to a member)."""
    if begin is None:
        begin, finish = period.bounds()
    reversed_ = Transaction.objects.filter(original=OuterRef("pk"), kind=TxnKind.REVERSAL)
    qs = Transaction.objects.filter(
        kind=TxnKind.PURCHASE, created_at__gte=begin, created_at__lt=finish
    ).exclude(Exists(reversed_))
    if of_members:
        qs = qs.filter(member__in=members())
    if period.branch is not None:
        qs = qs.filter(branch=period.branch)
    return qs


def _active_filter(period: Period, begin, finish) -> Q:
    """A Q on members: active in [begin, finish). Correlated EXISTS, each an index probe
    per member (an IN over a year's purchases would not fit a hash in work_mem, and
    PostgreSQL would then rescan it for every member)."""
    window = {"created_at__gte": begin, "created_at__lt": finish}
    member = OuterRef("pk")
    return (
        Q(
            Exists(
                purchases(period, begin=begin, finish=finish, of_members=False).filter(
                    member=member
                )
            )
        )
        | Q(Exists(Post.objects.filter(author=member, **window)))
        | Q(Exists(Comment.objects.filter(author=member, **window)))
        | Q(Exists(StatusUpdate.objects.filter(author=member, **window)))
    )


def _ratio(part, whole) -> float | None:
    return None if not whole else part / whole


# --- The figures -----------------------------------------------------------------------


def membership(period: Period) -> dict:
    """members_total, new_members and active_30 (one query)."""
    begin, finish = period.bounds()
    active_end = min(finish, timezone.now())
    active = _active_filter(period, active_end - timedelta(days=ACTIVE_DAYS), active_end)
    return members(period).aggregate(
        members_total=Count("pk", filter=Q(date_joined__lt=finish)),
        new_members=Count("pk", filter=Q(date_joined__gte=begin, date_joined__lt=finish)),
        active_30=Count("pk", filter=active & Q(date_joined__lt=finish)),
    )


def retention(period: Period) -> dict:
    """previous_active, retained and rate (retained / previous_active; None without any
    active member before). One query."""
    begin, finish = period.bounds()
    before_begin, before_finish = previous(period).bounds()
    counts = (
        members(period)
        .filter(_active_filter(period, before_begin, before_finish))
        .aggregate(
            previous_active=Count("pk"),
            retained=Count("pk", filter=_active_filter(period, begin, finish)),
        )
    )
    counts["rate"] = _ratio(counts["retained"], counts["previous_active"])
    return counts


def purchasing(period: Period) -> dict:
    """buyers, repeat_buyers, purchases, spend, repeat_rate, frequency, average_value and
    top_share (two queries: per-member totals aggregated, and the top fifth's spend)."""
    per_member = (
        purchases(period)
        .order_by()
        .values("member_id")
        .annotate(n=Count("pk"), spent=Sum("amount"))
    )
    totals = per_member.aggregate(
        buyers=Count("member_id"),
        repeat_buyers=Count("member_id", filter=Q(n__gte=2)),
        purchases=Sum("n"),
        spend=Sum("spent"),
    )
    buyers = totals["buyers"] or 0
    count = totals["purchases"] or 0
    spend = totals["spend"] or 0
    top = 0
    top_members = math.ceil(buyers * TOP_SHARE)
    if top_members:
        top = (
            per_member.order_by("-spent", "member_id")[:top_members].aggregate(s=Sum("spent"))["s"]
            or 0
        )
    return {
        "buyers": buyers,
        "repeat_buyers": totals["repeat_buyers"] or 0,
        "purchases": count,
        "spend": spend,
        "repeat_rate": _ratio(totals["repeat_buyers"] or 0, buyers),
        "frequency": _ratio(count, buyers),
        "average_value": _ratio(spend, count),
        "top_members": top_members,
        "top_spend": top,
        "top_share": _ratio(top, spend),
    }


def credit(period: Period) -> dict:
    """issued, redeemed, redemption_rate (credit entries in the period, at the branch if
    any) and outstanding (balances now). Two queries."""
    begin, finish = period.bounds()
    entries = LedgerEntry.objects.filter(
        account__currency=Currency.CREDIT, created_at__gte=begin, created_at__lt=finish
    )
    if period.branch is not None:
        entries = entries.filter(branch=period.branch)
    flows = entries.aggregate(
        issued=Sum("amount", filter=Q(kind__in=CREDIT_ISSUED_KINDS, amount__gt=0)),
        redeemed=Sum("amount", filter=Q(kind=EntryKind.REDEEM)),
    )
    issued = flows["issued"] or 0
    redeemed = -(flows["redeemed"] or 0)
    outstanding = (
        Account.objects.filter(
            currency__in=[Currency.CREDIT, HeldCurrency.CREDIT],
            balance__gt=0,
            member__in=members(period),
        ).aggregate(s=Sum("balance"))["s"]
        or 0
    )
    return {
        "issued": issued,
        "redeemed": redeemed,
        "redemption_rate": _ratio(redeemed, issued),
        "outstanding": outstanding,
    }


def tier_distribution(period: Period) -> list[dict]:
    """[{tier (id or None), label, members}] by threshold, then "no tier" (two queries)."""
    counted = dict(
        MemberTier.objects.filter(member__in=members(period))
        .order_by()
        .values_list("tier")
        .annotate(n=Count("pk"))
    )
    rows = [
        {"tier": tier.pk, "label": tier.name, "members": counted.get(tier.pk, 0)}
        for tier in Tier.objects.order_by("threshold")
    ]
    without = (
        members(period).filter(~Exists(MemberTier.objects.filter(member=OuterRef("pk")))).count()
    )
    rows.append({"tier": None, "label": str(_("no tier")), "members": without})
    return rows


def purchases_over_time(period: Period) -> tuple[str, list[dict]]:
    """("week" or "month", [{start (date), purchases, spend}]): weeks for up to 92 days,
    months beyond, in the club's time zone. One query."""
    unit = "week" if (period.end - period.start).days < 92 else "month"
    trunc = TruncWeek if unit == "week" else TruncMonth
    rows = (
        purchases(period)
        .annotate(bucket=trunc("created_at", tzinfo=timezone.get_default_timezone()))
        .order_by("bucket")
        .values("bucket")
        .annotate(purchases=Count("pk"), spend=Sum("amount"))
    )
    result = []
    for row in rows:
        start = row["bucket"]
        if not isinstance(start, date) or hasattr(start, "hour"):
            start = timezone.localtime(start).date() if timezone.is_aware(start) else start.date()
        result.append({"start": start, "purchases": row["purchases"], "spend": row["spend"]})
    return unit, result


def lapsed(period: Period):
    """The churn-risk members as automations.selectors.lapsed_members returns them (its
    win-back criteria, as at the end of the period), longest absent first."""
    from automations.selectors import lapsed_members

    __, finish = period.bounds()
    at = min(finish, timezone.now())
    return lapsed_members(at=at, branch=period.branch).order_by("last_purchase_at", "pk")


def churn_risk(period: Period, *, limit: int = CHURN_LIST_SIZE) -> dict:
    """count and the first `limit` rows (member id, email, name, visits, last purchase).
    One query: the count rides along each row as a window total."""
    rows = list(
        lapsed(period)
        .annotate(total=Window(Count("*")))
        .values(
            "pk",
            "email",
            "profile__first_name",
            "profile__last_name",
            "visits",
            "last_purchase_at",
            "total",
        )[:limit]
    )
    return {"count": rows[0]["total"] if rows else 0, "rows": rows}


def referrals(period: Period) -> dict:
    """new (referrals made in the period), buyers, purchases, spend (purchases in the
    period by members who were ever referred) and share_paid (referral-share credit in the
    period). Three queries."""
    begin, finish = period.bounds()
    new = Referral.objects.filter(
        created_at__gte=begin, created_at__lt=finish, referee__in=members(period)
    ).count()
    referred = Referral.objects.values("referee_id")
    bought = (
        purchases(period)
        .filter(member__in=referred)
        .aggregate(
            buyers=Count("member_id", distinct=True), purchases=Count("pk"), spend=Sum("amount")
        )
    )
    share = LedgerEntry.objects.filter(
        kind=EntryKind.REFERRAL_SHARE,
        account__currency=Currency.CREDIT,
        created_at__gte=begin,
        created_at__lt=finish,
    )
    if period.branch is not None:
        share = share.filter(branch=period.branch)
    return {
        "new": new,
        "buyers": bought["buyers"] or 0,
        "purchases": bought["purchases"] or 0,
        "spend": bought["spend"] or 0,
        "share_paid": share.aggregate(s=Sum("amount"))["s"] or 0,
    }


def community(period: Period) -> dict:
    """topics, replies, comments, status_updates, posters and survey_responses written in
    the period (by members of the branch, if one is chosen). Six queries."""
    begin, finish = period.bounds()
    window = {"created_at__gte": begin, "created_at__lt": finish}
    authors = members(period) if period.branch is not None else None

    def by_members(qs, field="author"):
        return qs if authors is None else qs.filter(**{f"{field}__in": authors})

    counts = {
        "topics": by_members(Topic.objects.filter(**window)).count(),
        "replies": by_members(Post.objects.filter(is_opening=False, **window)).count(),
    }
    counts["comments"] = by_members(Comment.objects.filter(**window)).count()
    counts["status_updates"] = by_members(StatusUpdate.objects.filter(**window)).count()
    member = OuterRef("pk")
    counts["posters"] = (
        members(period)
        .filter(
            Q(Exists(Post.objects.filter(author=member, **window)))
            | Q(Exists(Comment.objects.filter(author=member, **window)))
            | Q(Exists(StatusUpdate.objects.filter(author=member, **window)))
        )
        .count()
    )
    counts["survey_responses"] = by_members(
        Response.objects.filter(submitted_on__gte=period.start, submitted_on__lte=period.end),
        "member",
    ).count()
    return counts


def tickets(period: Period) -> dict:
    """open_now, filed_with_sla, breached, breach_rate, ratings and csat (average score),
    through the desk's own report functions (tickets/reports.py)."""
    breaches = desk.sla_breaches(period)[-1]
    open_now = desk.backlog(period)[-1]["total"]
    by_branch = desk.csat_by_branch(period)
    ratings = sum(row["ratings"] for row in by_branch)
    score = sum(row["average"] * row["ratings"] for row in by_branch)
    return {
        "open_now": open_now,
        "filed": breaches["tickets"],
        "filed_with_sla": breaches["with_sla"],
        "breached": breaches["resolution"],
        "breach_rate": _ratio(breaches["resolution"], breaches["with_sla"]),
        "first_response_breached": breaches["first_response"],
        "ratings": ratings,
        "csat": _ratio(score, ratings),
    }


@dataclass
class Dashboard:
    period: Period
    computed_at: datetime
    membership: dict
    retention: dict
    purchasing: dict
    credit: dict
    tiers: list
    over_time: tuple
    churn: dict | None
    referrals: dict
    community: dict
    tickets: dict


def dashboard(period: Period, *, churn: bool = True) -> Dashboard:
    """Every figure of the dashboard (about 25 queries, whatever the data's size)."""
    with without_jit():
        return Dashboard(
            period=period,
            computed_at=timezone.now(),
            membership=membership(period),
            retention=retention(period),
            purchasing=purchasing(period),
            credit=credit(period),
            tiers=tier_distribution(period),
            over_time=purchases_over_time(period),
            churn=churn_risk(period) if churn else None,
            referrals=referrals(period),
            community=community(period),
            tickets=tickets(period),
        )


@contextmanager
def without_jit():
    """PostgreSQL's JIT compiler spends longer on these aggregate queries than they run
    (the membership figures at 100,000 members: about 1 s compiling for 0.2 s of work,
    bench/cockpit_bench.py), so it is off for the transaction they run in. A no-op
    elsewhere."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield
