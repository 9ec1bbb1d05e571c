"""Likes: one per member per thing, never one's own; the author earns "like received" once
per like, and loses it when the like is taken back."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError

from community import likes, services
from community.models import Like
from gamification import ledger
from gamification.models import Action, Award

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("loose_brakes")]


def points(member) -> int:
    return ledger.balances(member).points


def test_a_like_counts_once_and_pays_the_author_once(author, member, status):
    first = likes.like(member=member, target=status)
    again = likes.like(member=member, target=status)

    assert first == again
    status.refresh_from_db()
    assert status.like_count == 1
    assert points(author) == 2 + 1
    award = Award.objects.get(action=Action.LIKE_RECEIVED)
    assert (award.member, award.subject_id) == (author, first.pk)
    assert points(member) == 0


def test_own_content_cannot_be_liked(author, status):
    with pytest.raises(likes.LikeRefused) as refusal:
        likes.like(member=author, target=status)
    assert refusal.value.code == "own"
    status.refresh_from_db()
    assert (status.like_count, Like.objects.count(), points(author)) == (0, 0, 2)


def test_unlike_takes_the_count_and_the_points_back(author, member, status):
    likes.like(member=member, target=status)
    assert likes.unlike(member=member, target=status)
    assert not likes.unlike(member=member, target=status)

    status.refresh_from_db()
    assert (status.like_count, Like.objects.count(), points(author)) == (0, 0, 2)
    assert ledger.audit() == []


def test_liking_again_after_unliking_pays_again_once(author, member, status):
    likes.like(member=member, target=status)
    likes.unlike(member=member, target=status)
    likes.like(member=member, target=status)
    status.refresh_from_db()
    assert (status.like_count, points(author)) == (1, 3)


def test_comments_take_likes_too(author, member, status):
    comment = services.post_comment(author=member, target=status, body="Well said")
    likes.like(member=author, target=comment)
    comment.refresh_from_db()
    assert comment.like_count == 1
    assert points(member) == 3 + 1


def test_the_database_holds_one_like_per_member_per_thing(member, status):
    likes.like(member=member, target=status)
    with pytest.raises(IntegrityError):
        Like.objects.create(
            member=member,
            target_type=ContentType.objects.get_for_model(status),
            target_id=status.pk,
        )


def test_liked_ids_is_one_query(member, author, django_assert_num_queries):
    statuses = [services.post_status(author=author, body=f"news {n}") for n in range(3)]
    likes.like(member=member, target=statuses[1])
    with django_assert_num_queries(1):
        assert likes.liked_ids(member=member, targets=statuses) == {statuses[1].pk}
