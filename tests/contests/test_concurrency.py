"""Votes, attempts and the close under load, on PostgreSQL with real threads: the database
constraints and row locks hold, nothing is counted or paid twice."""

from datetime import timedelta

import pytest

from community.contests import services
from community.contests.models import Attempt, ContestPhoto, PhotoVote, Winner
from gamification import ledger
from gamification.models import Action, Award
from tests.gamification.test_ledger_concurrency import run_in_threads

from .conftest import enter_photo, make_photo_contest, make_quiz, points, right_answers

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20
REFUSALS = (services.ContestError,)


def test_one_member_voting_for_one_photo_from_20_threads_votes_once(make_user):
    contest = make_photo_contest(phase="both")
    photo = enter_photo(contest, make_user())
    voter = make_user()

    results, errors = run_in_threads(
        [lambda: services.vote(member=voter, photo=photo)] * THREADS, refusals=REFUSALS
    )

    assert errors == []
    assert PhotoVote.objects.filter(photo=photo, member=voter).count() == 1
    assert len({ballot.pk for ballot in results}) == 1
    photo.refresh_from_db()
    assert photo.vote_count == 1
    assert Award.objects.filter(action=Action.PHOTO_VOTE_RECEIVED).count() == 1
    assert points(photo.author) == 1


def test_20_members_voting_at_once_are_all_counted(make_user):
    contest = make_photo_contest(phase="both")
    photo = enter_photo(contest, make_user())
    voters = [make_user() for _ in range(THREADS)]

    _results, errors = run_in_threads(
        [lambda v=v: services.vote(member=v, photo=photo) for v in voters], refusals=REFUSALS
    )

    assert errors == []
    photo.refresh_from_db()
    assert photo.vote_count == PhotoVote.objects.filter(photo=photo).count() == THREADS
    assert points(photo.author) == THREADS
    assert ledger.audit() == []


def test_votes_sent_together_never_pass_the_members_limit(make_user):
    contest = make_photo_contest(phase="both", max_votes=2)
    photos = [enter_photo(contest, make_user()) for _ in range(8)]
    voter = make_user()

    results, errors = run_in_threads(
        [lambda p=p: services.vote(member=voter, photo=p) for p in photos], refusals=REFUSALS
    )

    assert errors == []
    assert PhotoVote.objects.filter(member=voter).count() == 2
    assert sum(isinstance(r, services.ContestError) for r in results) == 6
    assert sum(ContestPhoto.objects.values_list("vote_count", flat=True)) == 2


def test_one_attempt_per_member_from_many_threads(make_user):
    quiz = make_quiz(limit=10)
    member = make_user()

    results, errors = run_in_threads(
        [lambda: services.start_attempt(contest=quiz, member=member)] * THREADS,
        refusals=REFUSALS,
    )

    assert errors == []
    assert Attempt.objects.filter(contest=quiz, member=member).count() == 1
    assert len({attempt.pk for attempt in results}) == 1


def test_close_jobs_running_together_pay_each_winner_once(make_user):
    quiz = make_quiz(limit=30, winners=2)
    for _ in range(3):
        person = make_user()
        attempt = services.start_attempt(contest=quiz, member=person)
        services.submit_attempt(attempt=attempt, answers=right_answers(quiz))
    at = quiz.closes_at + timedelta(minutes=1)

    results, errors = run_in_threads(
        [lambda: services.close_contest(contest=quiz, at=at)] * 8, refusals=REFUSALS
    )

    assert errors == []
    assert sum(result.newly for result in results) == 1
    assert Winner.objects.filter(contest=quiz).count() == 2
    assert Award.objects.filter(action=Action.CONTEST_WON).count() == 2
    assert ledger.audit() == []
