"""The desk's reports (tickets/reports.py) against hand-computed numbers, their constant
query count, the reports page and its XLSX export, and who may see them."""

import io
import re
import zipfile
from datetime import date, datetime, time, timedelta
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cardgateway.models import Branch
from portal.accounts import roles
from tickets import codes, reports, services
from tickets.models import BusinessHours, Category, SatisfactionRating, Status, Ticket

TEHRAN = ZoneInfo("Asia/Tehran")
# 2026-03-07 is a Saturday; the period is that week, Saturday to Friday.
PERIOD = reports.Period(start=date(2026, 3, 7), end=date(2026, 3, 13))


@pytest.fixture(autouse=True)
def _desk(db):
    """Requests `db` by name, so the tickets conftest's blank_desk clears the seeded
    business hours and SLA targets for every test here."""


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A local (Tehran) moment in March 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=TEHRAN)


def make_ticket(category=None, **fields) -> Ticket:
    fields.setdefault("status", Status.OPEN)
    if fields["status"] == Status.RESOLVED:
        fields.setdefault("resolved_at", fields["created_at"] + timedelta(hours=1))
    if fields["status"] == Status.CLOSED:
        fields.setdefault("closed_at", fields["created_at"] + timedelta(hours=1))
    ticket = Ticket(
        kind="complaint",
        category=category or Category.objects.get(slug="product"),
        guest_name="Sara",
        guest_mobile="+989121234567",
        subject="Cold coffee",
        description="The coffee was cold.",
        tracking_code=codes.new_code(),
        **fields,
    )
    # What services store when a clock stops (the desk's calendar as it is now).
    if ticket.first_response_at:
        clock = services._clock(ticket, ticket.first_response_at)
        ticket.first_response_minutes, ticket.first_response_business_minutes = clock
    if ticket.resolved_at:
        clock = services._clock(ticket, ticket.resolved_at)
        ticket.resolution_minutes, ticket.resolution_business_minutes = clock
    ticket.save(force_insert=True)
    return ticket


def rate(score: int, *, agent=None, created_at=None, **ticket_fields) -> SatisfactionRating:
    ticket_fields.setdefault("created_at", at(7, 10))
    ticket = make_ticket(status=Status.RESOLVED, assignee=agent, **ticket_fields)
    return SatisfactionRating.objects.create(
        ticket=ticket, score=score, agent=agent, created_at=created_at or at(8, 12)
    )


@pytest.fixture
def office_hours(db):
    """Saturday to Wednesday 9:00-17:00, Thursday 9:00-13:00, Friday closed."""
    for weekday in (5, 6, 0, 1, 2):
        BusinessHours.objects.create(weekday=weekday, opens=time(9), closes=time(17))
    BusinessHours.objects.create(weekday=3, opens=time(9), closes=time(13))


@pytest.fixture
def branch(db):
    return Branch.objects.create(code="north", name="North", city="Tabriz")


# --- Percentiles -------------------------------------------------------------------------


def test_percentile_interpolates_between_closest_ranks():
    assert reports.percentile([30, 10, 100, 20, 40], 50) == 30
    # h = 4 * 0.9 = 3.6: 40 + 0.6 * (100 - 40)
    assert reports.percentile([10, 20, 30, 40, 100], 90) == pytest.approx(76)
    assert reports.percentile([1, 2, 3, 4], 50) == 2.5
    assert reports.percentile([1, 2, 3, 4], 90) == pytest.approx(3.7)
    assert reports.percentile([5], 90) == 5
    assert reports.percentile([], 50) is None


def test_period_covers_whole_local_days():
    begin, finish = PERIOD.bounds()
    assert begin == at(7, 0)
    assert finish == at(14, 0)


# --- Response and resolution times --------------------------------------------------------


def times_by_priority(period=PERIOD):
    return {row["priority"]: row for row in reports.response_times(period)}


