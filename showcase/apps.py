from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShowcaseConfig(AppConfig):
    name = "showcase"
    label = "showcase"
    verbose_name = _("Showcase")

    def ready(self) -> None:
        from portal.accounts import erasure

        from .services import erase_member_entries

        erasure.register(erase_member_entries)
