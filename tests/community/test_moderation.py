"""Moderation services: hiding takes back what the content earned (its award and its
likes' awards), restoring gives it back; flags are upheld or rejected; every action is in
the moderation log and the audit trail; warnings and suspensions reach the member."""

from datetime import timedelta

import pytest
from django.utils import timezone

from community import flags, likes, moderation, services
from community.models import (
    FeedItem,
    Flag,
    FlagOutcome,
    ModerationAction,
    ModerationLog,
    StatusUpdate,
    Suspension,
)
from gamification import ledger
from gamification.models import Award
from portal.audit.models import Action, AuditEntry
from portal.notifications.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loose_brakes")]


def points(member) -> int:
    return ledger.balances(member).points


@pytest.fixture
def liked_status(author, status, make_user):
    """A status update (2 points) liked by two members (1 point each): 4 points."""
    fans = [make_user(), make_user()]
    for fan in fans:
        likes.like(member=fan, target=status)
    status.refresh_from_db()
    assert points(author) == 4
    return status


def test_hiding_takes_back_the_award_and_the_likes_awards(author, liked_status, moderator):
    assert moderation.hide(content=liked_status, moderator=moderator, reason="off-topic")

    assert points(author) == 0
    assert Award.objects.filter(member=author, revoked_at__isnull=True).count() == 0
    liked_status.refresh_from_db()
    assert (liked_status.is_hidden, liked_status.hidden_reason) == (True, "off-topic")
    assert FeedItem.objects.get(verb="status").is_hidden
    assert ledger.audit() == []


def test_restoring_gives_every_point_back_and_again_after_a_second_hide(
    author, liked_status, moderator
):
    moderation.hide(content=liked_status, moderator=moderator, reason="spam")
    assert moderation.restore(content=liked_status, moderator=moderator, reason="fine after all")
    assert points(author) == 4
    assert not FeedItem.objects.get(verb="status").is_hidden

    moderation.hide(content=liked_status, moderator=moderator, reason="spam again")
    assert points(author) == 0
    moderation.restore(content=liked_status, moderator=moderator, reason="fine")
    assert points(author) == 4
    assert Award.objects.filter(member=author, revoked_at__isnull=True).count() == 3
    assert ledger.audit() == []


def test_hiding_twice_or_restoring_what_is_shown_changes_nothing(author, status, moderator):
    assert not moderation.restore(content=status, moderator=moderator, reason="x")
    moderation.hide(content=status, moderator=moderator, reason="spam")
    logged = ModerationLog.objects.count()

    assert not moderation.hide(content=status, moderator=moderator, reason="again")

    assert ModerationLog.objects.count() == logged
    assert points(author) == 0


def test_a_moderator_must_give_a_reason_and_nothing_changes_without_one(status, moderator):
    with pytest.raises(moderation.ModerationRefused) as refusal:
        moderation.hide(content=status, moderator=moderator, reason="  ")
    assert refusal.value.code == "reason_required"
    status.refresh_from_db()
    assert not status.is_hidden
    assert not ModerationLog.objects.exists()


def test_hide_upholds_the_pending_flags_and_restore_rejects_them(status, moderator, make_user):
    first, second = make_user(), make_user()
    flags.flag(member=first, target=status, reason="spam")
    moderation.hide(content=status, moderator=moderator, reason="spam")
    assert Flag.objects.get(member=first).outcome == FlagOutcome.UPHELD

    moderation.restore(content=status, moderator=moderator, reason="ok")
    flags.flag(member=second, target=status, reason="offensive")
    moderation.dismiss_flags(content=status, moderator=moderator, reason="not offensive")

    assert Flag.objects.get(member=second).outcome == FlagOutcome.REJECTED
    status.refresh_from_db()
    assert status.flag_weight == 0


def test_every_action_is_logged_and_in_the_audit_trail(author, status, moderator):
    moderation.hide(content=status, moderator=moderator, reason="spam")
    moderation.restore(content=status, moderator=moderator, reason="ok")
    moderation.warn(member=author, moderator=moderator, message="Mind the rules")

    entries = list(ModerationLog.objects.order_by("pk"))
    assert [e.action for e in entries] == [
        ModerationAction.HIDE,
        ModerationAction.RESTORE,
        ModerationAction.WARN,
    ]
    assert all(e.moderator == moderator and e.member == author for e in entries)
    assert entries[0].target == status and entries[0].detail["points_taken_back"] == 2
    audit = AuditEntry.objects.filter(action=Action.MODERATED).order_by("pk")
    assert [a.detail["moderation"] for a in audit] == ["hide", "restore", "warn"]
    assert all(a.actor == moderator and a.target_user_id == author.pk for a in audit)


