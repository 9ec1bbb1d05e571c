"""Django admin (superusers): the ledger and the balances, read-only. Balances change only
through gamification/ledger.py, never through a form."""

from django.contrib import admin

from portal.shell.admin_mixins import ReadOnlyMixin

from .models import Account, LedgerEntry


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "created_at",
        "member_email",
        "currency",
        "kind",
        "amount",
        "balance_after",
        "idempotency_key",
    ]
    list_filter = ["kind", "account__currency"]
    search_fields = ["idempotency_key", "account__member__email"]
    list_select_related = ["account__member"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    @admin.display(description="member", ordering="account__member__email")
    def member_email(self, entry: LedgerEntry) -> str:
        return entry.account.member.email

    @admin.display(description="currency", ordering="account__currency")
    def currency(self, entry: LedgerEntry) -> str:
        return entry.account.currency


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["id", "member", "currency", "balance", "lifetime_earned", "updated_at"]
    list_filter = ["currency"]
    search_fields = ["member__email"]
    list_select_related = ["member"]
