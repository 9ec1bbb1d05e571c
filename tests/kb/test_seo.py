"""sitemap.xml, robots.txt, and the <title>, description and Open Graph tags of pages."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import PageViewRestriction

pytestmark = pytest.mark.django_db


def test_sitemap_lists_live_public_pages_only(client, kb_index, make_section, make_answer):
    section = make_section("Cards")
    live = make_answer(section, "My card is lost")
    draft = make_answer(section, "Draft answer", live=False)
    withdrawn = make_answer(section, "Withdrawn answer")
    withdrawn.unpublish()
    private = make_answer(section, "Private answer")
    PageViewRestriction.objects.create(page=private, restriction_type="login")

    response = client.get("/sitemap.xml")

    body = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    assert f"<loc>http://localhost{kb_index.url}</loc>" in body
    assert f"<loc>http://localhost{live.url}</loc>" in body
    for page in (draft, withdrawn, private):
        assert f"/{page.slug}/" not in body


def test_robots_txt_points_at_the_sitemap(client):
    response = client.get("/robots.txt")

    body = response.content.decode()
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "User-agent: *" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body
    assert "Disallow: /cms/" in body


def test_a_page_carries_its_seo_title_description_and_open_graph_tags(client, kb_index):
    kb_index.seo_title = "Help & answers"
    kb_index.search_description = 'Answers about "points" <and> cards'
    kb_index.save_revision().publish()

    body = client.get(kb_index.url).content.decode()

    assert "<title>Help &amp; answers</title>" in body
    described = "Answers about &quot;points&quot; &lt;and&gt; cards"
    assert f'<meta name="description" content="{described}">' in body
    assert f'<meta property="og:description" content="{described}">' in body
    assert '<meta property="og:title" content="Help &amp; answers">' in body
    assert '<meta property="og:type" content="website">' in body
    assert '<meta property="og:url" content="http://localhost/help/">' in body
    assert '<meta property="og:locale" content="en_US">' in body
    assert "og:image" not in body
    assert "<and>" not in body


def test_answers_are_articles_and_persian_pages_say_so(client, make_section, make_answer):
    answer = make_answer(make_section(), "My card is lost")
    client.cookies["club_language"] = "fa"

    body = client.get(answer.url).content.decode()

    assert '<meta property="og:type" content="article">' in body
    assert '<meta property="og:locale" content="fa_IR">' in body
    assert "<title>My card is lost</title>" in body
    assert 'name="description"' not in body  # no search description: no empty tag


def test_views_that_are_not_pages_get_no_page_tags(client):
    body = client.get("/search/", {"q": "points"}).content.decode()
    assert "og:title" not in body


def test_og_image_is_the_pages_cover_picture_as_an_absolute_address(kb_index):
    image = Image.objects.create(title="Cover", file=get_test_image_file(size=(1400, 800)))
    kb_index.cover_image = image  # any page type with a cover_image / image field
    request = RequestFactory().get(kb_index.url)

    with translation.override("en"):
        html = Template('{% include "includes/meta.html" %}').render(
            Context({"page": kb_index, "request": request})
        )

    rendition = image.get_rendition("fill-1200x630")
    assert f'<meta property="og:image" content="http://testserver{rendition.url}">' in html
    assert (rendition.width, rendition.height) == (1200, 630)
