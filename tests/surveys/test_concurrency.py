"""Survey answers are unique under concurrency: on PostgreSQL, threads send the same
member's answers at the same moment; exactly one is stored and paid, the others are told
they already answered; the books balance."""

import pytest

from community.surveys import services
from community.surveys.models import Answer, Participation, Response
from gamification import ledger, tiers
from gamification.models import Action, Award
from tests.gamification.test_ledger_concurrency import run_in_threads

from .conftest import SURVEY_POINTS, full_answers, make_survey

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 8


def _submit(survey, member, answers):
    return lambda: services.submit_response(survey=survey, member=member, answers=answers)


@pytest.mark.parametrize("anonymous", [False, True], ids=["named", "anonymous"])
def test_the_same_member_answering_at_once_is_stored_and_paid_once(make_user, anonymous):
    member = make_user()
    tiers.evaluate(member=member)  # the tier row exists before the race
    survey = make_survey(anonymous=anonymous)
    answers = full_answers(survey)

    results, errors = run_in_threads(
        [_submit(survey, member, answers) for _ in range(THREADS)],
        refusals=(services.AlreadyAnswered,),
    )

    assert errors == []
    stored = [r for r in results if isinstance(r, services.Submission)]
    refused = [r for r in results if isinstance(r, services.AlreadyAnswered)]
    assert len(stored) == 1 and len(refused) == THREADS - 1
    assert Participation.objects.filter(survey=survey, member=member).count() == 1
    assert Response.objects.filter(survey=survey).count() == 1
    assert Answer.objects.count() == 6  # single, two choices, rating, NPS, text
    assert Award.objects.filter(member=member, action=Action.SURVEY_COMPLETED).count() == 1
    assert ledger.balances(member).points == SURVEY_POINTS
    assert ledger.audit() == []


def test_many_members_answering_at_once_are_all_stored(make_user):
    people = [make_user() for _ in range(THREADS)]
    for person in people:
        tiers.evaluate(member=person)
    survey = make_survey()
    answers = full_answers(survey)

    results, errors = run_in_threads([_submit(survey, person, answers) for person in people])

    assert errors == []
    assert all(isinstance(r, services.Submission) for r in results)
    assert Participation.objects.filter(survey=survey).count() == THREADS
    assert Response.objects.filter(survey=survey).values("member").distinct().count() == THREADS
    assert ledger.audit() == []
