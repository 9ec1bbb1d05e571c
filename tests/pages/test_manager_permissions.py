"""The Club manager edits the whole site in Wagtail (migration pages.0003): add, edit and
publish any page, and upload pictures and documents; other roles get none of it."""

import importlib

import pytest
from django.apps import apps
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.permissions import policy_registry

from portal.accounts import roles

image_policy = policy_registry.get_by_type(get_image_model())
document_policy = policy_registry.get_by_type(get_document_model())
grant = importlib.import_module("portal.pages.migrations.0003_manager_page_permissions").grant


@pytest.fixture(autouse=True)
def migrated_grants(db, role_groups):
    grant(apps, None)  # idempotent; transactional tests elsewhere flush the migration's rows


def test_manager_edits_and_publishes_every_page(home, make_user):
    manager = make_user(roles.CLUB_MANAGER)
    permissions = home.permissions_for_user(manager)
    assert permissions.can_add_subpage()
    assert permissions.can_edit()
    assert permissions.can_publish()
    assert image_policy.user_has_permission(manager, "add")
    assert document_policy.user_has_permission(manager, "add")


@pytest.mark.parametrize("role", [roles.MEMBER, roles.SUPPORT_AGENT, roles.CASHIER])
def test_other_roles_do_not(home, make_user, role):
    user = make_user(role)
    permissions = home.permissions_for_user(user)
    assert not permissions.can_add_subpage()
    assert not permissions.can_publish()
    assert not image_policy.user_has_permission(user, "add")


def test_running_the_grant_again_adds_nothing():
    from wagtail.models import GroupCollectionPermission, GroupPagePermission

    def counts():
        return GroupPagePermission.objects.count(), GroupCollectionPermission.objects.count()

    before = counts()
    grant(apps, None)
    assert counts() == before
