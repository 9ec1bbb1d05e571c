import pytest

from kb.demo import seed_kb
from kb.models import KBAnswerPage, KBSectionPage, KnowledgeBaseIndexPage
from portal.pages.models import ClubPage

pytestmark = pytest.mark.django_db


def test_seed_kb_builds_the_knowledge_base_and_club_page_once(client, home, club_rules):
    seed_kb()
    seed_kb()

    assert KnowledgeBaseIndexPage.objects.live().count() == 1
    assert KBSectionPage.objects.live().count() == 3
    assert KBAnswerPage.objects.live().count() == 8
    assert ClubPage.objects.live().count() == 1
    assert KBAnswerPage.objects.filter(category__slug="card-points").exists()
    titles = [r["title"] for r in client.get("/kb/suggest/", {"q": "lost card"}).json()["results"]]
    assert "My card is lost" in titles
    assert client.get(ClubPage.objects.get().url).status_code == 200


def test_seed_kb_without_a_home_page_does_nothing(db):
    from portal.pages.models import HomePage

    HomePage.objects.all().delete()
    assert seed_kb() is None
    assert not KnowledgeBaseIndexPage.objects.exists()


def test_club_managers_may_edit_the_knowledge_base_and_club_page(home, club_rules, make_user):
    from portal.accounts import roles

    seed_kb()
    manager = make_user(roles.CLUB_MANAGER)
    answer = KBAnswerPage.objects.get(slug="card-lost")

    assert answer.permissions_for_user(manager).can_publish()
    assert ClubPage.objects.get().permissions_for_user(manager).can_edit()
    assert not answer.permissions_for_user(make_user(roles.MEMBER)).can_edit()
