"""Wagtail admin: the "Cockpit" menu, shared by the cockpit apps (segments and campaigns
here; others add items with the `register_cockpit_menu_item` hook), and the cockpit's
screens under /cms/cockpit/. Managers only (accounts.manage_club)."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, SubmenuMenuItem

from portal.shell.wagtail_menu import ClubManagerMenuItem

from . import urls

COCKPIT_MENU_HOOK = "register_cockpit_menu_item"


@hooks.register("register_admin_urls")
def cockpit_urls():
    return [path("cockpit/", include((urls.urlpatterns, "cockpit"), namespace="cockpit"))]


@hooks.register("register_admin_menu_item")
def cockpit_menu():
    return SubmenuMenuItem(
        _("Cockpit"),
        Menu(register_hook_name=COCKPIT_MENU_HOOK),
        name="cockpit",
        icon_name="pick",
        order=150,
    )


@hooks.register(COCKPIT_MENU_HOOK)
def segments_menu_item():
    return ClubManagerMenuItem(
        _("Segments"), reverse("cockpit:segment-list"), icon_name="group", order=10
    )


@hooks.register(COCKPIT_MENU_HOOK)
def campaigns_menu_item():
    return ClubManagerMenuItem(
        _("Campaigns"), reverse("cockpit:campaign-list"), icon_name="mail", order=20
    )
