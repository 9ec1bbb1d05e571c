"""Building surveys in the Wagtail admin: club managers add and edit surveys with their
questions and choices inline; the form refuses a survey that cannot work, and, once members
have answered, any change to what the answers refer to."""

import pytest
from django.urls import reverse

from community.surveys.models import Audience, Choice, Question, QuestionKind, Survey
from gamification.models import Tier

from .conftest import answer, make_survey

pytestmark = pytest.mark.django_db

ADD = reverse("wagtailsnippets_surveys_survey:add")
LIST = reverse("wagtailsnippets_surveys_survey:list")


def edit_url(survey) -> str:
    return reverse("wagtailsnippets_surveys_survey:edit", args=[survey.pk])


def form_data(
    *,
    title="Coffee survey",
    questions=None,
    published=True,
    anonymous=False,
    audience=Audience.ALL,
    tier="",
    group="",
    opens="2026-01-01 09:00",
    closes="2036-01-01 09:00",
) -> dict:
    """The admin form's POST data. `questions`: dicts with kind, text, required, choices
    (labels, or (id, label, delete) for existing ones), and optionally id and delete."""
    if questions is None:
        questions = [
            {"kind": QuestionKind.SINGLE, "text": "Tea or coffee?", "choices": ["Tea", "Coffee"]},
            {"kind": QuestionKind.NPS, "text": "Recommend us?"},
        ]
    data = {
        "title": title,
        "intro": "",
        "thank_you": "",
        "audience": audience,
        "tier": tier,
        "group": group,
        "opens_at": opens,
        "closes_at": closes,
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": str(sum(1 for q in questions if q.get("id"))),
        "questions-MIN_NUM_FORMS": "0",
        "questions-MAX_NUM_FORMS": "1000",
    }
    if published:
        data["is_published"] = "on"
    if anonymous:
        data["is_anonymous"] = "on"
    for n, question in enumerate(questions):
        prefix = f"questions-{n}"
        data.update(
            {
                f"{prefix}-id": question.get("id", ""),
                f"{prefix}-ORDER": str(n + 1),
                f"{prefix}-kind": question["kind"],
                f"{prefix}-text": question["text"],
                f"{prefix}-help_text": "",
            }
        )
        if question.get("required", True):
            data[f"{prefix}-required"] = "on"
        if question.get("delete"):
            data[f"{prefix}-DELETE"] = "on"
        choices = question.get("choices", [])
        data.update(
            {
                f"{prefix}-choices-TOTAL_FORMS": str(len(choices)),
                f"{prefix}-choices-INITIAL_FORMS": str(
                    sum(1 for c in choices if isinstance(c, tuple))
                ),
                f"{prefix}-choices-MIN_NUM_FORMS": "0",
                f"{prefix}-choices-MAX_NUM_FORMS": "1000",
            }
        )
        for m, choice in enumerate(choices):
            choice_id, label, delete = choice if isinstance(choice, tuple) else ("", choice, False)
            cprefix = f"{prefix}-choices-{m}"
            data.update(
                {
                    f"{cprefix}-id": choice_id,
                    f"{cprefix}-ORDER": str(m + 1),
                    f"{cprefix}-label": label,
                }
            )
            if delete:
                data[f"{cprefix}-DELETE"] = "on"
    return data


def existing(survey) -> list[dict]:
    """The survey's questions and choices as form_data() takes them, unchanged."""
    return [
        {
            "id": str(q.pk),
            "kind": q.kind,
            "text": q.text,
            "required": q.required,
            "choices": [(str(c.pk), c.label, False) for c in q.choices.all()],
        }
        for q in survey.questions.prefetch_related("choices")
    ]


def errors_of(response) -> str:
    assert response.status_code == 200, response.status_code  # the form again
    return response.content.decode()


def test_a_manager_builds_a_survey_with_questions_and_choices(client, manager):
    client.force_login(manager)
    assert client.get(ADD).status_code == 200

    response = client.post(ADD, form_data())

    assert response.status_code == 302
    survey = Survey.objects.get()
    assert survey.is_published and survey.title == "Coffee survey"
    questions = list(survey.questions.all())
    assert [q.kind for q in questions] == [QuestionKind.SINGLE, QuestionKind.NPS]
    assert [c.label for c in questions[0].choices.all()] == ["Tea", "Coffee"]


def test_moderators_and_members_cannot_build_surveys(client, moderator, make_user):
    for person in (moderator, make_user()):
        client.force_login(person)
        response = client.post(ADD, form_data())
        assert response.status_code in (302, 403)
        assert not Survey.objects.exists()


def test_a_choice_question_needs_two_choices(client, manager):
    client.force_login(manager)
    data = form_data(
        questions=[{"kind": QuestionKind.SINGLE, "text": "Only one?", "choices": ["A"]}]
    )
    assert "needs at least two choices" in errors_of(client.post(ADD, data))
    assert not Survey.objects.exists()


