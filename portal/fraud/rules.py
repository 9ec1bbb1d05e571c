"""The fraud rules: each reads the activity of a window and returns Findings (findings.py);
services.open_case() turns them into cases and holds. Rules only read, and each runs a
fixed number of queries whatever the amount of data (aggregation happens in the database),
because the scan runs every 15 minutes over up to a million purchases.

Every rule is `rule(*, since, until, settings) -> list[Finding]` with `settings` the
manager's FraudSettings. Evidence holds ids, masked numbers, amounts and ISO times, never a
name or a full mobile number: the reviewer opens the member from the id.

Referral rules
- referral_shared_signal: a referee signed up on the referrer's device (the hashed
  `club_device` cookie), from their IP address, or gave the same address and city.
- referral_mobile_pattern: a referrer whose referees' mobiles share their first digits
  with each other or with the referrer's own.
- referral_chain: a referrer whose referees each bought exactly once and were never seen
  again (no other purchase, no ledger entry of their own, no login) for the quiet period.

Till rules
- till_own_card: a cashier credited a purchase to their own card.
- till_concentration: a cashier whose purchase amount goes to a few cards far more than
  at the branch's other cashiers.
- till_near_limit: a card with many purchases just under the largest allowed amount.
- till_impossible_travel: one card used at two branches further apart than anyone could
  travel in the time between the purchases.

Community rule
- like_ring: a small group that gives most of its likes and photo votes to each other."""

import ipaddress
import math
import re
import statistics
from collections import Counter, defaultdict
from datetime import timedelta
from fractions import Fraction

from django.db.models import Count, F, IntegerField, OuterRef, Q, Subquery, Sum, Value, Window
from django.db.models.functions import Coalesce, Lag, RowNumber
from django.utils import timezone
from django.utils.translation import gettext_noop

from cardgateway.models import Branch, GatewaySettings, Transaction, TxnKind
from gamification.models import Currency, EntryKind, LedgerEntry, Referral

from .findings import Finding
from .models import FraudSettings, Rule

# Entries that put points or credit on a member's spendable balance, and so may be held.
CREDIT_KINDS = (
    EntryKind.AWARD,
    EntryKind.CASHBACK,
    EntryKind.PURCHASE_POINTS,
    EntryKind.REFERRAL_SHARE,
)
# Entries that show the member themselves did something (the referral chain's "activity");
# club-made entries (adjustments, expiry, holds) do not.
ACTIVITY_KINDS = (
    EntryKind.AWARD,
    EntryKind.PURCHASE_POINTS,
    EntryKind.CASHBACK,
    EntryKind.REDEEM,
    EntryKind.CONVERSION_OUT,
    EntryKind.CONVERSION_IN,
    EntryKind.REWARD,
    EntryKind.CHALLENGE,
)
EARTH_RADIUS_KM = 6371.0088


# --- Small helpers ----------------------------------------------------------------------


def _iso(moment) -> str:
    return timezone.localtime(moment).isoformat(timespec="minutes") if moment else ""


def _masked_card(number: str) -> str:
    return f"{number[:6]}******{number[-4:]}"


def _mobile_digits(mobile: str) -> str:
    """The digits as a person dials them: 0912... for Iran, the country code otherwise."""
    if mobile.startswith("+98"):
        return "0" + mobile[3:]
    return mobile.lstrip("+")


def mask_mobile(mobile: str | None) -> str:
    """0912***4567: enough to see a pattern, not enough to call."""
    if not mobile:
        return ""
    digits = _mobile_digits(mobile)
    return f"{digits[:4]}***{digits[-4:]}" if len(digits) > 8 else "***"


def mask_ip(value: str | None) -> str:
    """203.0.113.* or 2001:db8:85a3:*: the network, not the host."""
    if not value:
        return ""
    address = ipaddress.ip_address(value)
    if address.version == 4:
        return ".".join(str(address).split(".")[:3]) + ".*"
    return ":".join(address.exploded.split(":")[:3]) + ":*"


_PERSIAN_TEXT = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩يكة", "01234567890123456789یکه")
_NOT_WORD = re.compile(r"[\W_]+")


