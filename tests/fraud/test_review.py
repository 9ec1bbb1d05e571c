"""The review queue: findings open cases that hold the points and credit they name; the
club manager clears (release) or confirms (forfeit) once, with a reason, audited and told."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from gamification import holds, ledger
from gamification.models import Currency, EntryKind, HoldStatus
from portal.accounts import roles
from portal.audit.models import Action, AuditEntry
from portal.fraud import rules, services
from portal.fraud.findings import Finding
from portal.fraud.models import CaseStatus, FraudCase, Rule
from portal.notifications.models import Notification

from ..gamification.test_ledger_concurrency import run_in_threads


def earn(member, currency, amount, key):
    kind = EntryKind.CASHBACK if currency == Currency.CREDIT else EntryKind.PURCHASE_POINTS
    return ledger.post(
        member=member, currency=currency, amount=amount, kind=kind, idempotency_key=key
    )


def finding(member, entries, key="referral_chain:1") -> Finding:
    return Finding(
        rule=Rule.REFERRAL_CHAIN,
        key=key,
        summary="Member #%(member)s brought %(count)s referees who bought once and vanished.",
        params={"member": member.pk, "count": 3},
        evidence={
            "facts": [["Referees", 3]],
            "columns": ["Referee", "Purchase"],
            "rows": [["#1", 1000]],
        },
        member_id=member.pk,
        entry_ids=tuple(entry.pk for entry in entries),
    )


@pytest.fixture
def manager(make_user):
    return make_user(roles.CLUB_MANAGER)


@pytest.fixture
def flagged(member):
    credit = earn(member, Currency.CREDIT, 5_000, "c1")
    points = earn(member, Currency.POINTS, 40, "p1")
    case, created = services.open_case(finding=finding(member, [credit, points]))
    assert created
    return case


def test_a_finding_opens_a_case_that_holds_its_entries(member, flagged):
    assert flagged.status == CaseStatus.OPEN
    assert ledger.balances(member) == ledger.Balances(0, 0, held_points=40, held_credit=5_000)
    assert flagged.holds.count() == 2
    assert ledger.audit() == []


def test_the_same_finding_again_opens_nothing_and_holds_only_new_entries(member, flagged):
    more = earn(member, Currency.CREDIT, 1_000, "c2")
    entries = [*flagged.holds.values_list("source", flat=True), more.pk]
    again = finding(member, [])
    again = Finding(**{**again.__dict__, "entry_ids": tuple(entries)})

    case, created = services.open_case(finding=again)

    assert (case.pk, created) == (flagged.pk, False)
    assert FraudCase.objects.count() == 1
    assert flagged.holds.count() == 3
    assert ledger.balances(member).held_credit == 6_000


def test_a_decided_case_is_not_reopened_by_the_next_scan(member, flagged, manager):
    services.decide(case=flagged, confirm=False, actor=manager, reason="honest")
    more = earn(member, Currency.CREDIT, 1_000, "c2")
    case, created = services.open_case(finding=finding(member, [more]))
    assert not created and case.status == CaseStatus.CLEARED
    assert ledger.balances(member).held_credit == 0


def test_clearing_releases_records_and_tells_the_member(member, flagged, manager):
    services.decide(case=flagged, confirm=False, actor=manager, reason="Same family, honest.")

    flagged.refresh_from_db()
    assert flagged.status == CaseStatus.CLEARED
    assert (flagged.decided_by, flagged.decision_note) == (manager, "Same family, honest.")
    assert ledger.balances(member) == ledger.Balances(40, 5_000)
    assert set(flagged.holds.values_list("status", flat=True)) == {HoldStatus.RELEASED}
    entry = AuditEntry.objects.get(action=Action.BALANCE_ADJUSTED, target_user=member)
    assert entry.actor == manager and entry.target_id == flagged.pk
    assert entry.detail["credit_released"] == 5_000 and entry.detail["decision"] == "cleared"
    note = Notification.objects.get(member=member, kind="fraud_decision")
    assert "back" in note.title
    assert ledger.audit() == []


def test_confirming_forfeits_and_tells_the_member(member, flagged, manager):
    services.decide(case=flagged, confirm=True, actor=manager, reason="Planted accounts.")

    assert ledger.balances(member) == ledger.Balances(0, 0)
    assert set(flagged.holds.values_list("forfeited", flat=True)) == {40, 5_000}
    note = Notification.objects.get(member=member, kind="fraud_decision")
    assert "withdrawn 40 points and 5000 rials" in note.body
    assert ledger.audit() == []


def test_a_case_is_decided_once_and_needs_a_reason(member, flagged, manager):
    with pytest.raises(services.ReasonRequired):
        services.decide(case=flagged, confirm=True, actor=manager, reason="  ")
    flagged.refresh_from_db()
    assert flagged.status == CaseStatus.OPEN
    assert ledger.balances(member).held_credit == 5_000

    services.decide(case=flagged, confirm=False, actor=manager, reason="ok")
    with pytest.raises(services.AlreadyDecided):
        services.decide(case=flagged, confirm=True, actor=manager, reason="changed my mind")
    assert ledger.balances(member) == ledger.Balances(40, 5_000)


def test_scan_opens_each_finding_once_and_tells_the_managers(member, manager, monkeypatch):
    entry = earn(member, Currency.CREDIT, 5_000, "c1")
    monkeypatch.setattr(rules, "run_all", lambda now=None: [finding(member, [entry])])

    assert services.scan(dry_run=True).opened == []
    assert FraudCase.objects.count() == 0

    first = services.scan()
    second = services.scan()

    assert (first.findings, len(first.opened), len(second.opened)) == (1, 1, 0)
    assert Notification.objects.filter(member=manager, kind="fraud_cases").count() == 1
    assert ledger.balances(member).held_credit == 5_000


# --- Screens ------------------------------------------------------------------------------


def test_the_queue_lists_open_cases_in_a_fixed_number_of_queries(
    client, manager, make_user, django_assert_num_queries
):
    client.force_login(manager)

    def fill(count):
        for _index in range(count):
            person = make_user()
            entry = earn(person, Currency.CREDIT, 1_000, f"q{person.pk}")
            services.open_case(finding=finding(person, [entry], key=f"k:{person.pk}"))

    fill(1)
    client.get(reverse("fraud:queue"))  # warm the session and content types
    with CaptureQueriesContext(connection) as one:
        response = client.get(reverse("fraud:queue"))
    assert response.status_code == 200
    fill(24)
    with django_assert_num_queries(len(one.captured_queries)):
        response = client.get(reverse("fraud:queue"))
    page = response.content.decode()
    assert page.count('href="/staff/fraud/') == 25
    assert "1,000" in page or "۱٬۰۰۰" in page


def test_the_queue_filters_by_status(client, manager, member, flagged):
    client.force_login(manager)
    services.decide(case=flagged, confirm=False, actor=manager, reason="ok")
    assert f"/staff/fraud/{flagged.pk}/" not in client.get(reverse("fraud:queue")).content.decode()
    cleared = client.get(reverse("fraud:queue"), {"status": "cleared"}).content.decode()
    assert f"/staff/fraud/{flagged.pk}/" in cleared


def test_the_case_page_shows_evidence_and_decides(client, manager, member, flagged):
    client.force_login(manager)
    url = reverse("fraud:case", args=[flagged.pk])
    page = client.get(url).content.decode()
    assert f"Member #{member.pk} brought 3 referees" in page
    assert "Referees" in page and "Purchase" in page

    response = client.post(url, {"decision": "confirm", "reason": "Planted."})

    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.status == CaseStatus.CONFIRMED
    assert "Planted." in client.get(url).content.decode()


@pytest.mark.parametrize(
    "data", [{"decision": "confirm", "reason": ""}, {"decision": "burn", "reason": "x"}, {}]
)
def test_a_bad_decision_is_refused_and_changes_nothing(client, manager, member, flagged, data):
    client.force_login(manager)
    response = client.post(reverse("fraud:case", args=[flagged.pk]), data)
    assert response.status_code == 400
    flagged.refresh_from_db()
    assert flagged.status == CaseStatus.OPEN
    assert ledger.balances(member).held_credit == 5_000


def test_deciding_a_decided_case_says_so(client, manager, member, flagged):
    client.force_login(manager)
    services.decide(case=flagged, confirm=False, actor=manager, reason="ok")
    response = client.post(
        reverse("fraud:case", args=[flagged.pk]), {"decision": "confirm", "reason": "late"}
    )
    # The form is gone once decided; a stale page posting anyway gets the error.
    assert response.status_code == 400
    assert "decided this case already" in response.content.decode()
    assert ledger.balances(member) == ledger.Balances(40, 5_000)


@pytest.mark.parametrize(
    "role", [roles.MEMBER, roles.CASHIER, roles.SUPPORT_AGENT, roles.MODERATOR]
)
def test_only_managers_see_or_decide_a_case(client, make_user, flagged, role):
    client.force_login(make_user(role))
    url = reverse("fraud:case", args=[flagged.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"decision": "confirm", "reason": "x"}).status_code == 403
    flagged.refresh_from_db()
    assert flagged.status == CaseStatus.OPEN


def test_anonymous_visitors_go_to_log_in(client, flagged):
    response = client.get(reverse("fraud:case", args=[flagged.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_managers_deciding_at_once_decide_once(make_user):
    person = make_user()
    entry = earn(person, Currency.CREDIT, 5_000, "c1")
    case, _created = services.open_case(finding=finding(person, [entry]))
    managers = [make_user(roles.CLUB_MANAGER) for _ in range(6)]

    def decide(index):
        return lambda: services.decide(
            case=case, confirm=index % 2 == 0, actor=managers[index], reason=f"r{index}"
        )

    results, errors = run_in_threads(
        [decide(i) for i in range(6)], refusals=(services.AlreadyDecided,)
    )

    assert errors == []
    assert sum(isinstance(r, FraudCase) for r in results) == 1
    case.refresh_from_db()
    expected = 0 if case.status == CaseStatus.CONFIRMED else 5_000
    assert ledger.balances(person) == ledger.Balances(0, expected)
    assert AuditEntry.objects.filter(action=Action.BALANCE_ADJUSTED).count() == 1
    assert holds.held(person) == holds.Held(0, 0)
    assert ledger.audit() == []


def test_the_club_manager_edits_the_thresholds_in_wagtail(client, make_user):
    from portal.fraud.models import FraudSettings

    FraudSettings.load()
    url = reverse("wagtailsnippets_fraud_fraudsettings:edit", args=[1])
    client.force_login(make_user(roles.MODERATOR))
    assert client.get(url).status_code in (302, 403)
    client.force_login(make_user(roles.CLUB_MANAGER))
    assert "Fraud rules" in client.get(reverse("wagtailadmin_home")).content.decode()
    assert client.get(url).status_code == 200
    assert client.get(reverse("wagtailsnippets_fraud_fraudsettings:add")).status_code in (302, 403)
