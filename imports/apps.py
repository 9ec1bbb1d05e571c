from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    label = "imports"
    verbose_name = _("Member import")

    def ready(self) -> None:
        from portal.accounts import erasure

        from .services import erase_member_rows

        erasure.register(erase_member_rows)
