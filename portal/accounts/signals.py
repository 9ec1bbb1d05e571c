"""Framework hooks only: allauth's "user signed up" signal."""

from allauth.account.signals import user_signed_up
from django.conf import settings
from django.dispatch import receiver

from .services import attach_referral, ensure_profile


@receiver(user_signed_up)
def on_user_signed_up(sender, request, user, **kwargs):
    ensure_profile(user=user)
    code = request.session.pop(settings.REFERRAL_SESSION_KEY, "") if request else ""
    if code:
        attach_referral(user=user, code=code)
