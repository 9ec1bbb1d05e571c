"""The desk's queue: every filter filters, the search finds a tracking code however it
is typed, sorting, SLA state (in Python and in SQL, agreeing), bad filter values, the
pagination keeping the filters, and a constant query count."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from cardgateway.models import Branch
from portal.accounts import roles
from tickets import selectors, services
from tickets.models import Category, DeskSettings, Priority, Status, Ticket

pytestmark = pytest.mark.django_db

QUEUE = "tickets:desk-queue"
NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def listed(client, **params) -> list[int]:
    response = client.get(reverse(QUEUE), params)
    assert response.status_code == 200
    return [ticket.pk for ticket in response.context["page"]]


def in_status(ticket, status, agent):
    path = {
        Status.OPEN: [Status.OPEN],
        Status.WAITING: [Status.WAITING],
        Status.RESOLVED: [Status.RESOLVED],
        Status.CLOSED: [Status.CLOSED],
    }[status]
    for step in path:
        services.change_status(ticket=ticket, to=step, actor=agent)
    return ticket


# --- Filters ------------------------------------------------------------------------------


def test_the_default_hides_closed_tickets_and_all_shows_them(
    agent_client, open_guest_ticket, agent
):
    open_one = open_guest_ticket()
    closed = in_status(open_guest_ticket(), Status.CLOSED, agent)
    assert listed(agent_client) == [open_one.pk]
    assert set(listed(agent_client, status="all")) == {open_one.pk, closed.pk}
    assert listed(agent_client, status="closed") == [closed.pk]


def test_the_status_filter(agent_client, open_guest_ticket, agent):
    new = open_guest_ticket()
    waiting = in_status(open_guest_ticket(), Status.WAITING, agent)
    assert listed(agent_client, status="waiting") == [waiting.pk]
    assert listed(agent_client, status="new") == [new.pk]


def test_the_kind_filter(agent_client, open_guest_ticket):
    open_guest_ticket(kind="complaint")
    suggestion = open_guest_ticket(kind="suggestion")
    assert listed(agent_client, kind="suggestion") == [suggestion.pk]


def test_the_category_filter(agent_client, open_guest_ticket):
    open_guest_ticket()
    website = Category.objects.get(slug="website")
    about_site = open_guest_ticket(category=website)
    assert listed(agent_client, category=website.pk) == [about_site.pk]


def test_the_branch_filter(agent_client, open_guest_ticket):
    north = Branch.objects.create(code="north", name="North", city="Tehran")
    south = Branch.objects.create(code="south", name="South", city="Shiraz")
    open_guest_ticket(branch=south)
    open_guest_ticket()
    at_north = open_guest_ticket(branch=north)
    assert listed(agent_client, branch=north.pk) == [at_north.pk]


def test_the_priority_filter(agent_client, open_guest_ticket):
    open_guest_ticket()
    urgent = open_guest_ticket(priority=Priority.URGENT)
    assert listed(agent_client, priority="urgent") == [urgent.pk]


def test_the_assigned_filter(agent_client, open_guest_ticket, agent, make_user):
    colleague = make_user(roles.SUPPORT_AGENT)
    mine = open_guest_ticket()
    services.assign(ticket=mine, assignee=agent, actor=agent)
    theirs = open_guest_ticket()
    services.assign(ticket=theirs, assignee=colleague, actor=agent)
    nobodys = open_guest_ticket()
    assert listed(agent_client, assigned="me") == [mine.pk]
    assert listed(agent_client, assigned="unassigned") == [nobodys.pk]
    assert set(listed(agent_client)) == {mine.pk, theirs.pk, nobodys.pk}


def set_dues(ticket, first, resolution, **fields):
    Ticket.objects.filter(pk=ticket.pk).update(
        sla_first_response_due=first, sla_resolution_due=resolution, **fields
    )
    ticket.refresh_from_db()
    return ticket


def test_the_sla_filter_breached_and_near(agent_client, open_guest_ticket, frozen):
    DeskSettings.objects.update_or_create(pk=1, defaults={"near_breach_minutes": 30})
    hour = timedelta(hours=1)
    overdue = set_dues(open_guest_ticket(), NOW - timedelta(minutes=5), NOW + 8 * hour)
    flagged = set_dues(
        open_guest_ticket(), NOW + 2 * hour, NOW + 8 * hour, first_response_breached_at=NOW
    )
    near = set_dues(open_guest_ticket(), NOW + timedelta(minutes=20), NOW + 8 * hour)
    set_dues(open_guest_ticket(), NOW + 2 * hour, NOW + 8 * hour)  # fine
    set_dues(open_guest_ticket(), None, None)  # no SLA
    assert set(listed(agent_client, sla="breached")) == {overdue.pk, flagged.pk}
    assert listed(agent_client, sla="near") == [near.pk]
    assert len(listed(agent_client)) == 5


def test_the_resolution_clock_runs_after_the_first_response(
    agent_client, open_guest_ticket, agent, frozen
):
    answered = open_guest_ticket()
    services.add_reply(ticket=answered, author=agent, body="Looking into it.")
    # The first-response due time has passed, but it was answered in time (at NOW).
    set_dues(answered, NOW + timedelta(minutes=1), NOW + timedelta(minutes=10))
    assert listed(agent_client, sla="near") == [answered.pk]
    assert listed(agent_client, sla="breached") == []
    state = selectors.sla_state(answered, NOW, 60)
    assert (state.clock, state.state, state.left) == (
        selectors.RESOLUTION,
        selectors.NEAR,
        timedelta(minutes=10),
    )


def test_a_late_resolution_stays_breached_and_one_on_time_is_met(open_guest_ticket, agent, frozen):
    late = in_status(open_guest_ticket(), Status.RESOLVED, agent)
    set_dues(late, NOW + timedelta(hours=1), NOW - timedelta(minutes=1))
    on_time = in_status(open_guest_ticket(), Status.RESOLVED, agent)
    set_dues(on_time, NOW + timedelta(hours=1), NOW + timedelta(hours=2))
    assert selectors.sla_state(late, NOW, 60).state == selectors.BREACHED
    assert selectors.sla_state(on_time, NOW, 60).state == selectors.MET
    assert list(Ticket.objects.filter(selectors.breached_q(NOW))) == [late]


def test_python_and_sql_agree_on_breached_and_near(open_guest_ticket, agent, frozen):
    """Every combination of clock, due time and status: sla_state and the SQL filters
    put each ticket in the same group."""
    minutes = [None, -30, 10, 90]
    tickets = []
    for status in (Status.NEW, Status.OPEN, Status.RESOLVED, Status.CLOSED):
        for answered in (False, True):
            for first in minutes:
                for resolution in minutes:
                    ticket = open_guest_ticket()
                    if answered:
                        services.add_reply(ticket=ticket, author=agent, body="Hello")
                    if status != Status.NEW and ticket.status != status:
                        services.change_status(ticket=ticket, to=status, actor=agent)

                    def due(m):
                        return None if m is None else NOW + timedelta(minutes=m)

                    tickets.append(set_dues(ticket, due(first), due(resolution)))
    breached = set(Ticket.objects.filter(selectors.breached_q(NOW)).values_list("pk", flat=True))
    near = set(Ticket.objects.filter(selectors.near_q(NOW, 60)).values_list("pk", flat=True))
    for ticket in tickets:
        state = selectors.sla_state(ticket, NOW, 60).state
        assert (state == selectors.BREACHED) == (ticket.pk in breached), ticket.pk
        assert (state == selectors.NEAR) == (ticket.pk in near), ticket.pk
    assert breached and near


# --- Search -------------------------------------------------------------------------------


def test_the_search_finds_a_code_however_it_is_typed(agent_client, open_guest_ticket):
    wanted = open_guest_ticket(subject="Broken card reader")
    open_guest_ticket(subject="Something else")
    code = wanted.tracking_code
    persian = code.lower().replace("-", " ").translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    for typed in (code, code.lower(), code.replace("-", ""), persian, code[:6]):
        assert listed(agent_client, q=typed) == [wanted.pk], typed


def test_the_search_finds_words_of_the_subject(agent_client, open_guest_ticket):
    wanted = open_guest_ticket(subject="Broken card reader at the till")
    open_guest_ticket(subject="Card points missing")
    assert listed(agent_client, q="card broken") == [wanted.pk]
    assert listed(agent_client, q="nothing like this") == []


# --- Sorting ------------------------------------------------------------------------------


def test_sorting_by_priority_puts_urgent_first(agent_client, open_guest_ticket):
    made = {p: open_guest_ticket(priority=p) for p in ("normal", "low", "urgent", "high")}
    order = [made[p].pk for p in ("urgent", "high", "normal", "low")]
    assert listed(agent_client, sort="priority") == order


def test_sorting_newest_oldest_and_by_sla_due(agent_client, open_guest_ticket, frozen):
    first = set_dues(open_guest_ticket(), NOW + timedelta(hours=5), NOW + timedelta(hours=9))
    Ticket.objects.filter(pk=first.pk).update(created_at=NOW - timedelta(days=1))
    second = set_dues(open_guest_ticket(), NOW + timedelta(hours=1), NOW + timedelta(hours=9))
    third = set_dues(open_guest_ticket(), None, None)
    Ticket.objects.filter(pk=third.pk).update(created_at=NOW + timedelta(minutes=1))
    assert listed(agent_client) == [third.pk, second.pk, first.pk]
    assert listed(agent_client, sort="oldest") == [first.pk, second.pk, third.pk]
    assert listed(agent_client, sort="sla") == [second.pk, first.pk, third.pk]


# --- The page -----------------------------------------------------------------------------


def test_a_bad_filter_value_shows_an_error_and_the_default_list(
    agent_client, open_guest_ticket, agent
):
    open_one = open_guest_ticket()
    in_status(open_guest_ticket(), Status.CLOSED, agent)
    response = agent_client.get(
        reverse(QUEUE), {"status": "bogus", "category": "999999", "sort": "sideways"}
    )
    assert response.status_code == 200
    assert [t.pk for t in response.context["page"]] == [open_one.pk]
    form = response.context["form"]
    assert {"status", "category", "sort"} <= set(form.errors)
    assert "Select a valid choice" in response.content.decode()


def test_time_left_is_shown_in_words(agent_client, open_guest_ticket, frozen):
    set_dues(open_guest_ticket(), NOW + timedelta(hours=2, minutes=5), NOW + timedelta(hours=9))
    set_dues(open_guest_ticket(), NOW - timedelta(minutes=40), NOW + timedelta(hours=9))
    page = agent_client.get(reverse(QUEUE)).content.decode()
    assert "2 h 5 min left" in page
    assert "overdue by 40 min" in page


def test_time_left_in_persian_has_persian_digits(open_guest_ticket, frozen):
    ticket = set_dues(open_guest_ticket(), NOW + timedelta(minutes=40), None)
    with translation.override("fa"):
        text = selectors.sla_state(ticket, NOW, 60).text
    assert "۴۰" in text
    assert "40" not in text


def test_the_pagination_keeps_the_filters(agent_client, open_guest_ticket, category):
    for n in range(26):
        open_guest_ticket(kind="suggestion", subject=f"Idea {n}")
    open_guest_ticket(kind="complaint")
    response = agent_client.get(reverse(QUEUE), {"kind": "suggestion", "sort": "oldest"})
    assert response.context["page"].paginator.count == 26
    assert len(response.context["page"]) == 25
    page = response.content.decode()
    assert "kind=suggestion" in page and "sort=oldest" in page and "page=2" in page
    second = agent_client.get(reverse(QUEUE), {"kind": "suggestion", "sort": "oldest", "page": 2})
    assert [t.subject for t in second.context["page"]] == ["Idea 25"]


def test_the_queue_has_the_live_hook(agent_client):
    page = agent_client.get(reverse(QUEUE)).content.decode()
    assert '<p id="desk-live"' in page and 'data-live-url="/ws/desk/"' in page
    assert "tickets/live.js" in page


def test_the_queue_keeps_a_constant_query_count(
    agent_client, agent, member, open_guest_ticket, category
):
    branch = Branch.objects.create(code="north", name="North", city="Tehran")
    DeskSettings.load()
    counts = []
    for size in (1, 50):
        Ticket.objects.all().delete()
        for n in range(size):
            if n % 2:
                ticket = services.open_ticket(
                    kind="support",
                    category=category,
                    subject=f"Member {n}",
                    description="Help",
                    member=member,
                    branch=branch,
                )
            else:
                ticket = open_guest_ticket(subject=f"Guest {n}")
            services.assign(ticket=ticket, assignee=agent, actor=agent)
        for params in ({}, {"sort": "priority", "q": "Guest", "assigned": "me"}):
            with CaptureQueriesContext(connection) as queries:
                response = agent_client.get(reverse(QUEUE), params)
            assert response.status_code == 200
            assert len(response.context["page"]) == (1 if size == 1 else 25)
            counts.append(len(queries))
    assert counts[0] == counts[2] and counts[1] == counts[3], counts


def test_the_queue_in_persian_is_right_to_left_with_codes_left_to_right(
    agent_client, open_guest_ticket, frozen
):
    from django.conf import settings

    ticket = set_dues(open_guest_ticket(), NOW + timedelta(minutes=40), None)
    agent_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    page = agent_client.get(reverse(QUEUE)).content.decode()
    assert '<html lang="fa" dir="rtl">' in page
    assert f'dir="ltr" class="desk-code">{ticket.tracking_code}</a>' in page
    assert "۴۰" in page
