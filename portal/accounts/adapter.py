"""allauth adapter: mobile numbers as the second login identifier, SMS through the
portal's SMS backend, and a profile for every new member."""

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .mobile import MobileField, normalize_mobile
from .models import User


class ClubAccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from .services import ensure_profile

            ensure_profile(user=user)
        return user

    def phone_form_field(self, **kwargs):
        return MobileField(**kwargs)

    def clean_phone(self, phone: str) -> str:
        return phone

    def set_phone(self, user, phone: str, verified: bool) -> None:
        user.mobile, user.mobile_verified = phone, verified
        if user.pk:
            with transaction.atomic():
                user.save(update_fields=["mobile", "mobile_verified"])

    def get_phone(self, user):
        return (user.mobile, user.mobile_verified) if user.mobile else None

    def set_phone_verified(self, user, phone: str) -> None:
        User.objects.filter(pk=user.pk, mobile=phone).update(mobile_verified=True)
        user.mobile_verified = True

    def get_user_by_phone(self, phone: str):
        # allauth passes what the member typed at log-in (09..., spaces, Persian digits).
        try:
            phone = normalize_mobile(phone)
        except ValidationError:
            return None
        return User.objects.filter(mobile=phone).first()

    def send_verification_code_sms(self, user, phone: str, code: str, **kwargs) -> None:
        from portal.notifications.sms import send_sms

        send_sms(to=phone, text=_("Customer Club code: %(code)s") % {"code": code})

    def send_account_already_exists_sms(self, phone: str) -> None:
        # Sign-up with a taken number: the page cannot say so (no account enumeration),
        # so the number's owner is told instead.
        from portal.notifications.sms import send_sms

        send_sms(
            to=phone,
            text=_(
                "Someone tried to join Customer Club with this number, which already has an "
                "account. If it was you, log in or reset your password."
            ),
        )
