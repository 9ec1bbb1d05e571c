import re
import threading
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone

from gamification import ledger, rewards
from gamification.models import EntryKind, LedgerEntry, Reward, Voucher
from portal.accounts import roles
from tests.gamification.conftest import give_points

pytestmark = pytest.mark.django_db

CODE_RE = re.compile(r"^[ACDEFGHJKMNPQRTUVWXY34679]{5}-[ACDEFGHJKMNPQRTUVWXY34679]{5}$")


def points(member) -> int:
    return ledger.balances(member).points


def make_reward(**fields) -> Reward:
    fields.setdefault("name", "Free coffee")
    fields.setdefault("points_cost", 100)
    fields.setdefault("stock", 5)
    fields.setdefault("valid_from", timezone.now() - timedelta(days=1))
    return Reward.objects.create(**fields)


def redeem(member, reward, key=None, **kwargs) -> Voucher:
    return rewards.redeem_reward(
        member=member, reward=reward, idempotency_key=key or str(uuid.uuid4()), **kwargs
    )


def state(member, reward) -> tuple:
    """Everything a refusal must leave untouched."""
    reward.refresh_from_db()
    return (
        points(member),
        reward.stock,
        Voucher.objects.count(),
        LedgerEntry.objects.count(),
    )


@pytest.fixture
def rich_member(member):
    give_points(member, 1_000)
    return member


@pytest.fixture
def cashier(make_user):
    return make_user(roles.CASHIER)


# --- Redeeming ---------------------------------------------------------------------------


def test_redeem_spends_the_points_takes_one_from_stock_and_issues_a_voucher(rich_member):
    reward = make_reward(points_cost=300, stock=2, voucher_days=10)
    at = timezone.now()
    voucher = redeem(rich_member, reward, at=at)
    reward.refresh_from_db()
    assert points(rich_member) == 700
    assert reward.stock == 1
    assert (voucher.member, voucher.reward, voucher.status) == (
        rich_member,
        reward,
        Voucher.Status.ISSUED,
    )
    assert voucher.expires_at == at + timedelta(days=10)
    assert (voucher.entry.kind, voucher.entry.amount, voucher.entry.subject) == (
        EntryKind.REWARD,
        -300,
        reward,
    )
    assert ledger.audit() == []


def test_unlimited_stock_stays_unlimited(rich_member):
    reward = make_reward(stock=None)
    redeem(rich_member, reward)
    reward.refresh_from_db()
    assert reward.stock is None


def test_the_same_key_returns_the_same_voucher_and_spends_once(rich_member):
    reward = make_reward(points_cost=100, per_member_limit=5)
    first = redeem(rich_member, reward, key="k-1")
    again = redeem(rich_member, reward, key="k-1")
    reward.refresh_from_db()
    assert again.pk == first.pk and again.code == first.code
    assert points(rich_member) == 900
    assert reward.stock == 4
    assert Voucher.objects.count() == 1


def test_a_replay_returns_the_voucher_even_after_the_reward_ran_out(rich_member):
    reward = make_reward(stock=1)
    first = redeem(rich_member, reward, key="k-1")
    assert redeem(rich_member, reward, key="k-1").pk == first.pk


def test_the_same_key_for_another_reward_is_refused_and_changes_nothing(rich_member):
    redeem(rich_member, make_reward(), key="k-1")
    other = make_reward(name="Cinema ticket")
    before = state(rich_member, other)
    with pytest.raises(rewards.KeyReused):
        redeem(rich_member, other, key="k-1")
    assert state(rich_member, other) == before


def test_the_same_key_for_another_member_is_refused(rich_member, make_user):
    reward = make_reward()
    redeem(rich_member, reward, key="k-1")
    someone = make_user()
    give_points(someone, 1_000)
    with pytest.raises(rewards.KeyReused):
        redeem(someone, reward, key="k-1")
    assert Voucher.objects.filter(member=someone).count() == 0
    assert points(someone) == 1_000


REFUSALS = {
    "inactive": ({"is_active": False}, rewards.RewardUnavailable, "reward_unavailable"),
    "not yet available": (
        {"valid_from": timezone.now() + timedelta(days=1)},
        rewards.RewardUnavailable,
        "reward_unavailable",
    ),
    "no longer available": (
        {"valid_until": timezone.now() - timedelta(minutes=1)},
        rewards.RewardUnavailable,
        "reward_unavailable",
    ),
    "out of stock": ({"stock": 0}, rewards.OutOfStock, "out_of_stock"),
    "too expensive": ({"points_cost": 1_001}, rewards.InsufficientPoints, "insufficient_points"),
}


@pytest.mark.parametrize("case", REFUSALS.values(), ids=REFUSALS.keys())
def test_a_refused_redemption_raises_its_code_and_changes_nothing(rich_member, case):
    fields, error, code = case
    reward = make_reward(**fields)
    before = state(rich_member, reward)
    with pytest.raises(error) as refused:
        redeem(rich_member, reward)
    assert refused.value.code == code
    assert str(refused.value)  # a message for people, not just a code
    assert state(rich_member, reward) == before


