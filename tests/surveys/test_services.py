"""Answering a survey (services.submit_response): what is stored, what is paid, and every
refusal, which changes nothing."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from community.models import GroupMembership
from community.surveys import services
from community.surveys.models import (
    Answer,
    Audience,
    Participation,
    QuestionKind,
    Response,
)
from gamification import ledger
from gamification.models import Action, Award, MemberTier, Tier

from .conftest import SURVEY_POINTS, answer, full_answers, make_survey, questions_of

pytestmark = pytest.mark.django_db


def snapshot(member) -> tuple:
    return (
        Participation.objects.count(),
        Response.objects.count(),
        Answer.objects.count(),
        Award.objects.count(),
        ledger.balances(member).points,
    )


def test_answering_stores_the_answers_with_the_member_and_the_day(survey, member):
    submission = answer(survey, member)

    response = Response.objects.get()
    assert response.member == member
    assert response.submitted_on == timezone.localdate()
    q = questions_of(survey)
    by_question = {}
    for row in Answer.objects.filter(response=response).select_related("choice"):
        by_question.setdefault(row.question.kind, []).append(row)
    assert [a.choice.label for a in by_question[QuestionKind.SINGLE]] == ["North"]
    assert sorted(a.choice.label for a in by_question[QuestionKind.MULTIPLE]) == ["Price", "Staff"]
    assert [a.number for a in by_question[QuestionKind.RATING]] == [4]
    assert [a.number for a in by_question[QuestionKind.NPS]] == [9]
    assert [a.text for a in by_question[QuestionKind.TEXT]] == ["Fine"]
    assert submission.participation == Participation.objects.get(survey=survey, member=member)
    assert q  # every kind answered


def test_completion_pays_the_rules_points_once_for_the_participation(survey, member):
    submission = answer(survey, member)

    assert submission.points == SURVEY_POINTS
    assert ledger.balances(member).points == SURVEY_POINTS
    award = Award.objects.get(member=member, action=Action.SURVEY_COMPLETED)
    assert award.subject_type == ContentType.objects.get_for_model(Participation)
    assert award.subject_id == submission.participation.pk


def test_an_anonymous_response_holds_neither_member_nor_date(member):
    survey = make_survey(anonymous=True)
    submission = answer(survey, member)

    response = Response.objects.get()
    assert response.member_id is None
    assert response.submitted_on is None
    # The participation says only who answered and when; the award points at it.
    assert submission.participation.member == member
    award = Award.objects.get(member=member)
    assert award.subject_type == ContentType.objects.get_for_model(Participation)
    assert submission.points == SURVEY_POINTS


def test_the_answer_rows_have_no_field_that_could_lead_back_to_the_member():
    for model in (Response, Answer):
        for field in model._meta.concrete_fields:
            assert field.get_internal_type() not in ("DateTimeField", "AutoField", "BigAutoField")
    assert {f.name for f in Response._meta.concrete_fields} == {
        "id",
        "survey",
        "member",
        "submitted_on",
    }
    # Random keys: rows cannot be put back in the order they were written.
    assert Response._meta.pk.get_internal_type() == "UUIDField"
    assert Answer._meta.pk.get_internal_type() == "UUIDField"


def test_a_second_answer_is_refused_and_changes_nothing(survey, member):
    answer(survey, member)
    before = snapshot(member)

    with pytest.raises(services.AlreadyAnswered):
        answer(survey, member, single=1, rating=1)

    assert snapshot(member) == before


def test_a_second_answer_to_an_anonymous_survey_is_refused_too(member):
    survey = make_survey(anonymous=True)
    answer(survey, member)
    before = snapshot(member)

    with pytest.raises(services.AlreadyAnswered):
        answer(survey, member)

    assert snapshot(member) == before


def test_missing_required_answers_are_all_named_and_nothing_is_stored(survey, member):
    q = questions_of(survey)
    with pytest.raises(services.InvalidAnswers) as refused:
        services.submit_response(survey=survey, member=member, answers={})

    assert set(refused.value.errors) == {
        q[QuestionKind.SINGLE].pk,
        q[QuestionKind.RATING].pk,
        q[QuestionKind.NPS].pk,
    }
    assert snapshot(member) == (0, 0, 0, 0, 0)


def test_optional_questions_may_be_left_out(survey, member):
    q = questions_of(survey)
    answers = full_answers(survey, text=None)
    del answers[q[QuestionKind.MULTIPLE].pk]

    services.submit_response(survey=survey, member=member, answers=answers)

    kinds = set(Answer.objects.values_list("question__kind", flat=True))
    assert kinds == {QuestionKind.SINGLE, QuestionKind.RATING, QuestionKind.NPS}


@pytest.mark.parametrize(
    "kind, value",
    [
        (QuestionKind.RATING, 0),
        (QuestionKind.RATING, 6),
        (QuestionKind.NPS, 11),
        (QuestionKind.NPS, "ten"),
        (QuestionKind.SINGLE, "other-question"),
        (QuestionKind.SINGLE, "two"),
        (QuestionKind.MULTIPLE, [999_999]),
        (QuestionKind.TEXT, "x" * 2001),
        (QuestionKind.TEXT, "   "),  # blank text for a required text question below
    ],
)
def test_an_answer_the_question_does_not_accept_is_refused(member, kind, value):
    survey = make_survey(
        questions=[
            (QuestionKind.SINGLE, "One", True, ["A", "B"]),
            (QuestionKind.MULTIPLE, "Many", True, ["C", "D"]),
            (QuestionKind.RATING, "Rate", True, []),
            (QuestionKind.NPS, "Recommend", True, []),
            (QuestionKind.TEXT, "Say", True, []),
        ]
    )
    q = questions_of(survey)
    answers = {
        q[QuestionKind.SINGLE].pk: q[QuestionKind.SINGLE].choices.all()[0].pk,
        q[QuestionKind.MULTIPLE].pk: [q[QuestionKind.MULTIPLE].choices.all()[0].pk],
        q[QuestionKind.RATING].pk: 3,
        q[QuestionKind.NPS].pk: 5,
        q[QuestionKind.TEXT].pk: "ok",
    }
    if value == "other-question":  # a choice of another question
        value = q[QuestionKind.MULTIPLE].choices.all()[0].pk
    elif value == "two":
        value = [c.pk for c in q[QuestionKind.SINGLE].choices.all()]
    answers[q[kind].pk] = value

    with pytest.raises(services.InvalidAnswers) as refused:
        services.submit_response(survey=survey, member=member, answers=answers)

    assert list(refused.value.errors) == [q[kind].pk]
    assert snapshot(member) == (0, 0, 0, 0, 0)


@pytest.mark.parametrize(
    "fields, refusal",
    [
        ({"opens_in": timedelta(days=1)}, services.NotOpenYet),
        ({"opens_in": timedelta(days=-10), "lasts": timedelta(days=2)}, services.SurveyClosed),
        ({"published": False}, services.NotInAudience),
    ],
)
def test_a_survey_that_is_not_open_refuses_answers(member, fields, refusal):
    survey = make_survey(**fields)
    with pytest.raises(refusal):
        answer(survey, member)
    assert snapshot(member) == (0, 0, 0, 0, 0)


def test_the_closing_moment_is_already_closed(survey, member):
    with pytest.raises(services.SurveyClosed):
        services.submit_response(
            survey=survey, member=member, answers=full_answers(survey), at=survey.closes_at
        )
    services.submit_response(
        survey=survey,
        member=member,
        answers=full_answers(survey),
        at=survey.closes_at - timedelta(seconds=1),
    )


def test_a_suspended_member_cannot_answer(survey, suspended):
    with pytest.raises(services.MemberSuspended):
        answer(survey, suspended)
    assert snapshot(suspended) == (0, 0, 0, 0, 0)


def test_a_lifted_suspension_no_longer_stops_them(survey, suspended):
    suspended.suspensions.update(lifted_at=timezone.now())
    answer(survey, suspended)
    assert Participation.objects.filter(member=suspended).exists()


def test_a_tier_survey_is_for_that_tiers_members_only(make_user):
    gold = Tier.objects.order_by("threshold").last()
    bronze = Tier.objects.order_by("threshold").first()
    survey = make_survey(audience=Audience.TIER, tier=gold)
    insider, outsider, untiered = make_user(), make_user(), make_user()
    MemberTier.objects.create(member=insider, tier=gold)
    MemberTier.objects.create(member=outsider, tier=bronze)

    answer(survey, insider)
    for person in (outsider, untiered):
        with pytest.raises(services.NotInAudience):
            answer(survey, person)
    assert Participation.objects.filter(survey=survey).count() == 1


def test_a_group_survey_is_for_the_groups_members_only(make_user, group):
    survey = make_survey(audience=Audience.GROUP, group=group)
    insider, outsider = make_user(), make_user()
    GroupMembership.objects.create(group=group, member=insider)

    answer(survey, insider)
    with pytest.raises(services.NotInAudience):
        answer(survey, outsider)
    assert Participation.objects.filter(survey=survey).count() == 1


def test_no_points_when_the_rule_is_off_but_the_answer_counts(survey, member):
    from gamification.models import EarningRule

    EarningRule.objects.filter(action=Action.SURVEY_COMPLETED).update(is_active=False)
    submission = answer(survey, member)
    assert submission.points == 0
    assert Response.objects.count() == 1
