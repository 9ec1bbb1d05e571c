"""Writes of the club that are more than one ledger posting: converting points to credit
and a club manager's manual adjustment. Both go through gamification/ledger.py, which is
the only code that moves a balance."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from . import ledger
from .models import ClubSettings, Currency, EntryKind, LedgerEntry

MANAGE_CLUB = "accounts.manage_club"


class ConversionRefused(ValueError):
    """The conversion is not allowed: too few points, or conversion switched off."""


def convert_points(*, member, points: int, idempotency_key: str) -> tuple[LedgerEntry, LedgerEntry]:
    """Turn `points` of the member's points into credit at ClubSettings.rials_per_point.

    Guarantees:
    - One transaction. Both of the member's accounts are locked first, in primary-key order
      (ledger.lock_accounts), so it cannot deadlock with other postings and the balance it
      checks is the balance it spends.
    - Two entries or none: CONVERSION_OUT (-points, points account) and CONVERSION_IN
      (+credit, credit account, description states the rate), keyed
      "<idempotency_key>:out" and "<idempotency_key>:in".
    - Idempotent: the same key again returns the first pair unchanged, even if the rate or
      the balance has changed since; the same key for a different number of points raises
      ledger.IdempotencyConflict.

    Raises ConversionRefused (a ValueError) below ClubSettings.min_points_to_convert or when
    the rate is 0, ledger.InsufficientBalance above the points balance, ValueError for a
    non-positive or non-integer amount."""
    if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        raise ValueError("points must be a positive integer")
    out_key, in_key = f"{idempotency_key}:out", f"{idempotency_key}:in"
    with transaction.atomic():
        accounts = ledger.lock_accounts([member])
        replay = _replayed_conversion(member=member, out_key=out_key, in_key=in_key, points=points)
        if replay is not None:
            return replay
        club = ClubSettings.load()
        if points < club.min_points_to_convert:
            raise ConversionRefused(
                _("At least %(minimum)s points can be converted at a time.")
                % {"minimum": club.min_points_to_convert}
            )
        if club.rials_per_point == 0:
            raise ConversionRefused(_("Converting points to credit is switched off."))
        balance = accounts[(member.pk, Currency.POINTS)].balance
        if points > balance:
            raise ledger.InsufficientBalance(
                _("You have %(balance)s points, fewer than %(points)s.")
                % {"balance": balance, "points": points}
            )
        credit = points * club.rials_per_point
        entry_out = ledger.post(
            member=member,
            currency=Currency.POINTS,
            amount=-points,
            kind=EntryKind.CONVERSION_OUT,
            idempotency_key=out_key,
            description=f"{points} points to {credit} rials",
        )
        entry_in = ledger.post(
            member=member,
            currency=Currency.CREDIT,
            amount=credit,
            kind=EntryKind.CONVERSION_IN,
            idempotency_key=in_key,
            description=f"{points} points at {club.rials_per_point} rials a point",
        )
    return entry_out, entry_in


def _replayed_conversion(
    *, member, out_key: str, in_key: str, points: int
) -> tuple[LedgerEntry, LedgerEntry] | None:
    """The pair a conversion with these keys already wrote, or None. Checked before the
    minimum and the balance so that a double submit returns the first answer."""
    found = LedgerEntry.objects.select_related("account").filter(
        idempotency_key__in=[out_key, in_key]
    )
    entries = {entry.idempotency_key: entry for entry in found}
    if not entries:
        return None
    entry_out, entry_in = entries.get(out_key), entries.get(in_key)
    if (
        entry_out is None
        or entry_in is None
        or entry_out.kind != EntryKind.CONVERSION_OUT
        or entry_in.kind != EntryKind.CONVERSION_IN
        or entry_out.amount != -points
        or entry_out.account.member_id != member.pk
        or entry_in.account.member_id != member.pk
    ):
        raise ledger.IdempotencyConflict(out_key)
    return entry_out, entry_in


def adjust_balance(
    *,
    member,
    currency: str,
    amount: int,
    reason: str,
    staff_user,
    idempotency_key: str,
) -> LedgerEntry:
    """A club manager's manual correction of a member's points or credit.

    Guarantees:
    - `staff_user` holds "accounts.manage_club" (superusers do), else PermissionDenied;
      checked before anything is read or written.
    - `reason` (stripped, 1..255 characters) is required and stored as the entry's
      description; `staff_user` is the entry's actor; the kind is ADJUSTMENT (points
      adjustments therefore count towards tiers and leaderboards, both ways).
    - Never takes points or credit below zero: ledger.InsufficientBalance.
    - One entry, one transaction, the account row locked (ledger.post). Idempotent: the same
      key returns the first entry; the same key for another adjustment raises
      ledger.IdempotencyConflict.

    Raises PermissionDenied, ValueError (blank or over-long reason, unknown currency, zero
    or non-integer amount), ledger.InsufficientBalance, ledger.IdempotencyConflict."""
    if not staff_user.has_perm(MANAGE_CLUB):
        raise PermissionDenied
    reason = (reason or "").strip()
    if not reason:
        raise ValueError(_("An adjustment needs a reason."))
    if len(reason) > 255:
        raise ValueError(_("The reason must be at most 255 characters."))
    if currency not in Currency.values:
        raise ValueError(f"unknown currency {currency!r}")
    try:
        return ledger.post(
            member=member,
            currency=currency,
            amount=amount,
            kind=EntryKind.ADJUSTMENT,
            idempotency_key=idempotency_key,
            actor=staff_user,
            description=reason,
            allow_negative=False,
        )
    except ledger.InsufficientBalance as error:
        balance = getattr(ledger.balances(member), currency)
        raise ledger.InsufficientBalance(
            _("This would take the member's %(currency)s below zero (balance: %(balance)s).")
            % {"currency": Currency(currency).label, "balance": balance}
        ) from error