def test_a_scale_question_takes_no_choices(client, manager):
    client.force_login(manager)
    data = form_data(
        questions=[{"kind": QuestionKind.RATING, "text": "Rate", "choices": ["A", "B"]}]
    )
    assert "only choice questions have choices" in errors_of(client.post(ADD, data))
    assert not Survey.objects.exists()


def test_a_published_survey_needs_dates_and_a_question(client, manager):
    client.force_login(manager)
    page = errors_of(client.post(ADD, form_data(opens="", closes="", questions=[])))
    assert "needs an opening date" in page
    assert "needs a closing date" in page
    assert not Survey.objects.exists()
    page = errors_of(client.post(ADD, form_data(questions=[])))
    assert "needs at least one question" in page
    assert not Survey.objects.exists()


def test_a_draft_may_be_saved_without_dates(client, manager):
    client.force_login(manager)
    assert client.post(ADD, form_data(published=False, opens="", closes="")).status_code == 302
    assert Survey.objects.get().is_published is False


def test_it_must_close_after_it_opens(client, manager):
    client.force_login(manager)
    page = errors_of(
        client.post(ADD, form_data(opens="2030-01-02 09:00", closes="2030-01-01 09:00"))
    )
    assert "must close after it opens" in page


def test_a_tier_audience_needs_its_tier(client, manager):
    client.force_login(manager)
    assert "Choose the tier" in errors_of(client.post(ADD, form_data(audience=Audience.TIER)))
    tier = Tier.objects.first()
    response = client.post(ADD, form_data(audience=Audience.TIER, tier=str(tier.pk)))
    assert response.status_code == 302
    assert Survey.objects.get().tier == tier


def test_texts_may_be_corrected_after_members_answered(client, manager, member):
    survey = make_survey()
    answer(survey, member)
    client.force_login(manager)
    questions = existing(survey)
    questions[0]["text"] = "Which branch did you visit?"
    questions[0]["choices"][0] = (questions[0]["choices"][0][0], "North branch", False)

    response = client.post(edit_url(survey), form_data(title="Renamed", questions=questions))

    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.title == "Renamed"
    assert Question.objects.filter(text="Which branch did you visit?").exists()
    assert Choice.objects.filter(label="North branch").exists()


@pytest.mark.parametrize(
    "change",
    ["remove_question", "add_question", "change_kind", "remove_choice", "add_choice", "anonymous"],
)
def test_what_answers_refer_to_is_fixed_once_members_answered(client, manager, member, change):
    survey = make_survey()
    answer(survey, member)
    client.force_login(manager)
    questions = existing(survey)
    anonymous = False
    if change == "remove_question":
        questions[4]["delete"] = True
    elif change == "add_question":
        questions.append({"kind": QuestionKind.TEXT, "text": "New?"})
    elif change == "change_kind":
        questions[2]["kind"] = QuestionKind.NPS
    elif change == "remove_choice":
        choice_id, label, _ = questions[0]["choices"][2]
        questions[0]["choices"][2] = (choice_id, label, True)
    elif change == "add_choice":
        questions[0]["choices"].append("East")
    else:
        anonymous = True
    before = (
        Question.objects.count(),
        Choice.objects.count(),
        list(Question.objects.values_list("kind", flat=True)),
    )

    page = errors_of(
        client.post(edit_url(survey), form_data(questions=questions, anonymous=anonymous))
    )

    assert "Members have answered this survey" in page
    after = (
        Question.objects.count(),
        Choice.objects.count(),
        list(Question.objects.values_list("kind", flat=True)),
    )
    assert after == before
    survey.refresh_from_db()
    assert survey.is_anonymous is False


def test_before_anyone_answered_questions_may_change_freely(client, manager):
    survey = make_survey()
    client.force_login(manager)
    questions = existing(survey)
    questions[4]["delete"] = True
    questions[2]["kind"] = QuestionKind.NPS
    response = client.post(edit_url(survey), form_data(questions=questions, anonymous=True))
    assert response.status_code == 302
    assert survey.questions.count() == 4
    survey.refresh_from_db()
    assert survey.is_anonymous


def test_the_list_links_to_results_and_to_the_ready_made_surveys(client, manager):
    survey = make_survey()
    client.force_login(manager)
    page = client.get(LIST).content.decode()
    assert reverse("surveys:survey-results", args=[survey.pk]) in page
    assert reverse("surveys:template-copy") in page


def test_the_surveys_menu_is_for_those_who_manage_them(client, manager, moderator):
    client.force_login(manager)
    assert LIST in client.get(reverse("wagtailadmin_home")).content.decode()
    client.force_login(moderator)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    assert LIST not in response.content.decode()


def test_an_unanswered_survey_may_be_deleted_an_answered_one_not(client, manager, member):
    draft, answered = make_survey(title="Draft"), make_survey(title="Answered")
    answer(answered, member)
    client.force_login(manager)

    for survey in (draft, answered):
        url = reverse("wagtailsnippets_surveys_survey:delete", args=[survey.pk])
        assert client.get(url).status_code == 200
        assert client.post(url).status_code == 302

    assert list(Survey.objects.values_list("title", flat=True)) == ["Answered"]
