"""Likes under load, on PostgreSQL with real threads: the same like sent by 20 requests at
once is one Like, counted once and paid once; 20 members liking at once lose no count."""

import pytest

from community import likes, services
from community.models import Like, StatusUpdate
from community.profiles import profile_for
from gamification import ledger
from gamification.models import Action, Award
from portal.accounts import roles

from ..gamification.test_ledger_concurrency import run_in_threads

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("loose_brakes"),
]

THREADS = 20


@pytest.fixture
def post(make_user):
    author = make_user(roles.MEMBER, first_name="Ada", last_name="Lovelace")
    profile_for(author)
    return services.post_status(author=author, body="Race me")


def test_twenty_threads_liking_the_same_post_make_one_like(post, make_user):
    fan = make_user()
    results, errors = run_in_threads(
        [lambda: likes.like(member=fan, target=post) for _ in range(THREADS)],
        refusals=(likes.LikeRefused,),
    )
    assert errors == []
    assert len({like.pk for like in results}) == 1
    assert Like.objects.count() == 1
    assert StatusUpdate.objects.get(pk=post.pk).like_count == 1
    assert Award.objects.filter(action=Action.LIKE_RECEIVED).count() == 1
    assert ledger.balances(post.author).points == 2 + 1
    assert ledger.audit() == []


def test_twenty_members_liking_at_once_lose_no_count(post, make_user):
    fans = [make_user() for _ in range(THREADS)]
    results, errors = run_in_threads(
        [lambda fan=fan: likes.like(member=fan, target=post) for fan in fans],
        refusals=(likes.LikeRefused,),
    )
    assert errors == []
    assert Like.objects.count() == THREADS
    assert StatusUpdate.objects.get(pk=post.pk).like_count == THREADS
    assert ledger.balances(post.author).points == 2 + THREADS
    assert ledger.audit() == []
