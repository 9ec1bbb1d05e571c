"""Every write of the card gateway. The reader API (api.py) and the cashier screen
(views.py) call the same functions.

Postings (purchase, reversal, return) guarantee:
- One database transaction. The card row is locked first (SELECT ... FOR UPDATE), then the
  member's and the referrer's accounts in primary-key order (ledger.lock_accounts), so two
  postings on one card or one member run one after the other and never deadlock.
- Idempotency per terminal and `txn_id` (a unique constraint): the same request again
  returns the stored answer with `replay=True` and changes nothing; the same `txn_id`
  with a different request raises Refused("txn_conflict").
- A refusal (Refused) changes nothing, apart from the limit-hit review log."""

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from cryptography.fernet import InvalidToken
from django.db import IntegrityError, transaction
from django.utils import timezone

from gamification import ledger, referrals, tiers
from gamification.models import ClubSettings, Currency, EntryKind, LedgerEntry, Referral, Tier

from . import cards, vault
from .models import (
    Card,
    CardEvent,
    CardStatus,
    GatewaySettings,
    LimitHit,
    LimitKind,
    Terminal,
    Transaction,
    TxnKind,
)
from .signing import TXN_ID_RE

CURRENCY = "IRR"


class Refused(Exception):
    """A request the gateway refuses; `code` is GATEWAY.md's error code."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class LimitRefused(Refused):
    def __init__(self, kind: str, message: str, card: Card):
        super().__init__("limit_exceeded", message)
        self.kind, self.card = kind, card


@dataclass(frozen=True)
class Posted:
    txn: Transaction
    replay: bool

    @property
    def response(self) -> dict:
        return self.txn.response


# --- Terminals --------------------------------------------------------------------------


def new_terminal_secret() -> str:
    return secrets.token_urlsafe(32)


def create_terminal(
    *, branch, name: str, terminal_id: str = "", secret: str = ""
) -> tuple[Terminal, str]:
    """Create a terminal and return it with its secret, the only time the secret is given
    out in clear. `terminal_id` defaults to a random "T-" id; `secret` (for the demo seed)
    to a random one."""
    secret = secret or new_terminal_secret()
    terminal = Terminal.objects.create(
        terminal_id=terminal_id or f"T-{secrets.token_hex(4).upper()}",
        name=name,
        branch=branch,
        secret_encrypted=vault.encrypt(secret),
    )
    return terminal, secret


def rotate_terminal_secret(*, terminal: Terminal, grace: timedelta = timedelta(0)) -> str:
    """Give the terminal a new secret (returned once). With a `grace` period the current
    secret keeps working beside the new one until then, so the reader can be updated
    without downtime; with none (a leaked secret) it stops at once. Only the secret being
    replaced is kept: rotating again ends any earlier grace."""
    if grace < timedelta(0):
        raise ValueError("grace must not be negative")
    secret = new_terminal_secret()
    now = timezone.now()
    with transaction.atomic():
        current = Terminal.objects.select_for_update().get(pk=terminal.pk)
        keep = grace > timedelta(0)
        Terminal.objects.filter(pk=terminal.pk).update(
            secret_encrypted=vault.encrypt(secret),
            rotated_at=now,
            previous_secret_encrypted=current.secret_encrypted if keep else "",
            previous_secret_valid_until=now + grace if keep else None,
        )
    terminal.refresh_from_db()
    return secret


def old_secret_until(terminal: Terminal, *, now=None):
    """When the previous secret stops working, or None if it no longer does."""
    until = terminal.previous_secret_valid_until
    now = now or timezone.now()
    return until if terminal.previous_secret_encrypted and until and now < until else None


def terminal_secrets(terminal: Terminal, *, now=None) -> list[str]:
    """The secrets a request from the terminal may be signed with: the current one, and the
    previous one while its grace period lasts. A secret encrypted under a key no longer
    configured is left out (the terminal must be rotated)."""
    encrypted = [terminal.secret_encrypted]
    if old_secret_until(terminal, now=now):
        encrypted.append(terminal.previous_secret_encrypted)
    found = []
    for token in encrypted:
        try:
            found.append(vault.decrypt(token))
        except InvalidToken:
            continue
    return found


def set_terminal_enabled(*, terminal: Terminal, enabled: bool) -> None:
    Terminal.objects.filter(pk=terminal.pk).update(is_enabled=enabled)
    terminal.is_enabled = enabled


def terminal_secret(terminal: Terminal) -> str:
    return vault.decrypt(terminal.secret_encrypted)


# --- Cards ------------------------------------------------------------------------------


def issue_card(
    *, member, actor=None, branch=None, replaces: Card | None = None, number: str = ""
) -> Card:
    """Give the member a new active card with a fresh Luhn-checked number. Numbers are
    random; a collision is caught by the unique constraint and another number drawn.
    `number` (for the demo seed) asks for that exact number instead. Raises
    Refused("card_exists") when the member already holds an active card,
    Refused("invalid_request") for a `number` that is not a club number and
    Refused("card_number_taken") when another card already has it."""
    wanted = _card_number(number) if number else ""
    with transaction.atomic():
        if Card.objects.filter(member=member, status=CardStatus.ACTIVE).exists():
            raise Refused("card_exists", "The member already has an active card.")
        for _attempt in range(1 if wanted else 20):
            try:
                with transaction.atomic():
                    card = Card.objects.create(
                        number=wanted or cards.random_card_number(),
                        member=member,
                        replaces=replaces,
                        issued_at_branch=branch,
                    )
                break
            except IntegrityError:
                if Card.objects.filter(member=member, status=CardStatus.ACTIVE).exists():
                    raise Refused("card_exists", "The member already has an active card.") from None
                if wanted:
                    raise Refused(
                        "card_number_taken", "Another card already has this number."
                    ) from None
        else:  # pragma: no cover - 20 collisions in a billion numbers
            raise RuntimeError("could not draw a free card number")
        CardEvent.objects.create(
            card=card,
            to_status=CardStatus.ACTIVE,
            actor=actor,
            reason=f"replaces {replaces.masked}" if replaces else "issued",
        )
    return card


def set_card_status(*, card: Card, status: str, actor=None, reason: str = "") -> Card:
    """Move a card to `status` and record it in the card's history."""
    if status not in CardStatus.values:
        raise ValueError(f"unknown card status {status!r}")
    with transaction.atomic():
        locked = Card.objects.select_for_update().get(pk=card.pk)
        if locked.status != status:
            CardEvent.objects.create(
                card=locked,
                from_status=locked.status,
                to_status=status,
                actor=actor,
                reason=reason[:200],
            )
            locked.status = status
            locked.save(update_fields=["status"])
    return locked


