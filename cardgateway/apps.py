from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CardGatewayConfig(AppConfig):
    name = "cardgateway"
    verbose_name = _("Card gateway")
