"""Wagtail permission policies shared by the apps' snippet screens (wagtail_hooks.py).
Register one with wagtail.permissions.register_permission_policy before the snippet's
viewset is registered, since the viewset creates the default policy otherwise."""

from wagtail.permission_policies import ModelPermissionPolicy


class SingleRowPolicy(ModelPermissionPolicy):
    """A settings model kept as one row (pk=1, Model.load()): it is edited, never added to
    or deleted, whatever permissions a user holds."""

    def user_has_permission(self, user, action):
        if action in ("add", "delete"):
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


class NoDeletePolicy(ModelPermissionPolicy):
    """Rows other rows point at (a ticket's category): switched off, never deleted, not
    even by a superuser."""

    def user_has_permission(self, user, action):
        if action == "delete":
            return False
        return super().user_has_permission(user, action)

    def user_has_permission_for_instance(self, user, action, instance):
        if action == "delete":
            return False
        return super().user_has_permission_for_instance(user, action, instance)