def normalise_address(text: str) -> str:
    """Lower case, Persian and Arabic digits and letters unified, punctuation and runs of
    spaces reduced to one space: "Valiasr St., No. ۱۲" == "valiasr st no 12"."""
    return _NOT_WORD.sub(" ", (text or "").translate(_PERSIAN_TEXT).casefold()).strip()


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    """Great-circle distance between two points given in degrees."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    d_phi = phi2 - phi1
    d_lambda = math.radians(float(lon2) - float(lon1))
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def _percent(value: Fraction) -> float:
    return round(float(value * 100), 1)


def _purchases(since, until):
    return Transaction.objects.filter(
        kind=TxnKind.PURCHASE, created_at__gte=since, created_at__lte=until
    )


def _credits_about(model, subject_ids, kinds) -> dict[int, list[tuple[int, int]]]:
    """{subject id: [(member id, entry id), ...]} of the positive points and credit entries
    about the given subjects (a list, or a queryset of primary keys). One query."""
    meta = model._meta
    rows = (
        LedgerEntry.objects.filter(
            subject_type__app_label=meta.app_label,
            subject_type__model=meta.model_name,
            subject_id__in=subject_ids,
            amount__gt=0,
            kind__in=kinds,
            account__currency__in=Currency.values,
        )
        .order_by("pk")
        .values_list("subject_id", "account__member_id", "pk")
    )
    found = defaultdict(list)
    for subject_id, member_id, entry_id in rows:
        found[subject_id].append((member_id, entry_id))
    return found


def _entries_of(credits: dict, subject_ids, member_id: int | None = None) -> tuple[int, ...]:
    """The entry ids about `subject_ids` (of `member_id` only, when given), sorted."""
    return tuple(
        sorted(
            entry_id
            for subject_id in subject_ids
            for owner, entry_id in credits.get(subject_id, ())
            if member_id is None or owner == member_id
        )
    )


# --- Referral abuse ---------------------------------------------------------------------


def referral_shared_signal(*, since, until, settings: FraudSettings) -> list[Finding]:
    """Referrals made in the window whose referee signed up on the referrer's device or
    from their IP address, or whose profile gives the same address and city. One finding
    per referral; its referrer's awards and shares about it are held. Two queries."""
    rows = list(
        Referral.objects.filter(created_at__gte=since, created_at__lte=until)
        .order_by("pk")
        .values(
            "pk",
            "referrer_id",
            "referee_id",
            "created_at",
            referrer_device=F("referrer__signup_signal__device"),
            referee_device=F("referee__signup_signal__device"),
            referrer_ip=F("referrer__signup_signal__ip"),
            referee_ip=F("referee__signup_signal__ip"),
            referrer_address=F("referrer__profile__address"),
            referrer_city=F("referrer__profile__city"),
            referee_address=F("referee__profile__address"),
            referee_city=F("referee__profile__city"),
        )
    )
    matches = []
    for row in rows:
        shared = []
        if row["referee_device"] and row["referee_device"] == row["referrer_device"]:
            shared.append(("device", [gettext_noop("Same device"), row["referee_device"][:8]]))
        if row["referee_ip"] and row["referee_ip"] == row["referrer_ip"]:
            shared.append(("ip", [gettext_noop("Same IP address"), mask_ip(row["referee_ip"])]))
        address = normalise_address(row["referee_address"])
        if address and (address, normalise_address(row["referee_city"])) == (
            normalise_address(row["referrer_address"]),
            normalise_address(row["referrer_city"]),
        ):
            shared.append(("address", [gettext_noop("Same address, in"), row["referee_city"]]))
        if shared:
            matches.append((row, shared))
    if not matches:
        return []
    credits = _credits_about(Referral, [row["pk"] for row, _shared in matches], CREDIT_KINDS)
    summaries = {
        "device": gettext_noop(
            "Referee #%(referee)s signed up on the same device as referrer #%(referrer)s"
        ),
        "ip": gettext_noop(
            "Referee #%(referee)s signed up from the same IP address as referrer #%(referrer)s"
        ),
        "address": gettext_noop(
            "Referee #%(referee)s gave the same address as referrer #%(referrer)s"
        ),
    }
    findings = []
    for row, shared in matches:
        findings.append(
            Finding(
                rule=Rule.REFERRAL_SHARED_SIGNAL,
                key=f"referral_shared_signal:{row['pk']}",
                summary=summaries[shared[0][0]],
                params={"referee": row["referee_id"], "referrer": row["referrer_id"]},
                evidence={
                    "facts": [
                        [gettext_noop("Referrer"), row["referrer_id"]],
                        [gettext_noop("Referee"), row["referee_id"]],
                        [gettext_noop("Referred on"), _iso(row["created_at"])],
                        *(fact for _signal, fact in shared),
                    ]
                },
                member_id=row["referrer_id"],
                entry_ids=_entries_of(credits, [row["pk"]], row["referrer_id"]),
            )
        )
    return findings


