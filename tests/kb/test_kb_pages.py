"""The knowledge base pages: page-type rules, rendering, drafts and private answers kept
out of every listing, the index's search box, constant query counts, feedback votes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction
from wagtail.test.utils import WagtailPageTestCase

from kb.models import AnswerFeedback, KBAnswerPage, KBSectionPage, KnowledgeBaseIndexPage
from kb.selectors import feedback_counts
from portal.pages.models import HomePage

pytestmark = pytest.mark.django_db


class TestKnowledgeBaseTree(WagtailPageTestCase):
    def test_the_tree_is_index_then_sections_then_answers(self):
        self.assertAllowedParentPageTypes(KnowledgeBaseIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(KnowledgeBaseIndexPage, {KBSectionPage})
        self.assertAllowedSubpageTypes(KBSectionPage, {KBAnswerPage})
        self.assertAllowedSubpageTypes(KBAnswerPage, set())
        self.assertCanNotCreateAt(HomePage, KBAnswerPage)
        self.assertCanNotCreateAt(Page, KnowledgeBaseIndexPage)


def test_index_lists_live_sections_with_their_live_answers(
    client, kb_index, make_section, make_answer
):
    cards = make_section("Your club card")
    points = make_section("Points and credit")
    make_answer(cards, "My card is lost")
    make_answer(points, "How do I earn points?")
    make_answer(points, "Unfinished draft answer", live=False)
    hidden_section = make_section("Hidden section")
    make_answer(hidden_section, "Answer in an unpublished section")
    hidden_section.unpublish()

    body = client.get(kb_index.url).content.decode()

    assert "Your club card" in body and "Points and credit" in body
    assert body.index("My card is lost") < body.index("How do I earn points?")
    assert "Unfinished draft answer" not in body
    assert "Hidden section" not in body
    assert "Answer in an unpublished section" not in body


def test_private_answers_are_left_out(client, kb_index, make_section, make_answer):
    section = make_section("Cards")
    private = make_answer(section, "Staff-only procedure")
    PageViewRestriction.objects.create(page=private, restriction_type="login")
    make_answer(section, "My card is lost")

    body = client.get(kb_index.url).content.decode()
    section_body = client.get(section.url).content.decode()

    assert "My card is lost" in body and "My card is lost" in section_body
    assert "Staff-only procedure" not in body
    assert "Staff-only procedure" not in section_body


def test_answer_page_renders_its_rich_text_and_a_way_to_file_a_ticket(
    client, make_section, make_answer
):
    section = make_section("Cards")
    answer = make_answer(section, "My card is lost", "<p>Ask a <b>branch</b> to block it.</p>")

    response = client.get(answer.url)

    body = response.content.decode()
    assert response.status_code == 200
    assert "<b>branch</b>" in body
    assert "<h1>My card is lost</h1>" in body
    assert 'href="/tickets/new/"' in body
    assert "Cards" in body  # breadcrumb to the section


def test_draft_answer_is_not_served(client, make_section, make_answer):
    draft = make_answer(make_section(), "Unfinished draft answer", live=False)
    assert client.get(f"/help/section-1/{draft.slug}/").status_code == 404


def test_index_search_box_finds_answers_by_a_word_of_the_answer(
    client, kb_index, make_section, make_answer
):
    section = make_section("Cards")
    make_answer(section, "My card is lost", "<p>A replacement is issued free of charge.</p>")
    make_answer(section, "Where is my nearest branch?", "<p>Tehran, Isfahan and Shiraz.</p>")
    make_answer(section, "Draft about replacement fees", "<p>replacement</p>", live=False)

    body = client.get(kb_index.url, {"q": "replacement"}).content.decode()
    results = body.split('id="kb-results-title"')[1].split("</section>")[0]

    assert "My card is lost" in results
    assert "nearest branch" not in results
    assert "Draft about replacement fees" not in results


def test_index_search_only_returns_answers(client, kb_index, make_section, make_answer):
    make_answer(make_section("Branches in Tehran"), "Opening hours", "<p>Nine to nine.</p>")

    body = client.get(kb_index.url, {"q": "Tehran"}).content.decode()

    assert "No answer matches your words." in body


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_index_and_section_take_the_same_queries_for_1_or_many_answers(
    client, kb_index, make_section, make_answer
):
    first = make_section("Cards")
    make_answer(first, "Question 0")
    _queries(client, kb_index.url)  # the first request also fills caches (site root paths)
    one_index, one_section = _queries(client, kb_index.url), _queries(client, first.url)

    for n in range(1, 4):
        section = make_section(f"Section {n}")
        for m in range(12):
            make_answer(section, f"Question {n}.{m}")
    for m in range(1, 12):
        make_answer(first, f"Question 0.{m}")

    assert _queries(client, kb_index.url) == one_index
    assert _queries(client, first.url) == one_section


def test_a_vote_is_recorded_once_per_session(client, make_section, make_answer):
    answer = make_answer(make_section(), "My card is lost")
    url = f"/kb/answers/{answer.pk}/feedback/"

    first = client.post(url, {"helpful": "yes"})
    client.post(url, {"helpful": "no"})

    assert first.status_code == 302 and first.url == answer.url
    assert feedback_counts(answer=answer) == {"yes": 1, "no": 0}
    assert "Thank you for your feedback." in client.get(answer.url).content.decode()


def test_a_bad_vote_or_a_vote_on_a_draft_changes_nothing(client, make_section, make_answer):
    section = make_section()
    answer = make_answer(section, "My card is lost")
    draft = make_answer(section, "Draft", live=False)

    url = f"/kb/answers/{answer.pk}/feedback/"

    assert client.post(url, {"helpful": "maybe"}).status_code == 302
    assert client.post(f"/kb/answers/{draft.pk}/feedback/", {"helpful": "yes"}).status_code == 404
    assert client.get(url).status_code == 405
    assert AnswerFeedback.objects.count() == 0


def test_votes_are_rate_limited(client, settings, make_section, make_answer):
    settings.KB_FEEDBACK_RATE = "2/h"
    section = make_section()
    answers = [make_answer(section, f"Question {n}") for n in range(3)]

    for answer in answers:
        client.post(f"/kb/answers/{answer.pk}/feedback/", {"helpful": "yes"})

    assert AnswerFeedback.objects.count() == 2


def test_the_answer_editor_shows_readers_votes(
    client, make_user, kb_index, make_section, make_answer
):
    from portal.accounts import roles
    from portal.pages.permissions import let_role_edit

    let_role_edit(page=kb_index, role=roles.CLUB_MANAGER)
    answer = make_answer(make_section(), "My card is lost")
    for helpful in (True, True, False):
        AnswerFeedback.objects.create(answer=answer, helpful=helpful)
    client.force_login(make_user(roles.CLUB_MANAGER))

    response = client.get(f"/cms/pages/{answer.pk}/edit/")
    body = response.content.decode()
    assert response.status_code == 200, response.get("Location")

    assert "Readers who found this answer helpful: 2. Not helpful: 1." in body


def test_an_answer_published_in_wagtail_is_suggested_at_once(
    client, make_user, kb_index, make_section
):
    from wagtail.test.utils.form_data import nested_form_data, rich_text

    from portal.accounts import roles
    from portal.pages.permissions import let_role_edit

    section = make_section("Cards")
    let_role_edit(page=kb_index, role=roles.CLUB_MANAGER)
    client.force_login(make_user(roles.CLUB_MANAGER))
    add_url = f"/cms/pages/add/kb/kbanswerpage/{section.pk}/"
    assert "appear here once it is published" in client.get(add_url).content.decode()

    response = client.post(
        add_url,
        nested_form_data(
            {
                "title": "Can I merge two cards?",
                "slug": "merge-cards",
                "answer": rich_text("<p>Yes, any branch merges their balances.</p>"),
                "action-publish": "publish",
            }
        ),
    )

    assert response.status_code == 302
    answer = KBAnswerPage.objects.get(slug="merge-cards")
    assert answer.live
    suggested = client.get("/kb/suggest/", {"q": "merge balances"}).json()["results"]
    assert [r["title"] for r in suggested] == ["Can I merge two cards?"]
