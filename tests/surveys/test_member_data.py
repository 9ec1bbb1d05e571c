"""The member's own survey data: "Download my data" holds their non-anonymous answers and
which surveys they answered, nothing of anyone else and nothing of their anonymous answers;
erasing the account unlinks their answers."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.surveys.models import Answer, Participation, QuestionKind, Response
from community.surveys.services import erase_member_answers
from portal.accounts import erasure

from .conftest import answer, make_survey

pytestmark = pytest.mark.django_db


def _download(client) -> tuple[dict, str]:
    response = client.post(reverse("accounts:my-data"))
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return json.loads(archive.read("data.json")), archive.read("index.html").decode()


def test_my_data_holds_my_named_answers_and_only_the_fact_of_anonymous_ones(client, make_user):
    sara, reza = make_user(email="sara@example.com"), make_user(email="reza@example.com")
    named = make_survey(title="Named survey")
    hidden = make_survey(title="Anonymous survey", anonymous=True)
    answer(named, sara, text="Sara's own words", rating=5)
    answer(hidden, sara, text="SECRET anonymous words", rating=1)
    answer(named, reza, text="Reza's words")

    client.force_login(sara)
    data, html = _download(client)

    assert [(s["survey"], s["anonymous"]) for s in data["surveys_answered"]] == [
        ("Named survey", False),
        ("Anonymous survey", True),
    ]
    answers = data["survey_answers"]
    assert {a["survey"] for a in answers} == {"Named survey"}
    by_question = {a["question"]: a["answer"] for a in answers}
    assert by_question["Which branch?"] == "North"
    assert by_question["How was it?"] == 5
    assert by_question["Anything else?"] == "Sara's own words"
    assert sorted(a["answer"] for a in answers if a["question"] == "What do you like?") == [
        "Price",
        "Staff",
    ]
    assert all(a["submitted_on"] == timezone.localdate().isoformat() for a in answers)
    everything = json.dumps(data, ensure_ascii=False) + html
    assert "Sara&#x27;s own words" in html or "Sara's own words" in html
    assert "SECRET anonymous words" not in everything
    assert "Reza's words" not in everything


def test_the_eraser_is_registered_with_account_erasure():
    assert erase_member_answers in erasure.ERASERS


def test_erasure_unlinks_named_answers_drops_their_texts_and_keeps_the_rest(make_user):
    zeb, other = make_user(), make_user()
    named = make_survey(title="Named")
    hidden = make_survey(title="Hidden", anonymous=True)
    answer(named, zeb, text="Zeb wrote this")
    answer(hidden, zeb, text="anonymous text stays")
    answer(named, other, text="other text stays")

    erase_member_answers(zeb, True)
    erase_member_answers(zeb, False)  # idempotent

    assert not Response.objects.filter(member=zeb).exists()
    assert not Answer.objects.filter(text="Zeb wrote this").exists()
    assert Answer.objects.filter(text="anonymous text stays").exists()
    assert Answer.objects.filter(text="other text stays").exists()
    # The unlinked response keeps its choices and numbers for the results, undated.
    unlinked = Response.objects.get(survey=named, member__isnull=True)
    assert unlinked.submitted_on is None
    assert set(unlinked.answers.values_list("question__kind", flat=True)) == {
        QuestionKind.SINGLE,
        QuestionKind.MULTIPLE,
        QuestionKind.RATING,
        QuestionKind.NPS,
    }
    assert Participation.objects.filter(member=zeb).count() == 2


def test_a_full_erasure_runs_the_survey_eraser(make_user):
    zeb = make_user()
    survey = make_survey()
    answer(survey, zeb, text="identifying words")
    request = erasure.request_erasure(member=zeb, posts="keep")

    assert erasure.erase_member(request_id=request.pk, now=timezone.now() + timedelta(days=60))

    assert not Response.objects.filter(member=zeb).exists()
    assert not Answer.objects.filter(text="identifying words").exists()
