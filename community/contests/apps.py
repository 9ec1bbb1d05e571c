from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ContestsConfig(AppConfig):
    name = "community.contests"
    label = "contests"
    verbose_name = _("Contests")

    def ready(self) -> None:
        from community import targets
        from portal.accounts import erasure

        from .erasure import erase_member
        from .models import ContestPhoto

        # Members flag contest photos through the community's flag page (votes, not likes,
        # are how they show they like one).
        targets.register(ContestPhoto, visible=_photo_visible, likes=False)
        # A member's erasure keeps or removes their contest photos.
        erasure.register(erase_member)


def _photo_visible(user, photo) -> bool:
    return photo.contest.is_published
