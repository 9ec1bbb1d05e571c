"""Photo contests: entering a photo, voting (one per photo and member, never for one's own,
a limit per contest), points for votes received, removing a photo."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from community import brakes
from community.contests import services
from community.contests.models import ContestPhoto, PhotoVote
from community.models import BrakeEvent, CommunitySettings, ModerationLog
from gamification.models import Action, Award

from .conftest import cast_vote, enter_photo, make_photo_contest, picture, points, upload

pytestmark = pytest.mark.django_db


# --- Entering ---------------------------------------------------------------------------------


def test_a_photo_is_entered_reencoded_with_its_caption(member):
    contest = make_photo_contest(phase="submitting")

    photo = services.submit_photo(
        contest=contest, member=member, upload=upload(), caption="  Spring   at the door "
    )

    assert photo.author == member and photo.body == "Spring at the door"
    assert photo.photo.name.endswith(".png")
    assert not photo.photo.name.endswith("photo.png")  # a random name, not the upload's
    assert BrakeEvent.objects.filter(member=member, kind="photo").count() == 1


def test_a_file_that_is_not_a_picture_is_refused(member):
    contest = make_photo_contest(phase="submitting")

    with pytest.raises(ValidationError) as refused:
        services.submit_photo(
            contest=contest,
            member=member,
            upload=upload(b"<svg onload=alert(1)>", name="x.png"),
            caption="Nice",
        )

    assert "photo" in refused.value.error_dict
    assert not ContestPhoto.objects.exists()


def test_a_picture_over_the_size_limit_is_refused(member):
    settings = CommunitySettings.load()
    settings.max_image_kb = 1
    settings.save()
    contest = make_photo_contest(phase="submitting")

    with pytest.raises(ValidationError):
        services.submit_photo(
            contest=contest,
            member=member,
            upload=upload(picture(size=(400, 400)) + b"\0" * 2048),
            caption="Big",
        )
    assert not ContestPhoto.objects.exists()


@pytest.mark.parametrize("caption", ["", "   ", "x" * 201])
def test_a_missing_or_long_caption_is_refused(member, caption):
    contest = make_photo_contest(phase="submitting")

    with pytest.raises(ValidationError) as refused:
        services.submit_photo(contest=contest, member=member, upload=upload(), caption=caption)

    assert "caption" in refused.value.error_dict
    assert not ContestPhoto.objects.exists()


@pytest.mark.parametrize("phase", ["voting", "finished"])
def test_photos_are_refused_outside_the_submission_window(member, phase):
    contest = make_photo_contest(phase=phase)

    with pytest.raises(services.ContestError) as refused:
        services.submit_photo(contest=contest, member=member, upload=upload(), caption="Late")

    assert refused.value.code == "closed"
    assert not ContestPhoto.objects.exists()


def test_a_member_enters_no_more_photos_than_the_contest_allows(member):
    contest = make_photo_contest(phase="submitting", per_member=2)
    services.submit_photo(contest=contest, member=member, upload=upload(), caption="One")
    services.submit_photo(contest=contest, member=member, upload=upload(), caption="Two")

    with pytest.raises(services.ContestError) as refused:
        services.submit_photo(contest=contest, member=member, upload=upload(), caption="Three")

    assert refused.value.code == "limit"
    assert ContestPhoto.objects.filter(author=member).count() == 2


def test_a_suspended_member_cannot_enter_a_photo(suspended):
    contest = make_photo_contest(phase="submitting")

    with pytest.raises(brakes.Refused) as refused:
        services.submit_photo(contest=contest, member=suspended, upload=upload(), caption="Hi")

    assert refused.value.code == "suspended"
    assert not ContestPhoto.objects.exists()


# --- Voting -----------------------------------------------------------------------------------


@pytest.fixture
def entry(make_user):
    """A photo by its own author in a contest that takes photos and votes now."""
    contest = make_photo_contest(phase="both")
    author = make_user(email="author@example.com")
    return enter_photo(contest, author)


def test_a_vote_counts_and_pays_the_author(entry, member):
    before = points(entry.author)

    ballot = cast_vote(member, entry)

    entry.refresh_from_db()
    assert entry.vote_count == 1
    assert points(entry.author) == before + 1  # photo_vote_received: 1 point (0002)
    award = Award.objects.get(action=Action.PHOTO_VOTE_RECEIVED)
    assert award.member == entry.author and award.subject_id == ballot.pk
    assert award.entry.actor_id == member.pk
    assert points(member) == 0


def test_voting_twice_for_a_photo_changes_nothing(entry, member):
    first = cast_vote(member, entry)

    again = cast_vote(member, entry)

    assert again.pk == first.pk
    entry.refresh_from_db()
    assert entry.vote_count == 1
    assert PhotoVote.objects.count() == 1
    assert Award.objects.filter(action=Action.PHOTO_VOTE_RECEIVED).count() == 1


def test_one_vote_per_photo_and_member_is_a_database_constraint(entry, member):
    cast_vote(member, entry)

    with pytest.raises(IntegrityError), transaction.atomic():
        PhotoVote.objects.create(photo=entry, contest=entry.contest, member=member)


def test_nobody_votes_for_their_own_photo(entry):
    with pytest.raises(services.ContestError) as refused:
        cast_vote(entry.author, entry)

    assert refused.value.code == "own_photo"
    assert not PhotoVote.objects.exists()
    assert not Award.objects.exists()


def test_a_suspended_member_cannot_vote(entry, suspended):
    with pytest.raises(brakes.Refused) as refused:
        cast_vote(suspended, entry)

    assert refused.value.code == "suspended"
    assert not PhotoVote.objects.exists()


def test_votes_are_refused_outside_the_voting_window(make_user, member):
    contest = make_photo_contest(phase="submitting")
    photo = enter_photo(contest, make_user())

    with pytest.raises(services.ContestError) as refused:
        services.vote(member=member, photo=photo)

    assert refused.value.code == "closed"
    with pytest.raises(services.ContestError):
        services.vote(member=member, photo=photo, at=contest.closes_at)
    assert not PhotoVote.objects.exists()


def test_a_member_has_at_most_the_contests_votes(make_user, member):
    contest = make_photo_contest(phase="both", max_votes=2)
    photos = [enter_photo(contest, make_user()) for _ in range(3)]
    cast_vote(member, photos[0])
    cast_vote(member, photos[1])

    with pytest.raises(services.ContestError) as refused:
        cast_vote(member, photos[2])

    assert refused.value.code == "vote_limit"
    assert PhotoVote.objects.filter(member=member).count() == 2
    # A vote taken back frees one.
    services.withdraw_vote(member=member, photo=photos[0])
    cast_vote(member, photos[2])
    assert PhotoVote.objects.filter(member=member).count() == 2


def test_a_removed_photo_takes_no_votes(entry, member, moderator):
    services.remove_photo(photo=entry, moderator=moderator, reason="not a photo of spring")

    with pytest.raises(services.ContestError) as refused:
        cast_vote(member, entry)

    assert refused.value.code == "hidden"


def test_a_withdrawn_vote_takes_its_points_back(entry, member):
    before = points(entry.author)
    cast_vote(member, entry)

    assert services.withdraw_vote(member=member, photo=entry) is True

    entry.refresh_from_db()
    assert entry.vote_count == 0
    assert not PhotoVote.objects.exists()
    assert points(entry.author) == before
    assert services.withdraw_vote(member=member, photo=entry) is False


def test_voting_withdrawing_and_voting_again_pays_once(entry, member):
    before = points(entry.author)
    for _ in range(3):
        cast_vote(member, entry)
        services.withdraw_vote(member=member, photo=entry)
    cast_vote(member, entry)

    assert points(entry.author) == before + 1
    entry.refresh_from_db()
    assert entry.vote_count == 1


def test_the_vote_brake_refuses_past_the_daily_limit(make_user, member):
    settings = CommunitySettings.load()
    settings.daily_likes = 1
    settings.save()
    contest = make_photo_contest(phase="both")
    photos = [enter_photo(contest, make_user()) for _ in range(2)]
    cast_vote(member, photos[0])

    with pytest.raises(brakes.Refused) as refused:
        cast_vote(member, photos[1])

    assert refused.value.code == "daily_limit"
    assert PhotoVote.objects.filter(member=member).count() == 1


# --- Removing ---------------------------------------------------------------------------------


def test_removing_a_photo_hides_it_logs_and_takes_its_vote_points_back(entry, make_user, moderator):
    voters = [make_user() for _ in range(3)]
    for voter in voters:
        cast_vote(voter, entry)
    before = points(entry.author)

    assert services.remove_photo(photo=entry, moderator=moderator, reason="off topic") is True

    entry.refresh_from_db()
    assert entry.is_hidden and entry.hidden_reason == "off topic"
    assert points(entry.author) == before - 3
    log = ModerationLog.objects.get()
    assert log.moderator == moderator and log.member == entry.author and log.target == entry
    # Twice is once.
    assert services.remove_photo(photo=entry, moderator=moderator, reason="again") is False
    assert points(entry.author) == before - 3


def test_restoring_a_photo_gives_its_vote_points_back(entry, make_user, moderator):
    for voter in [make_user() for _ in range(2)]:
        cast_vote(voter, entry)
    before = points(entry.author)
    services.remove_photo(photo=entry, moderator=moderator, reason="checking")

    assert services.restore_photo(photo=entry, moderator=moderator, reason="it is fine") is True

    entry.refresh_from_db()
    assert not entry.is_hidden
    assert points(entry.author) == before


def test_removing_needs_a_reason(entry, moderator):
    from community.moderation import ModerationRefused

    with pytest.raises(ModerationRefused):
        services.remove_photo(photo=entry, moderator=moderator, reason="  ")

    entry.refresh_from_db()
    assert not entry.is_hidden


def test_vote_points_respect_the_rules_daily_cap(make_user):
    contest = make_photo_contest(phase="both")
    author = make_user()
    from gamification.models import EarningRule

    EarningRule.objects.filter(action=Action.PHOTO_VOTE_RECEIVED).update(daily_cap=2)
    photo = enter_photo(contest, author, at=timezone.now() - timedelta(minutes=1))
    for _ in range(4):
        cast_vote(make_user(), photo)

    photo.refresh_from_db()
    assert photo.vote_count == 4
    assert points(author) == 2


def test_hiding_a_photo_from_the_community_queue_takes_its_vote_points_back_too(
    entry, make_user, moderator
):
    from community import moderation

    before = points(entry.author)
    for voter in [make_user() for _ in range(2)]:
        cast_vote(voter, entry)
    assert points(entry.author) > before

    moderation.hide(content=entry, moderator=moderator, reason="flagged: not a photo")
    assert points(entry.author) == before

    moderation.restore(content=entry, moderator=moderator, reason="it is fine")
    assert points(entry.author) > before
