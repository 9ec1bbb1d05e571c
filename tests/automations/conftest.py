import importlib
import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.utils import timezone

from automations.models import AutomationSettings
from cardgateway import services as gateway
from cardgateway.models import Branch, Transaction, TxnKind
from gamification.models import Badge, EarningRule, Tier

seed_migration = importlib.import_module("gamification.migrations.0002_seed_rules_tiers_badges")
TEHRAN = ZoneInfo("Asia/Tehran")
_receipts = itertools.count(1)


def local(*args) -> datetime:
    """An aware time in the portal's zone."""
    return datetime(*args, tzinfo=TEHRAN)


@pytest.fixture(autouse=True)
def club_rules(db):
    """Rules, tiers and badges of migration 0002 (transactional tests flush them)."""
    if not (EarningRule.objects.exists() and Badge.objects.exists() and Tier.objects.exists()):
        seed_migration.seed(apps, None)


@pytest.fixture
def automation_settings(db):
    """The settings row, every gift off unless a test sets one."""
    settings = AutomationSettings.load()
    settings.birthday_gift_kind = ""
    settings.winback_gift_kind = ""
    settings.welcome_gift_kind = ""
    settings.save()
    return settings


@pytest.fixture
def branch(db):
    return Branch.objects.create(code="central", name="Central", city="Tehran")


@pytest.fixture
def buy(branch):
    """A purchase row for `member` at `at` (what the till writes; no ledger needed for
    the visit counts)."""
    cards = {}

    def buy(member, at, kind=TxnKind.PURCHASE, amount=100_000):
        card = cards.get(member.pk) or gateway.issue_card(member=member)
        cards[member.pk] = card
        n = next(_receipts)
        return Transaction.objects.create(
            kind=kind,
            txn_id=f"t{n}",
            request_hash="x" * 64,
            receipt=f"R{n}",
            card=card,
            member=member,
            branch=branch,
            amount=amount if kind == TxnKind.PURCHASE else -amount,
            created_at=at,
            response={},
        )

    return buy


def set_profile(member, **fields):
    profile = member.profile
    for name, value in fields.items():
        setattr(profile, name, value)
    if fields.get("sms_consent"):
        profile.sms_consent_at = timezone.now()
    if fields.get("email_consent"):
        profile.email_consent_at = timezone.now()
    profile.save()
    return member
