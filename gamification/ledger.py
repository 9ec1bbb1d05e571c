"""The only code that writes a balance.

post() appends one LedgerEntry and moves its account's balance in the same transaction,
under a row lock on the account, so concurrent postings never lose an update and a spend
never overdraws. Callers that post several entries at once (a purchase, a conversion)
first call lock_accounts() so rows are always locked in primary-key order and two
postings can never deadlock."""

from dataclasses import dataclass
from typing import NamedTuple

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from .models import (
    EARNING_KINDS,
    Account,
    Currency,
    DailyTotal,
    EntryKind,
    HeldCurrency,
    LedgerEntry,
)

ACCOUNT_CURRENCIES = frozenset(Currency.values) | frozenset(HeldCurrency.values)


class LedgerError(Exception):
    code = "ledger_error"


class InsufficientBalance(LedgerError):
    code = "insufficient_balance"


class IdempotencyConflict(LedgerError):
    """The key was used before for a different posting."""

    code = "idempotency_conflict"


class Posting(NamedTuple):
    """One entry for post_many()."""

    member_id: int
    currency: str
    amount: int
    kind: str
    idempotency_key: str
    corrects: LedgerEntry | None = None


@dataclass(frozen=True)
class Balances:
    points: int
    credit: int
    # On hold for review (gamification/holds.py): not spendable, not in points or credit.
    held_points: int = 0
    held_credit: int = 0


def lock_accounts(members, currencies=(Currency.POINTS, Currency.CREDIT)) -> dict:
    """Create (if needed) and lock the accounts of `members` in primary-key order. Must run
    inside a transaction. Returns {(member_id, currency): Account}."""
    member_ids = sorted({getattr(m, "pk", m) for m in members})
    wanted = {(member_id, currency) for member_id in member_ids for currency in currencies}
    locked = _select_locked(member_ids, currencies)
    if set(locked) != wanted:
        # First posting of a member: create the missing rows, then lock all of them.
        for member_id, currency in sorted(wanted - set(locked)):
            Account.objects.get_or_create(member_id=member_id, currency=currency)
        locked = _select_locked(member_ids, currencies)
    return locked


def _select_locked(member_ids, currencies) -> dict:
    rows = (
        Account.objects.select_for_update()
        .filter(member_id__in=member_ids, currency__in=list(currencies))
        .order_by("pk")
    )
    return {(account.member_id, account.currency): account for account in rows}


def _subject_ref(subject) -> tuple[ContentType | None, int | None]:
    if subject is None:
        return None, None
    return ContentType.objects.get_for_model(subject), subject.pk


def _shared_fields(subject, actor, actor_label, branch, description, now) -> dict:
    """The fields of an entry that say what it is about, who caused it, where and when."""
    subject_type, subject_id = _subject_ref(subject)
    return {
        "subject_type": subject_type,
        "subject_id": subject_id,
        "actor": actor,
        "actor_label": actor_label[:80],
        "branch": branch,
        "description": description[:255],
        "created_at": now,
    }


