"""The scheduled jobs (tickets/jobs.py, run by tickets/tasks.py through Celery beat):
auto-close of tickets left waiting on the customer, and the SLA breach flagger."""

import threading
from datetime import datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, transaction
from django.utils import timezone

from portal.accounts import roles
from portal.notifications.models import Notification
from tickets import jobs, services, tasks
from tickets.models import (
    BusinessHours,
    Category,
    DeskSettings,
    EventKind,
    SLATarget,
    Status,
    Ticket,
    TicketEvent,
    Weekday,
)

TEHRAN = ZoneInfo("Asia/Tehran")
# Wednesday 4 June 2025, 16:30 in Tehran: half an hour before the desk closes for the
# Thursday-Friday weekend.
WEDNESDAY_EVENING = datetime(2025, 6, 4, 16, 30, tzinfo=TEHRAN)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in June 2025, Tehran time."""
    return datetime(2025, 6, day, hour, minute, tzinfo=TEHRAN)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


# --- Auto-close -----------------------------------------------------------------------


@pytest.fixture
def waiting(open_guest_ticket, agent):
    """A ticket put on waiting, its status changed `hours` ago."""

    def make(hours: float) -> Ticket:
        ticket = open_guest_ticket()
        services.change_status(ticket=ticket, to=Status.WAITING, actor=agent)
        changed = timezone.now() - timedelta(hours=hours)
        Ticket.objects.filter(pk=ticket.pk).update(status_changed_at=changed)
        return ticket

    return make


def test_a_ticket_waiting_longer_than_the_limit_closes_a_younger_one_does_not(waiting):
    assert DeskSettings.load().waiting_auto_close_hours == 72
    old, young = waiting(73), waiting(71)
    assert jobs.close_waiting() == 1
    old.refresh_from_db()
    young.refresh_from_db()
    assert old.status == Status.CLOSED and old.closed_at is not None
    assert young.status == Status.WAITING
    event = old.events.last()
    assert (event.kind, event.from_status, event.to_status, event.actor) == (
        EventKind.STATUS,
        Status.WAITING,
        Status.CLOSED,
        None,
    )
    assert jobs.close_waiting() == 0


def test_the_limit_comes_from_desk_settings_and_now_can_be_given(waiting):
    DeskSettings.objects.filter(pk=DeskSettings.load().pk).update(waiting_auto_close_hours=2)
    ticket = waiting(1)
    assert jobs.close_waiting() == 0
    assert jobs.close_waiting(now=timezone.now() + timedelta(hours=1, minutes=1)) == 1
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_a_ticket_the_customer_answered_is_not_closed(waiting):
    ticket = waiting(100)
    services.add_reply(ticket=ticket, author=None, body="Here is the receipt.")
    Ticket.objects.filter(pk=ticket.pk).update(
        status_changed_at=timezone.now() - timedelta(hours=100)
    )
    assert jobs.close_waiting() == 0
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_a_reply_between_the_listing_and_the_lock_keeps_the_ticket_open(waiting):
    """The job lists candidates, then re-reads each under its row lock: a customer reply
    that lands in between wins."""
    ticket = waiting(100)
    real_atomic = transaction.atomic
    replied = []

    def reply_first(*args, **kwargs):
        if not replied:
            replied.append(True)
            services.add_reply(ticket=Ticket.objects.get(pk=ticket.pk), author=None, body="Hi")
        return real_atomic(*args, **kwargs)

    with mock.patch("tickets.jobs.transaction.atomic", reply_first):
        assert jobs.close_waiting() == 0
    ticket.refresh_from_db()
    assert replied and ticket.status == Status.OPEN


def test_the_auto_close_task_runs_the_job(waiting):
    waiting(80)
    assert tasks.auto_close_waiting.delay().get() == 1


def test_auto_close_pushes_the_status_after_commit(waiting, committed):
    ticket = waiting(80)
    with mock.patch("tickets.notify.send_event_on_commit") as push, committed():
        jobs.close_waiting()
    pushed = [call.args for call in push.call_args_list]
    assert ("tickets.desk", mock.ANY) in pushed
    customer = [e for g, e in pushed if g == f"tickets.customer.{ticket.pk}"]
    assert [e["payload"] for e in customer] == [
        {"type": "status", "status": "closed", "status_label": "closed"}
    ]


# --- SLA breaches ---------------------------------------------------------------------


@pytest.fixture
def desk_week(db):
    """Saturday to Wednesday, 09:00-17:00; Thursday and Friday closed. Normal priority:
    first response within 60 business minutes, resolution within 8 business hours."""
    for day in (Weekday.SATURDAY, Weekday.SUNDAY, Weekday.MONDAY, Weekday.TUESDAY):
        BusinessHours.objects.create(weekday=day, opens=time(9), closes=time(17))
    BusinessHours.objects.create(weekday=Weekday.WEDNESDAY, opens=time(9), closes=time(17))
    SLATarget.objects.create(priority="normal", first_response_minutes=60, resolution_minutes=480)


@pytest.fixture
def manager(make_user):
    return make_user(roles.CLUB_MANAGER, email="manager@example.com")


@pytest.fixture
def filed_wednesday_evening(desk_week, open_guest_ticket, agent):
    """A ticket filed (with time frozen) at Wednesday 16:30, assigned to the agent."""
    with mock.patch("django.utils.timezone.now", return_value=WEDNESDAY_EVENING):
        ticket = open_guest_ticket()
    services.assign(ticket=ticket, assignee=agent, actor=agent)
    return ticket


def breach_notes(user) -> list[str]:
    return list(
        Notification.objects.filter(member=user, title__startswith="SLA").values_list(
            "title", flat=True
        )
    )


def test_the_dues_come_from_business_hours_across_the_weekend(filed_wednesday_evening):
    ticket = filed_wednesday_evening
    assert WEDNESDAY_EVENING.weekday() == Weekday.WEDNESDAY
    assert ticket.sla_first_response_due == at(7, 9, 30)  # Saturday morning
    assert ticket.sla_resolution_due == at(7, 16, 30)


def test_nothing_is_flagged_over_the_night_and_weekend(filed_wednesday_evening):
    for moment in (at(4, 23), at(5, 12), at(6, 23, 59), at(7, 9, 29)):
        assert jobs.flag_breaches(now=moment) == 0
    ticket = Ticket.objects.get(pk=filed_wednesday_evening.pk)
    assert ticket.first_response_breached_at is None
    assert not ticket.events.filter(kind=EventKind.SLA_BREACH).exists()


def test_breaches_are_flagged_once_and_notified_once(
    filed_wednesday_evening, agent, manager, committed
):
    ticket = filed_wednesday_evening
    with committed():
        assert jobs.flag_breaches(now=at(7, 9, 31)) == 1
        assert jobs.flag_breaches(now=at(7, 9, 45)) == 0
    ticket.refresh_from_db()
    assert ticket.first_response_breached_at == at(7, 9, 31)
    assert ticket.resolution_breached_at is None
    events = ticket.events.filter(kind=EventKind.SLA_BREACH)
    assert [e.detail for e in events] == [{"clock": "first_response"}]
    assert len(breach_notes(agent)) == len(breach_notes(manager)) == 1
    assert ticket.tracking_code in breach_notes(manager)[0]

    with committed():
        assert jobs.flag_breaches(now=at(7, 16, 31)) == 1
        assert jobs.flag_breaches(now=at(8, 10)) == 0
    ticket.refresh_from_db()
    assert ticket.resolution_breached_at == at(7, 16, 31)
    assert [e.detail["clock"] for e in ticket.events.filter(kind=EventKind.SLA_BREACH)] == [
        "first_response",
        "resolution",
    ]
    assert len(breach_notes(agent)) == len(breach_notes(manager)) == 2


def test_an_unassigned_breach_tells_the_managers(
    desk_week, open_guest_ticket, manager, agent, committed
):
    with mock.patch("django.utils.timezone.now", return_value=WEDNESDAY_EVENING):
        open_guest_ticket()
    with committed():
        assert jobs.flag_breaches(now=at(7, 10)) == 1
    assert len(breach_notes(manager)) == 1 and breach_notes(agent) == []


def test_only_overdue_unanswered_unfinished_tickets_are_flagged(
    desk_week, open_guest_ticket, agent, category
):
    with mock.patch("django.utils.timezone.now", return_value=WEDNESDAY_EVENING):
        overdue = open_guest_ticket()
        answered = open_guest_ticket()
        resolved = open_guest_ticket()
        merged = open_guest_ticket()
        services.add_reply(ticket=answered, author=agent, body="Looking into it.")
        services.change_status(ticket=resolved, to=Status.RESOLVED, actor=agent)
        services.merge(duplicate=merged, into=overdue, actor=agent)
    with mock.patch("django.utils.timezone.now", return_value=at(7, 9)):
        later = open_guest_ticket()  # due Saturday 10:00
    no_sla = open_guest_ticket(category=Category.objects.get(slug="other"), priority="low")
    assert no_sla.sla_first_response_due is None

    assert jobs.flag_breaches(now=at(7, 9, 45)) == 1
    flagged = set(
        Ticket.objects.filter(first_response_breached_at__isnull=False).values_list("pk", flat=True)
    )
    assert flagged == {overdue.pk}
    assert not Ticket.objects.filter(resolution_breached_at__isnull=False).exists()
    assert TicketEvent.objects.filter(kind=EventKind.SLA_BREACH).count() == 1
    assert later.pk not in flagged


def test_the_breach_task_runs_the_job(filed_wednesday_evening):
    with mock.patch("django.utils.timezone.now", return_value=at(7, 12)):
        assert tasks.flag_sla_breaches.delay().get() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_flag_and_notify_once(transactional_db, make_user):
    """Two workers racing on the same overdue ticket: the conditional UPDATE lets one win."""
    category, _ = Category.objects.get_or_create(slug="product", defaults={"name": "Product"})
    SLATarget.objects.create(priority="normal", first_response_minutes=60, resolution_minutes=60)
    manager = make_user(roles.CLUB_MANAGER)
    filed = timezone.now() - timedelta(hours=3)
    with mock.patch("django.utils.timezone.now", return_value=filed):
        ticket = services.open_ticket(
            kind="complaint",
            category=category,
            subject="Race",
            description="Two jobs at once",
            guest_name="Sara",
            guest_mobile="09121234567",
        )
    start = threading.Barrier(4)
    counts = []

    def run():
        try:
            start.wait()
            counts.append(jobs.flag_breaches())
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(counts)[-1] >= 1 and sum(counts) == 2  # two clocks, each flagged once
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.SLA_BREACH).count() == 2
    assert len(breach_notes(manager)) == 2
