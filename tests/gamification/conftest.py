import importlib

import pytest
from django.apps import apps

from gamification.models import Badge, EarningRule, Tier

seed_migration = importlib.import_module("gamification.migrations.0002_seed_rules_tiers_badges")


@pytest.fixture(autouse=True)
def club_rules(db):
    """Rules, tiers and badges of migration 0002 (transactional tests flush them)."""
    if not (EarningRule.objects.exists() and Badge.objects.exists() and Tier.objects.exists()):
        seed_migration.seed(apps, None)