def referral_mobile_pattern(*, since, until, settings: FraudSettings) -> list[Finding]:
    """Referrers with a referral in the window and at least `mobile_pattern_min_referees`
    referees (ever) whose mobiles share their first `mobile_pattern_digits` digits with
    another referee's or with the referrer's. One finding per referrer; the awards and
    shares the patterned referees brought are held. Two queries."""
    digits = max(settings.mobile_pattern_digits, 1)
    wanted = max(settings.mobile_pattern_min_referees, 1)
    recent = Referral.objects.filter(created_at__gte=since, created_at__lte=until).values(
        "referrer_id"
    )
    rows = (
        Referral.objects.filter(referrer_id__in=recent, referee__mobile__isnull=False)
        .order_by("referrer_id", "created_at", "pk")
        .values_list(
            "pk", "referrer_id", "referrer__mobile", "referee_id", "referee__mobile", "created_at"
        )
    )
    by_referrer = defaultdict(list)
    for row in rows:
        by_referrer[row[1]].append(row)
    flagged = []
    for referrer_id, referrals in by_referrer.items():
        referrer_mobile = referrals[0][2]
        own = _mobile_digits(referrer_mobile)[:digits] if referrer_mobile else None
        prefixes = Counter(_mobile_digits(row[4])[:digits] for row in referrals)
        patterned = [
            row
            for row in referrals
            if prefixes[_mobile_digits(row[4])[:digits]] > 1
            or _mobile_digits(row[4])[:digits] == own
        ]
        if len(patterned) >= wanted:
            flagged.append((referrer_id, referrer_mobile, own, patterned))
    if not flagged:
        return []
    credits = _credits_about(
        Referral, [row[0] for *_head, patterned in flagged for row in patterned], CREDIT_KINDS
    )
    findings = []
    for referrer_id, referrer_mobile, own, patterned in flagged:
        # Referees of one prefix form a group, numbered 1, 2, ... as first seen.
        groups: dict[str, int] = {}
        for row in patterned:
            groups.setdefault(_mobile_digits(row[4])[:digits], len(groups) + 1)
        findings.append(
            Finding(
                rule=Rule.REFERRAL_MOBILE_PATTERN,
                key=f"referral_mobile_pattern:{referrer_id}",
                summary=gettext_noop(
                    "%(count)s referees of #%(referrer)s have mobiles sharing their first "
                    "%(digits)s digits"
                ),
                params={"count": len(patterned), "referrer": referrer_id, "digits": digits},
                evidence={
                    "facts": [
                        [gettext_noop("Referrer"), referrer_id],
                        [gettext_noop("Referrer's mobile"), mask_mobile(referrer_mobile)],
                        [gettext_noop("Referrer's group"), groups.get(own, "-")],
                        [gettext_noop("Digits shared"), digits],
                    ],
                    "columns": [
                        gettext_noop("Referee"),
                        gettext_noop("Mobile"),
                        gettext_noop("Group"),
                        gettext_noop("Referred on"),
                    ],
                    "rows": [
                        [
                            row[3],
                            mask_mobile(row[4]),
                            groups[_mobile_digits(row[4])[:digits]],
                            _iso(row[5]),
                        ]
                        for row in patterned
                    ],
                },
                member_id=referrer_id,
                entry_ids=_entries_of(credits, [row[0] for row in patterned], referrer_id),
            )
        )
    return findings


