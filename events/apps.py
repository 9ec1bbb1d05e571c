from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    label = "events"
    verbose_name = _("News and events")

    def ready(self) -> None:
        from portal.accounts import erasure

        from .services import erase_member_registrations

        erasure.register(erase_member_registrations)