def test_response_times_in_business_and_calendar_hours(office_hours):
    # A: Saturday 10:00, answered 12:00 (2 h), resolved Sunday 10:00 (7 h + 1 h business).
    make_ticket(
        created_at=at(7, 10),
        first_response_at=at(7, 12),
        status=Status.RESOLVED,
        resolved_at=at(8, 10),
    )
    # B: Saturday 16:00, answered Sunday 10:00: 1 h + 1 h business, 18 h calendar.
    make_ticket(created_at=at(7, 16), first_response_at=at(8, 10))
    # C: Wednesday 16:00, answered Saturday 9:30: 1 h + Thursday 4 h + 0.5 h = 5.5 h
    # business; 65.5 h calendar.
    make_ticket(created_at=at(11, 16), first_response_at=at(14, 9, 30))
    # D: high, Sunday 9:00, answered 9:30.
    make_ticket(created_at=at(8, 9), first_response_at=at(8, 9, 30), priority="high")
    # E: not answered yet.
    make_ticket(created_at=at(9, 11))
    # Not counted: filed before the period, and a duplicate merged into A's ticket.
    make_ticket(created_at=at(6, 23, 59), first_response_at=at(7, 10))
    into = make_ticket(created_at=at(9, 12))
    make_ticket(
        created_at=at(9, 13),
        first_response_at=at(9, 14),
        status=Status.CLOSED,
        merged_into=into,
    )

    rows = times_by_priority()
    normal = rows["normal"]
    assert normal["tickets"] == 5  # A, B, C, E and the merge target
    first = normal["first_response"]
    # business minutes [120, 120, 330]: median 120; p90 h = 1.8 -> 120 + 0.8 * 210 = 288
    assert first["count"] == 3
    assert first["business_median"] == pytest.approx(2)
    assert first["business_p90"] == pytest.approx(4.8)
    # calendar minutes [120, 1080, 3930]: median 1080; p90 1080 + 0.8 * 2850 = 3360
    assert first["calendar_median"] == pytest.approx(18)
    assert first["calendar_p90"] == pytest.approx(56)
    resolution = normal["resolution"]
    assert resolution["count"] == 1
    assert resolution["business_median"] == pytest.approx(8)
    assert resolution["business_p90"] == pytest.approx(8)
    assert resolution["calendar_median"] == pytest.approx(24)

    assert rows["high"]["first_response"]["business_median"] == pytest.approx(0.5)
    assert rows["urgent"]["tickets"] == 0
    assert rows["urgent"]["first_response"]["business_median"] is None

    everything = rows[None]
    assert everything["tickets"] == 6
    # business [30, 120, 120, 330]: median 120; p90 h = 2.7 -> 120 + 0.7 * 210 = 267
    assert everything["first_response"]["business_median"] == pytest.approx(2)
    assert everything["first_response"]["business_p90"] == pytest.approx(267 / 60)
    # calendar [30, 120, 1080, 3930]: median 600; p90 1080 + 0.7 * 2850 = 3075
    assert everything["first_response"]["calendar_median"] == pytest.approx(10)
    assert everything["first_response"]["calendar_p90"] == pytest.approx(3075 / 60)


def test_without_business_hours_business_time_is_calendar_time():
    make_ticket(created_at=at(11, 16), first_response_at=at(14, 9, 30))
    first = times_by_priority()["normal"]["first_response"]
    assert first["business_median"] == first["calendar_median"] == pytest.approx(65.5)


def test_response_times_follow_the_branch_and_category_filters(branch):
    website = Category.objects.get(slug="website")
    make_ticket(created_at=at(7, 10), first_response_at=at(7, 11), branch=branch)
    make_ticket(created_at=at(7, 10), first_response_at=at(7, 13), category=website)
    by_branch = reports.Period(start=PERIOD.start, end=PERIOD.end, branch=branch)
    by_category = reports.Period(start=PERIOD.start, end=PERIOD.end, category=website)
    assert times_by_priority(by_branch)[None]["first_response"]["calendar_median"] == 1
    assert times_by_priority(by_category)[None]["first_response"]["calendar_median"] == 3


