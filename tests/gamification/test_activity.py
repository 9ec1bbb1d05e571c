from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from cardgateway.models import Branch
from gamification import activity, ledger
from gamification.models import Action, Award, EarningRule, EntryKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def subjects():
    return [Branch.objects.create(code=f"s{i}", name=f"S{i}", city="X") for i in range(12)]


def points(member) -> int:
    return ledger.balances(member).points


def test_record_pays_the_rule_once_per_member_action_and_subject(member, subjects):
    first = activity.record(member=member, action=Action.TOPIC_POSTED, subject=subjects[0])
    again = activity.record(member=member, action=Action.TOPIC_POSTED, subject=subjects[0])
    assert (first.awarded, first.reason) == (10, "awarded")
    assert (again.awarded, again.reason) == (0, "already_awarded")
    assert points(member) == 10
    assert Award.objects.count() == 1


def test_daily_cap_cuts_the_last_award_and_stops_the_rest(member, subjects):
    # comment_posted: 3 points, cap 30 a day
    EarningRule.objects.filter(action=Action.COMMENT_POSTED).update(points=7, daily_cap=30)
    paid = [
        activity.record(member=member, action=Action.COMMENT_POSTED, subject=s).awarded
        for s in subjects[:6]
    ]
    assert paid == [7, 7, 7, 7, 2, 0]
    assert points(member) == 30


def test_the_cap_starts_again_the_next_day(member, subjects):
    EarningRule.objects.filter(action=Action.COMMENT_POSTED).update(points=20, daily_cap=30)
    now = timezone.now()
    activity.record(member=member, action=Action.COMMENT_POSTED, subject=subjects[0], at=now)
    activity.record(member=member, action=Action.COMMENT_POSTED, subject=subjects[1], at=now)
    tomorrow = activity.record(
        member=member, action=Action.COMMENT_POSTED, subject=subjects[2], at=now + timedelta(days=1)
    )
    assert tomorrow.awarded == 20


def test_brand_new_accounts_are_held_back_by_the_minimum_age(member, subjects):
    EarningRule.objects.filter(action=Action.TOPIC_POSTED).update(min_account_age_days=3)
    assert activity.record(
        member=member, action=Action.TOPIC_POSTED, subject=subjects[0]
    ).reason == ("account_too_new")
    with time_machine.travel(timezone.now() + timedelta(days=4)):
        assert (
            activity.record(member=member, action=Action.TOPIC_POSTED, subject=subjects[0]).awarded
            == 10
        )


def test_a_like_from_the_author_to_themselves_never_scores(member, subjects):
    outcome = activity.record(
        member=member, action=Action.LIKE_RECEIVED, subject=subjects[0], actor=member
    )
    assert (outcome.awarded, outcome.reason) == (0, "self")
    assert points(member) == 0


def test_a_like_from_someone_else_scores(member, make_user, subjects):
    liker = make_user(email="liker@example.com")
    assert (
        activity.record(
            member=member, action=Action.LIKE_RECEIVED, subject=subjects[0], actor=liker
        ).awarded
        == 1
    )


def test_inactive_rules_and_unknown_actions(member, subjects):
    EarningRule.objects.filter(action=Action.SHARED).update(is_active=False)
    assert activity.record(member=member, action=Action.SHARED, subject=subjects[0]).reason == (
        "no_rule"
    )
    with pytest.raises(ValueError):
        activity.record(member=member, action="flying", subject=subjects[0])


def test_revoke_takes_back_every_award_about_the_subject(member, make_user, subjects):
    other = make_user(email="o@example.com")
    activity.record(member=member, action=Action.TOPIC_POSTED, subject=subjects[0])
    activity.record(member=other, action=Action.LIKE_RECEIVED, subject=subjects[0], actor=member)
    activity.record(member=member, action=Action.TOPIC_POSTED, subject=subjects[1])
    assert activity.revoke(subject=subjects[0]) == 11
    assert points(member) == 10 and points(other) == 0
    assert ledger.audit() == []


def test_restoring_after_revoke_pays_again_and_revoking_twice_takes_nothing(member, subjects):
    activity.record(member=member, action=Action.TOPIC_POSTED, subject=subjects[0])
    activity.revoke(subject=subjects[0])
    assert activity.revoke(subject=subjects[0]) == 0
    assert (
        activity.record(member=member, action=Action.TOPIC_POSTED, subject=subjects[0]).awarded
        == 10
    )
    assert points(member) == 10
    assert Award.objects.filter(revoked_at__isnull=True).count() == 1


def test_revoke_respects_the_rule_unless_forced(member, subjects):
    activity.record(member=member, action=Action.SURVEY_COMPLETED, subject=subjects[0])
    assert activity.revoke(subject=subjects[0]) == 0  # survey_completed is not revocable
    assert activity.revoke(subject=subjects[0], force=True) == 20


def test_revoke_never_takes_points_below_zero(member, subjects):
    activity.record(member=member, action=Action.TOPIC_POSTED, subject=subjects[0])
    ledger.post(
        member=member, currency="points", amount=-8, kind=EntryKind.REWARD, idempotency_key="spend"
    )
    assert activity.revoke(subject=subjects[0]) == 2
    assert points(member) == 0
    assert ledger.audit() == []


def test_profile_completion_pays_once_when_the_profile_reaches_100(member_client, member):
    from cardgateway.models import Branch as B

    branch = B.objects.create(code="hb", name="Home", city="Tehran")
    form = {
        "first_name": "Sara",
        "last_name": "K",
        "birth_date": "1990-01-01",
        "address": "A 1",
        "city": "Tehran",
        "home_branch": branch.pk,
        "preferred_language": "en",
        "mobile": "09121234567",
        "interests": "books",
    }
    member_client.post("/club/profile/", {**form, "interests": ""})
    assert points(member) == 0  # 7 of 8: not complete yet
    member_client.post("/club/profile/", form)
    member_client.post("/club/profile/", {**form, "city": "Shiraz"})
    assert points(member) == 50
    assert Award.objects.filter(action=Action.PROFILE_COMPLETED).count() == 1
