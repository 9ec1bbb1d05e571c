from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from gamification import ledger, tiers
from gamification.models import EntryKind
from gamification.tasks import reevaluate_tiers

pytestmark = pytest.mark.django_db


def test_nightly_task_and_command_move_members_down_after_the_window(member, capsys):
    long_ago = timezone.now() - timedelta(days=400)
    ledger.post(
        member=member,
        currency="points",
        amount=6000,
        kind=EntryKind.PURCHASE_POINTS,
        idempotency_key="old",
        at=long_ago,
    )
    tiers.evaluate(member=member, at=long_ago)
    assert reevaluate_tiers.delay().get()["changed"] == 1
    assert tiers.current_tier(member).slug == "bronze"
    call_command("reevaluate_tiers")
    assert "0 changed" in capsys.readouterr().out


def test_beat_schedule_runs_the_tier_job_nightly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reevaluate-tiers"]
    assert entry["task"] == "gamification.tasks.reevaluate_tiers"