def replace_card(*, card: Card, actor=None, branch=None, lost: bool = True) -> Card:
    """Block a lost (or damaged) card and issue its replacement, free of charge. Balances
    belong to the member, so nothing moves. Returns the new card."""
    with transaction.atomic():
        old = set_card_status(
            card=card,
            status=CardStatus.LOST if lost else CardStatus.REPLACED,
            actor=actor,
            reason="reported lost" if lost else "replaced",
        )
        return issue_card(member=old.member, actor=actor, branch=branch, replaces=old)


def _card_number(value) -> str:
    """The normalised number, or Refused("invalid_request") when it is no club number."""
    number = cards.normalise(value) if isinstance(value, str) else value
    if not isinstance(number, str) or not cards.is_card_number(number):
        raise Refused("invalid_request", "The card number is not a valid 16-digit club number.")
    return number


def find_card(number: str) -> Card:
    number = _card_number(number)
    card = Card.objects.select_related("member__profile").filter(number=number).first()
    if card is None:
        raise Refused("unknown_card", "No card has this number.")
    return card


def _lowest_tier() -> Tier | None:
    return Tier.objects.order_by("threshold").first()


def _tier_or_lowest(member) -> Tier | None:
    return tiers.current_tier(member) or _lowest_tier()


def inquiry(*, card_number: str) -> dict:
    """What a till may show about a card: masked number, status, name, tier, balances."""
    card = find_card(card_number)
    member = card.member
    tier = _tier_or_lowest(member)
    balance = ledger.balances(member)
    return {
        "card": card.masked,
        "status": card.status,
        "member": {"display_name": member.display_name, "tier": tier.slug if tier else ""},
        "points": balance.points,
        "credit": balance.credit,
        "currency": CURRENCY,
    }


