"""Holds: points and credit under review, kept in the ledger, never deleted.

place() moves what is left of each named entry from the member's spendable account to
their held account (HeldCurrency): two entries, so the books still balance and nothing
held can be spent, converted or redeemed. settle() ends every live hold of a subject:
`release` moves the amount back; `forfeit` takes what is still owed from the held account
and releases the rest (a part the till already took back by a reversal or return is never
taken twice). Both lock the accounts in primary-key order (ledger.lock_accounts) and the
hold rows, so a hold is settled once however many reviewers press at the same time."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from . import ledger
from .models import HELD, Currency, EntryKind, Hold, HoldStatus, LedgerEntry


@dataclass(frozen=True)
class Held:
    points: int
    credit: int


def _subject_label(subject) -> str:
    return f"{subject._meta.label_lower}:{subject.pk}"


def _taken_back(entry_ids) -> dict[int, int]:
    """How much of each entry reversals and returns have already taken back (positive)."""
    rows = (
        LedgerEntry.objects.filter(corrects_id__in=entry_ids)
        .values("corrects_id")
        .annotate(total=Sum("amount"))
        .values_list("corrects_id", "total")
    )
    return {entry_id: -total for entry_id, total in rows}


def place(*, entries, subject, reason: str = "", at=None) -> list[Hold]:
    """Hold what is left of each positive points or credit entry in `entries` (less what was
    taken back, less what another live hold holds, at most the spendable balance). Entries
    already held and amounts of zero are skipped. Idempotent per subject and entry."""
    at = at or timezone.now()
    label = _subject_label(subject)
    subject_type = ContentType.objects.get_for_model(subject)
    with transaction.atomic():
        wanted = list(
            LedgerEntry.objects.select_related("account")
            .filter(
                pk__in=[getattr(e, "pk", e) for e in entries],
                amount__gt=0,
                account__currency__in=Currency.values,
            )
            .order_by("pk")
        )
        if not wanted:
            return []
        members = {entry.account.member_id for entry in wanted}
        accounts = ledger.lock_accounts(members, currencies=[*Currency.values, *HELD.values()])
        live = set(
            Hold.objects.filter(source__in=wanted, status=HoldStatus.HELD).values_list(
                "source_id", flat=True
            )
        )
        taken = _taken_back([entry.pk for entry in wanted])
        holds = []
        for entry in wanted:
            if entry.pk in live:
                continue
            member_id, currency = entry.account.member_id, entry.account.currency
            spendable = accounts[(member_id, currency)]
            amount = min(entry.amount - taken.get(entry.pk, 0), spendable.balance)
            if amount <= 0:
                continue
            key = f"hold:{label}:{entry.pk}"
            out, _in = ledger.post_many(
                accounts=accounts,
                postings=[
                    ledger.Posting(member_id, currency, -amount, EntryKind.HOLD, f"{key}:out"),
                    ledger.Posting(member_id, HELD[currency], amount, EntryKind.HOLD, f"{key}:in"),
                ],
                subject=subject,
                description=reason,
                at=at,
            )
            holds.append(
                Hold.objects.create(
                    member_id=member_id,
                    currency=currency,
                    source=entry,
                    amount=amount,
                    subject_type=subject_type,
                    subject_id=subject.pk,
                    hold_entry=out,
                    created_at=at,
                )
            )
        return holds


def settle(*, subject, forfeit: bool, actor=None, reason: str = "", at=None) -> list[Hold]:
    """Release (forfeit=False) or forfeit every live hold of `subject`. Returns the holds
    settled now; holds settled before are left as they are."""
    at = at or timezone.now()
    label = _subject_label(subject)
    subject_type = ContentType.objects.get_for_model(subject)
    with transaction.atomic():
        pending = Hold.objects.filter(
            subject_type=subject_type, subject_id=subject.pk, status=HoldStatus.HELD
        )
        members = set(pending.values_list("member_id", flat=True))
        if not members:
            return []
        accounts = ledger.lock_accounts(members, currencies=[*Currency.values, *HELD.values()])
        # Locked after the accounts (the order place() and the till use), then re-read:
        # a hold another reviewer settled while we waited is gone from this list.
        holds = list(pending.select_for_update().select_related("source").order_by("pk"))
        taken = _taken_back([hold.source_id for hold in holds])
        postings = []
        for hold in holds:
            still_owed = max(hold.source.amount - taken.get(hold.source_id, 0), 0)
            hold.forfeited = min(hold.amount, still_owed) if forfeit else 0
            hold.released = hold.amount - hold.forfeited
            key = f"settle:{label}:{hold.pk}"
            held_currency = HELD[hold.currency]
            if hold.released:
                postings += [
                    ledger.Posting(
                        hold.member_id,
                        held_currency,
                        -hold.released,
                        EntryKind.HOLD_RELEASED,
                        f"{key}:out",
                    ),
                    ledger.Posting(
                        hold.member_id,
                        hold.currency,
                        hold.released,
                        EntryKind.HOLD_RELEASED,
                        f"{key}:in",
                        hold.hold_entry,
                    ),
                ]
            if hold.forfeited:
                postings.append(
                    ledger.Posting(
                        hold.member_id,
                        held_currency,
                        -hold.forfeited,
                        EntryKind.HOLD_FORFEITED,
                        f"{key}:forfeit",
                    )
                )
            hold.status = HoldStatus.FORFEITED if hold.forfeited else HoldStatus.RELEASED
            hold.settled_at = at
        ledger.post_many(
            accounts=accounts,
            postings=postings,
            subject=subject,
            actor=actor,
            description=reason,
            at=at,
        )
        Hold.objects.bulk_update(holds, ["status", "released", "forfeited", "settled_at"])
        return holds


def held(member) -> Held:
    """What the member has on hold now."""
    balances = ledger.balances(member)
    return Held(points=balances.held_points, credit=balances.held_credit)
