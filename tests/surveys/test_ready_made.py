"""The five ready-made surveys and copying one (services.copy_ready_made)."""

import pytest
from django.utils import translation

from community.surveys import ready_made, services
from community.surveys.models import CHOICE_KINDS, Survey

pytestmark = pytest.mark.django_db


def test_there_are_the_five_templates_the_issue_asks_for():
    assert [t.key for t in ready_made.TEMPLATES] == [
        "product_satisfaction",
        "support_team",
        "training_deployment",
        "sales_team",
        "suggestions",
    ]


@pytest.mark.parametrize("template", ready_made.TEMPLATES, ids=lambda t: t.key)
def test_each_template_copies_into_a_complete_draft(template):
    survey = services.copy_ready_made(key=template.key, topic="delivery")

    assert not survey.is_published and survey.opens_at is None and not survey.is_anonymous
    assert survey.audience == "all"
    assert survey.template_key == template.key
    questions = list(survey.questions.prefetch_related("choices"))
    assert [q.kind for q in questions] == [q.kind for q in template.questions]
    assert [q.required for q in questions] == [q.required for q in template.questions]
    for question, spec in zip(questions, template.questions, strict=True):
        labels = [c.label for c in question.choices.all()]
        assert labels == [str(label) for label in spec.choices]
        assert (len(labels) >= 2) == (question.kind in CHOICE_KINDS)
        assert "%(" not in question.text
    assert "%(" not in survey.title + survey.intro


def test_the_suggestions_template_is_about_the_topic_given():
    survey = services.copy_ready_made(key="suggestions", topic="  our   opening hours ")
    assert survey.title == "Your suggestions: our opening hours"
    assert all("our opening hours" in q.text for q in survey.questions.all()[:3])


def test_the_suggestions_template_needs_a_topic():
    with pytest.raises(services.TopicRequired):
        services.copy_ready_made(key="suggestions", topic="   ")
    assert not Survey.objects.exists()


def test_an_unknown_template_is_refused():
    with pytest.raises(services.UnknownTemplate):
        services.copy_ready_made(key="nope")


def test_the_copy_is_made_in_the_active_language():
    """The texts go through gettext when copied (their Persian lives in locale/)."""
    with translation.override("fa"):
        survey = services.copy_ready_made(key="sales_team")
        expected = str(ready_made.BY_KEY["sales_team"].title)
    assert survey.title == expected
