"""Rewards: members spend points on a reward and get a single-use voucher; staff check and
use the voucher at the till.

Points move only through ledger.post(); stock moves only under the reward's row lock.
Every refusal is a RewardError subclass with a stable `code` and a message a member or a
cashier can read."""

import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.shell.errors import CodedError

from . import ledger
from .models import Currency, EntryKind, GiftKind, LedgerEntry, Reward, Voucher

# No look-alikes: 0/O, 1/I/L, 2/Z, 5/S, 8/B are left out so a code read aloud or copied
# from a phone screen cannot be mistyped into another valid code.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 10
CODE_ATTEMPTS = 8
CONSUME_PERMISSIONS = ("accounts.operate_till", "accounts.manage_club")
KEY_PREFIX = "reward:"

# Persian (U+06F0..) and Arabic-Indic (U+0660..) digits, as a Persian keyboard types them.
_DIGITS = {ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")}
_DIGITS.update({ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")})
# Spaces, invisible direction marks and every dash a keyboard or a copy-paste may produce.
_SEPARATORS = dict.fromkeys(
    map(ord, " \t\r\n_-\u00a0\u200c\u200e\u200f\u0640\u2010\u2011\u2012\u2013\u2014\u2212")
)


class RewardError(CodedError):
    """A refused redemption or voucher use. `code` is stable; `message` is for people."""

    code = "reward_error"
    default_message = _("This reward cannot be redeemed right now.")


class RewardUnavailable(RewardError):
    code = "reward_unavailable"
    default_message = _("This reward is not available right now.")


class OutOfStock(RewardError):
    code = "out_of_stock"
    default_message = _("Sorry, this reward is out of stock.")


class LimitReached(RewardError):
    code = "limit_reached"
    default_message = _(
        "You already hold as many vouchers for this reward as one member may. "
        "Use one before redeeming it again."
    )


class InsufficientPoints(RewardError):
    code = "insufficient_points"
    default_message = _("You do not have enough points for this reward.")


class KeyReused(RewardError):
    """The idempotency key was used before for another member or reward."""

    code = "key_reused"
    default_message = _("This form was already used for something else. Please try again.")


class VoucherError(RewardError):
    """A refused voucher check or use. `voucher` is the voucher when one was found, so a
    screen can still show whose it is and when it expired or was used."""

    code = "voucher_error"

    def __init__(self, message=None, *, voucher: Voucher | None = None):
        self.voucher = voucher
        super().__init__(message)


class UnknownVoucher(VoucherError):
    code = "unknown_voucher"
    default_message = _("No voucher has this code. Check the code and try again.")


class VoucherUsed(VoucherError):
    code = "voucher_used"
    default_message = _("This voucher has already been used.")


class VoucherExpired(VoucherError):
    code = "voucher_expired"
    default_message = _("This voucher has expired and can no longer be used.")


# --- Codes ------------------------------------------------------------------------------


def new_voucher_code() -> str:
    """A random code, XXXXX-XXXXX, from CODE_ALPHABET (about 47 bits)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_code(code: str) -> str:
    """What a person typed, as stored: upper case, Persian digits as ASCII, spaces and
    dashes ignored, then regrouped XXXXX-XXXXX. Anything else is returned ungrouped (and
    matches no voucher)."""
    raw = (code or "").translate(_DIGITS).translate(_SEPARATORS).upper()
    if len(raw) == CODE_LENGTH:
        return f"{raw[:5]}-{raw[5:]}"
    return raw


# --- Reads -------------------------------------------------------------------------------


def live_vouchers_q(*, at, prefix: str = "") -> Q:
    """A live voucher can still be used: issued and not yet expired."""
    return Q(**{f"{prefix}status": Voucher.Status.ISSUED, f"{prefix}expires_at__gt": at})


def available_rewards(*, member, at=None) -> QuerySet[Reward]:
    """Active rewards inside their availability window, each annotated with `held`: how
    many live vouchers `member` holds for it. One query."""
    at = at or timezone.now()
    return (
        Reward.objects.filter(is_active=True, valid_from__lte=at)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=at))
        .annotate(
            held=Count(
                "vouchers",
                filter=Q(vouchers__member=member) & live_vouchers_q(at=at, prefix="vouchers__"),
            )
        )
        .order_by("points_cost", "pk")
    )


def member_vouchers(*, member, limit: int = 50) -> QuerySet[Voucher]:
    """The member's latest vouchers with their rewards. One query."""
    return (
        Voucher.objects.filter(member=member)
        .select_related("reward")
        .order_by("-issued_at", "-pk")[:limit]
    )


# --- Writes ------------------------------------------------------------------------------


def redeem_reward(*, member, reward: Reward, idempotency_key: str, at=None) -> Voucher:
    """Spend `reward.points_cost` of the member's points on one voucher for `reward`.

    One transaction. Locks the reward row, then the member's points account (the same
    order everywhere, so two redemptions cannot deadlock); the stock check, the member's
    limit and the balance are therefore read under lock and cannot race.
    Idempotent on `idempotency_key`: a replay returns the voucher of the first call, even
    if the reward has since run out. The same key for another member or reward raises
    KeyReused.
    Refusals change nothing and raise: RewardUnavailable (inactive or outside
    valid_from/valid_until), OutOfStock (stock None is unlimited), LimitReached (live
    vouchers for this reward >= per_member_limit), InsufficientPoints."""
    at = at or timezone.now()
    if not idempotency_key or len(idempotency_key) > 200 - len(KEY_PREFIX):
        raise ValueError("idempotency_key must be 1..193 characters")
    key = KEY_PREFIX + idempotency_key
    with transaction.atomic():
        reward = Reward.objects.select_for_update().get(pk=reward.pk)
        account = ledger.lock_accounts([member], currencies=(Currency.POINTS,))[
            (member.pk, Currency.POINTS)
        ]

        earlier = LedgerEntry.objects.filter(idempotency_key=key).first()
        if earlier is not None:
            voucher = Voucher.objects.filter(entry=earlier).select_related("reward").first()
            if voucher is None or voucher.member_id != member.pk or voucher.reward_id != reward.pk:
                raise KeyReused()
            return voucher

        if not reward.is_active or reward.valid_from > at:
            raise RewardUnavailable()
        if reward.valid_until is not None and reward.valid_until <= at:
            raise RewardUnavailable()
        if reward.stock is not None and reward.stock < 1:
            raise OutOfStock()
        held = Voucher.objects.filter(
            Q(member=member, reward=reward) & live_vouchers_q(at=at)
        ).count()
        if held >= reward.per_member_limit:
            raise LimitReached()
        if account.balance < reward.points_cost:
            raise InsufficientPoints()

        try:
            entry = ledger.post(
                member=member,
                currency=Currency.POINTS,
                amount=-reward.points_cost,
                kind=EntryKind.REWARD,
                idempotency_key=key,
                subject=reward,
                actor=member,
                description=reward.name,
                at=at,
            )
        except ledger.InsufficientBalance:
            raise InsufficientPoints() from None
        if reward.stock is not None:
            Reward.objects.filter(pk=reward.pk).update(stock=F("stock") - 1)
        return _issue_voucher(member=member, reward=reward, entry=entry, at=at)


def gift_voucher(
    *,
    member,
    reward: Reward,
    idempotency_key: str,
    days: int | None = None,
    subject=None,
    actor=None,
    description: str = "",
    at=None,
) -> Voucher:
    """Give `member` a voucher for `reward` without charging points (a club campaign's
    gift). One transaction, under the member's points account lock: the club gifts the
    reward's points (EntryKind.GIFT, key `idempotency_key`) and they are spent on the
    voucher at once (EntryKind.REWARD, key `idempotency_key` + ":voucher"), so the balance
    does not move and the books show both. Availability, stock and the member's limit are
    not checked: the club chose to give it. The voucher lasts `days` (default: the
    reward's). Idempotent: a replay returns the first voucher; the key used for another
    member or reward raises KeyReused."""
    at = at or timezone.now()
    spend_key = f"{idempotency_key}:voucher"
    with transaction.atomic():
        ledger.lock_accounts([member], currencies=(Currency.POINTS,))
        earlier = LedgerEntry.objects.filter(idempotency_key=spend_key).first()
        if earlier is not None:
            voucher = Voucher.objects.filter(entry=earlier).first()
            if voucher is None or voucher.member_id != member.pk or voucher.reward_id != reward.pk:
                raise KeyReused()
            return voucher
        shared = {
            "member": member,
            "currency": Currency.POINTS,
            "subject": subject or reward,
            "actor": actor,
            "description": description or reward.name,
            "at": at,
        }
        try:
            ledger.post(
                amount=reward.points_cost,
                kind=EntryKind.GIFT,
                idempotency_key=idempotency_key,
                **shared,
            )
            entry = ledger.post(
                amount=-reward.points_cost,
                kind=EntryKind.REWARD,
                idempotency_key=spend_key,
                **shared,
            )
        except ledger.IdempotencyConflict:
            raise KeyReused() from None
        return _issue_voucher(member=member, reward=reward, entry=entry, at=at, days=days)


def give_gift(
    *,
    member,
    kind: str,
    idempotency_key: str,
    amount: int = 0,
    reward: Reward | None = None,
    days: int | None = None,
    subject=None,
    actor=None,
    actor_label: str = "",
    description: str = "",
    at=None,
) -> tuple[LedgerEntry, Voucher | None]:
    """A gift from the club (a campaign's, an automation's): `amount` points or credit
    posted as EntryKind.GIFT, or a voucher for `reward` lasting `days` (gift_voucher).
    Returns the GIFT ledger entry and the voucher (None for points and credit).
    Idempotent by `idempotency_key`, like the postings it makes."""
    if kind == GiftKind.VOUCHER:
        voucher = gift_voucher(
            member=member,
            reward=reward,
            idempotency_key=idempotency_key,
            days=days,
            subject=subject,
            actor=actor,
            description=description,
            at=at,
        )
        # The GIFT half of the pair (the voucher points at the REWARD half).
        return LedgerEntry.objects.get(idempotency_key=idempotency_key), voucher
    if kind not in (GiftKind.POINTS, GiftKind.CREDIT):
        raise ValueError(f"not a gift: {kind!r}")
    entry = ledger.post(
        member=member,
        currency=Currency.POINTS if kind == GiftKind.POINTS else Currency.CREDIT,
        amount=amount,
        kind=EntryKind.GIFT,
        idempotency_key=idempotency_key,
        subject=subject,
        actor=actor,
        actor_label=actor_label,
        description=description,
        at=at,
    )
    return entry, None


def _issue_voucher(
    *, member, reward: Reward, entry: LedgerEntry, at, days: int | None = None
) -> Voucher:
    """Create the voucher with a fresh code; a code collision (the unique constraint) is
    retried with another code inside a savepoint."""
    for _attempt in range(CODE_ATTEMPTS):
        code = new_voucher_code()
        try:
            with transaction.atomic():
                return Voucher.objects.create(
                    code=code,
                    reward=reward,
                    member=member,
                    entry=entry,
                    issued_at=at,
                    expires_at=at + timedelta(days=days or reward.voucher_days),
                )
        except IntegrityError:
            if not Voucher.objects.filter(code=code).exists():
                raise
    raise RuntimeError("could not find a free voucher code")


def _refuse_unusable(voucher: Voucher, at) -> None:
    if voucher.status == Voucher.Status.CONSUMED:
        raise VoucherUsed(voucher=voucher)
    if voucher.expires_at <= at:
        raise VoucherExpired(voucher=voucher)


def check_voucher(*, code: str, at=None) -> Voucher:
    """The usable voucher with this code (typed in any case, with or without spaces or
    dashes, Persian digits accepted), with its reward and member. Changes nothing.
    Raises UnknownVoucher, VoucherUsed, VoucherExpired."""
    at = at or timezone.now()
    voucher = (
        Voucher.objects.select_related("reward", "member", "consumed_by")
        .filter(code=normalise_code(code))
        .first()
    )
    if voucher is None:
        raise UnknownVoucher()
    _refuse_unusable(voucher, at)
    return voucher


def consume_voucher(*, code: str, staff_user, at=None) -> Voucher:
    """Use the voucher once: status consumed, when and by whom. Only staff holding
    accounts.operate_till or accounts.manage_club (PermissionDenied otherwise).
    Locks the voucher row, so two tills using the same code at once: one succeeds, the
    other gets VoucherUsed. Raises UnknownVoucher, VoucherUsed, VoucherExpired."""
    if not any(staff_user.has_perm(perm) for perm in CONSUME_PERMISSIONS):
        raise PermissionDenied
    at = at or timezone.now()
    with transaction.atomic():
        voucher = Voucher.objects.select_for_update().filter(code=normalise_code(code)).first()
        if voucher is None:
            raise UnknownVoucher()
        _refuse_unusable(voucher, at)
        voucher.status = Voucher.Status.CONSUMED
        voucher.consumed_at = at
        voucher.consumed_by = staff_user
        voucher.save(update_fields=["status", "consumed_at", "consumed_by"])
    # Read back outside the lock's query: select_for_update with select_related would
    # also lock the reward and member rows, which no one needs here.
    return Voucher.objects.select_related("reward", "member", "consumed_by").get(pk=voucher.pk)
