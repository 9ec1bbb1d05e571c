import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from community.models import InterestGroup, Suspension
from community.surveys import services
from community.surveys.models import Choice, Question, QuestionKind, Survey
from gamification.models import Badge, EarningRule, Tier
from portal.accounts import roles

seed_migration = importlib.import_module("gamification.migrations.0002_seed_rules_tiers_badges")

SURVEY_POINTS = 20  # the "survey completed" rule of gamification migration 0002


@pytest.fixture(autouse=True)
def club_rules(db):
    """Rules, tiers and badges of gamification migration 0002 (transactional tests flush them)."""
    if not (EarningRule.objects.exists() and Badge.objects.exists() and Tier.objects.exists()):
        seed_migration.seed(apps, None)


def make_survey(
    *,
    title: str = "Our service",
    questions: list[tuple] | None = None,
    anonymous: bool = False,
    published: bool = True,
    opens_in: timedelta = timedelta(days=-1),
    lasts: timedelta = timedelta(days=7),
    **fields,
) -> Survey:
    """A survey with `questions`: (kind, text, required, [choice labels]) each. By default
    one question of every kind, open since yesterday for a week, for all members."""
    if questions is None:
        questions = [
            (QuestionKind.SINGLE, "Which branch?", True, ["North", "South", "West"]),
            (QuestionKind.MULTIPLE, "What do you like?", False, ["Price", "Quality", "Staff"]),
            (QuestionKind.RATING, "How was it?", True, []),
            (QuestionKind.NPS, "Would you recommend us?", True, []),
            (QuestionKind.TEXT, "Anything else?", False, []),
        ]
    opens = timezone.now() + opens_in
    survey = Survey.objects.create(
        title=title,
        is_published=published,
        is_anonymous=anonymous,
        opens_at=opens,
        closes_at=opens + lasts,
        **fields,
    )
    for order, (kind, text, required, labels) in enumerate(questions):
        question = Question.objects.create(
            survey=survey, sort_order=order, kind=kind, text=text, required=required
        )
        for n, label in enumerate(labels):
            Choice.objects.create(question=question, sort_order=n, label=label)
    return survey


def questions_of(survey: Survey) -> dict[str, Question]:
    """The survey's questions by kind (the default survey has one of each)."""
    return {q.kind: q for q in survey.questions.prefetch_related("choices")}


def full_answers(survey: Survey, *, single=0, multiple=(0, 2), rating=4, nps=9, text="Fine"):
    """Answers for the default survey: choices by their position."""
    q = questions_of(survey)
    choices = {
        kind: list(q[kind].choices.all()) for kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE)
    }
    answers = {
        q[QuestionKind.SINGLE].pk: choices[QuestionKind.SINGLE][single].pk,
        q[QuestionKind.MULTIPLE].pk: [choices[QuestionKind.MULTIPLE][i].pk for i in multiple],
        q[QuestionKind.RATING].pk: rating,
        q[QuestionKind.NPS].pk: nps,
    }
    if text is not None:
        answers[q[QuestionKind.TEXT].pk] = text
    return answers


def post_data(survey: Survey, answers: dict) -> dict:
    """`answers` (by question id) as the survey form posts them."""
    data = {}
    for question_id, value in answers.items():
        data[f"q{question_id}"] = [str(v) for v in value] if isinstance(value, list) else str(value)
    return data


def answer(survey, member, **kwargs):
    return services.submit_response(
        survey=survey, member=member, answers=full_answers(survey, **kwargs)
    )


@pytest.fixture
def survey(db):
    return make_survey()


@pytest.fixture
def moderator(make_user):
    return make_user(roles.MODERATOR, email="moderator@example.com")


@pytest.fixture
def manager(make_user):
    return make_user(roles.CLUB_MANAGER, email="manager@example.com")


@pytest.fixture
def suspended(make_user, moderator):
    person = make_user(email="suspended@example.com")
    Suspension.objects.create(
        member=person,
        until=timezone.now() + timedelta(days=3),
        reason="spam",
        moderator=moderator,
    )
    return person


@pytest.fixture
def group(db):
    return InterestGroup.objects.create(name="Coffee lovers", slug="coffee")
