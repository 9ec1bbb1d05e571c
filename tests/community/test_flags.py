"""Flags: one per member per thing, weighed by the flagger's tier and record of upheld
flags (2 + tier step + 1 per 5 upheld, at most 10); content whose flags weigh the
threshold is hidden until reviewed, and its points are taken back."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError

from community import flags, moderation, services
from community.models import (
    CommunitySettings,
    Flag,
    FlagOutcome,
    ModerationLog,
    StatusUpdate,
)
from gamification import ledger, tiers
from portal.notifications.models import Notification
from tests.gamification.conftest import give_points

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loose_brakes")]


def reach(member, points: int) -> None:
    give_points(member, points)
    tiers.evaluate(member=member)


def test_a_flag_from_the_lowest_tier_weighs_two(member, status):
    flag = flags.flag(member=member, target=status, reason="spam", note="ads")
    assert (flag.weight, flag.outcome, flag.note) == (2, FlagOutcome.PENDING, "ads")
    status.refresh_from_db()
    assert status.flag_weight == 2


@pytest.mark.parametrize(("earned", "weight"), [(0, 2), (1_000, 3), (5_000, 4), (20_000, 5)])
def test_each_tier_step_adds_one(make_user, earned, weight):
    flagger = make_user()
    if earned:
        reach(flagger, earned)
    assert flags.weight_of(flagger) == weight


def test_every_five_upheld_flags_add_one(make_user, moderator, author):
    flagger = make_user()
    for n in range(5):
        status = services.post_status(author=author, body=f"post {n}")
        flags.flag(member=flagger, target=status, reason="spam")
        assert flags.weight_of(flagger) == 2
        moderation.hide(content=status, moderator=moderator, reason="spam")
    assert flags.weight_of(flagger) == 3


def test_the_weight_never_passes_ten(make_user, author):
    flagger = make_user()
    reach(flagger, 20_000)  # VIP: 2 + 3
    status_type = ContentType.objects.get_for_model(StatusUpdate)
    # A long record of upheld flags (rows as the moderation queue leaves them).
    Flag.objects.bulk_create(
        Flag(
            member=flagger,
            target_type=status_type,
            target_id=10_000 + n,
            reason="spam",
            weight=2,
            outcome=FlagOutcome.UPHELD,
        )
        for n in range(40)
    )
    assert flags.weight_of(flagger) == 10


def test_one_flag_per_member_per_thing(member, status):
    flags.flag(member=member, target=status, reason="spam")
    with pytest.raises(flags.FlagRefused) as refusal:
        flags.flag(member=member, target=status, reason="offensive")
    assert refusal.value.code == "already_flagged"
    status.refresh_from_db()
    assert (Flag.objects.count(), status.flag_weight) == (1, 2)


def test_the_database_holds_one_flag_per_member_per_thing(member, status):
    flags.flag(member=member, target=status, reason="spam")
    with pytest.raises(IntegrityError):
        Flag.objects.create(
            member=member,
            target_type=ContentType.objects.get_for_model(status),
            target_id=status.pk,
            reason="other",
            weight=2,
        )


def test_own_content_and_unknown_reasons_are_refused(author, member, status):
    with pytest.raises(flags.FlagRefused) as own:
        flags.flag(member=author, target=status, reason="spam")
    with pytest.raises(flags.FlagRefused) as unknown:
        flags.flag(member=member, target=status, reason="boring")
    assert (own.value.code, unknown.value.code) == ("own", "reason")
    assert not Flag.objects.exists()


def test_content_is_hidden_once_its_flags_reach_the_threshold(author, status, make_user):
    assert ledger.balances(author).points == 2
    flaggers = [make_user() for _ in range(5)]
    for flagger in flaggers[:4]:
        flags.flag(member=flagger, target=status, reason="spam")
    status.refresh_from_db()
    assert (status.flag_weight, status.is_hidden) == (8, False)

    flags.flag(member=flaggers[4], target=status, reason="spam")

    status.refresh_from_db()
    assert (status.flag_weight, status.is_hidden) == (10, True)
    assert status.hidden_reason == moderation.AUTO_REASON
    assert ledger.balances(author).points == 0
    entry = ModerationLog.objects.get()
    assert (entry.moderator, entry.action, entry.member) == (None, "hide", author)
    assert Notification.objects.filter(member=author, kind="content_hidden").exists()
    # Hidden until reviewed: the flags wait for a moderator.
    assert Flag.objects.filter(outcome=FlagOutcome.PENDING).count() == 5


def test_the_manager_sets_the_threshold(status, make_user):
    settings = CommunitySettings.load()
    settings.flag_hide_threshold = 4
    settings.save()
    flags.flag(member=make_user(), target=status, reason="spam")
    flags.flag(member=make_user(), target=status, reason="spam")
    status.refresh_from_db()
    assert status.is_hidden


def test_hidden_content_takes_no_more_flags(status, make_user, moderator):
    moderation.hide(content=status, moderator=moderator, reason="spam")
    with pytest.raises(flags.FlagRefused) as refusal:
        flags.flag(member=make_user(), target=status, reason="spam")
    assert refusal.value.code == "hidden"


def test_a_moderator_keeping_auto_hidden_content_upholds_its_flags(status, make_user, moderator):
    settings = CommunitySettings.load()
    settings.flag_hide_threshold = 2
    settings.save()
    flags.flag(member=make_user(), target=status, reason="spam")

    assert moderation.hide(content=status, moderator=moderator, reason="clearly spam")

    status.refresh_from_db()
    assert (status.is_hidden, status.hidden_reason) == (True, "clearly spam")
    assert Flag.objects.get().outcome == FlagOutcome.UPHELD


def test_dismissing_flags_on_hidden_content_is_refused(status, make_user, moderator):
    settings = CommunitySettings.load()
    settings.flag_hide_threshold = 2
    settings.save()
    flags.flag(member=make_user(), target=status, reason="spam")
    with pytest.raises(moderation.ModerationRefused) as refusal:
        moderation.dismiss_flags(content=status, moderator=moderator, reason="x")
    assert refusal.value.code == "hidden"
    assert Flag.objects.get().outcome == FlagOutcome.PENDING


def test_a_restored_post_starts_again_from_zero(status, make_user, moderator):
    settings = CommunitySettings.load()
    settings.flag_hide_threshold = 4
    settings.save()
    flags.flag(member=make_user(), target=status, reason="spam")
    flags.flag(member=make_user(), target=status, reason="spam")
    moderation.restore(content=status, moderator=moderator, reason="not spam")

    flags.flag(member=make_user(), target=status, reason="spam")

    status.refresh_from_db()
    assert (status.is_hidden, status.flag_weight) == (False, 2)
    assert Flag.objects.filter(outcome=FlagOutcome.REJECTED).count() == 2
