from datetime import datetime, timedelta
from itertools import count

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from cardgateway.models import Branch
from gamification import leaderboards, ledger
from gamification.leaderboards import Row
from gamification.models import Currency, EntryKind
from portal.accounts import roles
from portal.accounts.models import MemberProfile

pytestmark = pytest.mark.django_db

# A fixed local noon, so "today" and the windows never straddle midnight mid-test.
NOW = datetime(2025, 3, 20, 12, 0, tzinfo=timezone.get_default_timezone())
URL = "/club/leaderboard/"
_keys = count()


def earn(member, points: int, *, days_ago: int = 0, kind: str = EntryKind.AWARD) -> None:
    """Points through the real ledger, which keeps DailyTotal and lifetime_earned."""
    ledger.post(
        member=member,
        currency=Currency.POINTS,
        amount=points,
        kind=kind,
        idempotency_key=f"test-earn-{next(_keys)}",
        at=NOW - timedelta(days=days_ago),
    )


def board(period: str = "week", **kwargs) -> list[tuple[int, int, int]]:
    """(rank, member id, points) of each row, for compact assertions."""
    return [
        (row.rank, row.member_id, row.points)
        for row in leaderboards.top(period=period, at=NOW, **kwargs)
    ]


@pytest.fixture(autouse=True)
def _clock(time_machine):
    """Pages read the current time: hold it at NOW."""
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def members(make_user):
    def make(n: int, **kwargs):
        return [make_user(**kwargs) for _ in range(n)]

    return make


@pytest.fixture
def branches():
    return [
        Branch.objects.create(code=f"b{i}", name=f"Branch {i}", city="Tehran") for i in range(2)
    ]


# --- ranking ----------------------------------------------------------------------------


def test_equal_points_share_a_rank_and_the_next_rank_skips(members):
    a, b, c, d = members(4)
    for member, points in ((a, 50), (b, 30), (c, 30), (d, 10)):
        earn(member, points)
    assert board() == [(1, a.pk, 50), (2, b.pk, 30), (2, c.pk, 30), (4, d.pk, 10)]


def test_ties_are_listed_by_member_id(members):
    first, second, third = members(3)
    for member in (third, first, second):
        earn(member, 20)
    assert [member_id for _rank, member_id, _ in board()] == [first.pk, second.pk, third.pk]
    assert {rank for rank, _, _ in board()} == {1}


def test_rows_carry_the_members_display_name(make_user):
    ada = make_user(first_name="Ada", last_name="Lovelace")
    earn(ada, 5)
    assert leaderboards.top(period="week", at=NOW) == [Row(1, ada.pk, "Ada L.", 5)]


def test_the_limit_cuts_the_list_but_not_the_ranks(members):
    everyone = members(5)
    for i, member in enumerate(everyone):
        earn(member, 100 - i)
    assert [rank for rank, _, _ in board(limit=3)] == [1, 2, 3]
    assert board(limit=0) == []


def test_members_without_points_in_the_period_are_not_ranked(members):
    earner, idle, revoked = members(3)
    earn(earner, 5)
    earn(revoked, 5, days_ago=10)
    earn(revoked, -5, days_ago=1, kind=EntryKind.AWARD_REVOKED)  # week total: -5
    assert board() == [(1, earner.pk, 5)]
    assert leaderboards.rank_of(member=idle, period="week", at=NOW) == (None, 0)
    assert leaderboards.rank_of(member=revoked, period="week", at=NOW) == (None, -5)


def test_only_earning_kinds_count(members):
    (member,) = members(1)
    earn(member, 40)
    ledger.post(
        member=member,
        currency=Currency.POINTS,
        amount=-30,
        kind=EntryKind.REWARD,  # spending points does not lower the score
        idempotency_key="spend",
        at=NOW,
    )
    assert board() == [(1, member.pk, 40)]
    assert board("all") == [(1, member.pk, 40)]


# --- windows ----------------------------------------------------------------------------


