import pytest
from django.core.management import CommandError, call_command

from gamification import ledger
from gamification.models import LedgerEntry, Referral
from portal.accounts.models import User
from portal.pages.models import HomePage

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_without_debug():
    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_seed_demo_creates_one_login_per_role_and_is_idempotent(capsys, role_groups):
    call_command("seed_demo", "--force")
    out = capsys.readouterr().out
    for email in ["member@", "moderator@", "support@", "cashier@", "manager@"]:
        assert email in out
    counts = (User.objects.count(), LedgerEntry.objects.count(), Referral.objects.count())
    call_command("seed_demo", "--force")
    assert (User.objects.count(), LedgerEntry.objects.count(), Referral.objects.count()) == counts
    assert HomePage.objects.count() == 1
    assert ledger.audit() == []
    assert User.objects.get(email="moderator@club.example").has_perm("accounts.moderate_community")
