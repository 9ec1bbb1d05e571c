"""Fraud rule fixtures: branches with coordinates, cashiers, cards and a clock, with all
activity made through the real services (cardgateway.services, gamification.referrals)."""

import itertools
import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from cardgateway import services as gateway
from cardgateway.models import Branch
from gamification.referrals import register_referral
from portal.accounts import roles
from portal.fraud.models import FraudSettings
from tests.gamification.conftest import club_rules  # noqa: F401 - autouse: rules and tiers

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

_txn_ids = itertools.count(1)


@pytest.fixture
def clock(time_machine):
    """Moves the clock: clock(days_ago=3, hours=2) is NOW - 3 days + 2 hours."""

    def move(*, days_ago: float = 0, hours: float = 0, minutes: float = 0):
        moment = NOW - timedelta(days=days_ago) + timedelta(hours=hours, minutes=minutes)
        time_machine.move_to(moment, tick=False)
        return moment

    move()
    return move


@pytest.fixture
def fraud_settings(db):
    return FraudSettings.load()


def branch(code: str, city: str, lat: str | None, lon: str | None) -> Branch:
    return Branch.objects.create(
        code=code,
        name=code.replace("-", " ").title(),
        city=city,
        latitude=Decimal(lat) if lat else None,
        longitude=Decimal(lon) if lon else None,
    )


@pytest.fixture
def branches(db):
    """Two Tehran branches about 10 km apart, one in Isfahan (~340 km away), and one
    without coordinates."""
    return {
        "tehran": branch("tehran-central", "Tehran", "35.715298", "51.404343"),
        "tehran-north": branch("tehran-tajrish", "Tehran", "35.804520", "51.434200"),
        "isfahan": branch("isfahan-naqsh", "Isfahan", "32.657473", "51.677608"),
        "nowhere": branch("pop-up", "Tehran", None, None),
    }


@pytest.fixture
def cashier(make_user):
    def make(**kwargs):
        return make_user(roles.CASHIER, **kwargs)

    return make


@pytest.fixture
def card_holder(make_user):
    """A member with an active card: card_holder(mobile=...) -> card."""

    def make(**kwargs):
        member = make_user(roles.MEMBER, **kwargs)
        return gateway.issue_card(member=member)

    return make


def buy(card, amount: int = 1_000_000, *, branch=None, cashier=None, occurred_at=None):
    """A purchase at the till through the gateway's own service; returns the Transaction.
    Without a branch it happens at a branch with no coordinates."""
    if branch is None:
        branch = Branch.objects.get_or_create(code="corner-shop", defaults={"city": "Tehran"})[0]
    return gateway.post_purchase(
        txn_id=f"fraud-test-{next(_txn_ids)}",
        card_number=card.number,
        amount=amount,
        branch=branch,
        cashier=cashier,
        occurred_at=occurred_at,
    ).txn


def refer(referrer, referee):
    referral = register_referral(referrer=referrer, referee=referee)
    assert referral is not None
    return referral


def personal_data(users) -> list[str]:
    """What must never appear in a finding: full mobiles, e-mail addresses, names."""
    found = []
    for user in users:
        user.refresh_from_db()
        found += [user.email, user.profile.first_name, user.profile.last_name]
        if user.mobile:
            found += [user.mobile, "0" + user.mobile[3:]]
    return [value for value in found if value]


def assert_no_personal_data(findings, users) -> None:
    text = json.dumps(
        [[f.summary, f.params, f.evidence] for f in findings], ensure_ascii=False, default=str
    )
    for value in personal_data(users):
        assert value not in text, value