def test_the_week_is_the_last_seven_local_days_including_today(members):
    today, six_days, seven_days = members(3)
    earn(today, 1)
    earn(six_days, 2, days_ago=6)
    earn(seven_days, 3, days_ago=7)
    assert board("week") == [(1, six_days.pk, 2), (2, today.pk, 1)]


def test_the_month_is_the_last_thirty_days(members):
    recent, day_29, day_30 = members(3)
    earn(recent, 1, days_ago=3)
    earn(day_29, 2, days_ago=29)
    earn(day_30, 3, days_ago=30)
    assert board("month") == [(1, day_29.pk, 2), (2, recent.pk, 1)]


def test_all_time_reads_lifetime_earned(members):
    old, new = members(2)
    earn(old, 500, days_ago=400)
    earn(new, 7)
    assert board("all") == [(1, old.pk, 500), (2, new.pk, 7)]
    assert board("month") == [(1, new.pk, 7)]


def test_periods_add_up_a_members_days(members):
    (member,) = members(1)
    for days_ago in (0, 1, 5, 20, 100):
        earn(member, 10, days_ago=days_ago)
    assert [board(period)[0][2] for period in ("week", "month", "all")] == [30, 40, 50]


def test_the_window_follows_the_clock(members):
    (member,) = members(1)
    earn(member, 10, days_ago=6)
    assert board("week") == [(1, member.pk, 10)]
    tomorrow = leaderboards.top(period="week", at=NOW + timedelta(days=1))
    assert tomorrow == []


def test_without_at_the_board_uses_the_current_time(members, time_machine):
    (member,) = members(1)
    earn(member, 10)
    time_machine.move_to(NOW + timedelta(days=3), tick=False)
    assert [row.points for row in leaderboards.top(period="week")] == [10]
    time_machine.move_to(NOW + timedelta(days=7), tick=False)
    assert leaderboards.top(period="week") == []
    assert leaderboards.rank_of(member=member, period="all") == (1, 10)


def test_an_unknown_period_is_an_error():
    with pytest.raises(ValueError, match="unknown period"):
        leaderboards.top(period="year")
    with pytest.raises(ValueError, match="unknown period"):
        leaderboards.rank_of(member=None, period="")


# --- who is on the board ----------------------------------------------------------------


@pytest.mark.parametrize("role", roles.STAFF_ROLES)
def test_staff_are_never_ranked(make_user, members, role):
    (member,) = members(1)
    staff = make_user(role)
    earn(member, 1)
    earn(staff, 1000)
    for period in leaderboards.PERIODS:
        assert [member_id for _, member_id, _ in board(period)] == [member.pk]
        assert leaderboards.rank_of(member=staff, period=period, at=NOW) == (None, 1000)
    assert leaderboards.rank_of(member=member, period="week", at=NOW) == (1, 1)


def test_staff_groups_match_the_portals_staff_roles():
    assert set(leaderboards.STAFF_GROUPS) == set(roles.STAFF_ROLES)


def test_superusers_and_inactive_users_are_never_ranked(members):
    member, superuser, gone = members(3)
    superuser.is_superuser = True
    superuser.save()
    for user in (member, superuser, gone):
        earn(user, 10)
    gone.is_active = False
    gone.save()
    for period in leaderboards.PERIODS:
        assert [member_id for _, member_id, _ in board(period)] == [member.pk]
    assert leaderboards.rank_of(member=gone, period="week", at=NOW) == (None, 10)


def test_a_member_in_another_group_is_still_ranked(members):
    (member,) = members(1)
    member.groups.add(Group.objects.create(name="Book club"))
    earn(member, 3)
    assert board() == [(1, member.pk, 3)]


