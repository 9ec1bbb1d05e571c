"""The library's page types: where they may be created, creating them through the Wagtail
admin, and rendering them."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from content.models import ArticleCategory, ArticleIndexPage, ArticlePage, MemberContributionsPage
from portal.accounts.models import User
from portal.demo import seed_home_page
from portal.pages.models import HomePage


class LibraryPageTypesTest(WagtailPageTestCase):
    def setUp(self):
        self.home = seed_home_page()
        self.user = User.objects.create_superuser(email="root@example.com", password="x" * 20)
        self.client.force_login(self.user)

    def test_the_tree_is_home_library_section_articles(self):
        self.assertAllowedParentPageTypes(ArticleIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(ArticleIndexPage, {ArticlePage, MemberContributionsPage})
        self.assertAllowedSubpageTypes(MemberContributionsPage, {ArticlePage})
        self.assertCanNotCreateAt(HomePage, ArticlePage)
        self.assertCanNotCreateAt(Page, ArticleIndexPage)

    def test_every_page_type_can_be_created_in_the_admin_and_rendered(self):
        self.assertCanCreate(
            self.home,
            ArticleIndexPage,
            nested_form_data({"title": "Library", "intro": rich_text("<p>Read on.</p>")}),
        )
        library = ArticleIndexPage.objects.get()
        self.assertCanCreate(
            library,
            MemberContributionsPage,
            nested_form_data({"title": "By members", "intro": rich_text("<p>Yours.</p>")}),
        )
        section = MemberContributionsPage.objects.get()
        # Made in the admin, the section gets its moderation workflow at once.
        self.assertEqual(section.get_workflow().name, "Member contributions")
        category = ArticleCategory.objects.get(slug="technology")
        self.assertCanCreate(
            library,
            ArticlePage,
            nested_form_data(
                {
                    "title": "Passwords",
                    "byline": "The editors",
                    "summary": "Use a password manager.",
                    "category": category.pk,
                    "tags": "security, passwords",
                    "body": streamfield(
                        [
                            ("paragraph", rich_text("<p>Long unique passphrases.</p>")),
                            ("quote", {"text": "Be careful.", "attribution": "A.N."}),
                            ("callout", {"tone": "tip", "text": rich_text("<p>Go.</p>")}),
                        ]
                    ),
                }
            ),
        )
        article = ArticlePage.objects.get()
        self.assertTrue(article.live)
        self.assertEqual(sorted(t.name for t in article.tags.all()), ["passwords", "security"])
        for page in (library, section, article):
            self.assertPageIsRenderable(page)
        response = self.client.get(article.url)
        self.assertContains(response, "Long unique passphrases.")
        self.assertContains(response, "Be careful.")
        self.assertContains(response, "article-callout is-tip")
        self.assertContains(self.client.get(library.url), "Passwords")

    def test_the_article_editor_opens(self):
        library = self.home.add_child(instance=ArticleIndexPage(title="Lib", slug="lib"))
        article = library.add_child(
            instance=ArticlePage(title="A", slug="a", body=[("paragraph", "<p>Hi</p>")])
        )
        data = nested_form_data(
            {
                "title": "A",
                "slug": "a",
                "body": streamfield([("paragraph", rich_text("<p>Hi again</p>"))]),
            }
        )
        self.assertPageIsEditable(article, post_data=data)
        # The page's moderation editor: a moderator may edit member articles in review.
        self.assertPageIsRenderable(article)
