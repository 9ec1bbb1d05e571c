from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "community.surveys"
    label = "surveys"
    verbose_name = _("Surveys")

    def ready(self) -> None:
        from portal.accounts import erasure

        from .services import erase_member_answers

        erasure.register(erase_member_answers)
