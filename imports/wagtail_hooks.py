"""The member import in the Wagtail admin, for club managers (accounts.manage_club): its
screens under /cms/imports/ and an item in the shared "Cockpit" menu (the cockpit app's
submenu); the views check the permission again."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from cockpit.wagtail_hooks import COCKPIT_MENU_HOOK
from portal.shell.wagtail_menu import ClubManagerMenuItem

from . import urls


@hooks.register("register_admin_urls")
def import_urls():
    return [path("imports/", include(urls, namespace="imports"))]


@hooks.register(COCKPIT_MENU_HOOK)
def import_menu_item():
    return ClubManagerMenuItem(
        _("Member import"), reverse("imports:job-list"), icon_name="upload", order=40
    )
