"""Article library fixtures: the home page as the site root, the library and the member
contributions section (made like the demo does, with the moderation workflow), articles
published through Wagtail's revisions, and the club's rules and tiers."""

import importlib

import pytest
from django.apps import apps
from wagtail.rich_text import RichText

from content.demo import seed_library
from content.models import ArticleCategory, ArticlePage
from portal.accounts import roles
from portal.demo import seed_home_page
from tests.community.conftest import loose_brakes  # noqa: F401 - brakes for comments
from tests.gamification.conftest import club_rules  # noqa: F401 - autouse: rules and tiers

seed_migration = importlib.import_module("content.migrations.0002_categories_workflow_roles")


@pytest.fixture(autouse=True)
def library_data(db):
    """Categories and the workflow of migration 0002 (transactional tests flush them)."""
    if not ArticleCategory.objects.exists():
        seed_migration.seed(apps, None)


@pytest.fixture
def home(db):
    return seed_home_page()


@pytest.fixture
def library_pages(home, role_groups):
    return seed_library()


@pytest.fixture
def library(library_pages):
    return library_pages[0]


@pytest.fixture
def section(library_pages):
    return library_pages[1]


@pytest.fixture
def category(db):
    return ArticleCategory.objects.get(slug="health")


@pytest.fixture
def moderator(make_user):
    return make_user(roles.MODERATOR, first_name="Mo", last_name="Derator")


@pytest.fixture
def make_article(library, category):
    counter = {"n": 0}

    def make(*, parent=None, title=None, words="Some plain words", publish=True, **fields):
        counter["n"] += 1
        fields.setdefault("category", category)
        tags = fields.pop("tags", [])
        article = ArticlePage(
            title=title or f"Article {counter['n']}",
            slug=f"article-{counter['n']}",
            body=[("paragraph", RichText(f"<p>{words}</p>"))],
            **fields,
        )
        if tags:
            article.tags.add(*tags)
        (parent or library).add_child(instance=article)
        revision = article.save_revision()
        if publish:
            revision.publish()
        else:
            ArticlePage.objects.filter(pk=article.pk).update(live=False)
        article.refresh_from_db()
        return article

    return make
