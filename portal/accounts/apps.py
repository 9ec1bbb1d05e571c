from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "portal.accounts"
    label = "accounts"
    verbose_name = _("Members")

    def ready(self) -> None:
        from gamification import hooks

        from . import signals  # noqa: F401  (allauth's "user signed up" framework hook)
        from .services import announce_tier_change

        hooks.on_tier_change(announce_tier_change)