def referral_chain(*, since, until, settings: FraudSettings) -> list[Finding]:
    """Referrers with at least `chain_min_referees` referees who each made exactly one
    purchase and then nothing for `chain_quiet_days`: no other card transaction, no ledger
    entry of their own doing, no login. A referrer is looked at when the quiet period of
    one of their referees ended within the window; all their referees count. One finding
    per referrer; the awards and shares those referees brought are held. Two queries."""
    quiet = timedelta(days=settings.chain_quiet_days)
    wanted = max(settings.chain_min_referees, 1)
    recent = Referral.objects.filter(
        first_purchase_at__gte=since - quiet, first_purchase_at__lte=until - quiet
    ).values("referrer_id")
    referee_txns = Transaction.objects.filter(member=OuterRef("referee_id")).order_by()
    referee_purchases = referee_txns.filter(kind=TxnKind.PURCHASE)
    rows = (
        Referral.objects.filter(
            referrer_id__in=recent,
            first_purchase_at__isnull=False,
            first_purchase_at__lte=until - quiet,
        )
        .annotate(
            purchases=Coalesce(
                Subquery(
                    referee_purchases.values("member").annotate(n=Count("pk")).values("n")[:1],
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            purchase_at=Subquery(
                referee_purchases.order_by("-created_at").values("created_at")[:1]
            ),
            purchase_amount=Subquery(
                referee_purchases.order_by("-created_at").values("amount")[:1]
            ),
            last_txn_at=Subquery(referee_txns.order_by("-created_at").values("created_at")[:1]),
            last_entry_at=Subquery(
                LedgerEntry.objects.filter(
                    account__member=OuterRef("referee_id"), kind__in=ACTIVITY_KINDS
                )
                .order_by("-created_at")
                .values("created_at")[:1]
            ),
        )
        .order_by("referrer_id", "created_at", "pk")
        .values(
            "pk",
            "referrer_id",
            "referee_id",
            "created_at",
            "purchases",
            "purchase_at",
            "purchase_amount",
            "last_txn_at",
            "last_entry_at",
            last_login=F("referee__last_login"),
        )
    )
    vanished = defaultdict(list)
    for row in rows:
        bought = row["purchase_at"]
        if (
            row["purchases"] == 1
            and bought <= until - quiet
            and row["last_txn_at"] <= bought
            and (row["last_entry_at"] is None or row["last_entry_at"] <= bought)
            and (row["last_login"] is None or row["last_login"] <= bought)
        ):
            vanished[row["referrer_id"]].append(row)
    flagged = {referrer: rows for referrer, rows in vanished.items() if len(rows) >= wanted}
    if not flagged:
        return []
    credits = _credits_about(
        Referral, [row["pk"] for rows in flagged.values() for row in rows], CREDIT_KINDS
    )
    return [
        Finding(
            rule=Rule.REFERRAL_CHAIN,
            key=f"referral_chain:{referrer_id}",
            summary=gettext_noop(
                "%(count)s referees of #%(referrer)s bought once and were not seen again "
                "for %(days)s days"
            ),
            params={
                "count": len(referees),
                "referrer": referrer_id,
                "days": settings.chain_quiet_days,
            },
            evidence={
                "facts": [
                    [gettext_noop("Referrer"), referrer_id],
                    [gettext_noop("Referees who vanished"), len(referees)],
                    [gettext_noop("Days without activity"), settings.chain_quiet_days],
                ],
                "columns": [
                    gettext_noop("Referee"),
                    gettext_noop("Referred on"),
                    gettext_noop("Only purchase"),
                    gettext_noop("Amount (rials)"),
                ],
                "rows": [
                    [
                        row["referee_id"],
                        _iso(row["created_at"]),
                        _iso(row["purchase_at"]),
                        row["purchase_amount"],
                    ]
                    for row in referees
                ],
            },
            member_id=referrer_id,
            entry_ids=_entries_of(credits, [row["pk"] for row in referees], referrer_id),
        )
        for referrer_id, referees in flagged.items()
    ]


# --- Till abuse -------------------------------------------------------------------------

PURCHASE_CREDIT_KINDS = (EntryKind.CASHBACK, EntryKind.PURCHASE_POINTS)


def till_own_card(*, since, until, settings: FraudSettings) -> list[Finding]:
    """Purchases in the window that the cashier posted to their own card. One finding per
    purchase; its cashback and points are held. Two queries."""
    purchases = _purchases(since, until).filter(cashier_id=F("member_id"))
    rows = list(
        purchases.order_by("pk").values(
            "pk",
            "receipt",
            "member_id",
            "cashier_id",
            "amount",
            "cashback",
            "points",
            "created_at",
            "card__number",
            "branch__code",
        )
    )
    if not rows:
        return []
    credits = _credits_about(Transaction, purchases.values("pk"), PURCHASE_CREDIT_KINDS)
    return [
        Finding(
            rule=Rule.TILL_OWN_CARD,
            key=f"till_own_card:txn:{row['pk']}",
            summary=gettext_noop(
                "Cashier #%(cashier)s credited a purchase of %(amount)s rials to their own card"
            ),
            params={"cashier": row["cashier_id"], "amount": row["amount"]},
            evidence={
                "facts": [
                    [gettext_noop("Cashier"), row["cashier_id"]],
                    [gettext_noop("Card"), _masked_card(row["card__number"])],
                    [gettext_noop("Branch"), row["branch__code"]],
                    [gettext_noop("Receipt"), row["receipt"]],
                    [gettext_noop("Time"), _iso(row["created_at"])],
                    [gettext_noop("Amount (rials)"), row["amount"]],
                    [gettext_noop("Cashback (rials)"), row["cashback"]],
                    [gettext_noop("Points"), row["points"]],
                ]
            },
            member_id=row["member_id"],
            suspect_id=row["cashier_id"],
            entry_ids=_entries_of(credits, [row["pk"]], row["member_id"]),
        )
        for row in rows
    ]


def till_concentration(*, since, until, settings: FraudSettings) -> list[Finding]:
    """Cashiers with at least `concentration_min_purchases` purchases in the window whose
    top `concentration_top_cards` cards take at least `concentration_factor` times the
    share of their purchase amount that is usual at their branch: the median share of the
    branch's other cashiers with as many purchases (a branch with no other such cashier has
    nothing to compare with). Per branch and cashier, since the normal differs by branch.
    One finding per cashier and branch; the cashback and points of the top cards'
    purchases by that cashier are held. Four queries."""
    top_n = max(settings.concentration_top_cards, 1)
    least = max(settings.concentration_min_purchases, 1)
    purchases = _purchases(since, until).filter(cashier__isnull=False).order_by()
    cashiers = list(
        purchases.values("branch_id", "cashier_id")
        .annotate(n=Count("pk"), total=Sum("amount"), branch_code=F("branch__code"))
        .filter(n__gte=least)
        .values_list("branch_id", "cashier_id", "n", "total", "branch_code")
    )
    by_branch = defaultdict(list)
    for row in cashiers:
        by_branch[row[0]].append(row)
    if not any(len(rows) > 1 for rows in by_branch.values()):
        return []
    top = (
        purchases.values("branch_id", "cashier_id", "card_id", "card__number", "card__member_id")
        .annotate(n=Count("pk"), total=Sum("amount"))
        # A separate annotate(): in the one above, Django would group by the window too.
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("branch_id"), F("cashier_id")],
                order_by=[Sum("amount").desc(), F("card_id").asc()],
            ),
        )
        .filter(rank__lte=top_n)
        .values_list(
            "branch_id", "cashier_id", "card_id", "card__number", "card__member_id", "n", "total"
        )
    )
    top_cards = defaultdict(list)
    for branch_id, cashier_id, *card in top:
        top_cards[(branch_id, cashier_id)].append(card)
    share = {
        (branch_id, cashier_id): Fraction(
            sum(card[4] for card in top_cards[(branch_id, cashier_id)]), total
        )
        for branch_id, cashier_id, _n, total, _code in cashiers
    }
    flagged = []
    for branch_id, rows in by_branch.items():
        for _branch, cashier_id, n, total, code in rows:
            others = [share[(branch_id, other[1])] for other in rows if other[1] != cashier_id]
            if not others:
                continue
            normal = statistics.median(others)
            mine = share[(branch_id, cashier_id)]
            if mine > normal and mine >= settings.concentration_factor * normal:
                flagged.append((branch_id, code, cashier_id, n, total, mine, normal))
    if not flagged:
        return []
    which = Q()
    for branch_id, _code, cashier_id, *_rest in flagged:
        cards = [card[0] for card in top_cards[(branch_id, cashier_id)]]
        which |= Q(branch_id=branch_id, cashier_id=cashier_id, card_id__in=cards)
    held = purchases.filter(which)
    credits = _credits_about(Transaction, held.values("pk"), PURCHASE_CREDIT_KINDS)
    subjects = defaultdict(list)
    for pk, branch_id, cashier_id in held.values_list("pk", "branch_id", "cashier_id"):
        subjects[(branch_id, cashier_id)].append(pk)
    findings = []
    for branch_id, code, cashier_id, n, total, mine, normal in flagged:
        cards = top_cards[(branch_id, cashier_id)]
        findings.append(
            Finding(
                rule=Rule.TILL_CONCENTRATION,
                key=f"till_concentration:{branch_id}:{cashier_id}",
                summary=gettext_noop(
                    "Cashier #%(cashier)s gave %(share)s%% of their purchase amount to "
                    "%(cards)s cards; their branch's normal is %(normal)s%%"
                ),
                params={
                    "cashier": cashier_id,
                    "share": _percent(mine),
                    "cards": len(cards),
                    "normal": _percent(normal),
                },
                evidence={
                    "facts": [
                        [gettext_noop("Cashier"), cashier_id],
                        [gettext_noop("Branch"), code],
                        [gettext_noop("Purchases"), n],
                        [gettext_noop("Amount (rials)"), total],
                        [gettext_noop("Share of the top cards (%)"), _percent(mine)],
                        [gettext_noop("Branch's median share (%)"), _percent(normal)],
                    ],
                    "columns": [
                        gettext_noop("Card"),
                        gettext_noop("Member"),
                        gettext_noop("Purchases"),
                        gettext_noop("Amount (rials)"),
                    ],
                    "rows": [
                        [_masked_card(number), member_id, count, amount]
                        for _card, number, member_id, count, amount in cards
                    ],
                },
                # The member whose card gained most; the other top cards' entries are held too.
                member_id=cards[0][2],
                suspect_id=cashier_id,
                entry_ids=tuple(
                    sorted(
                        entry_id
                        for pk in subjects[(branch_id, cashier_id)]
                        for _owner, entry_id in credits.get(pk, ())
                    )
                ),
            )
        )
    return findings


