"""Every showcase page type can be created where it belongs (and nowhere else) and renders,
with Wagtail's own page test utilities."""

from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from portal.demo import seed_home_page
from portal.pages.models import HomePage
from showcase.models import (
    AnnouncementIndexPage,
    AnnouncementPage,
    DealerDirectoryPage,
    ExecutiveMessageIndexPage,
    ExecutiveMessagePage,
    HallOfFameEntry,
    HallOfFamePage,
    VideoIndexPage,
    VideoPage,
)

from .conftest import add_page, announcement, make_image, message, video

INDEXES = [
    AnnouncementIndexPage,
    ExecutiveMessageIndexPage,
    DealerDirectoryPage,
    VideoIndexPage,
    HallOfFamePage,
]


class ShowcasePageTypes(WagtailPageTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.home = seed_home_page()

    def test_indexes_go_under_the_home_page_only(self):
        for index in INDEXES:
            self.assertCanCreateAt(HomePage, index)
            self.assertCanNotCreateAt(Page, index)
            self.assertCanNotCreateAt(AnnouncementIndexPage, index)

    def test_children_go_under_their_index_only(self):
        for parent, child in [
            (AnnouncementIndexPage, AnnouncementPage),
            (ExecutiveMessageIndexPage, ExecutiveMessagePage),
            (VideoIndexPage, VideoPage),
        ]:
            self.assertCanCreateAt(parent, child)
            self.assertCanNotCreateAt(HomePage, child)
        self.assertAllowedSubpageTypes(AnnouncementPage, {})
        self.assertAllowedSubpageTypes(DealerDirectoryPage, {})
        self.assertAllowedSubpageTypes(HallOfFamePage, {})

    def test_one_of_each_index_at_most(self):
        add_page(self.home, HallOfFamePage, title="Hall of fame")
        add_page(self.home, DealerDirectoryPage, title="Dealers")
        self.assertFalse(HallOfFamePage.can_create_at(self.home))
        self.assertFalse(DealerDirectoryPage.can_create_at(self.home))

    def test_every_page_type_renders(self):
        products = add_page(self.home, AnnouncementIndexPage, title="New products")
        messages = add_page(self.home, ExecutiveMessageIndexPage, title="Messages")
        videos = add_page(self.home, VideoIndexPage, title="Videos")
        directory = add_page(self.home, DealerDirectoryPage, title="Dealers")
        hall = add_page(self.home, HallOfFamePage, title="Hall of fame")
        pages = [
            products,
            announcement(
                products,
                1,
                body=[
                    ("paragraph", "<p>Body <b>text</b></p>"),
                    ("picture", {"image": make_image(), "alt_text": "The box", "caption": "Box"}),
                    ("quote", {"text": "Great", "source": "Us"}),
                ],
                link_url="https://example.com/buy",
                price_text="1,000 rials",
            ),
            messages,
            message(messages, 1),
            videos,
            video(videos, 1),
            directory,
            hall,
        ]
        for page in pages:
            self.assertPageIsRenderable(page)
            self.assertPageIsRenderable(page, accept_404=False, query_data={"page": "2"})
        self.assertPageIsPreviewable(hall)

    def test_an_announcement_can_be_created_through_the_admin(self):
        from django.contrib.auth import get_user_model
        from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

        admin = get_user_model().objects.create_superuser(email="boss@example.com", password="x")
        self.client.force_login(admin)
        products = add_page(self.home, AnnouncementIndexPage, title="New products")
        self.assertCanCreate(
            products,
            AnnouncementPage,
            nested_form_data(
                {
                    "title": "Kettle",
                    "slug": "kettle",
                    "product_name": "Kettle",
                    "launch_date": "2026-02-01",
                    "summary": "A kettle.",
                    "body": streamfield([("paragraph", rich_text("<p>Boils.</p>"))]),
                    "link_url": "",
                    "link_text": "",
                    "price_text": "",
                }
            ),
        )
        self.assertTrue(AnnouncementPage.objects.filter(slug="kettle", live=True).exists())

    def test_the_hall_of_fame_is_filled_through_the_admin(self):
        from django.contrib.auth import get_user_model
        from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text

        users = get_user_model()
        admin = users.objects.create_superuser(email="boss@example.com", password="x")
        famous = users.objects.create_user(email="famous@example.com", password="x")
        self.client.force_login(admin)
        self.assertCanCreate(
            self.home,
            HallOfFamePage,
            nested_form_data(
                {
                    "title": "Hall of fame",
                    "slug": "hall-of-fame",
                    "intro": rich_text("<p>Our best.</p>"),
                    "entries": inline_formset(
                        [{"member": famous.pk, "title": "Star", "reason": "", "period": "2025"}]
                    ),
                }
            ),
        )
        entry = HallOfFameEntry.objects.get()
        self.assertEqual((entry.member, entry.title), (famous, "Star"))

    def test_a_video_needs_a_playable_link_or_a_video_file(self):
        from django.core.exceptions import ValidationError

        videos = add_page(self.home, VideoIndexPage, title="Videos")
        for url in ["", "https://example.com/video.mp4", "javascript:alert(1)"]:
            page = VideoPage(title="Bad", slug="bad", video_url=url)
            with self.assertRaises(ValidationError) as refused:
                videos.add_child(instance=page)
            self.assertIn("video_url", refused.exception.message_dict)
        self.assertFalse(VideoPage.objects.exists())
        ok = VideoPage(title="Good", slug="good", video_url="https://vimeo.com/76979871")
        videos.add_child(instance=ok)
        self.assertEqual(ok.player_src, "https://player.vimeo.com/video/76979871")
