"""Django admin (superusers): read-mostly views of the gateway. Terminals are created and
rotated on the club manager's screens, where the secret is shown once; postings and card
history are never edited here."""

from django.contrib import admin

from .models import Branch, Card, CardEvent, CashierStation, LimitHit, Terminal, Transaction


@admin.register(Branch)
class BranchAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "city", "is_active"]
    search_fields = ["name", "code", "city"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Terminal)
class TerminalAdmin(ReadOnlyAdmin):
    list_display = ["terminal_id", "name", "branch", "is_enabled", "last_seen_at"]
    list_filter = ["is_enabled", "branch"]
    search_fields = ["terminal_id", "name"]
    exclude = ["secret_encrypted"]


class CardEventInline(admin.TabularInline):
    model = CardEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "actor", "reason", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Card)
class CardAdmin(ReadOnlyAdmin):
    list_display = ["masked", "member", "status", "issued_at"]
    list_filter = ["status"]
    search_fields = ["number", "member__email", "member__mobile"]
    list_select_related = ["member"]
    inlines = [CardEventInline]


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = ["receipt", "kind", "txn_id", "terminal", "branch", "amount", "created_at"]
    list_filter = ["kind", "branch"]
    search_fields = ["receipt", "txn_id", "card__number"]
    list_select_related = ["terminal", "branch"]


@admin.register(LimitHit)
class LimitHitAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "kind", "terminal", "card", "detail"]
    list_filter = ["kind"]
    list_select_related = ["terminal", "card"]


@admin.register(CashierStation)
class CashierStationAdmin(admin.ModelAdmin):
    list_display = ["cashier", "branch", "terminal"]
    list_select_related = ["cashier", "branch", "terminal"]
    autocomplete_fields = ["cashier"]