def test_the_log_is_append_only(status, moderator):
    moderation.hide(content=status, moderator=moderator, reason="spam")
    entry = ModerationLog.objects.get()
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


def test_the_author_is_told_in_their_language(author, status, moderator):
    author.profile.preferred_language = "fa"
    author.profile.save()
    moderation.hide(content=status, moderator=moderator, reason="spam")
    note = Notification.objects.get(member=author, kind="content_hidden")
    assert note.url == f"/community/status/{status.pk}/"
    assert "spam" in note.body


def test_hiding_a_comment_takes_its_points_and_its_count(author, status, member, moderator):
    comment = services.post_comment(author=member, target=status, body="Nice one")
    status.refresh_from_db()
    assert (status.comment_count, points(member)) == (1, 3)

    moderation.hide(content=comment, moderator=moderator, reason="rude")
    status.refresh_from_db()
    assert (status.comment_count, points(member)) == (0, 0)

    moderation.restore(content=comment, moderator=moderator, reason="ok")
    status.refresh_from_db()
    assert (status.comment_count, points(member)) == (1, 3)


# --- warnings and suspensions ----------------------------------------------------------------


def test_warning_sends_a_private_message_by_notification_and_email(
    author, moderator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        moderation.warn(member=author, moderator=moderator, message="Please keep it friendly.")
    note = Notification.objects.get(member=author, kind="community_warning")
    assert note.body == "Please keep it friendly."
    assert len(mailoutbox) == 1


def test_suspension_holds_until_the_date_and_can_be_lifted(author, moderator):
    until = timezone.now() + timedelta(days=3)
    moderation.suspend(member=author, moderator=moderator, until=until, reason="spamming")

    assert moderation.is_suspended(author)
    assert not moderation.is_suspended(author, at=until + timedelta(seconds=1))
    assert Notification.objects.filter(member=author, kind="community_suspended").exists()

    assert moderation.lift_suspension(member=author, moderator=moderator, reason="apologised") == 1
    assert not moderation.is_suspended(author)
    assert list(ModerationLog.objects.values_list("action", flat=True).order_by("pk")) == [
        "suspend",
        "unsuspend",
    ]


def test_suspension_refuses_a_past_date_oneself_and_other_moderators(author, moderator, make_user):
    from portal.accounts import roles

    past = timezone.now() - timedelta(minutes=1)
    future = timezone.now() + timedelta(days=1)
    with pytest.raises(moderation.ModerationRefused):
        moderation.suspend(member=author, moderator=moderator, until=past, reason="x")
    with pytest.raises(moderation.ModerationRefused):
        moderation.suspend(member=moderator, moderator=moderator, until=future, reason="x")
    other = make_user(roles.MODERATOR)
    with pytest.raises(moderation.ModerationRefused):
        moderation.suspend(member=other, moderator=moderator, until=future, reason="x")
    assert not Suspension.objects.exists()
    assert not ModerationLog.objects.exists()


def test_lifting_when_not_suspended_is_refused(author, moderator):
    with pytest.raises(moderation.ModerationRefused) as refusal:
        moderation.lift_suspension(member=author, moderator=moderator)
    assert refusal.value.code == "not_suspended"


def test_a_suspended_member_cannot_post_like_comment_or_flag(author, status, member, moderator):
    from community import brakes

    moderation.suspend(
        member=member, moderator=moderator, until=timezone.now() + timedelta(days=1), reason="x"
    )
    for attempt in (
        lambda: services.post_status(author=member, body="hi"),
        lambda: services.post_comment(author=member, target=status, body="hi"),
        lambda: likes.like(member=member, target=status),
        lambda: flags.flag(member=member, target=status, reason="spam"),
    ):
        with pytest.raises(brakes.Refused) as refusal:
            attempt()
        assert refusal.value.code == "suspended"
    assert StatusUpdate.objects.count() == 1
    assert not Flag.objects.exists()