def test_a_branch_board_lists_only_members_of_that_home_branch(members, branches):
    north, south = branches
    (at_north,) = members(1, home_branch=north)
    (at_south,) = members(1, home_branch=south)
    (nowhere,) = members(1)
    for member, points in ((at_north, 5), (at_south, 50), (nowhere, 500)):
        earn(member, points)
    for period in leaderboards.PERIODS:
        assert board(period, branch_id=north.pk) == [(1, at_north.pk, 5)]
        assert board(period, branch_id=south.pk) == [(1, at_south.pk, 50)]
        assert [m for _, m, _ in board(period)] == [nowhere.pk, at_south.pk, at_north.pk]
    assert leaderboards.rank_of(member=at_north, period="week", branch_id=north.pk, at=NOW) == (
        1,
        5,
    )
    assert leaderboards.rank_of(member=at_north, period="week", at=NOW) == (3, 5)
    assert leaderboards.rank_of(member=at_north, period="week", branch_id=south.pk, at=NOW) == (
        None,
        5,
    )


# --- rank_of ----------------------------------------------------------------------------


def test_rank_of_counts_members_with_strictly_more_points(members):
    a, b, c, d = members(4)
    for member, points in ((a, 50), (b, 30), (c, 30), (d, 10)):
        earn(member, points)
    ranks = [leaderboards.rank_of(member=m, period="week", at=NOW) for m in (a, b, c, d)]
    assert ranks == [(1, 50), (2, 30), (2, 30), (4, 10)]


def test_rank_of_a_member_outside_the_top_fifty(members):
    everyone = members(55)
    for i, member in enumerate(everyone):
        earn(member, 1000 - i, days_ago=i % 7)
    last, tied = everyone[-1], everyone[-2]
    earn(last, 1)  # 946 + 1: now tied with the one before it
    assert len(leaderboards.top(period="week", at=NOW)) == 50
    assert leaderboards.rank_of(member=last, period="week", at=NOW) == (54, 947)
    assert leaderboards.rank_of(member=tied, period="week", at=NOW) == (54, 947)
    assert leaderboards.rank_of(member=everyone[0], period="all", at=NOW) == (1, 1000)


def test_rank_of_agrees_with_the_board(members):
    everyone = members(12)
    for i, member in enumerate(everyone):
        earn(member, 10 * (i % 4) + 1, days_ago=i % 3)
        earn(member, 5, days_ago=15 + i)
    for period in leaderboards.PERIODS:
        for rank, member_id, points in board(period):
            member = next(m for m in everyone if m.pk == member_id)
            assert leaderboards.rank_of(member=member, period=period, at=NOW) == (rank, points)


# --- query counts -----------------------------------------------------------------------


@pytest.mark.parametrize("how_many", [1, 50])
@pytest.mark.parametrize("period", leaderboards.PERIODS)
def test_top_runs_two_queries_however_many_members(
    members, branches, how_many, period, django_assert_num_queries
):
    everyone = members(how_many, home_branch=branches[0])
    for i, member in enumerate(everyone):
        earn(member, i + 1)
    with django_assert_num_queries(2):  # the totals, then the members' names
        rows = leaderboards.top(period=period, at=NOW)
    with django_assert_num_queries(2):
        leaderboards.top(period=period, branch_id=branches[0].pk, at=NOW)
    assert len(rows) == how_many


@pytest.mark.parametrize("how_many", [1, 50])
@pytest.mark.parametrize("period", leaderboards.PERIODS)
def test_rank_of_runs_two_queries_however_many_members(
    members, how_many, period, django_assert_num_queries
):
    everyone = members(how_many)
    for i, member in enumerate(everyone):
        earn(member, i + 1)
    with django_assert_num_queries(2):  # own points and eligibility, then the count ahead
        rank = leaderboards.rank_of(member=everyone[0], period=period, at=NOW)
    assert rank == (how_many, 1)


# --- the page ---------------------------------------------------------------------------


def test_the_url_is_named():
    assert reverse("gamification:leaderboard") == URL


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(settings.LOGIN_URL))


