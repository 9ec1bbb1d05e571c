import importlib
import uuid

import pytest
from django.apps import apps

from gamification import ledger
from gamification.models import Badge, Currency, EarningRule, EntryKind, Tier

seed_migration = importlib.import_module("gamification.migrations.0002_seed_rules_tiers_badges")


@pytest.fixture(autouse=True)
def club_rules(db):
    """Rules, tiers and badges of migration 0002 (transactional tests flush them)."""
    if not (EarningRule.objects.exists() and Badge.objects.exists() and Tier.objects.exists()):
        seed_migration.seed(apps, None)


def give_points(member, amount: int) -> None:
    """Points for a test, through the ledger (never by writing a balance)."""
    ledger.post(
        member=member,
        currency=Currency.POINTS,
        amount=amount,
        kind=EntryKind.ADJUSTMENT,
        idempotency_key=f"test-grant:{uuid.uuid4()}",
    )