# --- CSAT --------------------------------------------------------------------------------


def test_csat_per_agent_category_and_branch(make_user, branch):
    first, second = make_user(roles.SUPPORT_AGENT), make_user(roles.SUPPORT_AGENT)
    website = Category.objects.get(slug="website")
    rate(5, agent=first, branch=branch)
    rate(4, agent=first, branch=branch)
    rate(2, agent=first, category=website)
    rate(3, agent=second, branch=branch)
    rate(5, agent=second, category=website)
    rate(1)  # nobody was assigned
    # Outside the period (rated the day after it ends, Tehran time), not counted.
    rate(1, agent=first, created_at=at(14, 0, 1))

    agents = {row["agent"]: row for row in reports.csat_by_agent(PERIOD)}
    assert set(agents) == {first.pk, second.pk, None}
    assert (agents[first.pk]["ratings"], agents[first.pk]["satisfied"]) == (3, 2)
    assert agents[first.pk]["average"] == pytest.approx(11 / 3)
    assert agents[first.pk]["satisfied_pct"] == pytest.approx(200 / 3)
    assert agents[first.pk]["label"] == first.get_full_name()
    assert agents[second.pk]["average"] == pytest.approx(4)
    assert agents[second.pk]["satisfied_pct"] == pytest.approx(50)
    assert agents[None]["average"] == 1
    assert agents[None]["satisfied_pct"] == 0

    categories = {row["label"]: row for row in reports.csat_by_category(PERIOD)}
    assert categories["Website"]["ratings"] == 2
    assert categories["Website"]["average"] == pytest.approx(3.5)
    product = categories[Category.objects.get(slug="product").name]
    assert product["ratings"] == 4
    assert product["average"] == pytest.approx(13 / 4)
    assert product["satisfied_pct"] == pytest.approx(50)

    branches = {row["branch"]: row for row in reports.csat_by_branch(PERIOD)}
    assert branches[branch.pk]["ratings"] == 3
    assert branches[branch.pk]["average"] == pytest.approx(4)
    assert branches[branch.pk]["label"] == "North"
    assert branches[None]["ratings"] == 3
    assert branches[None]["average"] == pytest.approx(8 / 3)

    north = reports.Period(start=PERIOD.start, end=PERIOD.end, branch=branch)
    assert {row["agent"]: row["ratings"] for row in reports.csat_by_agent(north)} == {
        first.pk: 2,
        second.pk: 1,
    }


# --- SLA breaches ------------------------------------------------------------------------


def test_sla_breaches_per_priority():
    created = at(8, 10)
    hour = timedelta(hours=1)
    now = at(10, 12)

    def due(**kwargs):
        return make_ticket(
            created_at=created,
            sla_first_response_due=created + hour,
            sla_resolution_due=created + 8 * hour,
            **kwargs,
        )

    due(first_response_at=created + 2 * hour, status=Status.RESOLVED, resolved_at=created + hour)
    due(first_response_at=created + hour / 2)  # resolution overdue now, never flagged
    make_ticket(  # high: nothing due yet
        created_at=now - hour,
        sla_first_response_due=now + hour,
        sla_resolution_due=now + 8 * hour,
        priority="high",
    )
    due(  # high: flagged by the breach job before its due was recomputed
        priority="high",
        first_response_at=created + hour / 2,
        first_response_breached_at=created + hour,
        status=Status.RESOLVED,
        resolved_at=created + 2 * hour,
    )
    make_ticket(created_at=created)  # normal, no SLA target
    due(priority="urgent", status=Status.CLOSED, closed_at=created + hour / 2)  # closed in time
    due(  # low: both late
        priority="low",
        first_response_at=created + 10 * hour,
        status=Status.RESOLVED,
        resolved_at=created + 10 * hour,
    )
    # Filed before the period: not counted.
    make_ticket(
        created_at=at(6, 10), sla_first_response_due=at(6, 11), sla_resolution_due=at(6, 18)
    )

    rows = {row["priority"]: row for row in reports.sla_breaches(PERIOD, now=now)}

    def counts(key):
        row = rows[key]
        return row["tickets"], row["with_sla"], row["first_response"], row["resolution"]

    assert counts("normal") == (3, 2, 1, 1)
    assert counts("high") == (2, 2, 1, 0)
    assert counts("urgent") == (1, 1, 0, 0)
    assert counts("low") == (1, 1, 1, 1)
    assert counts(None) == (7, 6, 3, 2)


