"""Wagtail admin: an "Event attendees" menu item and an "Attendees and invitations" button
on every event page (its header and its row's "more" menu) lead the Club manager to the
organiser's screens. Publishing an event whose capacity went up moves waiting members
into the new places."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.ui.menus.pages import PageMenuItem

from portal.shell.wagtail_menu import ClubManagerMenuItem

from . import services
from .models import EventPage

MANAGE = "accounts.manage_club"


@hooks.register("register_admin_menu_item")
def event_attendees_menu_item():
    return ClubManagerMenuItem(
        _("Event attendees"), reverse("events:staff-event-list"), icon_name="date", order=260
    )


class AttendeesButton(PageMenuItem):
    label = _("Attendees and invitations")
    icon_name = "group"

    @property
    def url(self):
        return reverse("events:staff-attendees", args=[self.page.pk])

    def is_shown(self, user):
        return user.has_perm(MANAGE)


def _is_event(page) -> bool:
    return issubclass(page.specific_class or type(page), EventPage)


@hooks.register("register_page_header_buttons")
def attendees_header_button(page, user, view_name, next_url=None):
    if _is_event(page):
        yield AttendeesButton(page=page, priority=12)


@hooks.register("register_page_listing_more_buttons")
def attendees_listing_button(page, user, next_url=None):
    if _is_event(page):
        yield AttendeesButton(page=page, priority=7)


@hooks.register("after_publish_page")
def promote_into_new_places(request, page):
    if isinstance(page, EventPage):
        services.fill_places(event=page)
