"""Shared pieces of the Django admin (superusers only)."""


class ReadOnlyMixin:
    """For ModelAdmin and inlines of records that change only through a service (the
    ledger, tickets): shown, never added, edited or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