def post(
    *,
    member,
    currency: str,
    amount: int,
    kind: str,
    idempotency_key: str,
    subject=None,
    actor=None,
    actor_label: str = "",
    branch=None,
    description: str = "",
    corrects: LedgerEntry | None = None,
    allow_negative: bool = False,
    at=None,
) -> LedgerEntry:
    """Append an entry and move the balance, atomically and idempotently.

    - Locks the member's account row for `currency` (SELECT ... FOR UPDATE).
    - A key used before returns the earlier entry unchanged; the same key with another
      account, amount or kind raises IdempotencyConflict.
    - Points (and anything on hold) never go below zero. Credit goes below zero only with
      `allow_negative` (reversals), and a balance below zero can never be spent further.
    - Points entries of earning kinds also move the day's DailyTotal and the account's
      lifetime total (leaderboards, tiers), under the same lock.
    Raises InsufficientBalance, IdempotencyConflict, ValueError."""
    if not isinstance(amount, int) or isinstance(amount, bool) or amount == 0:
        raise ValueError("amount must be a non-zero integer")
    if currency not in ACCOUNT_CURRENCIES or kind not in EntryKind.values:
        raise ValueError("unknown currency or kind")
    if not idempotency_key or len(idempotency_key) > 200:
        raise ValueError("idempotency_key must be 1..200 characters")
    with transaction.atomic():
        account = lock_accounts([member], currencies=(currency,))[(member.pk, currency)]
        existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            if (existing.account_id, existing.amount, existing.kind) != (
                account.pk,
                amount,
                kind,
            ):
                raise IdempotencyConflict(idempotency_key)
            return existing
        new_balance = account.balance + amount
        if amount < 0 and new_balance < 0:
            if currency != Currency.CREDIT or not allow_negative:
                raise InsufficientBalance(f"{currency} balance {account.balance}, needs {-amount}")
        now = at or timezone.now()
        shared = _shared_fields(subject, actor, actor_label, branch, description, now)
        try:
            with transaction.atomic():
                entry = LedgerEntry(
                    account=account,
                    amount=amount,
                    kind=kind,
                    idempotency_key=idempotency_key,
                    corrects=corrects,
                    balance_after=new_balance,
                    **shared,
                )
                entry.save(force_insert=True)
        except IntegrityError:
            # Another transaction took the key between our check and insert (possible only
            # when it posted to a different account); its entry wins.
            existing = LedgerEntry.objects.filter(idempotency_key=idempotency_key).first()
            if existing is None:
                raise
            raise IdempotencyConflict(idempotency_key) from None
        updates = {"balance": new_balance, "updated_at": now}
        if currency == Currency.POINTS and kind in EARNING_KINDS:
            updates["lifetime_earned"] = F("lifetime_earned") + amount
            _add_daily_total(account.member_id, timezone.localdate(now), amount)
        Account.objects.filter(pk=account.pk).update(**updates)
        return entry


def post_many(
    *,
    accounts: dict,
    postings: list[Posting],
    subject=None,
    actor=None,
    actor_label: str = "",
    branch=None,
    description: str = "",
    at=None,
    allow_negative: bool = False,
) -> list[LedgerEntry]:
    """Post several entries at once to accounts the caller has already locked in this
    transaction with lock_accounts() (`accounts` is what it returned). Postings with a zero
    amount are skipped; the rest share subject, actor, branch and description. The same
    rules as post(): integer amounts, points never below zero, credit below zero only with
    `allow_negative` (reversals). A posting that `corrects` an entry must not take back
    more than is left of it: the caller computes that under its own lock. Keys must be
    new (callers derive them from a row they just inserted, as the card gateway does): no
    query checks them first, and a key used before fails the INSERT with IntegrityError
    under the unique constraint, which aborts the caller's transaction. One INSERT for the
    entries and one UPDATE per account, instead of post()'s lock, check, insert and update
    for each. Raises
    InsufficientBalance, IdempotencyConflict, ValueError; the caller's transaction should
    then be rolled back."""
    if not transaction.get_connection().in_atomic_block:
        raise ValueError("post_many() must run inside the transaction that locked the accounts")
    postings = [p for p in postings if p.amount]
    if not postings:
        return []
    for _member_id, currency, amount, kind, key, _corrects in postings:
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise ValueError("amount must be a non-zero integer")
        if currency not in ACCOUNT_CURRENCIES or kind not in EntryKind.values:
            raise ValueError("unknown currency or kind")
        if not key or len(key) > 200:
            raise ValueError("idempotency_key must be 1..200 characters")
    keys = [p.idempotency_key for p in postings]
    if len(set(keys)) != len(keys):
        raise IdempotencyConflict(", ".join(keys))
    now = at or timezone.now()
    shared = _shared_fields(subject, actor, actor_label, branch, description, now)
    entries, earned, touched = [], {}, {}
    for member_id, currency, amount, kind, key, corrects in postings:
        account = accounts[(member_id, currency)]
        new_balance = account.balance + amount
        if amount < 0 and new_balance < 0 and (currency != Currency.CREDIT or not allow_negative):
            raise InsufficientBalance(f"{currency} balance {account.balance}, needs {-amount}")
        account.balance = new_balance
        touched[account.pk] = account
        if currency == Currency.POINTS and kind in EARNING_KINDS:
            earned[account.pk] = earned.get(account.pk, 0) + amount
        entries.append(
            LedgerEntry(
                account=account,
                amount=amount,
                kind=kind,
                idempotency_key=key,
                corrects=corrects,
                balance_after=new_balance,
                **shared,
            )
        )
    LedgerEntry.objects.bulk_create(entries)
    for account in touched.values():
        updates = {"balance": account.balance, "updated_at": now}
        if account.pk in earned:
            updates["lifetime_earned"] = F("lifetime_earned") + earned[account.pk]
            _add_daily_total(account.member_id, timezone.localdate(now), earned[account.pk])
        Account.objects.filter(pk=account.pk).update(**updates)
    return entries


