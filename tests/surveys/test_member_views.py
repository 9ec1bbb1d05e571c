"""The member pages, for each role: a member in the audience, a moderator, a visitor who is
not logged in, a suspended member and a member outside the audience. A refused answer
changes nothing."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from community.surveys.models import Answer, Audience, Participation, QuestionKind, Response
from gamification import ledger
from gamification.models import Award

from .conftest import SURVEY_POINTS, answer, full_answers, make_survey, post_data, questions_of

pytestmark = pytest.mark.django_db

LIST = reverse("surveys:survey-list")


def detail(survey) -> str:
    return reverse("surveys:survey-detail", args=[survey.pk])


def nothing_stored() -> bool:
    return not (
        Participation.objects.exists()
        or Response.objects.exists()
        or Answer.objects.exists()
        or Award.objects.exists()
    )


@pytest.fixture
def group_survey(group):
    return make_survey(title="For the coffee group", audience=Audience.GROUP, group=group)


# --- The list -------------------------------------------------------------------------------


def test_the_list_shows_open_surveys_and_marks_the_answered_ones(client, member):
    answered = make_survey(title="Answered one")
    make_survey(title="Fresh one")
    make_survey(title="Draft one", published=False)
    make_survey(title="Future one", opens_in=timedelta(days=2))
    make_survey(title="Old one", opens_in=timedelta(days=-9), lasts=timedelta(days=1))
    answer(answered, member)
    client.force_login(member)

    response = client.get(LIST)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Answered one" in page and "Fresh one" in page
    assert "Draft one" not in page and "Future one" not in page and "Old one" not in page
    assert [s.title for s in response.context["surveys"] if s.answered] == ["Answered one"]
    assert page.count('class="card survey-item is-answered"') == 1


def test_a_member_outside_the_audience_does_not_see_the_survey(client, member, group_survey):
    make_survey(title="For everyone")
    client.force_login(member)
    page = client.get(LIST).content.decode()
    assert "For everyone" in page
    assert "For the coffee group" not in page


def test_a_group_member_sees_the_group_survey(client, member, group, group_survey):
    group.memberships.create(member=member)
    client.force_login(member)
    assert "For the coffee group" in client.get(LIST).content.decode()


def test_a_visitor_is_sent_to_log_in(client, survey):
    response = client.get(LIST)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_a_suspended_member_sees_the_list_with_a_notice(client, suspended, survey):
    client.force_login(suspended)
    response = client.get(LIST)
    assert response.status_code == 200
    assert "suspended" in response.content.decode()


def test_a_moderator_is_a_member_too(client, moderator, survey):
    client.force_login(moderator)
    assert survey.title in client.get(LIST).content.decode()


def test_the_list_costs_the_same_queries_for_one_or_fifty_surveys(
    client, member, django_assert_num_queries
):
    client.force_login(member)
    answer(make_survey(title="S0"), member)
    client.get(LIST)  # warm up: session, site, content types
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    for n in range(1, 50):
        make_survey(title=f"S{n}", questions=[(QuestionKind.RATING, "Q", True, [])])
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(LIST)
    assert len(response.context["surveys"]) == 50


# --- A survey's page ------------------------------------------------------------------------


def test_a_member_sees_the_form_with_every_kind_of_question(client, member, survey):
    client.force_login(member)
    response = client.get(detail(survey))
    page = response.content.decode()
    assert response.status_code == 200
    q = questions_of(survey)
    assert page.count('type="radio"') == 3 + 5 + 11  # single choice, 1-5, 0-10
    assert page.count('type="checkbox"') == 3
    assert f'name="q{q[QuestionKind.TEXT].pk}"' in page and "<textarea" in page
    assert "Send my answers" in page


def test_answering_thanks_the_member_and_pays_the_points(client, member, survey):
    client.force_login(member)
    response = client.post(detail(survey), post_data(survey, full_answers(survey)), follow=True)

    assert response.redirect_chain == [(detail(survey), 302)]
    page = response.content.decode()
    assert f"You earned {SURVEY_POINTS} points" in page
    assert "You have answered this survey" in page
    assert "Send my answers" not in page
    assert ledger.balances(member).points == SURVEY_POINTS
    assert Participation.objects.filter(survey=survey, member=member).count() == 1


def test_missing_answers_are_shown_per_question_and_nothing_is_stored(client, member, survey):
    client.force_login(member)
    q = questions_of(survey)
    answers = full_answers(survey)
    del answers[q[QuestionKind.RATING].pk]
    answers[q[QuestionKind.NPS].pk] = 12

    response = client.post(detail(survey), post_data(survey, answers))

    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors[f"q{q[QuestionKind.RATING].pk}"] == ["Please answer this question."]
    assert form.errors[f"q{q[QuestionKind.NPS].pk}"] == ["Choose from the answers offered."]
    assert set(form.errors) == {f"q{q[QuestionKind.RATING].pk}", f"q{q[QuestionKind.NPS].pk}"}
    page = response.content.decode()
    assert f'href="#question-{q[QuestionKind.RATING].pk}"' in page
    # What the member gave is kept in the form.
    assert "Fine</textarea>" in page
    assert nothing_stored()


def test_answering_twice_is_refused_with_a_message_and_changes_nothing(client, member, survey):
    answer(survey, member)
    client.force_login(member)
    before = (Response.objects.count(), Answer.objects.count(), ledger.balances(member).points)

    response = client.post(detail(survey), post_data(survey, full_answers(survey, rating=1)))

    assert response.status_code == 409
    assert "You have already answered this survey" in response.content.decode()
    after = (Response.objects.count(), Answer.objects.count(), ledger.balances(member).points)
    assert after == before
    assert not Answer.objects.filter(number=1).exists()


def test_a_closed_survey_says_so_and_refuses_answers(client, member):
    survey = make_survey(opens_in=timedelta(days=-10), lasts=timedelta(days=3))
    client.force_login(member)

    page = client.get(detail(survey)).content.decode()
    assert "This survey closed on" in page
    assert "Send my answers" not in page
    response = client.post(detail(survey), post_data(survey, full_answers(survey)))
    assert response.status_code == 409
    assert "This survey has closed." in response.content.decode()
    assert nothing_stored()


def test_a_survey_not_open_yet_says_when_it_opens(client, member):
    survey = make_survey(opens_in=timedelta(days=3))
    client.force_login(member)

    page = client.get(detail(survey)).content.decode()
    assert "This survey opens on" in page
    assert "Send my answers" not in page
    response = client.post(detail(survey), post_data(survey, full_answers(survey)))
    assert response.status_code == 409
    assert nothing_stored()


def test_a_draft_is_not_found(client, member):
    survey = make_survey(published=False)
    client.force_login(member)
    assert client.get(detail(survey)).status_code == 404
    assert client.post(detail(survey), post_data(survey, full_answers(survey))).status_code == 404
    assert nothing_stored()


def test_a_member_outside_the_audience_gets_404_and_changes_nothing(client, member, group_survey):
    client.force_login(member)
    assert client.get(detail(group_survey)).status_code == 404
    response = client.post(
        detail(group_survey), post_data(group_survey, full_answers(group_survey))
    )
    assert response.status_code == 404
    assert nothing_stored()


def test_a_visitor_is_sent_to_log_in_and_nothing_is_stored(client, survey):
    response = client.post(detail(survey), post_data(survey, full_answers(survey)))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]
    assert client.get(detail(survey)).status_code == 302
    assert nothing_stored()


def test_a_suspended_member_reads_but_cannot_answer(client, suspended, survey):
    client.force_login(suspended)
    page = client.get(detail(survey)).content.decode()
    assert "suspended" in page
    assert "Send my answers" not in page

    response = client.post(detail(survey), post_data(survey, full_answers(survey)))

    assert response.status_code == 403
    assert "suspended" in response.content.decode()
    assert nothing_stored()


def test_a_moderator_in_the_audience_may_answer(client, moderator, survey):
    client.force_login(moderator)
    response = client.post(detail(survey), post_data(survey, full_answers(survey)))
    assert response.status_code == 302
    assert Participation.objects.filter(member=moderator).exists()


def test_an_anonymous_survey_tells_the_member_before_they_answer(client, member):
    survey = make_survey(anonymous=True)
    client.force_login(member)
    assert "This survey is anonymous" in client.get(detail(survey)).content.decode()


def test_the_pages_carry_the_strict_content_security_policy(client, member, survey):
    client.force_login(member)
    for url in (LIST, detail(survey)):
        policy = client.get(url).headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe" not in policy
