import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from portal.accounts import roles
from tickets import services
from tickets.models import EventKind, Status, Ticket, TicketMessage
from tickets.services import TRANSITIONS

# How to reach each status from new, through the service.
PATHS = {
    Status.NEW: [],
    Status.OPEN: [Status.OPEN],
    Status.WAITING: [Status.WAITING],
    Status.RESOLVED: [Status.RESOLVED],
    Status.CLOSED: [Status.CLOSED],
    Status.REOPENED: [Status.RESOLVED, Status.REOPENED],
}
ALLOWED = [(a, b) for a, targets in TRANSITIONS.items() for b in sorted(targets)]
FORBIDDEN = [
    (a, b) for a in Status.values for b in Status.values if a != b and b not in TRANSITIONS[a]
]


@pytest.fixture
def ticket_in(ticket, agent):
    def reach(status):
        for step in PATHS[status]:
            services.change_status(ticket=ticket, to=step, actor=agent)
        assert ticket.status == status
        return ticket

    return reach


def test_the_table_covers_every_status_and_its_paths_are_allowed():
    assert set(TRANSITIONS) == set(Status.values) == set(PATHS)
    for path in PATHS.values():
        for a, b in zip([Status.NEW, *path], path, strict=False):
            assert b in TRANSITIONS[a]


@pytest.mark.parametrize(("start", "to"), ALLOWED)
def test_an_allowed_transition_happens_and_is_recorded(ticket_in, agent, start, to):
    ticket = ticket_in(start)
    services.change_status(ticket=ticket, to=to, actor=agent)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.status == to
    event = stored.events.last()
    assert (event.kind, event.from_status, event.to_status) == (EventKind.STATUS, start, to)
    assert event.actor == agent


@pytest.mark.parametrize(("start", "to"), FORBIDDEN)
def test_a_forbidden_transition_raises_and_changes_nothing(ticket_in, agent, start, to):
    ticket = ticket_in(start)
    events = ticket.events.count()
    with pytest.raises(services.InvalidTransition) as caught:
        services.change_status(ticket=ticket, to=to, actor=agent)
    assert isinstance(caught.value, ValueError)
    assert caught.value.code == "invalid_transition"
    assert Ticket.objects.get(pk=ticket.pk).status == start
    assert ticket.events.count() == events


def test_asking_for_the_current_status_changes_and_records_nothing(ticket_in, agent):
    ticket = ticket_in(Status.WAITING)
    events = ticket.events.count()
    services.change_status(ticket=ticket, to=Status.WAITING, actor=agent)
    assert ticket.events.count() == events


def test_an_unknown_status_is_bad_input(ticket, agent):
    with pytest.raises(ValidationError):
        services.change_status(ticket=ticket, to="lost", actor=agent)


def test_resolving_closing_and_reopening_keep_the_timestamps(ticket_in, agent):
    ticket = ticket_in(Status.RESOLVED)
    assert ticket.resolved_at and not ticket.closed_at
    services.change_status(ticket=ticket, to=Status.CLOSED, actor=agent)
    assert ticket.resolved_at and ticket.closed_at
    services.change_status(ticket=ticket, to=Status.REOPENED, actor=agent)
    assert ticket.resolved_at is None and ticket.closed_at is None


def test_the_database_refuses_a_closed_ticket_without_a_closing_time(ticket):
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(status=Status.CLOSED)


# --- Replies ---------------------------------------------------------------------------


def test_a_guest_reply_reopens_a_resolved_ticket(ticket_in):
    ticket = ticket_in(Status.RESOLVED)
    message = services.add_reply(ticket=ticket, author=None, body="Still cold!")
    ticket.refresh_from_db()
    assert ticket.status == Status.REOPENED
    kinds = list(ticket.events.values_list("kind", "to_status"))[-2:]
    assert kinds == [(EventKind.REPLY, ""), (EventKind.STATUS, Status.REOPENED)]
    assert ticket.events.get(kind=EventKind.REPLY).detail == {"message": message.pk}


def test_a_member_reply_on_a_waiting_ticket_opens_it(category, member, agent):
    ticket = services.open_ticket(
        kind="support", category=category, member=member, subject="Card", description="Lost"
    )
    services.change_status(ticket=ticket, to=Status.WAITING, actor=agent)
    services.add_reply(ticket=ticket, author=member, body="Here is the number")
    assert ticket.status == Status.OPEN
    assert ticket.events.last().actor == member


def test_an_agents_first_public_reply_sets_first_response_once_and_opens(ticket, agent):
    services.add_reply(ticket=ticket, author=agent, body="Sorry, we are on it.")
    first = ticket.first_response_at
    assert first is not None and ticket.status == Status.OPEN
    services.add_reply(ticket=ticket, author=agent, body="Any news?")
    assert Ticket.objects.get(pk=ticket.pk).first_response_at == first


