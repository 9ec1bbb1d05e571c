from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShellConfig(AppConfig):
    """The site shell: base layout helpers, language, health, the staff home."""

    name = "portal.shell"
    label = "shell"
    verbose_name = _("Site shell")
