import importlib
import itertools
from datetime import datetime

import pytest
import time_machine
from django.apps import apps
from django.utils import timezone

from cardgateway import services as gateway
from cardgateway.models import Branch
from gamification.models import Tier
from portal.accounts import roles

seed_migration = importlib.import_module("gamification.migrations.0002_seed_rules_tiers_badges")
TEHRAN = timezone.get_default_timezone()


def at(year, month, day, hour=12) -> datetime:
    """A local (Tehran) time."""
    return datetime(year, month, day, hour, tzinfo=TEHRAN)


@pytest.fixture(autouse=True)
def club_rules(db):
    if not Tier.objects.exists():
        seed_migration.seed(apps, None)


@pytest.fixture(autouse=True)
def private_exports(settings, tmp_path):
    settings.PRIVATE_EXPORT_ROOT = tmp_path / "exports"
    return settings.PRIVATE_EXPORT_ROOT


@pytest.fixture
def north(db):
    return Branch.objects.create(code="north", name="North", city="Tehran")


@pytest.fixture
def south(db):
    return Branch.objects.create(code="south", name="South", city="Tehran")


@pytest.fixture
def manager(make_user):
    return make_user(roles.CLUB_MANAGER, email="manager@example.com")


@pytest.fixture
def make_member(make_user):
    """A member who joined at `joined` (local noon), with a home branch."""

    def make(email: str, *, joined: datetime, branch=None):
        with time_machine.travel(joined, tick=False):
            return make_user(roles.MEMBER, email=email, home_branch=branch)

    return make


_txn = itertools.count(1)


@pytest.fixture
def buy():
    """A purchase through the real till service at local time `when`; returns the txn id."""

    def purchase(member, amount: int, when: datetime, branch, redeem: int = 0) -> str:
        card = member.cards.filter(status="active").first() or gateway.issue_card(member=member)
        txn_id = f"test-{next(_txn)}"
        with time_machine.travel(when, tick=False):
            gateway.post_purchase(
                txn_id=txn_id, card_number=card.number, amount=amount, redeem=redeem, branch=branch
            )
        return txn_id

    return purchase
