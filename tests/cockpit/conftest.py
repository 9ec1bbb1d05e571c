"""Cockpit fixtures: the club's tiers (gamification migration 0002), a branch, members
built precisely for each filter, and hand-made till transactions at exact times."""

import itertools
import uuid
from datetime import datetime

import pytest
from django.utils import timezone

from cardgateway.models import Branch, Card, Transaction, TxnKind
from portal.accounts import roles
from tests.gamification.conftest import club_rules  # noqa: F401 - autouse: rules and tiers


def local(*parts) -> datetime:
    """An aware datetime on the club's clock (TIME_ZONE)."""
    return datetime(*parts, tzinfo=timezone.get_current_timezone())


# "Now" for the segment tests: noon, local time.
AT = local(2026, 6, 15, 12, 0)
_card_numbers = itertools.count(4_000_000_000_000_001)


@pytest.fixture
def branch(db):
    return Branch.objects.create(code="north", name="North", city="Tehran")


@pytest.fixture
def other_branch(db):
    return Branch.objects.create(code="south", name="South", city="Shiraz")


@pytest.fixture
def manager(make_user):
    return make_user(roles.CLUB_MANAGER, first_name="Mana", last_name="Ger")


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


def buy(member, amount: int, when, *, branch, kind=TxnKind.PURCHASE, original=None):
    """A till transaction at exactly `when` (amount signed as the gateway stores it)."""
    card = Card.objects.filter(member=member).first() or Card.objects.create(
        number=f"{next(_card_numbers):016d}", member=member
    )
    key = uuid.uuid4().hex
    return Transaction.objects.create(
        kind=kind,
        txn_id=key,
        request_hash=key,
        receipt=key[:20],
        original=original,
        card=card,
        member=member,
        branch=branch,
        amount=amount,
        created_at=when,
        response={},
    )
