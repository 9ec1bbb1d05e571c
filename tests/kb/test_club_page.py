"""The club page: tiers, benefits and earning rules read live from gamification."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.test.utils import WagtailPageTestCase

from gamification import ledger
from gamification.models import Currency, EarningRule, EntryKind, Tier
from gamification.tiers import evaluate
from portal.pages.models import ClubPage, HomePage

pytestmark = pytest.mark.django_db


@pytest.fixture
def club_page(home, club_rules):
    return home.add_child(
        instance=ClubPage(
            title="How the club works", slug="membership", intro="<p>Join <b>today</b>.</p>"
        )
    )


def _tier_block(body: str, slug: str) -> str:
    return body.split(f'<li class="club-tier" data-tier="{slug}">')[1].split("</li>")[0]


class TestClubPageRules(WagtailPageTestCase):
    def test_one_club_page_under_the_home_page(self):
        self.assertAllowedParentPageTypes(ClubPage, {HomePage})
        self.assertAllowedSubpageTypes(ClubPage, set())
        assert ClubPage.max_count == 1


def test_club_page_shows_every_tier_with_its_figures(client, club_page):
    tiers = list(Tier.objects.order_by("threshold"))
    body = client.get(club_page.url).content.decode()

    assert "Join <b>today</b>." in body
    for tier in tiers:
        block = _tier_block(body, tier.slug)
        assert tier.name in block
        assert f'<dd data-field="threshold">{tier.threshold:,}</dd>' in block
    assert body.index(tiers[0].name) < body.index(tiers[-1].name)


def test_a_tier_change_shows_on_the_page_at_once(client, club_page):
    tier = Tier.objects.order_by("threshold").last()
    tier.cashback_bp = 725
    tier.referral_bp = 150
    tier.threshold = 123_456
    tier.benefits = "Free parking & <early> access"
    tier.ticket_priority = "urgent"
    tier.save()

    block = _tier_block(client.get(club_page.url).content.decode(), tier.slug)

    assert '<dd data-field="cashback">7.25%</dd>' in block
    assert '<dd data-field="referral">1.5%</dd>' in block
    assert '<dd data-field="threshold">123,456</dd>' in block
    assert "Free parking &amp; &lt;early&gt; access" in block
    assert "urgent priority" in block


def test_whole_percentages_show_without_decimals(client, club_page):
    tier = Tier.objects.order_by("threshold").first()
    tier.cashback_bp = 1000
    tier.save()

    block = _tier_block(client.get(club_page.url).content.decode(), tier.slug)

    assert '<dd data-field="cashback">10%</dd>' in block


def test_only_active_earning_rules_are_listed_with_their_caps(client, club_page):
    EarningRule.objects.update_or_create(
        action="comment_posted", defaults={"points": 7, "daily_cap": 35, "is_active": True}
    )
    EarningRule.objects.update_or_create(
        action="shared", defaults={"points": 3, "daily_cap": 0, "is_active": False}
    )

    body = client.get(club_page.url).content.decode()

    row = body.split('<tr data-action="comment_posted">')[1].split("</tr>")[0]
    assert "<td>7</td>" in row and "<td>35</td>" in row
    assert 'data-action="shared"' not in body


def test_persian_page_uses_persian_digits(client, club_page):
    client.cookies["club_language"] = "fa"
    tier = Tier.objects.order_by("threshold").last()
    tier.cashback_bp = 250
    tier.save()

    block = _tier_block(client.get(club_page.url).content.decode(), tier.slug)

    assert '<dd data-field="cashback">۲٫۵٪</dd>' in block


def test_a_member_sees_their_tier_and_progress(client, club_page, member):
    ledger.post(
        member=member,
        currency=Currency.POINTS,
        amount=10,
        kind=EntryKind.ADJUSTMENT,
        idempotency_key="kb-test-points",
    )
    evaluate(member=member)
    client.force_login(member)
    lowest, second = Tier.objects.order_by("threshold")[:2]

    body = client.get(club_page.url).content.decode()

    assert "Your tier" in body
    mine = body.split('id="club-my-tier-title"')[1].split("</section>")[0]
    assert lowest.name in mine
    assert f"{second.threshold - 10:,} more points to reach {second.name}" in mine


def test_visitors_see_no_personal_block(client, club_page):
    assert 'id="club-my-tier-title"' not in client.get(club_page.url).content.decode()


def test_club_page_queries_do_not_grow_with_tiers_and_rules(client, club_page):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(club_page.url).status_code == 200
        return len(queries)

    count()  # the first request also fills caches (site root paths, club settings)
    before = count()
    for n in range(5):
        Tier.objects.create(name=f"Extra {n}", slug=f"extra-{n}", threshold=900_000 + n)

    assert count() == before
