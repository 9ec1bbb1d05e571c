"""Closing a contest: winners chosen once, paid once (points and/or a badge), the result
in the feed; the job and the command can run any number of times."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from community.contests import services, tasks
from community.contests.models import Contest, Winner
from community.models import FeedItem
from gamification.models import Action, Award, Badge, MemberBadge
from portal.notifications.models import Notification

from .conftest import (
    cast_vote,
    choice_id,
    enter_photo,
    make_photo_contest,
    make_quiz,
    points,
    question,
    right_answers,
)

pytestmark = pytest.mark.django_db


def after(contest: Contest, minutes: int = 1):
    return contest.closes_at + timedelta(minutes=minutes)


def play(quiz, member, *, score: str, minutes: int, start=None):
    """An attempt answered `score` ("all", "some", "none") taking `minutes`."""
    begin = start or timezone.now()
    attempt = services.start_attempt(contest=quiz, member=member, at=begin)
    answers = {
        "all": right_answers(quiz),
        "some": {question(quiz, 0).pk: [choice_id(quiz, "B")]},
        "none": {},
    }[score]
    services.submit_attempt(attempt=attempt, answers=answers, at=begin + timedelta(minutes=minutes))
    return attempt


@pytest.fixture
def played_quiz(make_user):
    quiz = make_quiz(limit=30, winners=2)
    people = [make_user(email=f"p{i}@example.com") for i in range(4)]
    play(quiz, people[0], score="all", minutes=9)
    play(quiz, people[1], score="all", minutes=3)  # fastest of the best: first
    play(quiz, people[2], score="some", minutes=1)
    play(quiz, people[3], score="none", minutes=1)
    return quiz, people


def test_quiz_winners_are_the_best_scores_ties_by_time(played_quiz):
    quiz, people = played_quiz

    closed = services.close_contest(contest=quiz, at=after(quiz))

    assert closed.newly
    assert [(w.rank, w.member) for w in closed.winners] == [(1, people[1]), (2, people[0])]
    assert [w.score for w in closed.winners] == [6, 6]
    quiz.refresh_from_db()
    assert quiz.closed_at is not None


def test_winners_are_paid_the_contest_won_rule_once(played_quiz):
    quiz, people = played_quiz
    before = [points(p) for p in people]

    services.close_contest(contest=quiz, at=after(quiz))
    again = services.close_contest(contest=quiz, at=after(quiz, 5))

    assert not again.newly
    assert [points(p) - b for p, b in zip(people, before, strict=True)] == [100, 100, 0, 0]
    awards = Award.objects.filter(action=Action.CONTEST_WON)
    assert awards.count() == 2
    winner_type = ContentType.objects.get_for_model(Winner)
    assert {a.subject_type_id for a in awards} == {winner_type.pk}
    assert sorted(w.points for w in Winner.objects.all()) == [100, 100]


def test_the_close_job_and_command_pay_nothing_twice(played_quiz):
    quiz, people = played_quiz
    Contest.objects.filter(pk=quiz.pk).update(
        opens_at=timezone.now() - timedelta(hours=3),
        closes_at=timezone.now() - timedelta(minutes=1),
    )

    assert tasks.close_contests() == 1
    assert tasks.close_contests() == 0
    call_command("close_contests")

    assert Winner.objects.count() == 2
    assert Award.objects.filter(action=Action.CONTEST_WON).count() == 2
    assert FeedItem.objects.filter(verb="contest_result").count() == 1


def test_a_contest_cannot_close_before_its_end(played_quiz):
    quiz, _people = played_quiz

    with pytest.raises(services.ContestError) as refused:
        services.close_contest(contest=quiz)

    assert refused.value.code == "not_finished"
    assert not Winner.objects.exists()
    quiz.refresh_from_db()
    assert quiz.closed_at is None


def test_unfinished_drafts_and_running_contests_are_left_alone(played_quiz):
    quiz, _people = played_quiz
    make_quiz(slug="draft", opens=-5, closes=-1, is_published=False)

    assert services.close_due_contests() == []
    assert not Winner.objects.exists()


def test_a_score_of_nothing_wins_nothing(make_user):
    quiz = make_quiz(winners=3)
    play(quiz, make_user(), score="none", minutes=1)

    closed = services.close_contest(contest=quiz, at=after(quiz))

    assert closed.winners == []
    assert not Award.objects.filter(action=Action.CONTEST_WON).exists()
    assert FeedItem.objects.filter(verb="contest_result").count() == 1


def test_the_result_goes_to_the_feed_and_the_winners_are_told(played_quiz):
    quiz, people = played_quiz

    services.close_contest(contest=quiz, at=after(quiz))

    item = FeedItem.objects.get(verb="contest_result")
    assert item.actor is None and item.target == quiz and item.text == quiz.title
    assert item.url == f"/community/contests/{quiz.slug}/results/"
    assert Notification.objects.filter(member=people[1], kind="contest_won").count() == 1
    assert not Notification.objects.filter(member=people[2], kind="contest_won").exists()


def test_a_badge_prize_is_granted_once_and_points_can_be_off(played_quiz):
    quiz, people = played_quiz
    badge = Badge.objects.create(slug="quiz-champion", name="Quiz champion")
    Contest.objects.filter(pk=quiz.pk).update(badge=badge, pays_points=False)
    quiz.refresh_from_db()
    before = points(people[1])

    services.close_contest(contest=quiz, at=after(quiz))
    services.close_contest(contest=quiz, at=after(quiz, 2))

    assert set(MemberBadge.objects.filter(badge=badge).values_list("member", flat=True)) == {
        people[0].pk,
        people[1].pk,
    }
    assert points(people[1]) == before
    assert not Award.objects.filter(action=Action.CONTEST_WON).exists()
    assert all(w.badge_id == badge.pk for w in Winner.objects.all())


def test_photo_winners_have_most_votes_ties_by_earlier_submission(make_user):
    contest = make_photo_contest(phase="both", winners=2)
    authors = [make_user(email=f"author{i}@example.com") for i in range(4)]
    start = contest.opens_at
    photos = [
        enter_photo(contest, author, at=start + timedelta(minutes=10 - i))
        for i, author in enumerate(authors)
    ]
    # Entered at +10, +9, +8 and +7 minutes; photos[0] and photos[1] get two votes each,
    # photos[2] and photos[3] (entered earliest) one each.
    voters = [make_user() for _ in range(3)]
    for voter, picks in zip(voters, [[0, 1], [0, 1, 3], [2]], strict=True):
        for index in picks:
            cast_vote(voter, photos[index])
    before = [points(a) for a in authors]

    closed = services.close_contest(contest=contest, at=after(contest))

    # photos[1] was entered before photos[0] (start + 9 minutes vs + 10): it ranks first.
    assert [w.photo_id for w in closed.winners] == [photos[1].pk, photos[0].pk]
    assert [w.score for w in closed.winners] == [2, 2]
    assert [points(a) - b for a, b in zip(authors, before, strict=True)] == [100, 100, 0, 0]


def test_a_removed_photo_cannot_win(make_user, moderator):
    contest = make_photo_contest(phase="both", winners=1)
    popular = enter_photo(contest, make_user())
    other = enter_photo(contest, make_user())
    for voter in [make_user() for _ in range(3)]:
        cast_vote(voter, popular)
    cast_vote(make_user(), other)
    services.remove_photo(photo=popular, moderator=moderator, reason="stolen picture")

    closed = services.close_contest(contest=contest, at=after(contest))

    assert [w.photo_id for w in closed.winners] == [other.pk]


def test_a_member_takes_one_place_with_their_best_photo(make_user):
    contest = make_photo_contest(phase="both", winners=2, per_member=2)
    prolific, other = make_user(), make_user()
    first = enter_photo(contest, prolific, "One", at=contest.opens_at + timedelta(minutes=1))
    second = enter_photo(contest, prolific, "Two", at=contest.opens_at + timedelta(minutes=2))
    third = enter_photo(contest, other, at=contest.opens_at + timedelta(minutes=3))
    voters = [make_user() for _ in range(3)]
    for voter in voters:
        cast_vote(voter, first)
        cast_vote(voter, second)
    cast_vote(voters[0], third)

    closed = services.close_contest(contest=contest, at=after(contest))

    assert [(w.member, w.photo_id) for w in closed.winners] == [
        (prolific, first.pk),
        (other, third.pk),
    ]
