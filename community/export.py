"""The member's community data for "Download my data" (portal.accounts.data_export):
their profile, status updates, comments, likes, follows and group memberships. Everything is
filtered by the member; other members appear only as their public @handle."""

from datetime import date, datetime

from django.utils import timezone


def _value(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return value


def _rows(queryset, fields: list[str], names: list[str] | None = None) -> list[dict]:
    names = names or fields
    return [
        {name: _value(value) for name, value in zip(names, row, strict=True)}
        for row in queryset.values_list(*fields)
    ]


def member_data(member) -> dict:
    from .models import (
        Comment,
        CommunityProfile,
        GroupMembership,
        Like,
        MemberFollow,
        StatusUpdate,
    )

    profile = CommunityProfile.objects.filter(member=member).first()
    followers = MemberFollow.objects.filter(followed=member).count()
    return {
        "community_profile": (
            {"handle": profile.handle, "bio": profile.bio, "followers": followers}
            if profile
            else {}
        ),
        "status_updates": _rows(
            StatusUpdate.objects.filter(author=member).order_by("created_at", "pk"),
            ["body", "photo", "created_at", "is_hidden", "like_count", "comment_count"],
        ),
        "comments": _rows(
            Comment.objects.filter(author=member).order_by("created_at", "pk"),
            ["body", "target_type__model", "target_id", "created_at", "is_hidden"],
            ["body", "on", "on_id", "created_at", "is_hidden"],
        ),
        "likes": _rows(
            Like.objects.filter(member=member).order_by("created_at", "pk"),
            ["target_type__model", "target_id", "created_at"],
            ["liked", "liked_id", "created_at"],
        ),
        "following": _rows(
            MemberFollow.objects.filter(follower=member).order_by("created_at", "pk"),
            ["followed__community__handle", "created_at"],
            ["handle", "since"],
        ),
        "group_memberships": _rows(
            GroupMembership.objects.filter(member=member).order_by("joined_at", "pk"),
            ["group__name", "joined_at"],
            ["group", "joined_at"],
        ),
    }
