"""Polls inside topics: single and multiple choice, closing, one ballot per member, and the
database constraints that keep votes unique even when requests race (PostgreSQL, threads)."""

import threading
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from community import brakes
from community.forums import services
from community.forums.models import PollVote

pytestmark = pytest.mark.django_db


def make_poll(
    author, category, *, multiple=False, closes_at=None, answers=("Tea", "Coffee", "Water")
):
    topic = services.start_topic(
        author=author,
        category=category,
        title="Drinks",
        body="What do you drink?",
        poll=services.PollSpec(
            question="Your drink?", choices=list(answers), is_multiple=multiple, closes_at=closes_at
        ),
    )
    return topic.poll


def ids(poll):
    return list(poll.choices.values_list("pk", flat=True))


def test_single_choice_poll_takes_one_vote_once(author, category, reader):
    poll = make_poll(author, category)
    tea, coffee, _water = ids(poll)
    with pytest.raises(services.ForumRefused) as error:
        services.vote(member=reader, poll=poll, choice_ids=[tea, coffee])
    assert error.value.code == "one_choice"
    services.vote(member=reader, poll=poll, choice_ids=[tea])
    with pytest.raises(services.ForumRefused) as error:
        services.vote(member=reader, poll=poll, choice_ids=[coffee])
    assert error.value.code == "already_voted"
    assert list(PollVote.objects.values_list("choice_id", flat=True)) == [tea]


def test_multiple_choice_poll_takes_several_answers_in_one_ballot(author, category, reader):
    poll = make_poll(author, category, multiple=True)
    tea, coffee, water = ids(poll)
    services.vote(member=reader, poll=poll, choice_ids=[tea, coffee])
    with pytest.raises(services.ForumRefused):
        services.vote(member=reader, poll=poll, choice_ids=[water])
    assert sorted(PollVote.objects.values_list("choice_id", flat=True)) == [tea, coffee]


def test_refused_votes_change_nothing(author, category, reader, make_user, moderator):
    poll = make_poll(author, category, closes_at=timezone.now() + timedelta(days=1))
    other = make_poll(author, category)
    with pytest.raises(services.ForumRefused) as error:
        services.vote(member=reader, poll=poll, choice_ids=[ids(other)[0]])
    assert error.value.code == "choice"
    with pytest.raises(services.ForumRefused):
        services.vote(member=reader, poll=poll, choice_ids=[])
    with pytest.raises(services.ForumRefused):
        services.vote(member=reader, poll=poll, choice_ids=["x"])
    with pytest.raises(services.ForumRefused) as error:
        services.vote(
            member=reader,
            poll=poll,
            choice_ids=[ids(poll)[0]],
            at=timezone.now() + timedelta(days=2),
        )
    assert error.value.code == "closed"
    services.set_locked(topic=poll.topic, moderator=moderator, locked=True)
    with pytest.raises(services.ForumRefused) as error:
        services.vote(member=reader, poll=poll, choice_ids=[ids(poll)[0]])
    assert error.value.code == "closed"
    assert not PollVote.objects.exists()


def test_suspended_members_cannot_vote(author, category, suspended):
    poll = make_poll(author, category)
    with pytest.raises(brakes.Refused) as error:
        services.vote(member=suspended, poll=poll, choice_ids=[ids(poll)[0]])
    assert error.value.code == "suspended"
    assert not PollVote.objects.exists()


def test_the_database_holds_one_vote_per_choice_and_one_per_single_poll(author, category, reader):
    poll = make_poll(author, category)
    tea, coffee, _water = poll.choices.all()
    PollVote.objects.create(poll=poll, choice=tea, member=reader, single=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        PollVote.objects.create(poll=poll, choice=coffee, member=reader, single=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        PollVote.objects.create(poll=poll, choice=tea, member=reader, single=False)


def test_the_page_shows_the_form_then_the_results(client, author, category, reader):
    poll = make_poll(author, category)
    client.force_login(reader)
    url = reverse("forums:topic", args=[poll.topic_id])
    assert client.get(url).context["vote_form"] is not None
    response = client.post(reverse("forums:poll-vote", args=[poll.topic_id]), {})
    assert response.status_code == 400
    assert not PollVote.objects.exists()
    client.post(reverse("forums:poll-vote", args=[poll.topic_id]), {"choices": ids(poll)[1]})
    view = client.get(url).context["poll"]
    assert view.voters == 1 and view.my_choice_ids == {ids(poll)[1]}
    assert [c.vote_total for c in view.choices] == [0, 1, 0]
    assert [c.percent for c in view.choices] == [0, 100, 0]


# --- Under concurrency (PostgreSQL, real threads) ---------------------------------------------


def run_at_once(tasks):
    barrier = threading.Barrier(len(tasks))
    outcomes: list = [None] * len(tasks)

    def worker(index, task):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = task()
        except Exception as error:  # the refusals are what we count
            outcomes[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, t)) for i, t in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung"
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("same_choice", [True, False])
def test_racing_votes_in_a_single_choice_poll_count_once(author, category, reader, same_choice):
    poll = make_poll(author, category)
    choices = ids(poll)
    tasks = [
        (
            lambda pk=(choices[0] if same_choice else choices[n % 3]): services.vote(
                member=reader, poll=poll, choice_ids=[pk]
            )
        )
        for n in range(8)
    ]
    outcomes = run_at_once(tasks)
    refused = [o for o in outcomes if isinstance(o, services.ForumRefused)]
    assert len(refused) == 7, outcomes
    assert {o.code for o in refused} == {"already_voted"}
    assert PollVote.objects.filter(poll=poll, member=reader).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_ballots_in_a_multiple_choice_poll_never_count_a_choice_twice(
    author, category, reader
):
    poll = make_poll(author, category, multiple=True)
    tea, coffee, water = ids(poll)
    ballots = [[tea, coffee], [coffee], [tea, water], [tea], [coffee, water], [tea, coffee, water]]
    run_at_once(
        [lambda b=b: services.vote(member=reader, poll=poll, choice_ids=b) for b in ballots]
    )
    chosen = list(PollVote.objects.filter(member=reader).values_list("choice_id", flat=True))
    assert chosen and len(chosen) == len(set(chosen))
