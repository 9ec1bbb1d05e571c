"""Wagtail admin menu links to the portal's manager screens."""

from wagtail.admin.menu import MenuItem


class ClubManagerMenuItem(MenuItem):
    """A link from the Wagtail admin to a manager screen of the portal, shown only to
    whoever may use it (accounts.manage_club; the screen checks it again)."""

    def is_shown(self, request):
        return request.user.has_perm("accounts.manage_club")
