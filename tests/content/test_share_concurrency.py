"""Shares under load, on PostgreSQL with real threads: the same share sent many times at
once is one Share paid once, and shares to every network at once stay within the daily
cap."""

import pytest

from content import services
from content.models import ArticlePage, Network, Share
from gamification import ledger
from gamification.models import Action, Award

from ..gamification.test_ledger_concurrency import run_in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def article(home):
    article = home.add_child(
        instance=ArticlePage(title="Race", slug="race", body=[("paragraph", "<p>Go</p>")])
    )
    article.save_revision().publish()
    return article


def test_the_same_share_sent_at_once_is_paid_once(article, make_user):
    member = make_user()
    results, errors = run_in_threads(
        [
            lambda: services.record_share(member=member, article=article, network=Network.X)
            for _ in range(10)
        ]
    )
    assert errors == []
    assert sum(outcome.awarded for outcome in results) == 2
    assert Share.objects.count() == 1
    assert Award.objects.filter(action=Action.SHARED).count() == 1
    assert ledger.balances(member).points == 2
    assert ledger.audit() == []


def test_shares_to_every_network_at_once_stay_within_the_daily_cap(article, make_user):
    member = make_user()
    tasks = [
        lambda network=network: services.record_share(
            member=member, article=article, network=network
        )
        for network in Network.values
        for _repeat in range(3)
    ]
    results, errors = run_in_threads(tasks)
    assert errors == []
    assert Share.objects.count() == len(Network.values)
    # "shared" pays 2 points a share with a daily cap of 10 (gamification migration 0002).
    assert ledger.balances(member).points == 10
    assert sum(outcome.awarded for outcome in results) == 10
    assert ledger.audit() == []
