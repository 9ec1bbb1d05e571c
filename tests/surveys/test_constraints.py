"""What the database itself guarantees, whatever the code above it does."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from community.surveys.models import Answer, Audience, Participation, QuestionKind, Response, Survey

from .conftest import make_survey, questions_of

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def test_one_participation_per_member_and_survey(survey, member):
    Participation.objects.create(survey=survey, member=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(survey=survey, member=member)


def test_one_named_response_per_member_and_survey(survey, member):
    Response.objects.create(survey=survey, member=member, submitted_on=timezone.localdate())
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(survey=survey, member=member, submitted_on=timezone.localdate())
    # Anonymous responses name nobody, so they are not limited here (Participation is).
    Response.objects.create(survey=survey)
    Response.objects.create(survey=survey)


def test_a_named_response_carries_its_day(survey, member):
    with pytest.raises(IntegrityError), transaction.atomic():
        Response.objects.create(survey=survey, member=member)


def test_one_answer_per_question_and_one_row_per_chosen_choice(survey, member):
    q = questions_of(survey)
    response = Response.objects.create(survey=survey)
    rating, multiple = q[QuestionKind.RATING], q[QuestionKind.MULTIPLE]
    Answer.objects.create(response=response, question=rating, number=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(response=response, question=rating, number=4)
    price, quality, _staff = multiple.choices.all()
    Answer.objects.create(response=response, question=multiple, choice=price)
    Answer.objects.create(response=response, question=multiple, choice=quality)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(response=response, question=multiple, choice=price)


def test_no_number_above_ten(survey):
    response = Response.objects.create(survey=survey)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(
            response=response, question=questions_of(survey)[QuestionKind.NPS], number=11
        )


@pytest.mark.parametrize(
    "fields",
    [
        {"audience": Audience.TIER},
        {"audience": Audience.GROUP},
        {"is_published": True},
        {"opens_at": NOW, "closes_at": NOW},
        {"opens_at": NOW, "closes_at": NOW - timedelta(hours=1)},
    ],
)
def test_a_survey_that_could_not_work_is_refused(fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Survey.objects.create(title="Broken", **fields)


def test_a_survey_with_answers_cannot_be_deleted(survey, member):
    from django.db.models import ProtectedError

    from .conftest import answer

    answer(survey, member)
    with pytest.raises(ProtectedError):
        survey.delete()
    assert make_survey(title="Unanswered").delete()[0] > 0
