"""Member views (RSVP, cancel, my events) and the organiser's screens: who may use them,
what they show and export, and that refused requests change nothing."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import services
from events.models import Invitation, InvitationRound, Registration, RegistrationStatus
from portal.accounts import roles
from portal.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Members -----------------------------------------------------------------------------


def test_member_rsvps_and_sees_they_are_going(member_client, member, make_event):
    event = make_event(capacity=5)
    response = member_client.post(reverse("events:rsvp", args=[event.pk]))
    assert response.status_code == 302 and response["Location"] == event.url
    assert messages_of(response) == ["You are going. See you there!"]
    assert Registration.objects.get(member=member).status == RegistrationStatus.GOING
    page = member_client.get(event.url).content.decode()
    assert "You are going." in page
    assert f'action="/club/events/{event.pk}/cancel/"' in page


def test_a_member_of_a_full_event_sees_their_place_in_the_queue(
    member_client, member, make_event, make_user
):
    event = make_event(capacity=1)
    for _ in range(3):
        services.rsvp(event=event, member=make_user())
    response = member_client.post(reverse("events:rsvp", args=[event.pk]))
    assert messages_of(response) == ["The event is full, so you are number 3 on the waiting list."]
    assert "You are number 3 on the waiting list." in member_client.get(event.url).content.decode()
    mine = member_client.get(reverse("events:my-events")).content.decode()
    assert event.title in mine and "You are number 3 on the waiting list." in mine


def test_rsvp_to_a_closed_event_shows_why_and_changes_nothing(member_client, make_event):
    from django.utils import timezone

    event = make_event(rsvp_closes_at=timezone.now() - timedelta(hours=1))
    response = member_client.post(reverse("events:rsvp", args=[event.pk]))
    assert messages_of(response) == ["RSVPs for this event are closed."]
    assert not Registration.objects.exists()
    assert "RSVPs for this event are closed." in member_client.get(event.url).content.decode()


def test_cancel_view_frees_the_place(member_client, member, make_event):
    event = make_event()
    services.rsvp(event=event, member=member)
    response = member_client.post(reverse("events:cancel", args=[event.pk]))
    assert messages_of(response) == ["Your registration is cancelled."]
    assert Registration.objects.get(member=member).status == RegistrationStatus.CANCELLED


def test_anonymous_rsvp_goes_to_log_in_and_changes_nothing(client, make_event):
    event = make_event()
    response = client.post(reverse("events:rsvp", args=[event.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(reverse("events:my-events")).status_code == 302
    assert not Registration.objects.exists()


def test_rsvp_needs_post_and_a_live_event(member_client, make_event):
    event = make_event()
    assert member_client.get(reverse("events:rsvp", args=[event.pk])).status_code == 405
    draft = make_event(live=False)
    assert member_client.post(reverse("events:rsvp", args=[draft.pk])).status_code == 404
    assert not Registration.objects.exists()


def test_rsvp_without_csrf_token_is_refused(member, make_event):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member)
    event = make_event()
    assert strict.post(reverse("events:rsvp", args=[event.pk])).status_code == 403
    assert not Registration.objects.exists()


def test_my_events_queries_do_not_grow(member_client, member, make_event, make_user):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert member_client.get(reverse("events:my-events")).status_code == 200
        return len(captured)

    first = make_event(capacity=1)
    services.rsvp(event=first, member=make_user())
    services.rsvp(event=first, member=member)
    member_client.get(reverse("events:my-events"))
    one = count()
    for _ in range(6):
        event = make_event(capacity=1)
        services.rsvp(event=event, member=make_user())
        services.rsvp(event=event, member=member)
    assert count() == one


# --- The organiser -----------------------------------------------------------------------

STAFF_URLS = [
    ("events:staff-event-list", False),
    ("events:staff-attendees", True),
    ("events:attendees-csv", True),
    ("events:attendees-xlsx", True),
]


@pytest.mark.parametrize(("name", "with_event"), STAFF_URLS)
@pytest.mark.parametrize("role", [roles.MEMBER, roles.MODERATOR, roles.SUPPORT_AGENT])
def test_organiser_screens_are_forbidden_to_other_roles(
    client, make_user, make_event, name, with_event, role
):
    event = make_event()
    client.force_login(make_user(role))
    url = reverse(name, args=[event.pk] if with_event else [])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize(("name", "with_event"), STAFF_URLS)
def test_organiser_screens_send_visitors_to_log_in(client, make_event, name, with_event):
    event = make_event()
    response = client.get(reverse(name, args=[event.pk] if with_event else []))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_invite_is_refused_to_members_and_invites_nobody(member_client, make_event, make_user):
    event = make_event()
    make_user()
    response = member_client.post(
        reverse("events:staff-invite", args=[event.pk]), {"audience": "all"}
    )
    assert response.status_code == 403
    assert not InvitationRound.objects.exists() and not Invitation.objects.exists()


def test_manager_sees_attendees_with_who_was_invited(manager_client, make_event, make_user):
    event = make_event(capacity=1)
    invited, walk_in = make_user(first_name="Ina"), make_user(first_name="Walt")
    Invitation.objects.create(event=event, member=invited)
    services.rsvp(event=event, member=walk_in)
    services.rsvp(event=event, member=invited)
    response = manager_client.get(reverse("events:staff-attendees", args=[event.pk]))
    assert response.status_code == 200
    rows = [(r.member_id, r.status, r.position, r.invited) for r in response.context["attendees"]]
    assert rows == [(walk_in.pk, "going", 0, False), (invited.pk, "waiting", 1, True)]
    assert "Waiting, number 1" in response.content.decode()


def test_manager_sends_invitations_and_sees_the_count(
    manager_client, make_event, make_user, django_capture_on_commit_callbacks
):
    event = make_event()
    for _ in range(3):
        make_user()
    url = reverse("events:staff-invite", args=[event.pk])
    page_url = reverse("events:staff-attendees", args=[event.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url, {"audience": "all"})
    assert response.status_code == 302 and response["Location"] == page_url
    # The task ran once the view's transaction committed; the page shows the count.
    assert "3 members invited" in manager_client.get(page_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(url, {"audience": "all"})
    page = manager_client.get(page_url)
    assert [r.invited_count for r in page.context["rounds"]] == [0, 3]
    assert Invitation.objects.count() == 3


def test_invite_form_without_a_tier_shows_the_error(manager_client, make_event, make_user):
    event = make_event()
    make_user()
    response = manager_client.post(
        reverse("events:staff-invite", args=[event.pk]), {"audience": "tier"}
    )
    assert response.status_code == 400
    assert "Choose the tier to invite." in response.content.decode()
    assert not InvitationRound.objects.exists()


@pytest.fixture
def full_event(make_event, make_user):
    event = make_event(capacity=2, title="Expo")
    people = [
        make_user(first_name="Ali", last_name="Hosseini"),
        make_user(first_name="=cmd", last_name="Evil"),
        make_user(first_name="Zahra", last_name="Rezaei"),
    ]
    Invitation.objects.create(event=event, member=people[0])
    for person in people:
        services.rsvp(event=event, member=person)
    return event, people


def test_attendee_list_exports_as_xlsx(manager_client, full_event):
    event, people = full_event
    response = manager_client.get(reverse("events:attendees-xlsx", args=[event.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Status", "Place on the waiting list", "Name")
    assert [(r[0], r[1], r[2], r[3], r[6]) for r in rows[1:]] == [
        ("Going", None, "Ali Hosseini", people[0].email, "yes"),
        ("Going", None, "'=cmd Evil", people[1].email, "no"),
        ("On the waiting list", 1, "Zahra Rezaei", people[2].email, "no"),
    ]
    entry = AuditEntry.objects.get()
    assert (entry.detail["report"], entry.detail["format"]) == ("event_attendees", "xlsx")


def test_attendee_list_exports_as_csv(manager_client, full_event):
    event, people = full_event
    response = manager_client.get(reverse("events:attendees-csv", args=[event.pk]))
    assert response.status_code == 200
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert [row[2] for row in rows[1:]] == ["Ali Hosseini", "'=cmd Evil", "Zahra Rezaei"]
    assert [row[1] for row in rows[1:]] == ["", "", "1"]


def test_staff_event_list_queries_do_not_grow(manager_client, make_event, make_user):
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert manager_client.get(reverse("events:staff-event-list")).status_code == 200
        return len(captured)

    services.rsvp(event=make_event(), member=make_user())
    manager_client.get(reverse("events:staff-event-list"))
    one = count()
    for _ in range(6):
        services.rsvp(event=make_event(capacity=1), member=make_user())
    page = manager_client.get(reverse("events:staff-event-list"))
    assert len(page.context["page"].object_list) == 7
    assert count() == one


def test_a_place_at_an_unpublished_event_can_still_be_given_up(member_client, member, make_event):
    event = make_event()
    services.rsvp(event=event, member=member)
    event.unpublish()
    response = member_client.post(reverse("events:cancel", args=[event.pk]))
    assert response["Location"] == reverse("events:my-events")
    assert Registration.objects.get(member=member).status == RegistrationStatus.CANCELLED
