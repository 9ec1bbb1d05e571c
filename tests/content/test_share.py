"""Shares: one award per member, article and network, within the rule's daily cap."""

import pytest
from django.urls import reverse

from content import services
from content.models import Network, Share
from gamification import ledger

pytestmark = pytest.mark.django_db


def test_each_network_pays_once_and_the_daily_cap_holds(make_article, member):
    first, second = make_article(), make_article()
    paid = [
        services.record_share(member=member, article=first, network=n).awarded
        for n in (Network.TELEGRAM, Network.WHATSAPP, Network.X, Network.LINKEDIN)
    ]
    assert paid == [2, 2, 2, 2]
    again = services.record_share(member=member, article=first, network=Network.TELEGRAM)
    assert (again.awarded, again.reason) == (0, "already_awarded")
    assert services.record_share(member=member, article=first, network=Network.EMAIL).awarded == 2
    # "shared" pays 2 points with a daily cap of 10 (gamification migration 0002).
    capped = services.record_share(member=member, article=second, network=Network.TELEGRAM)
    assert (capped.awarded, capped.reason) == (0, "daily_cap")
    assert ledger.balances(member).points == 10
    assert Share.objects.filter(member=member).count() == 6


def test_share_endpoint_records_for_the_member_as_json(client, make_article, member):
    article = make_article()
    client.force_login(member)
    url = reverse("content:share", args=[article.pk])
    response = client.post(url, {"network": "x"}, HTTP_ACCEPT="application/json")
    assert response.json() == {"awarded": 2, "reason": "awarded"}
    response = client.post(url, {"network": "x"}, HTTP_ACCEPT="application/json")
    assert response.json()["awarded"] == 0
    assert client.post(url, {"network": "myspace"}).status_code == 400
    assert ledger.balances(member).points == 2


def test_share_endpoint_refuses_anonymous_and_drafts(client, make_article, member):
    article = make_article()
    url = reverse("content:share", args=[article.pk])
    assert client.post(url, {"network": "x"}).status_code == 302  # to log in
    assert not Share.objects.exists()
    draft = make_article(publish=False)
    client.force_login(member)
    assert (
        client.post(reverse("content:share", args=[draft.pk]), {"network": "x"}).status_code == 404
    )
    assert not Share.objects.exists()


def test_article_page_has_plain_share_links(client, make_article):
    article = make_article(title="Tea and biscuits")
    html = client.get(article.url).content.decode()
    assert "https://t.me/share/url?" in html
    assert "https://wa.me/?text=" in html
    assert "https://www.linkedin.com/sharing/share-offsite/?url=" in html
    assert "mailto:?subject=Tea%20and%20biscuits" in html
    assert "js/content-share.js" in html
