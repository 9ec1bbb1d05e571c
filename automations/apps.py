from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutomationsConfig(AppConfig):
    name = "automations"
    label = "automations"
    verbose_name = _("Automations")

    def ready(self) -> None:
        from gamification import hooks

        from . import signals  # noqa: F401  (allauth's "user signed up": the welcome)
        from .services import on_tier_change

        # Tier upgrades are congratulated (gamification imports nothing of ours).
        hooks.on_tier_change(on_tier_change)
