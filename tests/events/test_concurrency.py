"""RSVPs under load, on PostgreSQL with real threads: the event's row lock means many
members answering at once never over-book it, the waiting list keeps its order, and
cancellations racing with new RSVPs hand freed places to the waiting list first."""

import pytest

from events import services
from events.models import Registration, RegistrationStatus
from portal.notifications.models import Notification

from ..gamification.test_ledger_concurrency import run_in_threads

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 20
GOING = RegistrationStatus.GOING
WAITING = RegistrationStatus.WAITING


def members_with(event, status) -> set[int]:
    return set(
        Registration.objects.filter(event=event, status=status).values_list("member_id", flat=True)
    )


def test_twenty_members_answering_at_once_fill_exactly_the_capacity(make_event, make_user):
    event = make_event(capacity=5)
    people = [make_user() for _ in range(THREADS)]
    results, errors = run_in_threads(
        [lambda p=p: services.rsvp(event=event, member=p) for p in people],
        refusals=(services.RsvpRefused,),
    )
    assert errors == []
    assert len(members_with(event, GOING)) == 5
    assert len(members_with(event, WAITING)) == THREADS - 5
    # The waiting list is in the order the RSVPs committed: whoever got a place came first.
    going_last = max(r.going_since for r in results if r.status == GOING)
    waiting = Registration.objects.filter(event=event, status=WAITING)
    assert all(r.waiting_since >= going_last for r in waiting)


def test_one_member_answering_twenty_times_at_once_registers_once(make_event, make_user):
    event = make_event(capacity=5)
    member = make_user()
    results, errors = run_in_threads(
        [lambda: services.rsvp(event=event, member=member) for _ in range(THREADS)],
        refusals=(services.RsvpRefused,),
    )
    assert errors == []
    assert len({r.pk for r in results}) == 1
    assert Registration.objects.filter(event=event).count() == 1


def test_cancellations_racing_new_rsvps_promote_the_waiting_list_in_order(make_event, make_user):
    event = make_event(capacity=5)
    goers = [make_user() for _ in range(5)]
    waiters = [make_user() for _ in range(5)]
    for person in goers + waiters:
        services.rsvp(event=event, member=person)
    newcomers = [make_user() for _ in range(12)]
    tasks = [lambda p=p: services.cancel(event=event, member=p) for p in goers[:3]]
    tasks += [lambda p=p: services.rsvp(event=event, member=p) for p in newcomers]
    _results, errors = run_in_threads(tasks, refusals=(services.RsvpRefused,))
    assert errors == []
    going = members_with(event, GOING)
    assert len(going) == 5
    # Freed places went to the first three on the waiting list, never to a newcomer.
    assert going == {p.pk for p in goers[3:] + waiters[:3]}
    assert members_with(event, WAITING) == {p.pk for p in waiters[3:] + newcomers}
    told = Notification.objects.filter(kind="event_place")
    assert sorted(told.values_list("member_id", flat=True)) == sorted(p.pk for p in waiters[:3])


def test_concurrent_invitation_rounds_invite_each_member_once(make_event, make_user):
    from events.models import Audience, Invitation

    event = make_event()
    people = [make_user() for _ in range(10)]
    rounds = [services.request_invitations(event=event, audience=Audience.ALL) for _ in range(4)]
    Invitation.objects.all().delete()  # the eager task ran at commit; race them again
    type(rounds[0]).objects.update(finished_at=None, invited_count=0)
    results, errors = run_in_threads(
        [lambda r=r: services.send_invitations(round_id=r.pk) for r in rounds]
    )
    assert errors == []
    assert sum(r.invited_count for r in results) == len(people)
    assert Invitation.objects.filter(event=event).count() == len(people)