# --- Backlog -----------------------------------------------------------------------------


def test_backlog_by_age_now():
    now = at(20, 12)
    day = timedelta(days=1)
    make_ticket(created_at=now - timedelta(hours=2), status=Status.NEW)
    make_ticket(created_at=now - day)  # exactly one day: "1-3 days"
    make_ticket(created_at=now - 2 * day, priority="high", status=Status.REOPENED)
    make_ticket(created_at=now - 5 * day, priority="urgent")
    make_ticket(created_at=now - 10 * day)
    make_ticket(created_at=now - 20 * day, status=Status.WAITING)
    make_ticket(created_at=now - 40 * day, priority="low")
    # Done: not in the backlog.
    make_ticket(created_at=now - 2 * day, status=Status.RESOLVED)
    make_ticket(created_at=now - 2 * day, status=Status.CLOSED)

    rows = {row["priority"]: row for row in reports.backlog(PERIOD, now=now)}
    buckets = ["under_1d", "d1_3", "d3_7", "d7_30", "over_30d", "total"]
    assert [rows["normal"][key] for key in buckets] == [1, 1, 0, 2, 0, 4]
    assert [rows["high"][key] for key in buckets] == [0, 1, 0, 0, 0, 1]
    assert [rows["urgent"][key] for key in buckets] == [0, 0, 1, 0, 0, 1]
    assert [rows["low"][key] for key in buckets] == [0, 0, 0, 0, 1, 1]
    assert [rows[None][key] for key in buckets] == [1, 2, 1, 2, 1, 7]


def test_backlog_follows_the_branch_filter_not_the_dates(branch):
    now = at(20, 12)
    make_ticket(created_at=now - timedelta(days=60), branch=branch)
    make_ticket(created_at=now - timedelta(days=60))
    north = reports.Period(start=PERIOD.start, end=PERIOD.end, branch=branch)
    assert reports.backlog(north, now=now)[-1]["over_30d"] == 1


# --- Query count -------------------------------------------------------------------------


def fill(size: int, agent, branch) -> None:
    for i in range(size):
        rate(
            1 + i % 5,
            agent=agent,
            branch=branch if i % 2 else None,
            created_at=at(8, 12),
            first_response_at=at(7, 11),
            sla_first_response_due=at(7, 10, 30),
            sla_resolution_due=at(7, 18),
        )
        make_ticket(created_at=at(7, 10) - timedelta(days=i % 40), priority="high")


def test_reports_keep_a_constant_query_count(make_user, branch, office_hours):
    agent = make_user(roles.SUPPORT_AGENT)
    counts = []
    for size in (1, 50):
        SatisfactionRating.objects.all().delete()
        Ticket.objects.all().delete()
        fill(size, agent, branch)
        with CaptureQueriesContext(connection) as queries:
            report = reports.build(PERIOD, now=at(20, 12))
        assert report.csat_agents[0]["ratings"] == size
        assert report.backlog[-1]["total"] == size
        counts.append(len(queries))
    # Response times: percentiles by priority and overall on PostgreSQL, one fetch on SQLite.
    expected = 7 if connection.vendor == "postgresql" else 6
    assert counts[0] == counts[1] == expected, counts