def test_a_member_with_no_points_account_yet_is_refused_for_insufficient_points(member):
    reward = make_reward()
    with pytest.raises(rewards.InsufficientPoints):
        redeem(member, reward)
    assert points(member) == 0
    assert Voucher.objects.count() == 0


def test_the_limit_refuses_once_the_member_holds_that_many_live_vouchers(rich_member):
    reward = make_reward(per_member_limit=2)
    redeem(rich_member, reward)
    redeem(rich_member, reward)
    before = state(rich_member, reward)
    with pytest.raises(rewards.LimitReached) as refused:
        redeem(rich_member, reward)
    assert refused.value.code == "limit_reached"
    assert state(rich_member, reward) == before


def test_the_limit_is_per_member(rich_member, make_user):
    reward = make_reward(per_member_limit=1)
    redeem(rich_member, reward)
    other = make_user()
    give_points(other, 100)
    redeem(other, reward)
    assert Voucher.objects.filter(reward=reward).count() == 2


def test_used_and_expired_vouchers_no_longer_count_toward_the_limit(rich_member, cashier):
    reward = make_reward(per_member_limit=1, voucher_days=1)
    now = timezone.now()
    used = redeem(rich_member, reward, at=now)
    rewards.consume_voucher(code=used.code, staff_user=cashier, at=now)
    redeem(rich_member, reward, at=now)  # the used one is no longer live
    with pytest.raises(rewards.LimitReached):
        redeem(rich_member, reward, at=now)
    redeem(rich_member, reward, at=now + timedelta(days=2))  # the second expired
    assert Voucher.objects.filter(member=rich_member).count() == 3


# --- Codes -------------------------------------------------------------------------------


def test_voucher_codes_are_ten_characters_without_look_alikes_in_two_groups(rich_member):
    reward = make_reward(stock=None, per_member_limit=5, points_cost=1)
    for _ in range(5):
        assert CODE_RE.match(redeem(rich_member, reward).code)


def test_new_codes_use_only_the_alphabet_and_do_not_repeat():
    codes = {rewards.new_voucher_code() for _ in range(5_000)}
    assert len(codes) == 5_000
    used = set("".join(codes).replace("-", ""))
    assert used <= set(rewards.CODE_ALPHABET)
    assert not used & set("0O1IL2Z5S8B")


def test_a_code_collision_is_retried_with_a_new_code(rich_member, monkeypatch):
    reward = make_reward(stock=None, per_member_limit=2)
    taken = redeem(rich_member, reward).code
    fresh = "ACDEF-GHJKM" if taken != "ACDEF-GHJKM" else "MKJHG-FEDCA"
    proposals = iter([taken, fresh])
    monkeypatch.setattr(rewards, "new_voucher_code", lambda: next(proposals))
    assert redeem(rich_member, reward).code == fresh
    assert points(rich_member) == 800


@pytest.mark.parametrize(
    "typed",
    ["ac3d4-67fgh", "  AC3D4 67FGH ", "ac3d467fgh", "AC3D4–67FGH", "AC۳D۴-۶۷FGH", "ac٣d٤٦٧fgh"],
)
def test_codes_are_normalised_from_what_people_type(typed):
    assert rewards.normalise_code(typed) == "AC3D4-67FGH"


# --- Checking and using ------------------------------------------------------------------


@pytest.fixture
def voucher(rich_member):
    return redeem(rich_member, make_reward(voucher_days=30))


def test_check_finds_the_voucher_typed_loosely_and_changes_nothing(voucher):
    found = rewards.check_voucher(code=voucher.code.lower().replace("-", " "))
    assert found.pk == voucher.pk
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.ISSUED


def test_check_of_persian_digits_finds_the_voucher(voucher):
    persian = voucher.code.translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert rewards.check_voucher(code=persian).pk == voucher.pk


@pytest.mark.parametrize("code", ["", "nonsense", "AAAAA-AAAAA"])
def test_an_unknown_code_is_refused(voucher, cashier, code):
    with pytest.raises(rewards.UnknownVoucher) as refused:
        rewards.check_voucher(code=code)
    assert refused.value.code == "unknown_voucher"
    with pytest.raises(rewards.UnknownVoucher):
        rewards.consume_voucher(code=code, staff_user=cashier)
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.ISSUED


def test_consume_marks_the_voucher_used_once(voucher, cashier):
    at = timezone.now()
    used = rewards.consume_voucher(code=voucher.code, staff_user=cashier, at=at)
    assert (used.status, used.consumed_at, used.consumed_by) == (
        Voucher.Status.CONSUMED,
        at,
        cashier,
    )


