from .models import MemberProfile, User
from .services import ensure_profile


def panel_profile(*, user: User) -> MemberProfile:
    """The profile with what the panel shows, in one query."""
    ensure_profile(user=user)
    return (
        MemberProfile.objects.select_related("user", "home_branch")
        .prefetch_related("interests")
        .get(user=user)
    )