def test_a_member_sees_the_board_and_their_own_row(member_client, member, members):
    (other,) = members(1)
    earn(other, 1500)
    earn(member, 20)
    response = member_client.get(URL)
    assert response.status_code == 200
    assert [row.member_id for row in response.context["rows"]] == [other.pk, member.pk]
    html = response.content.decode()
    assert "1,500" in html  # grouped
    assert html.count("data-own-row") == 1
    assert '<th scope="col">' in html and "<caption>" in html
    assert (response.context["my_rank"], response.context["my_points"]) == (2, 20)


def test_staff_may_look_but_are_not_listed(client, make_user, members):
    staff = make_user(roles.CASHIER)
    (member,) = members(1)
    earn(staff, 999)
    earn(member, 1)
    client.force_login(staff)
    response = client.get(URL)
    assert response.status_code == 200
    assert [row.member_id for row in response.context["rows"]] == [member.pk]
    assert response.context["my_rank"] is None
    assert "data-own-row" not in response.content.decode()


def test_a_member_outside_the_top_fifty_sees_their_rank(member_client, member, members):
    for i, other in enumerate(members(50)):
        earn(other, 100 + i)
    earn(member, 3)
    response = member_client.get(URL)
    assert len(response.context["rows"]) == 50
    assert response.context["my_rank"] == 51
    assert "data-own-row" not in response.content.decode()
    assert "You are number 51 with 3 points." in response.content.decode()


def test_period_and_branch_choose_the_board(member_client, member, branches):
    north, _south = branches
    MemberProfile.objects.filter(user=member).update(home_branch=north)
    earn(member, 10, days_ago=20)
    week = member_client.get(URL, {"period": "week"})
    month = member_client.get(URL, {"period": "month", "branch": str(north.pk)})
    assert week.context["rows"] == []
    assert "No points earned in this period yet." in week.content.decode()
    assert [row.points for row in month.context["rows"]] == [10]
    assert (month.context["period"], month.context["branch"]) == ("month", north)
    assert 'aria-current="page"' in month.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"period": "year"},
        {"period": ""},
        {"branch": "abc"},
        {"branch": "-1"},
        {"branch": "999999"},
        {"branch": "1" * 40},
        {"period": "<script>", "branch": "1.5"},
    ],
)
def test_bad_parameters_fall_back_to_the_weekly_club_wide_board(member_client, params):
    response = member_client.get(URL, params)
    assert response.status_code == 200
    assert (response.context["period"], response.context["branch"]) == ("week", None)
    assert "<script>" not in response.content.decode()


def test_an_inactive_branch_falls_back_to_all_branches(member_client, branches):
    branches[1].is_active = False
    branches[1].save()
    response = member_client.get(URL, {"period": "all", "branch": str(branches[1].pk)})
    assert (response.context["period"], response.context["branch"]) == ("all", None)
    assert branches[1] not in response.context["branches"]


def test_the_page_only_answers_get(member_client):
    assert member_client.post(URL).status_code == 405


@pytest.mark.parametrize("how_many", [1, 50])
@pytest.mark.parametrize("period", leaderboards.PERIODS)
def test_the_page_query_count_does_not_grow(
    member_client, member, members, branches, how_many, period, django_assert_num_queries
):
    for i, other in enumerate(members(how_many, home_branch=branches[0])):
        earn(other, i + 2)
    MemberProfile.objects.filter(user=member).update(home_branch=branches[0])
    earn(member, 1)  # ranked last, so every query of rank_of runs
    params = {"period": period, "branch": str(branches[0].pk)}
    member_client.get(URL, params)  # warm the session and caches
    with django_assert_num_queries(LEADERBOARD_PAGE_QUERIES):
        response = member_client.get(URL, params)
    assert len(response.context["rows"]) == min(how_many + 1, 50)
    assert response.context["my_rank"] == how_many + 1


# The page's own: branches, board totals, board names, own points and eligibility, count
# ahead (5). The shared chrome's, which other apps own: session, user, language, unread
# badge, staff permissions (2), header tier, header balances, header display name (9).
# The same for 1 and for 50 members.
LEADERBOARD_PAGE_QUERIES = 14
