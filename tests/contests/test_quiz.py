"""Taking a quiz: one attempt per member, marking, the time limit counted on the server,
refusals that change nothing."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from community.contests import selectors, services
from community.contests.models import Attempt

from .conftest import choice_id, make_quiz, question, right_answers

pytestmark = pytest.mark.django_db


def test_right_answers_score_every_point(member):
    quiz = make_quiz()
    attempt = services.start_attempt(contest=quiz, member=member)

    services.submit_attempt(attempt=attempt, answers=right_answers(quiz))

    attempt.refresh_from_db()
    assert attempt.score == 2 + 3 + 1
    assert attempt.is_submitted and not attempt.timed_out
    assert attempt.duration_ms is not None


def test_partly_right_answers_score_only_the_right_questions(member):
    quiz = make_quiz()
    attempt = services.start_attempt(contest=quiz, member=member)
    answers = {
        question(quiz, 0).pk: [choice_id(quiz, "B")],  # right: 2
        question(quiz, 1).pk: [choice_id(quiz, "X")],  # half of the set: 0
        question(quiz, 2).pk: "Tabriz",  # wrong: 0
    }

    services.submit_attempt(attempt=attempt, answers=answers)

    attempt.refresh_from_db()
    assert attempt.score == 2
    assert attempt.marks == {
        str(question(quiz, 0).pk): 2,
        str(question(quiz, 1).pk): 0,
        str(question(quiz, 2).pk): 0,
    }


def test_unanswered_questions_score_nothing(member):
    quiz = make_quiz()
    attempt = services.start_attempt(contest=quiz, member=member)

    services.submit_attempt(attempt=attempt, answers={})

    attempt.refresh_from_db()
    assert attempt.score == 0 and attempt.is_submitted


def test_one_attempt_per_member_is_a_database_constraint(member):
    quiz = make_quiz()
    services.start_attempt(contest=quiz, member=member)

    with pytest.raises(IntegrityError), transaction.atomic():
        Attempt.objects.create(contest=quiz, member=member, deadline_at=quiz.closes_at)


def test_starting_again_returns_the_unfinished_attempt(member):
    quiz = make_quiz(limit=10)
    first = services.start_attempt(contest=quiz, member=member)

    again = services.start_attempt(contest=quiz, member=member)

    assert again.pk == first.pk
    assert again.deadline_at == first.deadline_at  # the clock does not start over
    assert Attempt.objects.count() == 1


def test_a_second_attempt_after_submitting_is_refused(member):
    quiz = make_quiz()
    attempt = services.start_attempt(contest=quiz, member=member)
    services.submit_attempt(attempt=attempt, answers=right_answers(quiz))

    with pytest.raises(services.ContestError) as refused:
        services.start_attempt(contest=quiz, member=member)
    assert refused.value.code == "already"
    assert Attempt.objects.count() == 1


def test_sending_answers_twice_changes_nothing(member):
    quiz = make_quiz()
    attempt = services.start_attempt(contest=quiz, member=member)
    services.submit_attempt(attempt=attempt, answers={})

    with pytest.raises(services.ContestError) as refused:
        services.submit_attempt(attempt=attempt, answers=right_answers(quiz))

    assert refused.value.code == "already"
    attempt.refresh_from_db()
    assert attempt.score == 0


def test_deadline_is_the_time_limit_or_the_close_whichever_first(member, make_user):
    quiz = make_quiz(limit=30, closes=2)
    now = timezone.now()

    attempt = services.start_attempt(contest=quiz, member=member, at=now)
    assert attempt.deadline_at == now + timedelta(minutes=30)

    late = services.start_attempt(
        contest=quiz, member=make_user(), at=quiz.closes_at - timedelta(minutes=5)
    )
    assert late.deadline_at == quiz.closes_at


def test_answers_after_the_time_limit_are_not_counted(member):
    quiz = make_quiz(limit=5)
    start = timezone.now()
    attempt = services.start_attempt(contest=quiz, member=member, at=start)

    services.submit_attempt(
        attempt=attempt, answers=right_answers(quiz), at=start + timedelta(minutes=6)
    )

    attempt.refresh_from_db()
    assert attempt.timed_out and attempt.score == 0 and attempt.answers == {}
    assert attempt.submitted_at == attempt.deadline_at
    assert attempt.duration_ms == 5 * 60 * 1000


def test_answers_within_the_grace_of_the_deadline_count(member):
    quiz = make_quiz(limit=5)
    start = timezone.now()
    attempt = services.start_attempt(contest=quiz, member=member, at=start)

    services.submit_attempt(
        attempt=attempt,
        answers=right_answers(quiz),
        at=start + timedelta(minutes=5) + services.GRACE - timedelta(seconds=1),
    )

    attempt.refresh_from_db()
    assert not attempt.timed_out and attempt.score == 6
    assert attempt.duration_ms == 5 * 60 * 1000  # counted up to the deadline, not beyond


@pytest.mark.parametrize(
    "bad",
    [
        {"999999": [1]},  # not a question of the quiz
        {"not-a-number": [1]},
        "choice of another question",
        "two choices for a one-choice question",
        "text too long",
    ],
)
def test_malformed_answers_are_refused_and_change_nothing(member, bad):
    quiz = make_quiz()
    attempt = services.start_attempt(contest=quiz, member=member)
    if bad == "choice of another question":
        bad = {question(quiz, 0).pk: [choice_id(quiz, "X")]}
    elif bad == "two choices for a one-choice question":
        bad = {question(quiz, 0).pk: [choice_id(quiz, "A"), choice_id(quiz, "B")]}
    elif bad == "text too long":
        bad = {question(quiz, 2).pk: "x" * 201}

    with pytest.raises(services.ContestError) as refused:
        services.submit_attempt(attempt=attempt, answers=bad)

    assert refused.value.code == "bad_answer"
    attempt.refresh_from_db()
    assert not attempt.is_submitted and attempt.answers == {} and attempt.score == 0


def test_a_quiz_not_open_cannot_be_started(member):
    upcoming = make_quiz(slug="soon", opens=1, closes=3)
    finished = make_quiz(slug="done", opens=-3, closes=-1)
    draft = make_quiz(slug="draft", is_published=False)

    for quiz, code in [(upcoming, "closed"), (finished, "closed"), (draft, "not_found")]:
        with pytest.raises(services.ContestError) as refused:
            services.start_attempt(contest=quiz, member=member)
        assert refused.value.code == code
    assert not Attempt.objects.exists()


def test_a_suspended_member_cannot_start_a_quiz(suspended):
    quiz = make_quiz()

    with pytest.raises(services.ContestError) as refused:
        services.start_attempt(contest=quiz, member=suspended)

    assert refused.value.code == "suspended"
    assert not Attempt.objects.exists()


def test_results_rank_by_score_then_time_then_submission(make_user):
    quiz = make_quiz(limit=30)
    start = timezone.now()
    people = {name: make_user(email=f"{name}@example.com") for name in "abcd"}
    # a: 6 points in 5 minutes; b: 6 points in 2 minutes; c: 2 points in 1 minute;
    # d: 6 points in 2 minutes too, but submitted after b.
    plan = {"a": (6, 0, 5), "b": (6, 1, 2), "c": (2, 0, 1), "d": (6, 2, 2)}
    for name, (score, offset, minutes) in plan.items():
        begin = start + timedelta(seconds=offset)
        attempt = services.start_attempt(contest=quiz, member=people[name], at=begin)
        answers = right_answers(quiz)
        if score == 2:
            answers = {question(quiz, 0).pk: [choice_id(quiz, "B")]}
        services.submit_attempt(
            attempt=attempt, answers=answers, at=begin + timedelta(minutes=minutes)
        )

    ranked = [a.member.email[0] for a in selectors.ranked_attempts(quiz)]

    assert ranked == ["b", "d", "a", "c"]
