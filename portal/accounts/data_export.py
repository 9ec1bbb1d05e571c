"""Download my data (issue 9): everything the club holds about one member, as a ZIP of
`data.json` (machine-readable) and `index.html` (a readable summary). Each section is a
queryset filtered by that member, so nothing of anyone else can slip in: staff appear
only as "staff", never by name, and internal ticket notes stay internal (they are the
desk's working notes, and the desk promises customers never to see them)."""

import io
import json
import zipfile
from datetime import date, datetime

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import get_language, get_language_bidi


def _value(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def rows(queryset, fields: list[str], names: list[str] | None = None) -> list[dict]:
    """The queryset's `fields` as JSON-ready dicts (times in local ISO form), keyed by
    `names` when given. Other apps' export sections (community/export.py) use it too."""
    names = names or fields
    return [
        {name: _value(value) for name, value in zip(names, row, strict=True)}
        for row in queryset.values_list(*fields)
    ]


def collect(member) -> dict[str, list[dict] | dict]:
    """The member's data, section by section."""
    from cardgateway.models import Card, Transaction
    from community.export import member_data as member_community_data
    from community.forums.selectors import member_forum_data
    from community.surveys.selectors import member_survey_data
    from gamification.models import Account, LedgerEntry, MemberBadge, Referral, TierChange, Voucher
    from portal.notifications.models import Notification
    from tickets.models import Ticket, TicketMessage

    from .models import ConsentChange, MemberProfile

    profile = MemberProfile.objects.filter(user=member).first()
    profile_fields = [
        f.name
        for f in MemberProfile._meta.concrete_fields
        if f.name not in {"id", "user"} and not f.is_relation
    ]
    return {
        "account": {
            "email": member.email,
            "mobile": member.mobile or "",
            "mobile_verified": member.mobile_verified,
            "date_joined": _value(member.date_joined),
            "last_login": _value(member.last_login),
        },
        "profile": {f: _value(getattr(profile, f)) for f in profile_fields} if profile else {},
        "interests": sorted(profile.interests.names()) if profile else [],
        "consent_changes": rows(
            ConsentChange.objects.filter(member=member),
            ["channel", "granted", "source", "created_at"],
        ),
        "cards": rows(Card.objects.filter(member=member), ["number", "status", "issued_at"]),
        "purchases": rows(
            Transaction.objects.filter(member=member).order_by("created_at"),
            [
                "kind",
                "receipt",
                "branch__name",
                "amount",
                "redeemed",
                "cashback",
                "points",
                "created_at",
            ],
        ),
        "balances": rows(Account.objects.filter(member=member), ["currency", "balance"]),
        "ledger": rows(
            LedgerEntry.objects.filter(account__member=member).order_by("created_at", "id"),
            ["account__currency", "kind", "amount", "balance_after", "created_at"],
        ),
        "tier_changes": rows(
            TierChange.objects.filter(member=member),
            ["from_tier__name", "to_tier__name", "created_at"],
        ),
        "badges": rows(MemberBadge.objects.filter(member=member), ["badge__name", "granted_at"]),
        "vouchers": rows(
            Voucher.objects.filter(member=member),
            ["code", "reward__name", "status", "issued_at", "expires_at"],
        ),
        "referrals": {
            "referred_by_you": Referral.objects.filter(referrer=member).count(),
            "you_were_referred": Referral.objects.filter(referee=member).exists(),
        },
        "tickets": rows(
            Ticket.objects.filter(member=member),
            [
                "tracking_code",
                "kind",
                "category__name",
                "subject",
                "description",
                "status",
                "created_at",
            ],
        ),
        "ticket_messages": [
            {
                "ticket": row["ticket__tracking_code"],
                "from": "you" if row["author_id"] == member.pk else "staff",
                "body": row["body"],
                "created_at": _value(row["created_at"]),
            }
            for row in TicketMessage.objects.filter(ticket__member=member, is_internal=False)
            .order_by("created_at", "id")
            .values("ticket__tracking_code", "author_id", "body", "created_at")
        ],
        "notifications": rows(
            Notification.objects.filter(member=member), ["kind", "title", "body", "created_at"]
        ),
        **member_community_data(member),
        **member_survey_data(member),
        **member_forum_data(member),
    }


def build(member) -> bytes:
    """The ZIP: data.json and index.html."""
    data = collect(member)
    context = {
        "data": data,
        "member": member,
        "language": get_language() or "en",
        "direction": "rtl" if get_language_bidi() else "ltr",
    }
    html = render_to_string("accounts/my_data.html", context)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
        archive.writestr("index.html", html)
    return buffer.getvalue()