def _add_daily_total(member_id: int, day, amount: int) -> None:
    updated = DailyTotal.objects.filter(member_id=member_id, day=day).update(
        earned=F("earned") + amount
    )
    if not updated:
        # The account row lock serialises this member's postings, so no one else can be
        # creating the same day's row now.
        DailyTotal.objects.create(member_id=member_id, day=day, earned=amount)


def reverse(
    *,
    entry: LedgerEntry,
    idempotency_key: str,
    kind: str,
    amount: int | None = None,
    actor=None,
    actor_label: str = "",
    description: str = "",
    allow_negative: bool = True,
    subject=None,
) -> LedgerEntry:
    """Post the opposite of `entry` (or `amount` of it, same sign as the original) as a
    new entry that points at it. Entries are never edited. All reversals of one entry
    together never take back more than it: the account is locked and the earlier
    corrections counted first (a replayed key returns its entry as post() does)."""
    part = entry.amount if amount is None else amount
    if part == 0 or (part > 0) != (entry.amount > 0) or abs(part) > abs(entry.amount):
        raise ValueError("a reversal takes back part or all of the original, never more")
    account = entry.account
    with transaction.atomic():
        lock_accounts([account.member_id], currencies=(account.currency,))
        if not LedgerEntry.objects.filter(idempotency_key=idempotency_key).exists():
            taken = -(entry.corrections.aggregate(total=models.Sum("amount"))["total"] or 0)
            if abs(taken + part) > abs(entry.amount):
                raise ValueError(
                    f"entry {entry.pk} has {taken} of {entry.amount} taken back already; "
                    f"{part} more is too much"
                )
        return post(
            member=account.member,
            currency=account.currency,
            amount=-part,
            kind=kind,
            idempotency_key=idempotency_key,
            subject=subject if subject is not None else entry.subject,
            actor=actor,
            actor_label=actor_label,
            branch=entry.branch,
            description=description,
            corrects=entry,
            allow_negative=allow_negative,
        )


def balances(member) -> Balances:
    rows = dict(Account.objects.filter(member=member).values_list("currency", "balance"))
    return Balances(
        points=rows.get(Currency.POINTS, 0),
        credit=rows.get(Currency.CREDIT, 0),
        held_points=rows.get(HeldCurrency.POINTS, 0),
        held_credit=rows.get(HeldCurrency.CREDIT, 0),
    )


@dataclass
class AuditProblem:
    account_id: int
    member_id: int
    currency: str
    message: str


def audit(account_ids=None) -> list[AuditProblem]:
    """Every balance equals the sum of its entries, and every entry's balance_after equals
    the running sum up to it. Returns the differences (empty when the books balance)."""
    problems: list[AuditProblem] = []
    accounts = Account.objects.order_by("pk")
    if account_ids is not None:
        accounts = accounts.filter(pk__in=account_ids)
    sums = dict(
        LedgerEntry.objects.values("account")
        .annotate(total=models.Sum("amount"))
        .values_list("account", "total")
    )
    for account in accounts.iterator(chunk_size=2000):
        total = sums.get(account.pk) or 0
        if total != account.balance:
            problems.append(
                AuditProblem(
                    account.pk,
                    account.member_id,
                    account.currency,
                    f"balance {account.balance} but entries sum to {total}",
                )
            )
    problems.extend(_audit_chains(account_ids))
    return problems


def _audit_chains(account_ids) -> list[AuditProblem]:
    """balance_after must equal the running total of the account's entries in id order."""
    problems = []
    entries = LedgerEntry.objects.order_by("account_id", "id").values_list(
        "id", "account_id", "account__member_id", "account__currency", "amount", "balance_after"
    )
    if account_ids is not None:
        entries = entries.filter(account_id__in=account_ids)
    current, running = None, 0
    for entry_id, account_id, member_id, currency, amount, balance_after in entries.iterator(
        chunk_size=5000
    ):
        if account_id != current:
            current, running = account_id, 0
        running += amount
        if running != balance_after:
            problems.append(
                AuditProblem(
                    account_id,
                    member_id,
                    currency,
                    f"entry {entry_id}: balance_after {balance_after}, running total {running}",
                )
            )
            running = balance_after  # report each break once, not every entry after it
    return problems
