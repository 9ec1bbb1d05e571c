"""The automations: birthday greetings, win-back offers, welcome, tier congratulations and
points-expiry reminders and expiry.

Each occasion of each member happens once: its AutomationRun row (member, kind, key) is
inserted first, in the same transaction as the gift and the notification; a second run,
or a concurrent one, hits the unique constraint and gives and sends nothing. A gift of
points or credit is a ledger entry of kind GIFT whose idempotency key names the run; a
voucher gift is gamification.rewards.gift_voucher (the reward's points given and spent
at once, so the books balance).

Notifications are written in the member's language and go out by e-mail and SMS as
marketing (portal.notifications honours the member's consent per channel); the member
always finds them in the portal's notification list."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext, override

from gamification import expiry, rewards, tiers
from gamification.models import Reward, Tier
from portal.notifications.services import language_of, notify
from portal.shell.templatetags.club_format import grouped, jdate, rials

from .models import AutomationRun, AutomationSettings, GiftKind, RunKind
from .selectors import lapsed_members

MARKETING_CHANNELS = ("email", "sms")
WELCOME_LOOKBACK = timedelta(days=2)


# --- Runs and gifts ------------------------------------------------------------------------


def _claim(*, member, kind: str, key: str, at: datetime) -> AutomationRun | None:
    """Insert the run row (inside the caller's transaction), or None when this occasion
    was already handled: the unique constraint decides, also between concurrent runs."""
    try:
        with transaction.atomic():
            return AutomationRun.objects.create(member=member, kind=kind, key=key, created_at=at)
    except IntegrityError:
        return None


@dataclass(frozen=True)
class Gift:
    kind: str
    amount: int = 0
    reward: Reward | None = None
    valid_days: int = 30

    @classmethod
    def from_settings(cls, settings: AutomationSettings, prefix: str) -> "Gift":
        return cls(
            kind=getattr(settings, f"{prefix}_gift_kind"),
            amount=getattr(settings, f"{prefix}_gift_amount"),
            reward=getattr(settings, f"{prefix}_gift_reward"),
            valid_days=getattr(settings, f"{prefix}_gift_valid_days"),
        )


def _give(*, member, gift: Gift, run: AutomationRun, at: datetime) -> str:
    """Give `gift` for `run` (inside the run's transaction). Returns the sentence that
    tells the member about it in the active language, or "" when nothing was given (no
    gift set, or the voucher's reward is switched off)."""
    key = f"automation:{run.kind}:{member.pk}:{run.key}"
    points_or_credit = gift.kind in (GiftKind.POINTS, GiftKind.CREDIT) and gift.amount > 0
    voucher_gift = (
        gift.kind == GiftKind.VOUCHER and gift.reward is not None and gift.reward.is_active
    )
    if not (points_or_credit or voucher_gift):
        return ""
    _entry, voucher = rewards.give_gift(
        member=member,
        kind=gift.kind,
        idempotency_key=key,
        amount=gift.amount,
        reward=gift.reward,
        days=gift.valid_days,
        subject=run,
        actor_label="automation",
        description=run.get_kind_display(),
        at=at,
    )
    run.gift = f"voucher:{voucher.code}" if voucher else f"{gift.kind}:{gift.amount}"
    run.save(update_fields=["gift"])
    if voucher is not None:
        return gettext(
            "Your gift: a voucher for %(reward)s, code %(code)s, valid until %(date)s."
        ) % {"reward": voucher.reward.name, "code": voucher.code, "date": jdate(voucher.expires_at)}
    if gift.kind == GiftKind.POINTS:
        return gettext("We have added %(points)s points to your account.") % {
            "points": grouped(gift.amount)
        }
    return gettext("We have added %(amount)s of credit to your account.") % {
        "amount": rials(gift.amount)
    }


def _greet(*, member, kind: str, title: str, body: str, url: str = "/club/", marketing=True):
    notify(
        member=member,
        kind=f"automation_{kind}",
        title=title[:200],
        body=body,
        url=url,
        channels=MARKETING_CHANNELS,
        marketing=marketing,
    )


def _members():
    return (
        get_user_model()
        .objects.filter(is_active=True, erased_at__isnull=True)
        .select_related("profile")
    )


def _body(*parts: str) -> str:
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


# --- Birthday ------------------------------------------------------------------------------


def birthday_days(*, today: date, days_before: int) -> dict[tuple[int, int], date]:
    """{(month, day) of a birth date: the day it is celebrated} for the birthdays from
    `today` to `today + days_before`. A 29 February birthday is celebrated on 28 February
    in a common year (and on the 29th in a leap year)."""
    days: dict[tuple[int, int], date] = {}
    for offset in range(days_before + 1):
        day = today + timedelta(days=offset)
        days[(day.month, day.day)] = day
        if (day.month, day.day) == (2, 28) and not calendar.isleap(day.year):
            days[(2, 29)] = day
    return days


def birthday_candidates(*, today: date, days_before: int):
    """(member, celebration day) for members whose birthday falls in the coming window
    and who were not greeted for it yet. The month/day matching runs in SQL (one query)."""
    days = birthday_days(today=today, days_before=days_before)
    by_year: dict[int, Q] = {}
    for (month, day), celebration in days.items():
        dates = by_year.get(celebration.year, Q())
        by_year[celebration.year] = dates | Q(
            profile__birth_date__month=month, profile__birth_date__day=day
        )
    # The window may span New Year: each year's birthdays are checked against that
    # year's greeting.
    match = Q()
    for year, dates in by_year.items():
        greeted = AutomationRun.objects.filter(
            member=OuterRef("pk"), kind=RunKind.BIRTHDAY, key=f"birthday:{year}"
        )
        match |= dates & ~Exists(greeted)
    members = _members().filter(match).order_by("pk")
    for member in members:
        birth = member.profile.birth_date
        yield member, days[(birth.month, birth.day)]


def greet_birthday(*, member, celebration: date, at: datetime | None = None) -> bool:
    """Greet `member` for their birthday celebrated on `celebration`, with the gift set.
    Once per member and year of the birthday. Returns whether it was sent now."""
    settings = AutomationSettings.load()
    at = at or timezone.now()
    with transaction.atomic():
        run = _claim(
            member=member, kind=RunKind.BIRTHDAY, key=f"birthday:{celebration.year}", at=at
        )
        if run is None:
            return False
        with override(language_of(member)):
            gift = _give(
                member=member, gift=Gift.from_settings(settings, "birthday"), run=run, at=at
            )
            title = gettext("Happy birthday, %(name)s!") % {"name": member.display_name}
            body = _body(
                gettext("The whole club wishes you a happy birthday on %(date)s.")
                % {"date": jdate(celebration)},
                gift,
                settings.birthday_message,
            )
        _greet(member=member, kind=RunKind.BIRTHDAY, title=title, body=body)
        return True


def send_birthday_greetings(*, at: datetime | None = None) -> int:
    """The daily job: greet every member whose birthday is `birthday_days_before` days
    away (or nearer, when a run was missed). Returns how many were greeted."""
    settings = AutomationSettings.load()
    if not settings.birthday_enabled:
        return 0
    at = at or timezone.now()
    today = timezone.localdate(at)
    sent = 0
    for member, celebration in list(
        birthday_candidates(today=today, days_before=settings.birthday_days_before)
    ):
        sent += greet_birthday(member=member, celebration=celebration, at=at)
    return sent


# --- Win-back ------------------------------------------------------------------------------


def winback_candidates(*, at: datetime) -> list:
    """Lapsed members (selectors.lapsed_members) not yet offered anything since their last
    purchase: an offer made after it was for this lapse. Two queries."""
    lapsed = list(lapsed_members(at=at).select_related("profile"))
    offered = dict(
        AutomationRun.objects.filter(kind=RunKind.WINBACK, member__in=[m.pk for m in lapsed])
        .values_list("member_id")
        .annotate(last=Max("created_at"))
        .order_by()
    )
    return [
        member
        for member in lapsed
        if member.pk not in offered or offered[member.pk] < member.last_purchase_at
    ]


def offer_winback(*, member, last_purchase_at: datetime, at: datetime | None = None) -> bool:
    """Send the win-back offer for the lapse that began with the purchase at
    `last_purchase_at`. Once per member and last purchase: a new purchase followed by a
    new lapse gets a new offer. Returns whether it was sent now."""
    settings = AutomationSettings.load()
    at = at or timezone.now()
    key = f"winback:{timezone.localtime(last_purchase_at).date().isoformat()}"
    with transaction.atomic():
        run = _claim(member=member, kind=RunKind.WINBACK, key=key, at=at)
        if run is None:
            return False
        with override(language_of(member)):
            gift = _give(
                member=member, gift=Gift.from_settings(settings, "winback"), run=run, at=at
            )
            title = gettext("We miss you, %(name)s") % {"name": member.display_name}
            body = _body(
                gettext("It has been a while since your last visit. Come and see us again!"),
                gift,
                settings.winback_message,
            )
        _greet(member=member, kind=RunKind.WINBACK, title=title, body=body)
        return True


def send_winback_offers(*, at: datetime | None = None) -> int:
    settings = AutomationSettings.load()
    if not settings.winback_enabled:
        return 0
    at = at or timezone.now()
    sent = 0
    for member in winback_candidates(at=at):
        sent += offer_winback(member=member, last_purchase_at=member.last_purchase_at, at=at)
    return sent


# --- Welcome and tier congratulations ------------------------------------------------------


def welcome(*, member, at: datetime | None = None) -> bool:
    """Welcome a new member (once), with the welcome gift if one is set."""
    settings = AutomationSettings.load()
    if not settings.welcome_enabled:
        return False
    at = at or timezone.now()
    with transaction.atomic():
        run = _claim(member=member, kind=RunKind.WELCOME, key="welcome", at=at)
        if run is None:
            return False
        with override(language_of(member)):
            gift = _give(
                member=member, gift=Gift.from_settings(settings, "welcome"), run=run, at=at
            )
            title = gettext("Welcome to the club, %(name)s!") % {"name": member.display_name}
            body = _body(
                gettext(
                    "You earn points and credit with every purchase and every contribution "
                    "to the community. Your card and balances are in your club panel."
                ),
                gift,
                settings.welcome_message,
            )
        # A welcome answers the member's own sign-up: a service message, not marketing.
        _greet(member=member, kind=RunKind.WELCOME, title=title, body=body, marketing=False)
        return True


def welcome_new_members(*, at: datetime | None = None) -> int:
    """The periodic catch-up: members who joined in the last two days without a welcome
    (signed up at the till or imported, rather than through the web sign-up)."""
    if not AutomationSettings.load().welcome_enabled:
        return 0
    at = at or timezone.now()
    welcomed = AutomationRun.objects.filter(member=OuterRef("pk"), kind=RunKind.WELCOME)
    members = (
        _members()
        .filter(is_staff=False, is_superuser=False, date_joined__gte=at - WELCOME_LOOKBACK)
        .filter(date_joined__lte=at)
        .exclude(Exists(welcomed))
        .order_by("pk")
    )
    return sum(welcome(member=member, at=at) for member in list(members))


def congratulate_tier(*, member, tier: Tier, at: datetime | None = None) -> bool:
    """Congratulate `member` on reaching `tier`, once per member and tier."""
    if not AutomationSettings.load().tier_congrats_enabled:
        return False
    at = at or timezone.now()
    with transaction.atomic():
        if _claim(member=member, kind=RunKind.TIER, key=f"tier:{tier.slug}", at=at) is None:
            return False
        with override(language_of(member)):
            title = gettext("Congratulations, %(name)s: you are now %(tier)s!") % {
                "name": member.display_name,
                "tier": tier.name,
            }
            body = _body(gettext("Thank you for being with us. Your new benefits:"), tier.benefits)
        _greet(member=member, kind=RunKind.TIER, title=title, body=body)
        return True


def on_tier_change(*, member, previous, tier) -> None:
    """Gamification's tier listener: an upgrade is congratulated once the change is
    committed (a failure here never touches the purchase or evaluation that moved the
    member)."""
    if not tiers.is_upgrade(previous=previous, tier=tier):
        return
    from .tasks import congratulate_tier_task

    member_id, tier_id = member.pk, tier.pk
    transaction.on_commit(lambda: congratulate_tier_task.delay(member_id, tier_id))


# --- Points expiry -------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpiryReport:
    expired_members: int = 0
    expired_points: int = 0
    reminded: int = 0


def remind_expiry(*, member, on: date, amount: int, at: datetime | None = None) -> bool:
    """Tell the member that `amount` points expire on `on` (once per member and day)."""
    at = at or timezone.now()
    with transaction.atomic():
        key = f"expiry:{on.isoformat()}"
        if _claim(member=member, kind=RunKind.EXPIRY_REMINDER, key=key, at=at) is None:
            return False
        with override(language_of(member)):
            title = gettext("%(points)s of your points expire on %(date)s") % {
                "points": grouped(amount),
                "date": jdate(on),
            }
            body = gettext(
                "Points expire when they are not used within the club's period. Spend or "
                "convert them before %(date)s to keep their value."
            ) % {"date": jdate(on)}
        # About the member's own balance: a service message (e-mail), not marketing.
        notify(
            member=member,
            kind="automation_expiry_reminder",
            title=title[:200],
            body=body,
            url="/club/history/",
            channels=("email",),
        )
        return True


def expiry_reminders(*, today: date, settings: AutomationSettings):
    """(member, points) expiring exactly `expiry_reminder_days` after `today`, for the
    members with something to be reminded of. Each lot is reminded of once: on the day it
    is that far from expiring."""
    on = today + timedelta(days=settings.expiry_reminder_days)
    ids = list(expiry.due_members(on=on, period_days=settings.expiry_days, catch_up_days=0))
    reminded = set(
        AutomationRun.objects.filter(
            kind=RunKind.EXPIRY_REMINDER, key=f"expiry:{on.isoformat()}", member_id__in=ids
        ).values_list("member_id", flat=True)
    )
    for member in _members().filter(pk__in=set(ids) - reminded).order_by("pk"):
        lots = expiry.member_lots(member=member)
        amount = expiry.expiring(
            lots, on=on, period_days=settings.expiry_days, since=on - timedelta(days=1)
        )
        if amount > 0:
            yield member, on, amount


def run_points_expiry(
    *, at: datetime | None = None, dry_run: bool = False, catch_up_days: int | None = 31, out=None
) -> ExpiryReport:
    """The daily job: expire the points due today (gamification/expiry.py), then remind
    the members whose points expire in `expiry_reminder_days`. `dry_run` posts and sends
    nothing; `out(member, kind, day, points)` is told each line (the command prints it)."""
    settings = AutomationSettings.load()
    if not settings.expiry_enabled:
        return ExpiryReport()
    at = at or timezone.now()
    today = timezone.localdate(at)
    members, points, reminded = 0, 0, 0
    ids = list(
        expiry.due_members(on=today, period_days=settings.expiry_days, catch_up_days=catch_up_days)
    )
    for member in _members().filter(pk__in=ids).order_by("pk"):
        result = expiry.expire_member(
            member=member, on=today, period_days=settings.expiry_days, dry_run=dry_run
        )
        if result.amount:
            members, points = members + 1, points + result.amount
            if out:
                out(member, "expire", today, result.amount)
    if settings.expiry_reminder_days:
        for member, on, amount in list(expiry_reminders(today=today, settings=settings)):
            if out:
                out(member, "remind", on, amount)
            if dry_run or remind_expiry(member=member, on=on, amount=amount, at=at):
                reminded += 1
    return ExpiryReport(members, points, reminded)
