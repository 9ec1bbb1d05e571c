import pytest

from events.demo import CONFERENCE_GUESTS, FULL_EVENT_SLUG, NEWS, seed_events
from events.models import EventPage, NewsPage, Registration, RegistrationStatus
from portal.demo import seed_branches, seed_home_page, seed_people

pytestmark = pytest.mark.django_db


def test_seed_events_makes_news_and_a_full_event_once(role_groups, client):
    seed_home_page()
    seed_people(seed_branches())
    seed_events()
    seed_events()
    assert NewsPage.objects.live().count() == len(NEWS)
    assert EventPage.objects.live().count() == 2
    conference = EventPage.objects.get(slug=FULL_EVENT_SLUG)
    registrations = Registration.objects.filter(event=conference)
    assert registrations.filter(status=RegistrationStatus.GOING).count() == conference.capacity
    waiting = registrations.get(status=RegistrationStatus.WAITING)
    assert waiting.member.email == CONFERENCE_GUESTS[-1]
    assert client.get(conference.url).status_code == 200
    assert "Join the waiting list" not in client.get(conference.url).content.decode()  # visitor
    assert "جشن شب یلدا" in client.get("/news/").content.decode()
