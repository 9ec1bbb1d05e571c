from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import MemberProfile, User


class MemberProfileInline(admin.StackedInline):
    model = MemberProfile
    fk_name = "user"
    can_delete = False
    readonly_fields = [
        "referral_code",
        "signup_referral_code",
        "sms_consent_at",
        "email_consent_at",
    ]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "mobile", "mobile_verified", "is_active", "date_joined"]
    list_filter = ["is_active", "is_superuser", "groups"]
    search_fields = ["email", "mobile", "profile__first_name", "profile__last_name"]
    inlines = [MemberProfileInline]
    fieldsets = [
        (None, {"fields": ["email", "password", "mobile", "mobile_verified"]}),
        (_("Roles"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
