"""Wagtail admin: the KPI dashboard and the exports, mounted at /cms/reports/ and listed in
the shared "Cockpit" menu (the cockpit app's submenu, filled through the
`register_cockpit_menu_item` hook) for club managers only; the views check
accounts.manage_club again."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from cockpit.wagtail_hooks import COCKPIT_MENU_HOOK
from portal.shell.wagtail_menu import ClubManagerMenuItem

from . import urls


@hooks.register("register_admin_urls")
def reports_urls():
    return [path("reports/", include((urls.urlpatterns, "reports"), namespace="reports"))]


@hooks.register(COCKPIT_MENU_HOOK)
def dashboard_menu_item():
    return ClubManagerMenuItem(
        _("Key figures"), reverse("reports:dashboard"), icon_name="table", order=30
    )


@hooks.register(COCKPIT_MENU_HOOK)
def exports_menu_item():
    return ClubManagerMenuItem(
        _("Exports"), reverse("reports:exports"), icon_name="download", order=31
    )