def test_the_report_page_keeps_a_constant_query_count(manager_client, make_user, branch):
    agent = make_user(roles.SUPPORT_AGENT)
    counts = []
    for size in (1, 50):
        SatisfactionRating.objects.all().delete()
        Ticket.objects.all().delete()
        fill(size, agent, branch)
        with CaptureQueriesContext(connection) as queries:
            response = manager_client.get(reverse("tickets:reports"), PARAMS)
        assert response.status_code == 200
        assert response.context["report"].csat_agents[0]["ratings"] == size
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- The views ---------------------------------------------------------------------------

PARAMS = {"start": "2026-03-07", "end": "2026-03-13"}


@pytest.fixture
def manager_client(client, make_user):
    client.force_login(make_user(roles.CLUB_MANAGER))
    return client


def test_a_manager_sees_the_report(manager_client, make_user):
    agent = make_user(roles.SUPPORT_AGENT, first_name="Reza", last_name="Karimi")
    rate(5, agent=agent)
    rate(2, agent=agent)
    response = manager_client.get(reverse("tickets:reports"), PARAMS)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Reza Karimi" in body
    assert 'data-label="Average (1–5)">3.50<' in body
    assert 'data-label="Satisfied (%)">50<' in body
    export = reverse("tickets:reports-xlsx") + "?start=2026-03-07&amp;end=2026-03-13"
    assert export in body


def test_the_report_defaults_to_the_last_30_days(manager_client):
    with time_machine.travel(at(23, 10, month=11), tick=False):
        response = manager_client.get(reverse("tickets:reports"))
    assert response.status_code == 200
    period = response.context["report"].period
    assert (period.start, period.end) == (date(2026, 10, 24), date(2026, 11, 23))


def test_the_report_in_persian_uses_persian_digits(manager_client, make_user):
    rate(5, agent=make_user(roles.SUPPORT_AGENT))
    rate(4, agent=make_user(roles.SUPPORT_AGENT))
    manager_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    body = manager_client.get(reverse("tickets:reports"), PARAMS).content.decode()
    assert "۴.۵۰" in body
    assert "4.50" not in body


def test_the_filters_narrow_the_report(manager_client, make_user, branch):
    agent, other = make_user(roles.SUPPORT_AGENT), make_user(roles.SUPPORT_AGENT)
    rate(5, agent=agent, branch=branch)
    rate(1, agent=other)
    response = manager_client.get(reverse("tickets:reports"), {**PARAMS, "branch": branch.pk})
    assert [row["agent"] for row in response.context["report"].csat_agents] == [agent.pk]
    assert f"branch={branch.pk}" in response.context["export_query"]


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "2026-03-13", "end": "2026-03-07"}, "The end date is before the start date."),
        ({"start": "2025-03-06", "end": "2026-03-07"}, "at most 366 days"),
        ({"start": "yesterday", "end": "2026-03-07"}, "Enter a valid date."),
        ({"start": "", "end": "2026-03-07"}, "This field is required."),
        ({**PARAMS, "branch": "999999"}, "Select a valid choice."),
    ],
)
def test_bad_parameters_give_a_clear_error_and_no_report(manager_client, params, message):
    for name in ("tickets:reports", "tickets:reports-xlsx"):
        response = manager_client.get(reverse(name), params)
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        body = response.content.decode()
        assert message in body
        assert "Customer satisfaction" not in body
        assert "report" not in response.context


def test_366_days_are_allowed_and_persian_digits_read(manager_client):
    response = manager_client.get(
        reverse("tickets:reports"), {"start": "۲۰۲۵-۰۳-۰۷", "end": "2026-03-07"}
    )
    assert response.status_code == 200
    period = response.context["report"].period
    assert (period.end - period.start).days + 1 == 366


@pytest.mark.parametrize("name", ["tickets:reports", "tickets:reports-xlsx"])
@pytest.mark.parametrize(
    "role", [roles.SUPPORT_AGENT, roles.MEMBER, roles.MODERATOR, roles.CASHIER, None]
)
def test_only_club_managers_see_reports(client, make_user, name, role):
    client.force_login(make_user(role))
    assert client.get(reverse(name), PARAMS).status_code == 403


