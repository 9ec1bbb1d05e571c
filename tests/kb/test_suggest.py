"""/kb/suggest/: the ticket form's answer suggestions (JSON), and the form that loads them."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = "/kb/suggest/"


@pytest.fixture
def answers(make_section, make_answer):
    cards = make_section("Cards")
    return {
        "lost": make_answer(cards, "My card is lost", "<p>Ask a branch to <b>block</b> it.</p>"),
        "branch": make_answer(cards, "Where is my nearest branch?", "<p>Tehran and Shiraz.</p>"),
        "draft": make_answer(cards, "Lost card fees (draft)", "<p>Lost card.</p>", live=False),
    }


def test_suggest_returns_matching_live_answers_with_title_url_and_snippet(client, answers):
    response = client.get(URL, {"q": "I lost my card yesterday"})

    assert response.status_code == 200
    results = response.json()["results"]
    assert results[0] == {
        "title": "My card is lost",
        "url": answers["lost"].url,
        "snippet": "Ask a branch to block it.",
    }
    assert "Lost card fees (draft)" not in [r["title"] for r in results]
    assert "Where is my nearest branch?" not in [r["title"] for r in results]


def test_suggest_never_returns_unpublished_answers(client, answers):
    answers["lost"].unpublish()

    titles = [r["title"] for r in client.get(URL, {"q": "lost card"}).json()["results"]]

    assert titles == []


def test_suggest_returns_at_most_five(client, make_section, make_answer):
    section = make_section()
    for n in range(7):
        make_answer(section, f"Points question {n}", "<p>About points.</p>")

    assert len(client.get(URL, {"q": "points"}).json()["results"]) == 5


def test_suggest_needs_three_characters(client, answers):
    assert client.get(URL, {"q": "lo"}).json() == {"results": []}
    assert client.get(URL).json() == {"results": []}


def test_suggest_is_rate_limited(client, settings, answers):
    settings.KB_SUGGEST_RATE = "3/m"
    for _n in range(3):
        assert client.get(URL, {"q": "card"}).status_code == 200

    response = client.get(URL, {"q": "card"})

    assert response.status_code == 429
    assert response.json()["results"] == []


def test_suggest_refuses_post(client):
    assert client.post(URL, {"q": "card"}).status_code == 405


def test_ticket_form_loads_the_suggestions_script_and_container(client):
    body = client.get(reverse("tickets:new")).content.decode()

    assert 'src="/static/js/kb-suggest.js"' in body
    assert 'data-kb-suggest="/kb/suggest/"' in body
    assert 'data-for="id_subject"' in body
    assert 'aria-live="polite"' in body
    assert 'id="id_subject"' in body


def test_common_words_do_not_match_every_answer(client, answers):
    titles = [r["title"] for r in client.get(URL, {"q": "Where is my card?"}).json()["results"]]

    assert titles == ["My card is lost"]
