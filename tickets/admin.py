"""Django admin (superusers): tickets with their messages, files and history, and the
satisfaction ratings, read-only. Tickets change only through tickets/services.py (the
desk), so every change leaves its event; the desk's lists and numbers are edited in the
Wagtail admin (wagtail_hooks.py). Attached files are named here, never linked: they are
sent only by the views that check who asks."""

from django.contrib import admin

from portal.shell.admin_mixins import ReadOnlyMixin

from .models import SatisfactionRating, Ticket, TicketAttachment, TicketEvent, TicketMessage


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False


class MessageInline(ReadOnlyInline):
    model = TicketMessage
    fields = ["created_at", "author", "is_internal", "body"]
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = TicketAttachment
    fields = ["created_at", "name", "content_type", "size", "is_internal", "uploaded_by"]
    readonly_fields = fields


class EventInline(ReadOnlyInline):
    model = TicketEvent
    fields = ["created_at", "kind", "actor", "from_status", "to_status", "detail"]
    readonly_fields = fields


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdmin):
    list_display = [
        "tracking_code",
        "subject",
        "kind",
        "status",
        "priority",
        "category",
        "branch",
        "assignee",
        "created_at",
    ]
    list_filter = ["status", "priority", "kind", "category", "branch"]
    search_fields = ["tracking_code", "subject", "guest_email", "guest_mobile", "member__email"]
    list_select_related = ["category", "branch", "assignee"]
    date_hierarchy = "created_at"
    show_full_result_count = False
    inlines = [MessageInline, AttachmentInline, EventInline]


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(ReadOnlyAdmin):
    list_display = ["ticket", "score", "agent", "created_at"]
    list_filter = ["score"]
    search_fields = ["ticket__tracking_code", "agent__email"]
    list_select_related = ["ticket", "agent"]
    date_hierarchy = "created_at"