@pytest.mark.parametrize("name", ["tickets:reports", "tickets:reports-xlsx"])
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    response = client.get(reverse(name), PARAMS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


# --- XLSX --------------------------------------------------------------------------------

NS = {
    "m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}


def read_xml(book: zipfile.ZipFile, name: str) -> ElementTree.Element:
    return ElementTree.fromstring(book.read(name))  # noqa: S314 - our own export, in a test


def read_xlsx(content: bytes) -> dict[str, list[list]]:
    """{sheet name: rows of cell values}: shared strings as str, numbers as float."""
    book = zipfile.ZipFile(io.BytesIO(content))
    strings = [
        "".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t"))
        for si in read_xml(book, "xl/sharedStrings.xml").findall("m:si", NS)
    ]
    rels = {
        rel.get("Id"): rel.get("Target") for rel in read_xml(book, "xl/_rels/workbook.xml.rels")
    }
    sheets = {}
    for sheet in read_xml(book, "xl/workbook.xml").find("m:sheets", NS):
        target = rels[sheet.get(f"{{{NS['r']}}}id")]
        xml = read_xml(book, f"xl/{target}")
        rows = []
        for row in xml.find("m:sheetData", NS):
            cells = []
            for cell in row:
                column = re.match(r"[A-Z]+", cell.get("r")).group()
                while len(cells) < ord(column) - ord("A"):
                    cells.append(None)
                value = cell.find("m:v", NS)
                if value is None:
                    cells.append(None)
                elif cell.get("t") == "s":
                    cells.append(strings[int(value.text)])
                else:
                    cells.append(float(value.text))
            rows.append(cells)
        sheets[sheet.get("name")] = rows
    return sheets


def test_the_xlsx_export_holds_the_tables(manager_client, make_user, office_hours):
    agent = make_user(roles.SUPPORT_AGENT, first_name="=Reza", last_name="Karimi")
    rate(5, agent=agent)
    rate(2, agent=agent)
    make_ticket(created_at=at(7, 10), first_response_at=at(7, 12))

    response = manager_client.get(reverse("tickets:reports-xlsx"), PARAMS)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="tickets-report-2026-03-07-to-2026-03-13.xlsx"'
    )
    sheets = read_xlsx(response.content)
    assert list(sheets) == [
        "Report",
        "CSAT by agent",
        "CSAT by category",
        "CSAT by branch",
        "First response",
        "Resolution",
        "SLA breaches",
        "Open backlog by age",
    ]
    assert sheets["Report"][1:3] == [["From", "2026-03-07"], ["To (included)", "2026-03-13"]]
    agents = sheets["CSAT by agent"]
    assert agents[0] == ["Agent", "Ratings", "Average (1–5)", "Satisfied (4–5)", "Satisfied (%)"]
    # The name is text, not a formula; numbers are numbers.
    assert agents[1] == ["=Reza Karimi", 2.0, 3.5, 1.0, 50.0]
    first = sheets["First response"]
    assert first[0][:3] == ["Priority", "Tickets filed", "Answered"]
    normal = next(row for row in first if row[0] == "normal")
    assert normal[1:5] == [3.0, 1.0, 2.0, 2.0]
    assert [row[0] for row in sheets["Open backlog by age"]][-1] == "all priorities"
    assert sheets["Open backlog by age"][0][-1] == "Total"


def test_the_xlsx_headers_follow_the_language(manager_client):
    manager_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fa"
    response = manager_client.get(reverse("tickets:reports-xlsx"), PARAMS)
    assert response.status_code == 200
    sheets = read_xlsx(response.content)
    # Dates stay ISO whatever the language.
    assert sheets[next(iter(sheets))][1][1] == "2026-03-07"
    book = zipfile.ZipFile(io.BytesIO(response.content))
    assert b'rightToLeft="1"' in book.read("xl/worksheets/sheet1.xml")
