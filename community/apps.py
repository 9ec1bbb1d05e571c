from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommunityConfig(AppConfig):
    name = "community"
    label = "community"
    verbose_name = _("Community")

    def ready(self) -> None:
        from gamification import hooks
        from portal.accounts import erasure

        from . import feed, targets
        from .erasure import erase_member
        from .models import Comment, StatusUpdate

        # Badges earned and tiers reached go to the activity feed (gamification imports
        # nothing of ours: it calls what is registered here).
        hooks.on_badge_granted(feed.on_badge_granted)
        hooks.on_tier_change(feed.on_tier_change)
        # A member's erasure keeps or removes their status updates and comments.
        erasure.register(erase_member)
        # Status updates and their comments take likes and flags (community.targets); a
        # comment is seen by whoever may see what it comments on.
        targets.register(StatusUpdate)
        targets.register(Comment, visible=_comment_visible)


def _comment_visible(user, comment) -> bool:
    from .targets import can_see

    target = comment.target
    return target is not None and can_see(user, target)
