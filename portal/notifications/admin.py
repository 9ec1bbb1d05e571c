from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["title", "member", "kind", "created_at", "read_at"]
    list_filter = ["kind", "marketing"]
    search_fields = ["title", "member__email"]
    raw_id_fields = ["member"]
