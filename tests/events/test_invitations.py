"""Invitations: who an audience reaches, each member invited once per event however often
the organiser sends, the in-portal notice for everyone and the e-mail only with consent."""

from datetime import timedelta

import pytest
from django.core import mail

from community.models import InterestGroup
from community.services import join_group
from events import services
from events.models import Audience, Invitation, InvitationRound
from gamification import tiers
from gamification.models import Tier
from portal.accounts import roles
from portal.accounts.services import set_consents
from portal.notifications.models import Notification
from tests.gamification.conftest import give_points

pytestmark = pytest.mark.django_db


@pytest.fixture
def crowd(make_user):
    """Three members, a moderator and an inactive member."""
    members = [make_user() for _ in range(3)]
    make_user(roles.MODERATOR)
    gone = make_user()
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    return members


def send(event, manager, capture, **audience):
    audience.setdefault("audience", Audience.ALL)
    with capture(execute=True):
        invitation_round = services.request_invitations(
            event=event, requested_by=manager, **audience
        )
    invitation_round.refresh_from_db()
    return invitation_round


def test_all_members_are_invited_once_even_when_sent_twice(
    make_event, crowd, manager, django_capture_on_commit_callbacks
):
    event = make_event()
    first = send(event, manager, django_capture_on_commit_callbacks)
    second = send(event, manager, django_capture_on_commit_callbacks)
    assert (first.invited_count, second.invited_count) == (3, 0)
    assert first.finished_at and second.finished_at
    assert sorted(Invitation.objects.values_list("member_id", flat=True)) == sorted(
        m.pk for m in crowd
    )
    assert Notification.objects.filter(kind="event_invitation").count() == 3
    assert services.send_invitations(round_id=first.pk).invited_count == 3  # a replay
    assert Invitation.objects.count() == 3


def test_a_tier_audience_reaches_only_that_tiers_members(
    make_event, make_user, manager, django_capture_on_commit_callbacks
):
    high = Tier.objects.order_by("threshold").last()
    gold = make_user()
    give_points(gold, high.threshold + 10)
    tiers.evaluate(member=gold)
    make_user()
    invitation_round = send(
        make_event(), manager, django_capture_on_commit_callbacks, audience=Audience.TIER, tier=high
    )
    assert invitation_round.invited_count == 1
    assert list(Invitation.objects.values_list("member_id", flat=True)) == [gold.pk]


def test_a_group_audience_reaches_only_the_groups_members_and_later_rounds_add_the_rest(
    make_event, crowd, manager, django_capture_on_commit_callbacks
):
    group = InterestGroup.objects.create(name="Coffee lovers", slug="coffee")
    join_group(member=crowd[0], group=group)
    event = make_event()
    by_group = send(
        event, manager, django_capture_on_commit_callbacks, audience=Audience.GROUP, group=group
    )
    everyone = send(event, manager, django_capture_on_commit_callbacks)
    assert (by_group.invited_count, everyone.invited_count) == (1, 2)
    assert Invitation.objects.get(member=crowd[0]).round == by_group


def test_a_saved_segment_reaches_the_members_its_filters_match_now(
    make_event, crowd, manager, django_capture_on_commit_callbacks
):
    from datetime import date

    from cockpit.models import Segment

    crowd[1].profile.birth_date = date(1990, 5, 3)
    crowd[1].profile.save(update_fields=["birth_date"])
    may = Segment.objects.create(name="Born in May", birthday_month=5)
    invitation_round = send(
        make_event(),
        manager,
        django_capture_on_commit_callbacks,
        audience=Audience.SEGMENT,
        segment=may,
    )
    assert invitation_round.invited_count == 1
    assert list(Invitation.objects.values_list("member_id", flat=True)) == [crowd[1].pk]
    assert invitation_round.audience_label == "Segment: Born in May"
    with pytest.raises(services.InvitationRefused):
        services.request_invitations(event=make_event(), audience=Audience.SEGMENT)


def test_invitation_email_goes_only_to_members_who_agreed(
    make_event, crowd, manager, django_capture_on_commit_callbacks
):
    profile = crowd[1].profile
    set_consents(profile=profile, email=True, source="test")
    profile.save()
    send(make_event(title="Book fair"), manager, django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[crowd[1].email]]
    assert "Book fair" in mail.outbox[0].subject
    assert Notification.objects.filter(kind="event_invitation", marketing=True).count() == 3


@pytest.mark.parametrize(
    ("setup", "audience"),
    [
        ({"live": False}, {}),
        ({"starts_in": timedelta(days=-2)}, {}),
        ({}, {"audience": Audience.TIER}),
        ({}, {"audience": Audience.GROUP}),
        ({}, {"audience": "everyone"}),
    ],
)
def test_a_refused_round_records_nothing(
    make_event, crowd, manager, setup, audience, django_capture_on_commit_callbacks
):
    event = make_event(**setup)
    audience.setdefault("audience", Audience.ALL)
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(services.InvitationRefused),
    ):
        services.request_invitations(event=event, requested_by=manager, **audience)
    assert not InvitationRound.objects.exists()
    assert not Invitation.objects.exists()
