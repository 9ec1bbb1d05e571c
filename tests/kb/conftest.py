import pytest

from kb.models import KBAnswerPage, KBSectionPage, KnowledgeBaseIndexPage
from portal.demo import seed_home_page
from tests.e2e.conftest import browser, browser_binaries, wait  # noqa: F401 - e2e fixtures


@pytest.fixture
def home(db):
    """The site's home page as the demo makes it (default Site rooted there)."""
    return seed_home_page()


@pytest.fixture
def kb_index(home):
    return home.add_child(
        instance=KnowledgeBaseIndexPage(
            title="Help", slug="help", search_description="Answers to common questions."
        )
    )


@pytest.fixture
def make_section(kb_index):
    counter = {"n": 0}

    def make(title: str | None = None, **fields) -> KBSectionPage:
        counter["n"] += 1
        title = title or f"Section {counter['n']}"
        return kb_index.add_child(
            instance=KBSectionPage(title=title, slug=f"section-{counter['n']}", **fields)
        )

    return make


@pytest.fixture
def make_answer():
    counter = {"n": 0}

    def make(section, question: str, answer: str = "<p>An answer.</p>", live: bool = True):
        counter["n"] += 1
        page = section.add_child(
            instance=KBAnswerPage(
                title=question, slug=f"answer-{counter['n']}", answer=answer, live=live
            )
        )
        if not live:
            page.save_revision()
        return page

    return make


@pytest.fixture
def club_rules(db):
    """Rules and tiers of gamification's seed migration (transactional tests flush them)."""
    import importlib

    from django.apps import apps

    from gamification.models import EarningRule, Tier

    if not (EarningRule.objects.exists() and Tier.objects.exists()):
        seed = importlib.import_module("gamification.migrations.0002_seed_rules_tiers_badges")
        seed.seed(apps, None)
