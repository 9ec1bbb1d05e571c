"""Points expiry, first in first out.

Every positive entry of a member's points account is a *lot*: points earned (or given,
converted back, released from a hold) at one moment. Every negative entry consumes lots:

1. an entry that `corrects` a lot (a purchase reversed, an award revoked) takes from that
   lot first, up to what is left of it;
2. whatever remains of it, and every other debit (a conversion, a reward, a hold, an
   earlier expiry), takes from the oldest lot with points left, then the next, ...
   A debit larger than the lots so far (only possible when entries were posted with
   back-dated times) is carried and taken from the next lots to arrive.

Entries are replayed in (created_at, id) order. A lot earned on local day d expires on
day d + period: whatever of it is still unconsumed then is taken away by one ledger entry
of kind EXPIRY per member and expiry day, with the idempotency key
``expiry:<member id>:<day>``, so a second run the same day finds nothing left to expire
(the first run's entry consumed it) and a replayed key is returned unchanged.

Points on hold (gamification/holds.py) sit in the member's held account, not in the
points account: they are never expired while held. Placing a hold is a debit like any
other (the oldest lots go first); points released after review come back as a new lot,
so the member gets a full period for points they could not use while they were held.

An expiry never takes more than the spendable balance (ledger.post refuses to overdraw
anyway, and the amount is computed under the account's row lock).

This module holds the arithmetic and the posting; the settings (period, on/off) and the
member reminders belong to the caller (automations), as gamification imports no app."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from . import ledger
from .models import Account, Currency, EntryKind, LedgerEntry

KEY_PREFIX = "expiry:"


@dataclass
class Lot:
    entry_id: int
    earned_at: datetime
    amount: int
    remaining: int

    def expires_on(self, period_days: int) -> date:
        return timezone.localdate(self.earned_at) + timedelta(days=period_days)


@dataclass(frozen=True)
class Expired:
    member_id: int
    on: date
    amount: int
    entry: LedgerEntry | None


def replay(entries) -> list[Lot]:
    """The lots of a points account with what is left of each, from its entries as
    (id, amount, created_at, corrects_id) in (created_at, id) order. Pure arithmetic."""
    lots: list[Lot] = []
    by_id: dict[int, Lot] = {}
    oldest = 0  # lots before this index are used up
    owed = 0  # debits that found no lot yet
    for entry_id, amount, created_at, corrects_id in entries:
        if amount > 0:
            lot = Lot(entry_id, created_at, amount, amount)
            taken = min(owed, lot.remaining)
            lot.remaining -= taken
            owed -= taken
            lots.append(lot)
            by_id[entry_id] = lot
            continue
        need = -amount
        target = by_id.get(corrects_id) if corrects_id else None
        if target is not None:
            taken = min(need, target.remaining)
            target.remaining -= taken
            need -= taken
        while need and oldest < len(lots):
            lot = lots[oldest]
            taken = min(need, lot.remaining)
            lot.remaining -= taken
            need -= taken
            if not lot.remaining:
                oldest += 1
        owed += need
        # A lot emptied by a correction leaves holes: skip them next time.
        while oldest < len(lots) and not lots[oldest].remaining:
            oldest += 1
    return lots


def member_lots(*, member) -> list[Lot]:
    """The member's points lots now (one query)."""
    entries = (
        LedgerEntry.objects.filter(account__member=member, account__currency=Currency.POINTS)
        .order_by("created_at", "id")
        .values_list("id", "amount", "created_at", "corrects_id")
    )
    return replay(entries.iterator(chunk_size=2000))


def expiring(lots: list[Lot], *, on: date, period_days: int, since: date | None = None) -> int:
    """Points of `lots` still unconsumed whose expiry day is `on` or earlier (and after
    `since`, when given)."""
    return sum(
        lot.remaining
        for lot in lots
        if lot.remaining
        and lot.expires_on(period_days) <= on
        and (since is None or lot.expires_on(period_days) > since)
    )


def due_members(*, on: date, period_days: int, catch_up_days: int | None = 31):
    """Ids of members who may have points expiring by `on`: a positive points balance and
    a lot whose expiry day is `on` or up to `catch_up_days` before (None: any time before;
    a run missed for a few days is caught up, and older lots were dealt with by earlier
    runs). One query."""
    newest = _start_of(on - timedelta(days=period_days) + timedelta(days=1))
    lots = LedgerEntry.objects.filter(account=OuterRef("pk"), amount__gt=0, created_at__lt=newest)
    if catch_up_days is not None:
        lots = lots.filter(created_at__gte=newest - timedelta(days=catch_up_days + 1))
    return (
        Account.objects.filter(currency=Currency.POINTS, balance__gt=0)
        .filter(Exists(lots))
        .order_by("member_id")
        .values_list("member_id", flat=True)
    )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))


def expire_member(*, member, on: date, period_days: int, dry_run: bool = False) -> Expired:
    """Expire what is left of the member's lots due on `on` or before. One transaction,
    under the points account's lock; idempotent per (member, `on`). With `dry_run`, posts
    nothing and says how much would expire."""
    key = f"{KEY_PREFIX}{member.pk}:{on.isoformat()}"
    with transaction.atomic():
        account = ledger.lock_accounts([member], currencies=(Currency.POINTS,))[
            (member.pk, Currency.POINTS)
        ]
        done = LedgerEntry.objects.filter(idempotency_key=key).first()
        if done is not None:
            return Expired(member.pk, on, 0, None)
        amount = min(
            expiring(member_lots(member=member), on=on, period_days=period_days),
            account.balance,
        )
        if amount <= 0 or dry_run:
            return Expired(member.pk, on, max(amount, 0), None)
        entry = ledger.post(
            member=member,
            currency=Currency.POINTS,
            amount=-amount,
            kind=EntryKind.EXPIRY,
            idempotency_key=key,
            actor_label="expiry",
        )
        return Expired(member.pk, on, amount, entry)
