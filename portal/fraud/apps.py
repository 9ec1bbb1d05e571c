from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FraudConfig(AppConfig):
    name = "portal.fraud"
    label = "fraud"
    verbose_name = _("Fraud review")

    def ready(self):
        from portal.accounts import erasure

        from . import signals

        # An erased member's sign-up IP address and device go with the rest of them.
        erasure.register(signals.forget_member)
