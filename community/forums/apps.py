from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumsConfig(AppConfig):
    name = "community.forums"
    label = "forums"
    verbose_name = _("Forums")

    def ready(self) -> None:
        from community import sections, targets
        from portal.accounts import erasure

        from . import selectors
        from .erasure import erase_member_posts
        from .models import Post

        # A member's erasure blanks or keeps their forum posts (portal/accounts/erasure.py).
        erasure.register(erase_member_posts)
        # The community's like and flag pages reach a post only where its topic is visible.
        targets.register(Post, visible=selectors.can_see_post)
        # Their latest posts on a member's profile, recent topics on a group's page.
        sections.add_profile_section(
            template="forums/includes/profile_section.html",
            context=lambda *, member, viewer: {
                "posts": selectors.recent_posts_by(member, viewer, 5)
            },
        )
        sections.add_group_section(
            template="forums/includes/group_section.html",
            context=lambda *, group, viewer: {
                "topics": selectors.recent_topics_in_group(group, viewer, 5)
            },
        )