def _largest_purchase() -> int:
    """The till limit, read without creating the settings row (rules only read)."""
    limit = GatewaySettings.objects.filter(pk=1).values_list("max_purchase_amount", flat=True)
    default = GatewaySettings._meta.get_field("max_purchase_amount").default
    return next(iter(limit), default)


def till_near_limit(*, since, until, settings: FraudSettings) -> list[Finding]:
    """Cards with at least `near_limit_min_count` purchases in the window within
    `near_limit_percent` percent under the largest allowed purchase (cardgateway's
    GatewaySettings). One finding per card; those purchases' cashback and points are held.
    Three queries."""
    limit = _largest_purchase()
    percent = min(settings.near_limit_percent, 100)
    floor = -(-limit * (100 - percent) // 100)  # rounded up: never below the band
    wanted = max(settings.near_limit_min_count, 1)
    near = _purchases(since, until).filter(amount__gte=floor, amount__lte=limit).order_by()
    cards = near.values("card_id").annotate(n=Count("pk")).filter(n__gte=wanted).values("card_id")
    flagged = near.filter(card_id__in=cards)
    rows = list(
        flagged.order_by("card_id", "created_at", "pk").values(
            "pk",
            "card_id",
            "card__number",
            "member_id",
            "cashier_id",
            "receipt",
            "amount",
            "created_at",
            "branch__code",
        )
    )
    if not rows:
        return []
    credits = _credits_about(Transaction, flagged.values("pk"), PURCHASE_CREDIT_KINDS)
    by_card = defaultdict(list)
    for row in rows:
        by_card[row["card_id"]].append(row)
    findings = []
    for card_id, purchases in by_card.items():
        first = purchases[0]
        cashiers = {row["cashier_id"] for row in purchases}
        findings.append(
            Finding(
                rule=Rule.TILL_NEAR_LIMIT,
                key=f"till_near_limit:card:{card_id}",
                summary=gettext_noop(
                    "Card %(card)s made %(count)s purchases just under the %(limit)s rial limit"
                ),
                params={
                    "card": _masked_card(first["card__number"]),
                    "count": len(purchases),
                    "limit": limit,
                },
                evidence={
                    "facts": [
                        [gettext_noop("Card"), _masked_card(first["card__number"])],
                        [gettext_noop("Member"), first["member_id"]],
                        [gettext_noop("Largest purchase allowed (rials)"), limit],
                        [gettext_noop("Counted from (rials)"), floor],
                    ],
                    "columns": [
                        gettext_noop("Time"),
                        gettext_noop("Receipt"),
                        gettext_noop("Branch"),
                        gettext_noop("Cashier"),
                        gettext_noop("Amount (rials)"),
                    ],
                    "rows": [
                        [
                            _iso(row["created_at"]),
                            row["receipt"],
                            row["branch__code"],
                            row["cashier_id"],
                            row["amount"],
                        ]
                        for row in purchases
                    ],
                },
                member_id=first["member_id"],
                # One cashier behind all of them is a suspect too.
                suspect_id=next(iter(cashiers)) if len(cashiers) == 1 else None,
                entry_ids=_entries_of(
                    credits, [row["pk"] for row in purchases], first["member_id"]
                ),
            )
        )
    return findings


def till_impossible_travel(*, since, until, settings: FraudSettings) -> list[Finding]:
    """Purchases in the window on a card whose previous purchase (at a branch with
    coordinates) was at another branch further away than `travel_max_kmh` allows in the
    time between them (great-circle distance; the reader's time of sale when it sent one).
    One finding per later purchase; its cashback and points are held (the earlier one may
    be the honest one). Branches without coordinates are left out. Three queries."""
    branches = {
        pk: (lat, lon, code)
        for pk, lat, lon, code in Branch.objects.filter(
            latitude__isnull=False, longitude__isnull=False
        ).values_list("pk", "latitude", "longitude", "code")
    }
    if len(branches) < 2:
        return []
    at = Coalesce("occurred_at", "created_at")
    order = [at.asc(), F("pk").asc()]

    def previous(expression):
        return Window(Lag(expression), partition_by=[F("card_id")], order_by=order)

    moves = (
        _purchases(since, until)
        .filter(branch_id__in=list(branches))
        .annotate(
            at=at,
            prev_branch_id=previous("branch_id"),
            prev_at=previous(at),
            prev_receipt=previous("receipt"),
        )
        .filter(prev_branch_id__isnull=False)
        .exclude(prev_branch_id=F("branch_id"))
        .order_by("pk")
        .values(
            "pk",
            "card__number",
            "member_id",
            "cashier_id",
            "receipt",
            "branch_id",
            "at",
            "prev_branch_id",
            "prev_at",
            "prev_receipt",
        )
    )
    flagged = []
    for row in moves:
        here, there = branches[row["branch_id"]], branches[row["prev_branch_id"]]
        km = haversine_km(there[0], there[1], here[0], here[1])
        hours = (row["at"] - row["prev_at"]).total_seconds() / 3600
        if km > 0 and (hours <= 0 or km / hours > settings.travel_max_kmh):
            flagged.append((row, km, hours))
    if not flagged:
        return []
    credits = _credits_about(
        Transaction, [row["pk"] for row, _km, _hours in flagged], PURCHASE_CREDIT_KINDS
    )
    findings = []
    for row, km, hours in flagged:
        here, there = branches[row["branch_id"]], branches[row["prev_branch_id"]]
        minutes = max(round(hours * 60), 0)
        speed = round(km / hours) if hours > 0 else None
        findings.append(
            Finding(
                rule=Rule.TILL_IMPOSSIBLE_TRAVEL,
                key=f"till_impossible_travel:txn:{row['pk']}",
                summary=gettext_noop(
                    "Card %(card)s was used %(km)s km apart within %(minutes)s minutes"
                ),
                params={
                    "card": _masked_card(row["card__number"]),
                    "km": round(km),
                    "minutes": minutes,
                },
                evidence={
                    "facts": [
                        [gettext_noop("Card"), _masked_card(row["card__number"])],
                        [gettext_noop("Member"), row["member_id"]],
                        [gettext_noop("Distance (km)"), round(km)],
                        [gettext_noop("Minutes between"), minutes],
                        [gettext_noop("Speed needed (km/h)"), speed],
                        [gettext_noop("Fastest believable (km/h)"), settings.travel_max_kmh],
                    ],
                    "columns": [
                        gettext_noop("Time"),
                        gettext_noop("Receipt"),
                        gettext_noop("Branch"),
                    ],
                    "rows": [
                        [_iso(row["prev_at"]), row["prev_receipt"], there[2]],
                        [_iso(row["at"]), row["receipt"], here[2]],
                    ],
                },
                member_id=row["member_id"],
                suspect_id=row["cashier_id"],
                entry_ids=_entries_of(credits, [row["pk"]], row["member_id"]),
            )
        )
    return findings


# --- Like and vote rings ----------------------------------------------------------------


def _reactions_paid(model, action, since, until) -> list[tuple[int, int, int]]:
    """(giver, receiver, entry id) of every live award `action` paid in the window for a
    reaction row of `model` (a like, a photo vote). One query."""
    from gamification.models import Award

    meta = model._meta
    giver = model._default_manager.filter(pk=OuterRef("subject_id")).values("member_id")[:1]
    return list(
        Award.objects.filter(
            action=action,
            revoked_at__isnull=True,
            created_at__gte=since,
            created_at__lte=until,
            subject_type__app_label=meta.app_label,
            subject_type__model=meta.model_name,
        )
        .annotate(giver=Subquery(giver))
        .exclude(giver__isnull=True)
        .values_list("giver", "member_id", "entry_id")
    )


def _given(model, since, until) -> Counter:
    """Reactions of `model` each member gave in the window, paid or not. One query."""
    rows = (
        model._default_manager.filter(created_at__gte=since, created_at__lte=until)
        .values("member_id")
        .annotate(n=Count("pk"))
        .values_list("member_id", "n")
    )
    return Counter(dict(rows))


def _rings(pairs: Counter, given: Counter, settings: FraudSettings) -> list[list[int]]:
    """Groups of 2..like_ring_max_size members tied by likes both ways, each of whom gave
    at least like_ring_min_likes reactions and sent at least like_ring_share_percent of
    them to the others in the group."""
    active = {m for m, n in given.items() if n >= settings.like_ring_min_likes}
    neighbours: dict[int, set[int]] = defaultdict(set)
    for (giver, receiver), _n in pairs.items():
        if giver in active and receiver in active and pairs.get((receiver, giver)):
            neighbours[giver].add(receiver)
    rings, seen = [], set()
    for start in sorted(neighbours):
        if start in seen:
            continue
        group, todo = set(), [start]
        while todo:
            member = todo.pop()
            if member not in group:
                group.add(member)
                todo.extend(neighbours[member] - group)
        seen |= group
        if not 2 <= len(group) <= settings.like_ring_max_size:
            continue
        if all(
            Fraction(sum(pairs[(m, other)] for other in group if other != m), given[m]) * 100
            >= settings.like_ring_share_percent
            for m in group
        ):
            rings.append(sorted(group))
    return rings


def like_ring(*, since, until, settings: FraudSettings) -> list[Finding]:
    """Small groups that mostly like (and vote for) each other: every member gave at least
    `like_ring_min_likes` reactions in the window and sent at least `like_ring_share_percent`
    of them inside the group, and each is tied to the group by likes both ways. Groups
    larger than `like_ring_max_size` are left alone (a lively community is not a ring).
    Holds the points the group's likes and votes paid each other. Four queries."""
    from community.contests.models import PhotoVote
    from community.models import Like
    from gamification.models import Action

    paid = _reactions_paid(Like, Action.LIKE_RECEIVED, since, until) + _reactions_paid(
        PhotoVote, Action.PHOTO_VOTE_RECEIVED, since, until
    )
    given = _given(Like, since, until) + _given(PhotoVote, since, until)
    pairs: Counter = Counter()
    for giver, receiver, _entry in paid:
        pairs[(giver, receiver)] += 1
    findings = []
    for ring in _rings(pairs, given, settings):
        members = set(ring)
        inside = [(g, r, e) for g, r, e in paid if g in members and r in members and g != r]
        received = Counter(r for _g, r, _e in inside)
        rows = [
            [
                f"#{m}",
                given[m],
                sum(pairs[(m, o)] for o in ring if o != m),
                _percent(Fraction(sum(pairs[(m, o)] for o in ring if o != m), given[m])),
                received[m],
            ]
            for m in ring
        ]
        findings.append(
            Finding(
                rule=Rule.LIKE_RING,
                key="like_ring:" + "-".join(map(str, ring)),
                summary=gettext_noop(
                    "%(count)s members gave most of their likes and votes to each other"
                ),
                params={"count": len(ring)},
                evidence={
                    "facts": [
                        [gettext_noop("Members"), ", ".join(f"#{m}" for m in ring)],
                        [gettext_noop("Window from"), _iso(since)],
                    ],
                    "columns": [
                        gettext_noop("Member"),
                        gettext_noop("Likes and votes given"),
                        gettext_noop("Given inside the group"),
                        gettext_noop("Share inside (%)"),
                        gettext_noop("Received from the group (paid)"),
                    ],
                    "rows": rows,
                },
                member_id=received.most_common(1)[0][0] if received else ring[0],
                entry_ids=tuple(sorted(e for _g, _r, e in inside)),
            )
        )
    return findings


RULES = [
    referral_shared_signal,
    referral_mobile_pattern,
    referral_chain,
    till_own_card,
    till_concentration,
    till_near_limit,
    till_impossible_travel,
    like_ring,
]


def run_all(*, now=None) -> list[Finding]:
    """Every rule over the last `scan_days` days up to `now` (default: now)."""
    settings = FraudSettings.load()
    until = now or timezone.now()
    since = until - timedelta(days=settings.scan_days)
    return [
        finding for rule in RULES for finding in rule(since=since, until=until, settings=settings)
    ]
