"""Sign-up signals the referral rules compare (recorded when an account is created on the
website). Framework hook only: allauth's "user signed up"."""

import hashlib

from allauth.account.signals import user_signed_up
from django.dispatch import receiver

from portal.audit.services import client_ip

from .middleware import device_id
from .models import SignupSignal


def device_hash(value: str) -> str:
    """What is stored of a device id: its SHA-256, so the cookie's value never sits in the
    database ("" for no device)."""
    return hashlib.sha256(value.encode()).hexdigest() if value else ""


def record_signup_signal(*, member, request) -> SignupSignal:
    """Remember the IP address and the hashed device cookie the member signed up from.
    One row per member: a second call leaves the first answer in place."""
    signal, _created = SignupSignal.objects.get_or_create(
        member=member,
        defaults={
            "ip": client_ip(request) if request is not None else None,
            "device": device_hash(device_id(request)) if request is not None else "",
        },
    )
    return signal


@receiver(user_signed_up, dispatch_uid="fraud.record_signup_signal")
def on_user_signed_up(sender, request, user, **kwargs):
    record_signup_signal(member=user, request=request)


def forget_member(member, keep_posts: bool) -> None:
    """The erasure hook (portal.accounts.erasure.register): drop the sign-up signal. Fraud
    cases stay (they hold ids and masked numbers only, and the books need their holds)."""
    SignupSignal.objects.filter(member=member).delete()
