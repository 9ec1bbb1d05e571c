"""The demo contests: a quiz open now and a photo contest finished with its winners paid;
seeding twice changes nothing."""

import pytest

from community.contests.demo import ENTRANTS, PHOTO_SLUG, QUIZ_SLUG, VOTES, seed_contests
from community.contests.models import Attempt, Contest, ContestPhoto, PhotoVote, Winner
from gamification.models import Action, Award

pytestmark = pytest.mark.django_db


def test_seed_contests_makes_an_open_quiz_and_a_finished_photo_contest(make_user):
    for email in {email for email, *_ in ENTRANTS} | set(VOTES):
        make_user(email=email)

    seed_contests()

    quiz = Contest.objects.get(slug=QUIZ_SLUG)
    assert quiz.is_open() and quiz.questions.count() == 4
    photos = Contest.objects.get(slug=PHOTO_SLUG)
    assert photos.is_finished() and photos.closed_at is not None
    assert ContestPhoto.objects.filter(contest=photos).count() == len(ENTRANTS)
    assert PhotoVote.objects.count() == sum(len(picks) for picks in VOTES.values())
    winners = list(Winner.objects.filter(contest=photos).order_by("rank"))
    assert len(winners) == 2 and winners[0].score >= winners[1].score > 0
    assert Award.objects.filter(action=Action.CONTEST_WON).count() == 2

    seed_contests()

    assert Contest.objects.count() == 2
    assert Winner.objects.count() == 2 and not Attempt.objects.exists()
    assert Award.objects.filter(action=Action.CONTEST_WON).count() == 2


def test_seed_contests_skips_the_photo_contest_without_the_demo_people():
    seed_contests()

    assert list(Contest.objects.values_list("slug", flat=True)) == [QUIZ_SLUG]
