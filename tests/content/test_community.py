"""Comments and likes on articles reuse the community's machinery and pay its rules."""

import pytest
from django.urls import reverse

from community.models import Comment
from gamification import ledger
from portal.notifications.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def writer(make_user):
    return make_user(first_name="Wri", last_name="Ter")


def test_a_member_comments_on_an_article(client, make_article, member, writer, loose_brakes):
    article = make_article(author=writer)
    client.force_login(member)
    url = reverse("content:comment-create", args=[article.pk])
    response = client.post(url, {"body": "Very **useful**, thanks"})
    comment = Comment.objects.get()
    assert response["Location"] == f"{article.url}#comment-{comment.pk}"
    assert comment.target == article
    assert ledger.balances(member).points == 3  # "comment posted"
    assert Notification.objects.filter(member=writer, kind="comment").exists()
    page = client.get(article.url).content.decode()
    assert "<strong>useful</strong>" in page


def test_an_empty_comment_is_a_form_error(client, make_article, member, loose_brakes):
    article = make_article()
    client.force_login(member)
    response = client.post(reverse("content:comment-create", args=[article.pk]), {"body": ""})
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Comment.objects.exists()


def test_comments_need_a_login_and_a_live_article(client, make_article, member):
    draft = make_article(publish=False)
    url = reverse("content:comment-create", args=[draft.pk])
    assert client.post(url, {"body": "hi"}).status_code == 302
    client.force_login(member)
    assert client.post(url, {"body": "hi"}).status_code == 404
    assert not Comment.objects.exists()


def test_a_like_pays_the_articles_author(client, make_article, member, writer, loose_brakes):
    article = make_article(author=writer)
    published = ledger.balances(writer).points  # the "article published" rule
    client.force_login(member)
    url = reverse("community:like", args=["content.articlepage", article.pk])
    client.post(url, {"next": article.url})
    assert ledger.balances(writer).points == published + 1  # "like received"
    assert "1 like" in client.get(article.url).content.decode()
    client.force_login(writer)
    client.post(reverse("community:like", args=["content.articlepage", article.pk]))
    assert ledger.balances(writer).points == published + 1  # never for one's own article