def test_a_voucher_cannot_be_used_twice(voucher, cashier, make_user):
    rewards.consume_voucher(code=voucher.code, staff_user=cashier)
    voucher.refresh_from_db()
    first_use = (voucher.consumed_at, voucher.consumed_by_id)
    manager = make_user(roles.CLUB_MANAGER)
    with pytest.raises(rewards.VoucherUsed) as refused:
        rewards.consume_voucher(code=voucher.code, staff_user=manager)
    assert refused.value.code == "voucher_used"
    assert refused.value.voucher.pk == voucher.pk
    voucher.refresh_from_db()
    assert (voucher.consumed_at, voucher.consumed_by_id) == first_use
    with pytest.raises(rewards.VoucherUsed):
        rewards.check_voucher(code=voucher.code)


def test_an_expired_voucher_is_refused_and_stays_issued(voucher, cashier):
    later = voucher.expires_at + timedelta(seconds=1)
    with pytest.raises(rewards.VoucherExpired) as refused:
        rewards.check_voucher(code=voucher.code, at=later)
    assert refused.value.code == "voucher_expired"
    with pytest.raises(rewards.VoucherExpired):
        rewards.consume_voucher(code=voucher.code, staff_user=cashier, at=later)
    voucher.refresh_from_db()
    assert (voucher.status, voucher.consumed_at) == (Voucher.Status.ISSUED, None)


def test_a_voucher_is_usable_until_just_before_it_expires(voucher, cashier):
    just_before = voucher.expires_at - timedelta(seconds=1)
    used = rewards.consume_voucher(code=voucher.code, staff_user=cashier, at=just_before)
    assert used.status == Voucher.Status.CONSUMED


@pytest.mark.parametrize("role", [roles.MEMBER, roles.MODERATOR, roles.SUPPORT_AGENT])
def test_only_till_and_club_staff_may_use_a_voucher(voucher, make_user, role):
    with pytest.raises(PermissionDenied):
        rewards.consume_voucher(code=voucher.code, staff_user=make_user(role))
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.ISSUED


def test_the_club_manager_may_use_a_voucher(voucher, make_user):
    used = rewards.consume_voucher(code=voucher.code, staff_user=make_user(roles.CLUB_MANAGER))
    assert used.status == Voucher.Status.CONSUMED


# --- Concurrency (PostgreSQL) ------------------------------------------------------------


def run_in_threads(count: int, work) -> list:
    """Run work(i) in `count` threads started together; returns each result or error."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def target(i):
        try:
            barrier.wait()
            results[i] = work(i)
        except Exception as error:  # the test inspects every outcome
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_stock_never_goes_below_zero_when_many_members_redeem_at_once(make_user):
    reward = make_reward(stock=3, points_cost=100)
    members = [make_user() for _ in range(10)]
    for m in members:
        give_points(m, 100)

    results = run_in_threads(
        10, lambda i: redeem(members[i], Reward(pk=reward.pk), key=f"race-{i}")
    )

    issued = [r for r in results if isinstance(r, Voucher)]
    refused = [r for r in results if isinstance(r, rewards.RewardError)]
    assert len(issued) == 3, results
    assert {r.code for r in refused} == {"out_of_stock"} and len(refused) == 7, results
    reward.refresh_from_db()
    assert reward.stock == 0
    assert Voucher.objects.count() == 3
    assert LedgerEntry.objects.filter(kind=EntryKind.REWARD).count() == 3
    assert sorted(points(m) for m in members) == [0] * 3 + [100] * 7
    assert ledger.audit() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_one_member_redeeming_from_many_tabs_at_once_is_charged_per_unit_of_stock(make_user):
    reward = make_reward(stock=3, points_cost=100, per_member_limit=10)
    buyer = make_user()
    give_points(buyer, 1_000)

    results = run_in_threads(10, lambda i: redeem(buyer, Reward(pk=reward.pk), key=f"tab-{i}"))

    assert sum(isinstance(r, Voucher) for r in results) == 3, results
    reward.refresh_from_db()
    assert reward.stock == 0
    assert points(buyer) == 700
    assert LedgerEntry.objects.filter(kind=EntryKind.REWARD).count() == 3
    assert ledger.audit() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_submit_racing_itself_issues_one_voucher(make_user):
    reward = make_reward(stock=3, per_member_limit=10)
    buyer = make_user()
    give_points(buyer, 1_000)

    results = run_in_threads(10, lambda i: redeem(buyer, Reward(pk=reward.pk), key="same-key"))

    assert {r.pk for r in results if isinstance(r, Voucher)} == {Voucher.objects.get().pk}
    assert all(isinstance(r, Voucher) for r in results), results
    assert points(buyer) == 900
    assert ledger.audit() == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_tills_using_one_voucher_at_once_use_it_once(make_user):
    buyer = make_user()
    give_points(buyer, 100)
    voucher = redeem(buyer, make_reward())
    tills = [make_user(roles.CASHIER) for _ in range(5)]

    results = run_in_threads(
        5, lambda i: rewards.consume_voucher(code=voucher.code, staff_user=tills[i])
    )

    assert sum(isinstance(r, Voucher) for r in results) == 1, results
    assert sum(isinstance(r, rewards.VoucherUsed) for r in results) == 4, results