# --- Postings ---------------------------------------------------------------------------


def _fingerprint(kind: str, **fields) -> str:
    canonical = json.dumps({"kind": kind, **fields}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _replay(*, terminal, txn_id: str, fingerprint: str) -> Posted | None:
    txn = Transaction.objects.filter(terminal=terminal, txn_id=txn_id).first()
    if txn is None:
        return None
    if txn.request_hash != fingerprint:
        raise Refused("txn_conflict", "This txn_id was already used for a different request.")
    return Posted(txn, replay=True)


# Far above any bill, far below what a 64-bit column holds.
MAX_AMOUNT = 10**15


def _check_amount(value, name: str, *, allow_zero: bool = False) -> int:
    if (
        not isinstance(value, int)
        or isinstance(value, bool)
        or value < 0
        or (value == 0 and not allow_zero)
        or value > MAX_AMOUNT
    ):
        raise Refused("invalid_request", f"{name} must be a positive whole number of rials.")
    return value


def _check_txn_id(txn_id) -> str:
    if not isinstance(txn_id, str) or not TXN_ID_RE.match(txn_id):
        raise Refused("invalid_request", "txn_id must be 1 to 64 characters of A-Z a-z 0-9 _ -.")
    return txn_id


def _actor_label(terminal, cashier) -> str:
    if terminal is not None:
        return f"terminal:{terminal.terminal_id}"
    return f"cashier:{cashier.pk}" if cashier is not None else "till"


def _new_receipt() -> str:
    return f"R-{secrets.token_hex(8).upper()}"


def _referrer_id(member) -> int | None:
    return Referral.objects.filter(referee=member).values_list("referrer_id", flat=True).first()


def log_limit_hit(*, kind: str, terminal, card, detail: str) -> None:
    """Record a request a till limit refused, for the club manager's review list."""
    LimitHit.objects.create(kind=kind, terminal=terminal, card=card, detail=detail[:200])


def _answer(*, txn_id, receipt, amount, redeemed, cashback, points, balance, tier) -> dict:
    return {
        "txn_id": txn_id,
        "receipt": receipt,
        "amount": amount,
        "redeemed": redeemed,
        "cashback": cashback,
        "points": points,
        "balance": {"points": balance[0], "credit": balance[1]},
        "tier": tier,
    }


def _locked_balances(accounts: dict, member_id: int) -> tuple[int, int]:
    return (
        accounts[(member_id, Currency.POINTS)].balance,
        accounts[(member_id, Currency.CREDIT)].balance,
    )


def post_purchase(
    *,
    txn_id: str,
    card_number: str,
    amount: int,
    redeem: int = 0,
    occurred_at=None,
    terminal: Terminal | None = None,
    branch=None,
    cashier=None,
) -> Posted:
    """Credit a purchase: spend `redeem` of the member's credit if asked, then cashback at
    the tier's rate and purchase points on `amount - redeem`, and the referrer's share on
    the same base, all as ledger entries about one Transaction. See the module docstring
    for the guarantees. Raises Refused with invalid_request, unknown_card, card_blocked,
    limit_exceeded, insufficient_credit, below_redeem_threshold or txn_conflict."""
    _check_txn_id(txn_id)
    _check_amount(amount, "amount")
    _check_amount(redeem, "redeem", allow_zero=True)
    if redeem > amount:
        raise Refused("invalid_request", "redeem may not exceed the amount.")
    number = _card_number(card_number)
    fingerprint = _fingerprint(
        "purchase",
        card=number,
        amount=amount,
        redeem=redeem,
        occurred_at=occurred_at.isoformat() if occurred_at else None,
    )
    branch = branch or (terminal.branch if terminal is not None else None)
    try:
        return _post_purchase_locked(
            number=number,
            txn_id=txn_id,
            fingerprint=fingerprint,
            amount=amount,
            redeem=redeem,
            occurred_at=occurred_at,
            terminal=terminal,
            branch=branch,
            cashier=cashier,
        )
    except LimitRefused as refusal:
        log_limit_hit(
            kind=refusal.kind, terminal=terminal, card=refusal.card, detail=refusal.message
        )
        raise
    except IntegrityError:
        return _after_race(terminal=terminal, txn_id=txn_id, fingerprint=fingerprint)


def _after_race(*, terminal, txn_id: str, fingerprint: str) -> Posted:
    """Two requests with one txn_id but different cards (so not serialised by the card
    lock) raced to insert it; the loser's transaction rolled back and it answers as a
    replay or a conflict, as if it had come second."""
    replay = _replay(terminal=terminal, txn_id=txn_id, fingerprint=fingerprint)
    if replay is None:
        raise RuntimeError("integrity error without a conflicting transaction")
    return replay


def _post_purchase_locked(
    *, number, txn_id, fingerprint, amount, redeem, occurred_at, terminal, branch, cashier
) -> Posted:
    now = timezone.now()
    with transaction.atomic():
        card = (
            Card.objects.select_related("member")
            .select_for_update(of=("self",))
            .filter(number=number)
            .first()
        )
        # Checked under the card lock, so a twin of this request that committed while we
        # waited is seen here and replayed.
        replay = _replay(terminal=terminal, txn_id=txn_id, fingerprint=fingerprint)
        if replay is not None:
            return replay
        if card is None:
            raise Refused("unknown_card", "No card has this number.")
        if not card.is_usable:
            raise Refused("card_blocked", f"The card is {card.status}.")
        _check_limits(card=card, amount=amount, now=now)
        member = card.member
        referrer_id = _referrer_id(member)
        accounts = ledger.lock_accounts([member.pk] + ([referrer_id] if referrer_id else []))
        points_before, credit_before = _locked_balances(accounts, member.pk)
        if redeem:
            if redeem > credit_before:
                raise Refused("insufficient_credit", "The credit balance is smaller than redeem.")
            club = ClubSettings.load()
            if credit_before < club.min_redeemable_credit:
                raise Refused(
                    "below_redeem_threshold",
                    f"Credit can be spent once the balance reaches {club.min_redeemable_credit}.",
                )
        member_tier = tiers.current_tier(member)
        tier = member_tier or _lowest_tier()
        base = amount - redeem
        cashback = referrals.share_of(base, tier.cashback_bp if tier else 0)
        points = base * (tier.points_per_million if tier else 0) // 1_000_000
        receipt = _new_receipt()
        txn = Transaction.objects.create(
            kind=TxnKind.PURCHASE,
            terminal=terminal,
            txn_id=txn_id,
            request_hash=fingerprint,
            receipt=receipt,
            card=card,
            member=member,
            branch=branch,
            cashier=cashier,
            amount=amount,
            redeemed=redeem,
            cashback=cashback,
            points=points,
            tier=tier.slug if tier else "",
            occurred_at=occurred_at,
            created_at=now,
            response={},
        )
        actor_label = _actor_label(terminal, cashier)
        ledger.post_many(
            accounts=accounts,
            postings=[
                ledger.Posting(member.pk, currency, value, kind, f"gw:{txn.pk}:{kind}")
                for currency, value, kind in (
                    (Currency.CREDIT, -redeem, EntryKind.REDEEM),
                    (Currency.CREDIT, cashback, EntryKind.CASHBACK),
                    (Currency.POINTS, points, EntryKind.PURCHASE_POINTS),
                )
            ],
            subject=txn,
            actor=cashier,
            actor_label=actor_label,
            branch=branch,
            description=f"receipt {receipt}",
            at=now,
        )
        share = referrals.credit_purchase_share(
            referee=member,
            base_amount=base,
            idempotency_key=f"gw:{txn.pk}:{EntryKind.REFERRAL_SHARE}",
            branch=branch,
            actor_label=actor_label,
            description=f"receipt {receipt}",
            at=now,
        )
        after_tier = (
            tiers.promote_if_due(member=member, current=member_tier, at=now) if points else None
        )
        txn.referral_share = share.amount
        txn.response = _answer(
            txn_id=txn_id,
            receipt=receipt,
            amount=amount,
            redeemed=redeem,
            cashback=cashback,
            points=points,
            balance=(points_before + points, credit_before - redeem + cashback),
            tier=(after_tier or tier).slug if (after_tier or tier) else "",
        )
        txn.save(update_fields=["referral_share", "response"])
    return Posted(txn, replay=False)


def _check_limits(*, card: Card, amount: int, now) -> None:
    limits = GatewaySettings.load()
    if amount > limits.max_purchase_amount:
        raise LimitRefused(
            LimitKind.AMOUNT,
            f"Amount {amount} is above the largest single purchase {limits.max_purchase_amount}.",
            card,
        )
    recent = Transaction.objects.filter(
        card=card, kind=TxnKind.PURCHASE, created_at__gte=now - timedelta(hours=1)
    ).count()
    if recent >= limits.purchases_per_hour:
        raise LimitRefused(
            LimitKind.VELOCITY,
            f"The card already made {recent} purchases in the last hour "
            f"(limit {limits.purchases_per_hour}).",
            card,
        )


def reverse_purchase(
    *,
    txn_id: str,
    original_txn_id: str,
    terminal: Terminal | None = None,
    branch=None,
    cashier=None,
) -> Posted:
    """Undo a purchase of the same terminal entirely: give back the credit it spent, take
    back what is left of its cashback, points and referral share after earlier returns.
    Never refused for lack of balance: credit may go below zero; points, which cannot,
    are taken back as far as the balance goes and the rest recorded as uncollected.
    Raises Refused with invalid_request, unknown_transaction, already_reversed or
    txn_conflict."""
    return _follow_up(
        kind=TxnKind.REVERSAL,
        txn_id=txn_id,
        original_txn_id=original_txn_id,
        amount=None,
        terminal=terminal,
        branch=branch,
        cashier=cashier,
    )


def return_purchase(
    *,
    txn_id: str,
    original_txn_id: str,
    amount: int,
    terminal: Terminal | None = None,
    branch=None,
    cashier=None,
) -> Posted:
    """A partial return of `amount` rials of a purchase: takes back cashback, points and
    referral share in proportion, rounded down over all returns together (so returns that
    add up to the whole purchase take back exactly all of it). The credit spent is not
    given back. Raises Refused with invalid_request, unknown_transaction,
    already_reversed, return_exceeds_purchase or txn_conflict."""
    _check_amount(amount, "amount")
    return _follow_up(
        kind=TxnKind.RETURN,
        txn_id=txn_id,
        original_txn_id=original_txn_id,
        amount=amount,
        terminal=terminal,
        branch=branch,
        cashier=cashier,
    )


def _follow_up(*, kind, txn_id, original_txn_id, amount, terminal, branch, cashier) -> Posted:
    _check_txn_id(txn_id)
    _check_txn_id(original_txn_id)
    fingerprint = _fingerprint(kind, original_txn_id=original_txn_id, amount=amount)
    replay = _replay(terminal=terminal, txn_id=txn_id, fingerprint=fingerprint)
    if replay is not None:
        return replay
    purchase = Transaction.objects.filter(
        terminal=terminal, txn_id=original_txn_id, kind=TxnKind.PURCHASE
    ).first()
    if purchase is None:
        raise Refused("unknown_transaction", "No purchase of this terminal has that txn_id.")
    try:
        return _follow_up_locked(
            purchase=purchase,
            kind=kind,
            txn_id=txn_id,
            fingerprint=fingerprint,
            amount=amount,
            terminal=terminal,
            branch=branch or (terminal.branch if terminal is not None else None),
            cashier=cashier,
        )
    except IntegrityError:
        return _after_race(terminal=terminal, txn_id=txn_id, fingerprint=fingerprint)


def _follow_up_locked(
    *, purchase, kind, txn_id, fingerprint, amount, terminal, branch, cashier
) -> Posted:
    now = timezone.now()
    with transaction.atomic():
        Card.objects.select_for_update().filter(pk=purchase.card_id).first()
        replay = _replay(terminal=terminal, txn_id=txn_id, fingerprint=fingerprint)
        if replay is not None:
            return replay
        followups = purchase.followups.all()
        if any(f.kind == TxnKind.REVERSAL for f in followups):
            raise Refused("already_reversed", "This purchase was already reversed.")
        returned = -sum(f.amount for f in followups if f.kind == TxnKind.RETURN)
        if kind == TxnKind.RETURN and returned + amount > purchase.amount:
            raise Refused(
                "return_exceeds_purchase",
                f"Returns would total {returned + amount}, more than the purchase "
                f"{purchase.amount}.",
            )
        returned_after = purchase.amount if kind == TxnKind.REVERSAL else returned + amount
        return _post_follow_up(
            purchase=purchase,
            kind=kind,
            txn_id=txn_id,
            fingerprint=fingerprint,
            returned_before=returned,
            returned_after=returned_after,
            terminal=terminal,
            branch=branch,
            cashier=cashier,
            now=now,
        )


def _proportion(total: int, returned: int, whole: int) -> int:
    return total * returned // whole


def _post_follow_up(
    *,
    purchase,
    kind,
    txn_id,
    fingerprint,
    returned_before,
    returned_after,
    terminal,
    branch,
    cashier,
    now,
) -> Posted:
    member = purchase.member
    entries = {
        entry.kind: entry
        for entry in LedgerEntry.objects.select_related("account").filter(
            idempotency_key__in=[
                f"gw:{purchase.pk}:{k}"
                for k in (
                    EntryKind.REDEEM,
                    EntryKind.CASHBACK,
                    EntryKind.PURCHASE_POINTS,
                    EntryKind.REFERRAL_SHARE,
                )
            ]
        )
    }
    share_entry = entries.get(EntryKind.REFERRAL_SHARE)
    members = [member.pk] + ([share_entry.account.member_id] if share_entry else [])
    accounts = ledger.lock_accounts(members)
    points_before, credit_before = _locked_balances(accounts, member.pk)

    def part(total: int) -> int:
        return _proportion(total, returned_after, purchase.amount) - _proportion(
            total, returned_before, purchase.amount
        )

    cashback_back = part(purchase.cashback)
    points_due = part(purchase.points)
    points_back = min(points_due, points_before)
    share_back = part(purchase.referral_share)
    redeem_back = purchase.redeemed if kind == TxnKind.REVERSAL else 0
    receipt = _new_receipt()
    tier = _tier_or_lowest(member)
    txn = Transaction.objects.create(
        kind=kind,
        terminal=terminal,
        txn_id=txn_id,
        request_hash=fingerprint,
        receipt=receipt,
        original=purchase,
        card=purchase.card,
        member=member,
        branch=branch,
        cashier=cashier,
        amount=-(returned_after - returned_before),
        redeemed=-redeem_back,
        cashback=-cashback_back,
        points=-points_back,
        referral_share=-share_back,
        points_uncollected=points_due - points_back,
        tier=tier.slug if tier else "",
        created_at=now,
        response=_answer(
            txn_id=txn_id,
            receipt=receipt,
            amount=-(returned_after - returned_before),
            redeemed=-redeem_back,
            cashback=-cashback_back,
            points=-points_back,
            balance=(points_before - points_back, credit_before + redeem_back - cashback_back),
            tier=tier.slug if tier else "",
        ),
    )
    postings = []
    for entry_kind, value in (
        (EntryKind.REDEEM, redeem_back),
        (EntryKind.CASHBACK, cashback_back),
        (EntryKind.PURCHASE_POINTS, points_back),
        (EntryKind.REFERRAL_SHARE, share_back),
    ):
        entry = entries.get(entry_kind)
        if value and entry is not None:
            postings.append(
                ledger.Posting(
                    entry.account.member_id,
                    entry.account.currency,
                    # The opposite of the original: a redeem entry was negative.
                    -value if entry.amount > 0 else value,
                    EntryKind.PURCHASE_REVERSAL,
                    f"gw:{txn.pk}:{entry_kind}",
                    corrects=entry,
                )
            )
    ledger.post_many(
        accounts=accounts,
        postings=postings,
        subject=txn,
        actor=cashier,
        actor_label=_actor_label(terminal, cashier),
        branch=branch,
        description=f"{kind} {receipt} of {purchase.receipt}",
        at=now,
        allow_negative=True,
    )
    return Posted(txn, replay=False)


# --- Cashier enrolment ------------------------------------------------------------------


def placeholder_email(mobile: str) -> str:
    """A member who gave no e-mail address still needs one (it is the User's login field):
    a non-deliverable address under the reserved `.invalid` domain (RFC 2606), derived
    from the mobile number. They log in with the mobile number instead."""
    return f"m{''.join(ch for ch in mobile if ch.isdigit())}@members.invalid"


def register_member_with_card(
    *,
    first_name: str,
    last_name: str,
    mobile: str,
    email: str = "",
    birth_date=None,
    address: str = "",
    city: str = "",
    sms_consent: bool = False,
    email_consent: bool = False,
    preferred_language: str = "",
    branch=None,
    actor=None,
) -> Card:
    """Register a member at the till and issue their first card, in one transaction: both
    happen or neither does. `mobile` is E.164 (accounts.mobile.normalize_mobile). Without
    an e-mail address the member gets placeholder_email() and an unusable password, so
    they log in by mobile. Their home branch is the till's branch. Returns the new card.
    Raises Refused("mobile_taken") or Refused("email_taken"), checked under the unique
    constraints, so two cashiers registering the same number at once cannot both win."""
    from portal.accounts.models import User
    from portal.accounts.services import register_member, set_consents

    email = email.strip().lower()
    profile_fields = {"birth_date": birth_date, "address": address, "city": city}
    if branch is not None:
        profile_fields["home_branch"] = branch
    if preferred_language:
        profile_fields["preferred_language"] = preferred_language
    with transaction.atomic():
        if User.objects.filter(mobile=mobile).exists():
            raise Refused("mobile_taken", "This mobile number belongs to another member.")
        if not email:
            email = placeholder_email(mobile)
            # Its former holder changed their mobile number and kept the address.
            if User.objects.filter(email__iexact=email).exists():
                email = email.replace("@", f".{secrets.token_hex(3)}@")
        elif User.objects.filter(email__iexact=email).exists():
            raise Refused("email_taken", "This e-mail address belongs to another member.")
        try:
            with transaction.atomic():
                member = register_member(
                    email=email,
                    password=None,
                    mobile=mobile,
                    first_name=first_name,
                    last_name=last_name,
                    **profile_fields,
                )
        except IntegrityError:
            if User.objects.filter(mobile=mobile).exists():
                raise Refused(
                    "mobile_taken", "This mobile number belongs to another member."
                ) from None
            raise Refused("email_taken", "This e-mail address belongs to another member.") from None
        profile = member.profile
        set_consents(profile=profile, sms=sms_consent, email=email_consent, source="cashier screen")
        profile.save(
            update_fields=["sms_consent", "sms_consent_at", "email_consent", "email_consent_at"]
        )
        return issue_card(member=member, actor=actor, branch=branch)