def test_an_agent_reply_reopened_ticket_goes_back_to_open(ticket_in, agent):
    ticket = ticket_in(Status.REOPENED)
    services.add_reply(ticket=ticket, author=agent, body="Looking again.")
    assert ticket.status == Status.OPEN


def test_an_internal_note_is_no_response_and_changes_no_status(ticket, agent):
    message = services.add_reply(ticket=ticket, author=agent, body="Call the branch", internal=True)
    ticket.refresh_from_db()
    assert message.is_internal
    assert ticket.first_response_at is None
    assert ticket.status == Status.NEW
    assert ticket.events.last().kind == EventKind.NOTE


def test_a_customer_cannot_add_an_internal_note(ticket):
    with pytest.raises(services.InternalNoteRefused):
        services.add_reply(ticket=ticket, author=None, body="psst", internal=True)
    assert not TicketMessage.objects.exists()


def test_a_closed_ticket_takes_no_customer_reply(ticket_in):
    ticket = ticket_in(Status.CLOSED)
    events = ticket.events.count()
    with pytest.raises(services.TicketClosed):
        services.add_reply(ticket=ticket, author=None, body="Hello?")
    assert not TicketMessage.objects.exists()
    assert ticket.events.count() == events
    assert Ticket.objects.get(pk=ticket.pk).status == Status.CLOSED


def test_another_member_cannot_reply_to_a_ticket(ticket, make_user):
    stranger = make_user(roles.MEMBER)
    with pytest.raises(PermissionDenied):
        services.add_reply(ticket=ticket, author=stranger, body="Me too")
    assert not TicketMessage.objects.exists()


def test_an_empty_reply_is_refused(ticket, agent):
    with pytest.raises(ValidationError):
        services.add_reply(ticket=ticket, author=agent, body="   ")
    assert not TicketMessage.objects.exists()


# --- Assignment, priority, merge -------------------------------------------------------


def test_assigning_to_an_agent_and_back_to_nobody_is_recorded(ticket, agent):
    services.assign(ticket=ticket, assignee=agent, actor=agent)
    assert Ticket.objects.get(pk=ticket.pk).assignee == agent
    services.assign(ticket=ticket, assignee=None, actor=agent)
    assert Ticket.objects.get(pk=ticket.pk).assignee is None
    details = [e.detail for e in ticket.events.filter(kind=EventKind.ASSIGNED)]
    assert details == [
        {"previous": None, "assignee": agent.pk},
        {"previous": agent.pk, "assignee": None},
    ]


def test_a_ticket_cannot_be_assigned_to_a_member(ticket, member, agent):
    with pytest.raises(services.NotAnAgent):
        services.assign(ticket=ticket, assignee=member, actor=agent)
    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_a_new_priority_recomputes_the_dues(ticket, agent):
    from tickets.models import SLATarget

    SLATarget.objects.create(priority="urgent", first_response_minutes=15, resolution_minutes=60)
    services.set_priority(ticket=ticket, priority="urgent", actor=agent)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.priority == "urgent"
    assert (stored.sla_first_response_due - stored.created_at).total_seconds() == 900
    assert ticket.events.last().detail == {"previous": "normal", "priority": "urgent"}


def test_merging_closes_the_duplicate_and_its_replies_land_on_the_target(open_guest_ticket, agent):
    original, duplicate = open_guest_ticket(), open_guest_ticket()
    services.merge(duplicate=duplicate, into=original, actor=agent)
    assert duplicate.status == Status.CLOSED and duplicate.merged_into == original
    assert duplicate.events.last().kind == EventKind.MERGED_INTO
    assert original.events.last().detail == {"duplicate": duplicate.pk}

    message = services.add_reply(ticket=duplicate, author=None, body="Any news?")
    assert message.ticket == original

    with pytest.raises(services.TicketMerged):
        services.change_status(ticket=duplicate, to=Status.REOPENED, actor=agent)


def test_tickets_merged_into_a_duplicate_follow_it(open_guest_ticket, agent):
    first, second, third = (open_guest_ticket() for _ in range(3))
    services.merge(duplicate=third, into=second, actor=agent)
    services.merge(duplicate=second, into=first, actor=agent)
    assert Ticket.objects.get(pk=third.pk).merged_into == first


def test_bad_merges_are_refused(open_guest_ticket, agent):
    a, b = open_guest_ticket(), open_guest_ticket()
    with pytest.raises(services.InvalidMerge):
        services.merge(duplicate=a, into=a, actor=agent)
    services.change_status(ticket=b, to=Status.CLOSED, actor=agent)
    with pytest.raises(services.InvalidMerge):
        services.merge(duplicate=a, into=b, actor=agent)
    assert Ticket.objects.get(pk=a.pk).merged_into is None
