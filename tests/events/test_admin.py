"""The page types in the Wagtail admin (Wagtail's page test utilities): where they may be
created, creating and publishing an event through the editor, the organiser's buttons,
and publishing a raised capacity moving waiting members up."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils import WagtailPageTestCase
from wagtail.test.utils.form_data import nested_form_data, rich_text

from events import services
from events.models import (
    EventIndexPage,
    EventPage,
    NewsIndexPage,
    NewsPage,
    Registration,
    RegistrationStatus,
)
from portal.accounts import roles
from portal.accounts.services import register_member
from portal.demo import seed_home_page
from portal.pages.models import HomePage


class EventPagesAdminTests(WagtailPageTestCase):
    def setUp(self):
        super().setUp()
        self.home = seed_home_page()
        self.index = self.home.add_child(instance=EventIndexPage(title="Events", slug="events"))
        self.admin = self.login()

    def test_page_types_sit_where_they_belong(self):
        self.assertAllowedParentPageTypes(EventIndexPage, {HomePage})
        self.assertAllowedParentPageTypes(NewsIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(EventIndexPage, {EventPage})
        self.assertAllowedSubpageTypes(NewsIndexPage, {NewsPage})
        self.assertAllowedSubpageTypes(EventPage, set())
        self.assertCanNotCreateAt(HomePage, EventPage)
        self.assertCanNotCreateAt(NewsIndexPage, EventPage)

    def _event_data(self, **extra):
        starts = (timezone.localtime() + timedelta(days=7)).replace(second=0, microsecond=0)
        data = {
            "title": "Saffron expo",
            "slug": "saffron-expo",
            "kind": "exhibition",
            "summary": "Tasting and offers",
            "starts_at": starts.strftime("%Y-%m-%d %H:%M"),
            "ends_at": (starts + timedelta(hours=5)).strftime("%Y-%m-%d %H:%M"),
            "venue": "Hall 1",
            "city": "Mashhad",
            "address": "",
            "capacity": "1",
            "rsvp_closes_at": "",
            "body": rich_text("<p>Come along</p>"),
        }
        data.update(extra)
        return nested_form_data(data)

    def test_an_event_is_created_and_published_in_the_editor(self):
        self.assertCanCreate(self.index, EventPage, self._event_data())
        event = EventPage.objects.get(slug="saffron-expo")
        self.assertTrue(event.live)
        self.assertPageIsRenderable(event)

    def test_an_event_ending_before_it_starts_is_refused(self):
        data = self._event_data()
        data["ends_at"] = data["starts_at"]
        data["action-publish"] = "action-publish"
        url = reverse("wagtailadmin_pages:add", args=["events", "eventpage", self.index.pk])
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertIn("ends_at", response.context["form"].errors)
        self.assertFalse(EventPage.objects.exists())

    def test_news_is_created_and_renders(self):
        news = self.home.add_child(instance=NewsIndexPage(title="News", slug="news"))
        self.assertCanCreate(
            news,
            NewsPage,
            nested_form_data(
                {"title": "Hello", "date": "2026-12-01", "body": rich_text("<p>x</p>")}
            ),
        )
        self.assertPageIsRenderable(NewsPage.objects.get())
        self.assertPageIsRenderable(news)

    def test_publishing_a_raised_capacity_moves_waiting_members_up(self):
        self.assertCanCreate(self.index, EventPage, self._event_data())
        event = EventPage.objects.get()
        members = [register_member(email=f"m{n}@example.com") for n in range(3)]
        for member in members:
            services.rsvp(event=event, member=member)
        url = reverse("wagtailadmin_pages:edit", args=[event.pk])
        data = self._event_data(capacity="2")
        data["action-publish"] = "action-publish"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        going = Registration.objects.filter(event=event, status=RegistrationStatus.GOING)
        self.assertEqual(
            sorted(going.values_list("member_id", flat=True)), [members[0].pk, members[1].pk]
        )

    def test_the_event_editor_links_to_attendees_for_managers_only(self):
        event = self.index.add_child(
            instance=EventPage(
                title="Talk",
                slug="talk",
                starts_at=timezone.now() + timedelta(days=3),
                ends_at=timezone.now() + timedelta(days=3, hours=2),
                venue="Hall",
                city="Tehran",
            )
        )
        attendees = reverse("events:staff-attendees", args=[event.pk])
        edit = reverse("wagtailadmin_pages:edit", args=[event.pk])
        self.assertContains(self.client.get(edit), attendees)
        self.assertContains(self.client.get(reverse("wagtailadmin_home")), "Event attendees")
        self.assertNotContains(
            self.client.get(reverse("wagtailadmin_pages:edit", args=[self.index.pk])), attendees
        )
        from django.contrib.auth.models import Group

        moderator = register_member(email="mod@example.com", password="pw-for-a-test-1")
        from django.apps import apps

        roles.sync_role_permissions(apps)
        moderator.groups.add(Group.objects.get(name=roles.MODERATOR))
        self.client.force_login(moderator)
        home = self.client.get(reverse("wagtailadmin_home"))
        self.assertEqual(home.status_code, 200)
        self.assertNotContains(home, "Event attendees")
