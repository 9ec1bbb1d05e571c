"""Member articles through the "Member contributions" workflow: approval publishes and
pays once, rejection tells the author why and pays nothing, unpublishing takes the points
back and publishing again never pays twice."""

import pytest
from django.urls import reverse
from wagtail.models import WorkflowState

from content import services
from content.models import ArticlePage
from gamification import ledger
from gamification.models import Award
from portal.notifications.models import Notification

pytestmark = pytest.mark.django_db

BODY = "First paragraph about **bread**.\n\nSecond paragraph."


@pytest.fixture
def submitted(section, member, category):
    return services.submit_article(
        author=member,
        title="Baking at home",
        summary="Flour and time.",
        category=category,
        body=BODY,
    )


def _act(client, moderator, article, action: str, comment: str = ""):
    client.force_login(moderator)
    task_state = article.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=[article.pk, action, task_state.pk])
    return client.post(url, {"comment": comment} if comment else {})


def test_a_submission_is_a_draft_in_review_under_the_section(submitted, section, member):
    article = ArticlePage.objects.get(pk=submitted.pk)
    assert not article.live
    assert article.get_parent().pk == section.pk
    assert article.author == member
    state = article.current_workflow_state
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert state.workflow.name == "Member contributions"
    assert [b.block_type for b in article.body] == ["paragraph", "paragraph"]
    assert "<strong>bread</strong>" in article.body[0].value.source
    assert ledger.balances(member).points == 0


def test_moderator_approval_publishes_pays_once_and_tells_the_author(
    client, submitted, moderator, member
):
    response = _act(client, moderator, submitted, "approve")
    assert response.status_code in (200, 302)
    article = ArticlePage.objects.get(pk=submitted.pk)
    assert article.live
    assert ledger.balances(member).points == 50  # the "article published" rule
    notice = Notification.objects.get(member=member, kind="article")
    assert "is published" in notice.title
    assert notice.url == article.url
    # A new revision published later pays nothing more.
    article.save_revision(user=moderator).publish()
    assert ledger.balances(member).points == 50
    assert Award.objects.filter(member=member, action="article_published").count() == 1


def test_rejection_tells_the_author_the_reviewers_comment_and_pays_nothing(
    client, submitted, moderator, member
):
    _act(client, moderator, submitted, "reject", comment="Please add a recipe.")
    article = ArticlePage.objects.get(pk=submitted.pk)
    assert not article.live
    assert ledger.balances(member).points == 0
    notice = Notification.objects.get(member=member, kind="article")
    assert "needs changes" in notice.title
    assert notice.body == "Please add a recipe."
    client.force_login(member)
    page = client.get(reverse("content:mine")).content.decode()
    assert "Returned with changes requested" in page
    assert "Please add a recipe." in page


def test_unpublishing_takes_the_points_back_and_republishing_does_not_double(
    client, submitted, moderator, member
):
    _act(client, moderator, submitted, "approve")
    article = ArticlePage.objects.get(pk=submitted.pk)
    assert ledger.balances(member).points == 50
    article.unpublish()
    assert ledger.balances(member).points == 0
    article.get_latest_revision().publish()
    article.get_latest_revision().publish()
    assert ledger.balances(member).points == 50
    assert (
        Award.objects.filter(
            member=member, action="article_published", revoked_at__isnull=True
        ).count()
        == 1
    )


def test_a_member_cannot_approve_their_own_submission(client, submitted, member):
    client.force_login(member)
    task_state = submitted.current_workflow_task_state
    url = reverse(
        "wagtailadmin_pages:workflow_action", args=[submitted.pk, "approve", task_state.pk]
    )
    response = client.post(url)
    assert response.status_code in (302, 403)
    assert not ArticlePage.objects.get(pk=submitted.pk).live
    assert ledger.balances(member).points == 0


def test_my_articles_lists_status(client, submitted, member):
    client.force_login(member)
    page = client.get(reverse("content:mine")).content.decode()
    assert "Baking at home" in page
    assert "Waiting for review" in page


def _mine_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("content:mine"))
    assert response.status_code == 200
    return len(queries)


def test_my_articles_query_count_does_not_grow(client, section, member, category):
    client.force_login(member)

    def submit(n):
        services.submit_article(
            author=member, title=f"Piece {n}", summary="", category=category, body="Text."
        )

    submit(0)
    one = _mine_queries(client)
    for n in range(1, 6):
        submit(n)
    assert _mine_queries(client) == one
