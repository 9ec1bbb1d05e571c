"""Framework hooks only: allauth's "user signed up" signal welcomes the new member once
the sign-up is committed (till and import sign-ups are caught by the periodic job)."""

from allauth.account.signals import user_signed_up
from django.db import transaction
from django.dispatch import receiver


@receiver(user_signed_up)
def welcome_on_sign_up(sender, request, user, **kwargs):
    from .tasks import welcome_member

    member_id = user.pk
    transaction.on_commit(lambda: welcome_member.delay(member_id))
