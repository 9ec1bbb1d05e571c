"""The member's community data for "Download my data" (portal.accounts.data_export):
their profile, status updates, comments, likes, follows and group memberships. Everything is
filtered by the member; other members appear only as their public @handle."""

from portal.accounts.data_export import rows


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
        "status_updates": rows(
            StatusUpdate.objects.filter(author=member).order_by("created_at", "pk"),
            ["body", "photo", "created_at", "is_hidden", "like_count", "comment_count"],
        ),
        "comments": rows(
            Comment.objects.filter(author=member).order_by("created_at", "pk"),
            ["body", "target_type__model", "target_id", "created_at", "is_hidden"],
            ["body", "on", "on_id", "created_at", "is_hidden"],
        ),
        "likes": rows(
            Like.objects.filter(member=member).order_by("created_at", "pk"),
            ["target_type__model", "target_id", "created_at"],
            ["liked", "liked_id", "created_at"],
        ),
        "following": rows(
            MemberFollow.objects.filter(follower=member).order_by("created_at", "pk"),
            ["followed__community__handle", "created_at"],
            ["handle", "since"],
        ),
        "group_memberships": rows(
            GroupMembership.objects.filter(member=member).order_by("joined_at", "pk"),
            ["group__name", "joined_at"],
            ["group", "joined_at"],
        ),
    }
