"""RSVP, the waiting list and cancellations (events.services), one behaviour a test."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events import selectors, services
from events.models import Registration, RegistrationStatus
from portal.notifications.models import Notification

pytestmark = pytest.mark.django_db

GOING = RegistrationStatus.GOING
WAITING = RegistrationStatus.WAITING
CANCELLED = RegistrationStatus.CANCELLED


@pytest.fixture
def people(make_user):
    return [make_user() for _ in range(5)]


def statuses(event) -> dict[int, str]:
    return dict(
        Registration.objects.filter(event=event)
        .exclude(status=CANCELLED)
        .values_list("member_id", "status")
    )


def test_members_go_until_the_event_is_full_then_wait_in_order(make_event, people):
    event = make_event(capacity=2)
    results = [services.rsvp(event=event, member=person) for person in people[:4]]
    assert [r.status for r in results] == [GOING, GOING, WAITING, WAITING]
    assert [selectors.waiting_position(r) for r in results] == [None, None, 1, 2]


def test_rsvp_twice_returns_the_same_registration(make_event, people):
    event = make_event(capacity=1)
    first = services.rsvp(event=event, member=people[0])
    again = services.rsvp(event=event, member=people[0])
    assert again.pk == first.pk
    assert Registration.objects.filter(event=event).count() == 1
    waiting = services.rsvp(event=event, member=people[1])
    assert services.rsvp(event=event, member=people[1]).pk == waiting.pk
    assert Registration.objects.filter(event=event).count() == 2


def test_an_unlimited_event_never_has_a_waiting_list(make_event, people):
    event = make_event(capacity=0)
    assert {services.rsvp(event=event, member=p).status for p in people} == {GOING}


def test_cancelling_a_place_moves_the_first_waiting_member_up_and_tells_them(
    make_event, people, django_capture_on_commit_callbacks
):
    event = make_event(capacity=2)
    for person in people[:4]:
        services.rsvp(event=event, member=person)
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = services.cancel(event=event, member=people[0])
    assert cancelled.status == CANCELLED
    assert statuses(event) == {
        people[1].pk: GOING,
        people[2].pk: GOING,
        people[3].pk: WAITING,
    }
    told = Notification.objects.get(kind="event_place")
    assert told.member == people[2]
    assert event.title in told.title
    assert told.url == event.url
    assert [m.to for m in mail.outbox] == [[people[2].email]]  # a service message
    assert not Notification.objects.filter(member=people[3]).exists()
    remaining = Registration.objects.get(event=event, member=people[3], status=WAITING)
    assert selectors.waiting_position(remaining) == 1


def test_leaving_the_waiting_list_promotes_nobody(make_event, people):
    event = make_event(capacity=1)
    for person in people[:3]:
        services.rsvp(event=event, member=person)
    services.cancel(event=event, member=people[1])
    assert statuses(event) == {people[0].pk: GOING, people[2].pk: WAITING}
    assert not Notification.objects.filter(kind="event_place").exists()


def test_cancel_without_registration_changes_nothing(make_event, people):
    event = make_event()
    assert services.cancel(event=event, member=people[0]) is None
    services.rsvp(event=event, member=people[0])
    services.cancel(event=event, member=people[0])
    assert services.cancel(event=event, member=people[0]) is None
    assert Registration.objects.filter(event=event, status=CANCELLED).count() == 1


def test_a_member_may_come_back_after_cancelling_at_the_end_of_the_queue(make_event, people):
    event = make_event(capacity=1)
    services.rsvp(event=event, member=people[0])
    services.rsvp(event=event, member=people[1])
    services.cancel(event=event, member=people[0])
    back = services.rsvp(event=event, member=people[0])
    assert back.status == WAITING
    assert statuses(event) == {people[1].pk: GOING, people[0].pk: WAITING}


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"starts_in": timedelta(hours=-1)}, services.EventStarted),
        ({"starts_in": timedelta(days=-3)}, services.EventStarted),
        (
            {"rsvp_closes_at": timezone.now() - timedelta(minutes=1)},
            services.RsvpClosed,
        ),
        ({"live": False}, services.EventUnavailable),
    ],
)
def test_rsvp_is_refused_with_a_reason_and_changes_nothing(make_event, people, fields, error):
    event = make_event(**fields)
    with pytest.raises(error) as refused:
        services.rsvp(event=event, member=people[0])
    assert refused.value.code == error.code
    assert str(refused.value)
    assert not Registration.objects.exists()


def test_cancelling_after_the_start_is_refused_and_keeps_the_list(make_event, people):
    event = make_event(capacity=1)
    services.rsvp(event=event, member=people[0])
    services.rsvp(event=event, member=people[1])
    type(event).objects.filter(pk=event.pk).update(starts_at=timezone.now() - timedelta(minutes=5))
    with pytest.raises(services.EventStarted):
        services.cancel(event=event, member=people[0])
    assert statuses(event) == {people[0].pk: GOING, people[1].pk: WAITING}


def test_raising_the_capacity_fills_the_new_places_in_order(make_event, people):
    event = make_event(capacity=1)
    for person in people[:4]:
        services.rsvp(event=event, member=person)
    type(event).objects.filter(pk=event.pk).update(capacity=3)
    promoted = services.fill_places(event=event)
    assert [r.member for r in promoted] == [people[1], people[2]]
    assert statuses(event)[people[3].pk] == WAITING
    assert services.fill_places(event=event) == []


def test_the_rsvp_state_tells_the_member_where_they_stand(make_event, people):
    event = make_event(capacity=1)
    services.rsvp(event=event, member=people[0])
    services.rsvp(event=event, member=people[1])
    services.rsvp(event=event, member=people[2])
    state = selectors.rsvp_state(event=event, member=people[2])
    assert (state.is_waiting, state.position, state.is_full, state.places_left) == (
        True,
        2,
        True,
        0,
    )
    assert state.can_cancel and not state.can_rsvp
    fresh = selectors.rsvp_state(event=event, member=people[3])
    assert fresh.registration is None and fresh.can_rsvp


def test_an_erased_member_gives_up_their_place(make_event, people):
    event = make_event(capacity=1)
    services.rsvp(event=event, member=people[0])
    services.rsvp(event=event, member=people[1])
    services.erase_member_registrations(people[0], keep_posts=True)
    services.erase_member_registrations(people[0], keep_posts=True)
    assert statuses(event) == {people[1].pk: GOING}


def test_the_erasure_job_runs_the_events_eraser():
    from portal.accounts import erasure

    assert services.erase_member_registrations in erasure.ERASERS
