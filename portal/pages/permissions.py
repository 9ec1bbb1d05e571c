"""Page permissions for the staff roles (portal/accounts/roles.py) on a part of the page
tree: Wagtail's GroupPagePermission rows, which the role groups cannot carry by codename."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import GroupPagePermission, Page

EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")


@transaction.atomic
def let_role_edit(*, page: Page, role: str, codenames=EDITOR_PAGE_PERMISSIONS) -> None:
    """The role may add, edit and publish `page` and everything under it. Idempotent."""
    group = Group.objects.get_or_create(name=role)[0]
    for permission in Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=codenames
    ):
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=permission)
