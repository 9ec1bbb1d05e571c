"""Who may submit an article, the form, and what the submission makes."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from content.models import ArticlePage, ContentSettings
from gamification.models import Tier
from tests.community.conftest import png_bytes
from tests.gamification.conftest import give_points

pytestmark = pytest.mark.django_db

URL = "/content/submit/"


def _data(category, **extra):
    return {
        "title": "My tips",
        "summary": "Short.",
        "category": category.pk,
        "body": "Hello **world**.\n\n<script>alert(1)</script> [x](javascript:alert(1))",
        **extra,
    }


def test_url_names():
    assert reverse("content:article-submit") == URL


def test_anonymous_visitors_are_sent_to_log_in(client, section, category):
    response = client.get(URL)
    assert response.status_code == 302 and "login" in response["Location"]
    response = client.post(URL, _data(category))
    assert response.status_code == 302
    assert not ArticlePage.objects.exists()


def test_member_submits_a_sanitized_article_with_a_cover(member_client, member, section, category):
    assert member_client.get(URL).status_code == 200
    cover = SimpleUploadedFile("c.png", png_bytes((40, 30)), content_type="image/png")
    response = member_client.post(URL, _data(category, cover=cover))
    assert response.status_code == 302 and response["Location"] == reverse("content:mine")
    article = ArticlePage.objects.get()
    assert article.author == member and not article.live
    assert article.get_parent().pk == section.pk
    assert article.cover_image is not None and article.cover_image.width == 40
    html = "".join(block.value.source for block in article.body)
    assert "<strong>world</strong>" in html
    assert "<script" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html  # shown as text


def test_a_bad_cover_is_a_form_error_and_saves_nothing(member_client, section, category):
    cover = SimpleUploadedFile("c.png", b"not a picture", content_type="image/png")
    response = member_client.post(URL, _data(category, cover=cover))
    assert response.status_code == 400
    assert "cover" in response.context["form"].errors
    assert not ArticlePage.objects.exists()


def test_members_below_the_tier_are_refused_with_a_clear_message(member_client, section, category):
    rule = ContentSettings.load()
    rule.min_tier = Tier.objects.get(slug="silver")
    rule.save()
    response = member_client.get(URL)
    assert response.status_code == 403
    assert "Members of the Silver tier and above can submit articles." in response.content.decode()
    assert member_client.post(URL, _data(category)).status_code == 403
    assert not ArticlePage.objects.exists()


def test_the_points_minimum_opens_once_reached(member_client, member, section, category):
    rule = ContentSettings.load()
    rule.min_points = 100
    rule.save()
    response = member_client.get(URL)
    assert response.status_code == 403
    assert "once you have earned 100 points" in response.content.decode()
    give_points(member, 150)
    assert member_client.get(URL).status_code == 200


def test_closed_submissions_are_refused(member_client, section, category):
    rule = ContentSettings.load()
    rule.submissions_open = False
    rule.save()
    response = member_client.get(URL)
    assert response.status_code == 403
    assert "not being accepted" in response.content.decode()
