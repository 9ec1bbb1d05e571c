"""Each fraud rule fires on its planted case and stays quiet on an honest control group."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cardgateway import services as gateway
from cardgateway.models import GatewaySettings
from gamification import activity
from gamification.models import Action, EntryKind, LedgerEntry
from portal.accounts.services import update_profile
from portal.fraud import rules
from portal.fraud.models import Rule, SignupSignal
from portal.fraud.signals import device_hash

from .conftest import NOW, assert_no_personal_data, branch, buy, refer

pytestmark = pytest.mark.django_db

SINCE = NOW - timedelta(days=30)


def run(rule, settings, *, since=SINCE, until=NOW):
    return rule(since=since, until=until, settings=settings)


def credits_about(*subjects) -> set[int]:
    """The positive entries (points and credit) about the given Referrals / Transactions."""
    ids = set()
    for subject in subjects:
        ids |= set(
            LedgerEntry.objects.filter(
                subject_type=ContentType.objects.get_for_model(subject),
                subject_id=subject.pk,
                amount__gt=0,
            ).values_list("pk", flat=True)
        )
    return ids


def signal(member, *, device="", ip=None):
    return SignupSignal.objects.create(
        member=member, device=device_hash(device) if device else "", ip=ip
    )


def set_address(member, address, city):
    profile = member.profile
    profile.address, profile.city = address, city
    profile.save(update_fields=["address", "city"])


# --- Referral: shared device, IP address or address -------------------------------------


def test_shared_signal_flags_referees_on_the_referrers_device_ip_or_address(
    clock, make_user, card_holder, fraud_settings
):
    referrer = make_user(email="referrer@example.com")
    signal(referrer, device="device-of-the-referrer", ip="203.0.113.7")
    set_address(referrer, "Valiasr St., No. 12", "Tehran")
    same_device = card_holder(email="dev@example.com").member
    signal(same_device, device="device-of-the-referrer", ip="198.51.100.1")
    same_ip = make_user(email="ip@example.com")
    signal(same_ip, device="another-device", ip="203.0.113.7")
    same_address = make_user(email="addr@example.com")
    signal(same_address, device="third-device", ip="192.0.2.55")
    set_address(same_address, "  valiasr st  no ۱۲ ", "TEHRAN")
    by_device = refer(referrer, same_device)
    by_ip = refer(referrer, same_ip)
    by_address = refer(referrer, same_address)
    # The device referee buys: the referrer gets first-purchase points and a share.
    buy(same_device.cards.get())

    findings = {f.key: f for f in run(rules.referral_shared_signal, fraud_settings)}

    assert set(findings) == {
        f"referral_shared_signal:{by_device.pk}",
        f"referral_shared_signal:{by_ip.pk}",
        f"referral_shared_signal:{by_address.pk}",
    }
    device_case = findings[f"referral_shared_signal:{by_device.pk}"]
    assert device_case.rule == Rule.REFERRAL_SHARED_SIGNAL
    assert device_case.member_id == referrer.pk
    assert device_case.suspect_id is None
    assert set(device_case.entry_ids) == credits_about(by_device)
    kinds = set(
        LedgerEntry.objects.filter(pk__in=device_case.entry_ids).values_list("kind", flat=True)
    )
    assert kinds == {EntryKind.AWARD, EntryKind.REFERRAL_SHARE}
    assert len(device_case.entry_ids) == 3  # signed up, first purchase, share
    assert device_case.params == {"referee": same_device.pk, "referrer": referrer.pk}
    labels = [label for label, _value in device_case.evidence["facts"]]
    assert "Same device" in labels and "Same IP address" not in labels
    ip_facts = dict(findings[f"referral_shared_signal:{by_ip.pk}"].evidence["facts"])
    assert ip_facts["Same IP address"] == "203.0.113.*"
    assert set(findings[f"referral_shared_signal:{by_ip.pk}"].entry_ids) == credits_about(by_ip)
    address_facts = dict(findings[f"referral_shared_signal:{by_address.pk}"].evidence["facts"])
    assert "Same address, in" in address_facts
    assert_no_personal_data(findings.values(), [referrer, same_device, same_ip, same_address])


def test_shared_signal_stays_quiet_for_friends_on_their_own_devices(
    clock, make_user, fraud_settings
):
    referrer = make_user()
    signal(referrer, device="referrer-phone", ip="203.0.113.7")
    set_address(referrer, "Valiasr St. 12", "Tehran")
    for n, (address, city) in enumerate(
        [("", ""), ("Valiasr St. 14", "Tehran"), ("Valiasr St. 12", "Shiraz")]
    ):
        friend = make_user()
        signal(friend, device=f"friend-phone-{n}", ip=f"198.51.100.{n + 1}")
        set_address(friend, address, city)
        refer(referrer, friend)
    # Neither has an address or a signal at all: nothing in common either.
    refer(make_user(), make_user())

    assert run(rules.referral_shared_signal, fraud_settings) == []


def test_shared_signal_only_looks_at_referrals_made_in_the_window(clock, make_user, fraud_settings):
    referrer, referee = make_user(), make_user()
    signal(referrer, device="one-browser")
    signal(referee, device="one-browser")
    clock(days_ago=31)
    refer(referrer, referee)
    clock()

    assert run(rules.referral_shared_signal, fraud_settings) == []


# --- Referral: mobile numbers in a pattern ---------------------------------------------------


def test_mobile_pattern_flags_referees_sharing_leading_digits(clock, make_user, fraud_settings):
    referrer = make_user(mobile="+989121110000")
    # Two share 0935123450x with each other, one 091211100xx with the referrer.
    patterned = [
        make_user(mobile="+989351234501"),
        make_user(mobile="+989351234502"),
        make_user(mobile="+989121110077"),
    ]
    unrelated = make_user(mobile="+989197654321")
    referrals = [refer(referrer, referee) for referee in [*patterned, unrelated]]

    [finding] = run(rules.referral_mobile_pattern, fraud_settings)

    assert finding.key == f"referral_mobile_pattern:{referrer.pk}"
    assert finding.rule == Rule.REFERRAL_MOBILE_PATTERN
    assert finding.member_id == referrer.pk
    assert finding.params == {"count": 3, "referrer": referrer.pk, "digits": 9}
    assert set(finding.entry_ids) == credits_about(*referrals[:3])
    rows = finding.evidence["rows"]
    assert [row[0] for row in rows] == [referee.pk for referee in patterned]
    assert [row[1] for row in rows] == ["0935***4501", "0935***4502", "0912***0077"]
    assert rows[0][2] == rows[1][2] != rows[2][2]
    assert dict(finding.evidence["facts"])["Referrer's group"] == rows[2][2]
    assert_no_personal_data([finding], [referrer, *patterned])


def test_mobile_pattern_stays_quiet_for_ordinary_numbers_and_small_groups(
    clock, make_user, fraud_settings
):
    honest = make_user(mobile="+989121110000")
    for mobile in ["+989121234567", "+989359876543", "+989191112233", "+447911123456"]:
        refer(honest, make_user(mobile=mobile))
    # Only two in a pattern: under the threshold of three.
    pair = make_user(mobile="+989121110001")
    refer(pair, make_user(mobile="+989351234501"))
    refer(pair, make_user(mobile="+989351234502"))
    refer(pair, make_user())  # no mobile at all

    assert run(rules.referral_mobile_pattern, fraud_settings) == []


# --- Referral: sign up, buy once, vanish ----------------------------------------------------


def _referee_who_buys_once(clock, referrer, card_holder, *, days_ago=45):
    clock(days_ago=days_ago + 5)
    card = card_holder()
    referral = refer(referrer, card.member)
    clock(days_ago=days_ago)
    txn = buy(card)
    return referral, card, txn


def test_chain_flags_a_referrer_whose_referees_buy_once_and_vanish(
    clock, make_user, card_holder, fraud_settings
):
    clock(days_ago=60)
    referrer = make_user()
    planted = [_referee_who_buys_once(clock, referrer, card_holder) for _n in range(3)]
    clock()

    [finding] = run(rules.referral_chain, fraud_settings)

    assert finding.key == f"referral_chain:{referrer.pk}"
    assert finding.rule == Rule.REFERRAL_CHAIN
    assert finding.member_id == referrer.pk
    referrals = [referral for referral, _card, _txn in planted]
    assert set(finding.entry_ids) == credits_about(*referrals)
    # Signed-up points, first-purchase points and the share, for each of the three.
    assert len(finding.entry_ids) == 9
    assert [row[0] for row in finding.evidence["rows"]] == [r.referee_id for r in referrals]
    assert finding.evidence["rows"][0][3] == 1_000_000
    assert_no_personal_data([finding], [referrer, *(r.referee for r in referrals)])


def test_chain_stays_quiet_when_referees_come_back(
    clock, make_user, card_holder, client, fraud_settings
):
    clock(days_ago=60)
    referrer = make_user()
    _r1, buys_again, _t1 = _referee_who_buys_once(clock, referrer, card_holder)
    _r2, logs_in, _t2 = _referee_who_buys_once(clock, referrer, card_holder)
    _r3, earns, _t3 = _referee_who_buys_once(clock, referrer, card_holder)
    clock(days_ago=20)
    buy(buys_again)
    client.force_login(logs_in.member)
    activity.record(member=earns.member, action=Action.SHARED, subject=earns)
    # A fourth still within the quiet period: too early to call.
    _referee_who_buys_once(clock, referrer, card_holder, days_ago=10)
    clock()

    assert run(rules.referral_chain, fraud_settings) == []


def test_chain_needs_as_many_vanished_referees_as_the_threshold(
    clock, make_user, card_holder, fraud_settings
):
    clock(days_ago=60)
    referrer = make_user()
    for _n in range(2):
        _referee_who_buys_once(clock, referrer, card_holder)
    # A referee who never bought is no chain link either.
    clock(days_ago=50)
    refer(referrer, make_user())
    clock()

    assert run(rules.referral_chain, fraud_settings) == []


# --- Till: the cashier's own card -----------------------------------------------------------


def test_own_card_flags_a_cashier_crediting_their_own_card(
    clock, cashier, card_holder, branches, fraud_settings
):
    till = cashier()
    own_card = gateway.issue_card(member=till)
    customer = card_holder()
    txn = buy(own_card, 2_000_000, branch=branches["tehran"], cashier=till)
    buy(customer, 2_000_000, branch=branches["tehran"], cashier=till)

    [finding] = run(rules.till_own_card, fraud_settings)

    assert finding.key == f"till_own_card:txn:{txn.pk}"
    assert finding.rule == Rule.TILL_OWN_CARD
    assert finding.member_id == till.pk and finding.suspect_id == till.pk
    assert set(finding.entry_ids) == credits_about(txn)
    assert set(
        LedgerEntry.objects.filter(pk__in=finding.entry_ids).values_list("kind", flat=True)
    ) == {EntryKind.CASHBACK, EntryKind.PURCHASE_POINTS}
    assert dict(finding.evidence["facts"])["Card"] == own_card.masked
    assert_no_personal_data([finding], [till])


def test_own_card_stays_quiet_for_cashiers_serving_customers(
    clock, cashier, card_holder, branches, fraud_settings
):
    for _n in range(3):
        till = cashier()
        for _m in range(3):
            buy(card_holder(), branch=branches["tehran"], cashier=till)
    # A reader posting with no cashier at all.
    buy(card_holder(), branch=branches["tehran"])

    assert run(rules.till_own_card, fraud_settings) == []


# --- Till: the same few cards ---------------------------------------------------------------


def _spread(till, cards, branch, count):
    """An honest cashier: `count` purchases over different cards."""
    for n in range(count):
        buy(cards[n % len(cards)], branch=branch, cashier=till)


def test_concentration_flags_a_cashier_crediting_the_same_few_cards(
    clock, cashier, card_holder, branches, fraud_settings
):
    tehran = branches["tehran"]
    customers = [card_holder() for _n in range(30)]
    for _n in range(3):
        _spread(cashier(), customers, tehran, 24)
    suspect = cashier()
    favourites = [card_holder() for _n in range(3)]
    txns = []
    for card, times in zip(favourites, (7, 6, 5), strict=True):
        txns += [buy(card, branch=tehran, cashier=suspect) for _n in range(times)]
    _spread(suspect, customers[:6], tehran, 6)

    [finding] = run(rules.till_concentration, fraud_settings)

    assert finding.key == f"till_concentration:{tehran.pk}:{suspect.pk}"
    assert finding.rule == Rule.TILL_CONCENTRATION
    assert finding.suspect_id == suspect.pk
    assert finding.member_id == favourites[0].member_id  # the card that gained most
    assert set(finding.entry_ids) == credits_about(*txns)
    assert len(finding.entry_ids) == 36  # cashback and points of 18 purchases
    facts = dict(finding.evidence["facts"])
    assert facts["Share of the top cards (%)"] == 75.0
    assert facts["Branch's median share (%)"] == 12.5
    assert [row[0] for row in finding.evidence["rows"]] == [c.masked for c in favourites]
    assert [row[2] for row in finding.evidence["rows"]] == [7, 6, 5]
    assert_no_personal_data([finding], [suspect, *(c.member for c in favourites)])


def test_concentration_stays_quiet_for_cashiers_with_a_normal_spread(
    clock, cashier, card_holder, branches, fraud_settings
):
    customers = [card_holder() for _n in range(30)]
    for n in range(4):
        # Regulars exist everywhere: each cashier's busiest card comes back a few times.
        till = cashier()
        buy(customers[n], branch=branches["tehran"], cashier=till)
        buy(customers[n], branch=branches["tehran"], cashier=till)
        _spread(till, customers[5:], branches["tehran"], 22)
    # A lone cashier at another branch has nobody to be compared with.
    solo = cashier()
    for n in range(20):
        buy(customers[n % 3], branch=branches["isfahan"], cashier=solo)
    # A cashier with few purchases is not compared at all.
    few = cashier()
    for _n in range(5):
        buy(customers[1], branch=branches["tehran"], cashier=few)

    assert run(rules.till_concentration, fraud_settings) == []


# --- Till: just under the limit -------------------------------------------------------------


@pytest.fixture
def limit_10m(db):
    GatewaySettings.objects.update_or_create(pk=1, defaults={"max_purchase_amount": 10_000_000})


def test_near_limit_flags_a_card_with_many_purchases_just_under_the_limit(
    clock, limit_10m, cashier, card_holder, branches, fraud_settings
):
    till = cashier()
    card = card_holder()
    txns = [
        buy(card, amount, branch=branches["tehran"], cashier=till)
        for amount in (9_500_000, 9_990_000, 10_000_000)
    ]
    buy(card, 2_000_000, branch=branches["tehran"], cashier=till)  # not near: not held

    [finding] = run(rules.till_near_limit, fraud_settings)

    assert finding.key == f"till_near_limit:card:{card.pk}"
    assert finding.rule == Rule.TILL_NEAR_LIMIT
    assert finding.member_id == card.member_id
    assert finding.suspect_id == till.pk  # one cashier posted them all
    assert set(finding.entry_ids) == credits_about(*txns)
    assert [row[4] for row in finding.evidence["rows"]] == [9_500_000, 9_990_000, 10_000_000]
    assert finding.params["card"] == card.masked
    assert_no_personal_data([finding], [card.member, till])


def test_near_limit_stays_quiet_well_under_the_limit_and_below_the_count(
    clock, limit_10m, card_holder, branches, fraud_settings
):
    tehran = branches["tehran"]
    big_spender = card_holder()
    for amount in (5_000_000, 8_000_000, 9_000_000, 9_499_999):
        buy(big_spender, amount, branch=tehran)
    twice = card_holder()
    buy(twice, 9_900_000, branch=tehran)
    buy(twice, 9_800_000, branch=tehran)
    # Near-limit purchases before the window do not count.
    old = card_holder()
    clock(days_ago=40)
    for _n in range(3):
        buy(old, 9_900_000, branch=tehran)
    clock()

    assert run(rules.till_near_limit, fraud_settings) == []


# --- Till: impossible travel ----------------------------------------------------------------


def test_impossible_travel_flags_one_card_at_two_distant_branches_too_soon(
    clock, cashier, card_holder, branches, fraud_settings
):
    card = card_holder()
    clock(hours=-1)
    first = buy(card, branch=branches["tehran"])
    clock()
    till = cashier()
    second = buy(card, branch=branches["isfahan"], cashier=till)

    [finding] = run(rules.till_impossible_travel, fraud_settings)

    assert finding.key == f"till_impossible_travel:txn:{second.pk}"
    assert finding.rule == Rule.TILL_IMPOSSIBLE_TRAVEL
    assert finding.member_id == card.member_id
    assert finding.suspect_id == till.pk
    assert set(finding.entry_ids) == credits_about(second)
    facts = dict(finding.evidence["facts"])
    assert 330 < facts["Distance (km)"] < 350
    assert facts["Minutes between"] == 60
    assert facts["Speed needed (km/h)"] > 300
    assert [row[1] for row in finding.evidence["rows"]] == [first.receipt, second.receipt]
    assert_no_personal_data([finding], [card.member, till])


def test_impossible_travel_stays_quiet_in_one_city_and_on_long_trips(
    clock, card_holder, branches, fraud_settings
):
    local = card_holder()
    clock(hours=-4)
    buy(local, branch=branches["tehran"])
    clock(hours=-1)
    buy(local, branch=branches["tehran-north"])  # ~10 km in 3 hours
    buy(local, branch=branches["tehran-north"])  # same branch again
    traveller = card_holder()
    clock(hours=-9)
    buy(traveller, branch=branches["tehran"])
    clock()
    buy(traveller, branch=branches["isfahan"])  # ~340 km in 9 hours
    # A branch without coordinates is left out rather than guessed.
    unknown = card_holder()
    clock(minutes=-5)
    buy(unknown, branch=branches["tehran"])
    clock()
    buy(unknown, branch=branches["nowhere"])

    assert run(rules.till_impossible_travel, fraud_settings) == []


def test_impossible_travel_uses_the_readers_time_of_sale(
    clock, card_holder, branches, fraud_settings
):
    """An offline reader posts late: the sale times, nine hours apart, are what count."""
    card = card_holder()
    buy(card, branch=branches["tehran"], occurred_at=NOW - timedelta(hours=9))
    buy(card, branch=branches["isfahan"], occurred_at=NOW)

    assert run(rules.till_impossible_travel, fraud_settings) == []


# --- All rules together ---------------------------------------------------------------------


def test_run_all_looks_back_scan_days_and_returns_every_rules_findings(
    clock, cashier, make_user, branches, fraud_settings
):
    till = cashier()
    card = gateway.issue_card(member=till)
    clock(days_ago=10)
    recent = buy(card, branch=branches["tehran"], cashier=till)
    clock(days_ago=40)
    buy(card, branch=branches["tehran"], cashier=till)
    clock()

    findings = rules.run_all(now=NOW)

    assert [f.key for f in findings] == [f"till_own_card:txn:{recent.pk}"]
    fraud_settings.scan_days = 60
    fraud_settings.save()
    assert len(rules.run_all(now=NOW)) == 2


def test_near_limit_reads_the_default_limit_without_creating_the_settings_row(
    clock, card_holder, branches, fraud_settings
):
    card = card_holder()
    GatewaySettings.objects.all().delete()
    for _n in range(3):
        buy(card, 499_000_000, branch=branches["tehran"])
    GatewaySettings.objects.all().delete()  # post_purchase loads (and so creates) it

    [finding] = run(rules.till_near_limit, fraud_settings)

    assert finding.params["limit"] == 500_000_000
    assert not GatewaySettings.objects.exists()


def test_helpers_mask_what_they_show():
    assert rules.mask_mobile("+989121234567") == "0912***4567"
    assert rules.mask_mobile("+447911123456") == "4479***3456"
    assert rules.mask_mobile(None) == ""
    assert rules.mask_ip("203.0.113.77") == "203.0.113.*"
    assert rules.mask_ip("2001:db8::1") == "2001:0db8:0000:*"
    assert rules.normalise_address("Valiasr St., No. ۱۲") == "valiasr st no 12"
    assert rules.normalise_address("خيابان ولي") == rules.normalise_address("خیابان ولی")
    assert 340 < rules.haversine_km(35.7153, 51.4043, 32.6575, 51.6776) < 345


def test_update_profile_address_is_what_the_address_rule_compares(clock, make_user, fraud_settings):
    """The rule reads the profile the member edits on the site."""
    referrer, referee = make_user(), make_user()
    for member in (referrer, referee):
        update_profile(
            user=member,
            mobile=None,
            profile_data={"address": "Hafez St. 5", "city": "Shiraz"},
            interests=[],
            sms_consent=False,
            email_consent=False,
        )
    referral = refer(referrer, referee)

    [finding] = run(rules.referral_shared_signal, fraud_settings)

    assert finding.key == f"referral_shared_signal:{referral.pk}"
    assert dict(finding.evidence["facts"])["Same address, in"] == "Shiraz"


# --- Queries do not grow with the data -------------------------------------------------------

_serials = iter(range(1000, 10_000))


def _plant_shared_signal(make_user, **_fixtures):
    referrer, referee = make_user(), make_user()
    signal(referrer, device=f"browser-{referrer.pk}")
    signal(referee, device=f"browser-{referrer.pk}")
    refer(referrer, referee)


def _plant_mobile_pattern(make_user, **_fixtures):
    referrer, serial = make_user(), next(_serials)
    for n in range(2):
        refer(referrer, make_user(mobile=f"+98935{serial}{n:03d}"))


def _plant_chain(make_user, card_holder, clock, **_fixtures):
    clock(days_ago=60)
    referrer = make_user()
    _referee_who_buys_once(clock, referrer, card_holder)
    clock()


def _plant_own_card(cashier, branches, **_fixtures):
    till = cashier()
    buy(gateway.issue_card(member=till), branch=branches["tehran"], cashier=till)


def _plant_concentration(cashier, card_holder, **_fixtures):
    shop = branch(f"shop-{next(_serials)}", "Karaj", None, None)
    honest, suspect, favourite = cashier(), cashier(), card_holder()
    buy(card_holder(), branch=shop, cashier=honest)
    buy(card_holder(), branch=shop, cashier=honest)
    buy(favourite, branch=shop, cashier=suspect)
    buy(favourite, branch=shop, cashier=suspect)


def _plant_near_limit(card_holder, branches, **_fixtures):
    buy(card_holder(), 9_900_000, branch=branches["tehran"])


def _plant_travel(card_holder, branches, clock, **_fixtures):
    card = card_holder()
    clock(minutes=-30)
    buy(card, branch=branches["tehran"])
    clock()
    buy(card, branch=branches["isfahan"])


PLANTERS = {
    "referral_shared_signal": _plant_shared_signal,
    "referral_mobile_pattern": _plant_mobile_pattern,
    "referral_chain": _plant_chain,
    "till_own_card": _plant_own_card,
    "till_concentration": _plant_concentration,
    "till_near_limit": _plant_near_limit,
    "till_impossible_travel": _plant_travel,
}
# Small thresholds, so one planted case is a handful of rows.
CHEAP = {
    "mobile_pattern_min_referees": 2,
    "chain_min_referees": 1,
    "concentration_min_purchases": 2,
    "concentration_top_cards": 1,
    "concentration_factor": 2,
    "near_limit_min_count": 1,
}
# What each rule costs, whatever the data: rows, then the entries to hold (plus, for the
# till rules, the limit or the branches, and for concentration the per-cashier totals).
QUERIES = {
    "referral_shared_signal": 2,
    "referral_mobile_pattern": 2,
    "referral_chain": 2,
    "till_own_card": 2,
    "till_concentration": 4,
    "till_near_limit": 3,
    "till_impossible_travel": 3,
}


def test_every_rule_has_a_planter():
    # The like ring has its own module (tests/fraud/test_like_ring.py).
    assert set(PLANTERS) | {Rule.LIKE_RING} == {rule.__name__ for rule in rules.RULES}
    assert set(PLANTERS) | {Rule.LIKE_RING} == set(Rule.values)


@pytest.mark.parametrize("name", sorted(PLANTERS))
def test_a_rules_queries_do_not_grow_with_the_data(
    name,
    clock,
    make_user,
    cashier,
    card_holder,
    branches,
    limit_10m,
    fraud_settings,
    django_assert_num_queries,
):
    rule = getattr(rules, name)
    for field, value in CHEAP.items():
        setattr(fraud_settings, field, value)
    fixtures = {
        "make_user": make_user,
        "cashier": cashier,
        "card_holder": card_holder,
        "branches": branches,
        "clock": clock,
    }
    PLANTERS[name](**fixtures)
    with django_assert_num_queries(QUERIES[name]):
        assert len(run(rule, fraud_settings)) == 1
    for _n in range(9):
        PLANTERS[name](**fixtures)
    with django_assert_num_queries(QUERIES[name]):
        found = run(rule, fraud_settings)
    assert len(found) == 10
    assert all(f.entry_ids for f in found)


def test_rules_only_read(
    clock, make_user, cashier, card_holder, branches, limit_10m, fraud_settings
):
    for field, value in CHEAP.items():
        setattr(fraud_settings, field, value)
    fixtures = {
        "make_user": make_user,
        "cashier": cashier,
        "card_holder": card_holder,
        "branches": branches,
        "clock": clock,
    }
    for plant in PLANTERS.values():
        plant(**fixtures)

    with CaptureQueriesContext(connection) as queries:
        found = [f for rule in rules.RULES for f in run(rule, fraud_settings)]

    assert {f.rule for f in found} == set(PLANTERS)
    statements = {query["sql"].split()[0].upper() for query in queries.captured_queries}
    assert statements == {"SELECT"}
