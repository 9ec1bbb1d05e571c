from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from .models import Notification
from .sms import send_sms


def _allowed(notification: Notification, channel: str) -> bool:
    """Marketing needs the member's consent for that channel; service messages go to
    whatever contact is on file (e-mail always, SMS only to a verified mobile)."""
    member = notification.member
    profile = getattr(member, "profile", None)
    if channel == "email":
        return bool(member.email) and (
            not notification.marketing or bool(profile and profile.email_consent)
        )
    return bool(member.mobile and member.mobile_verified) and (
        not notification.marketing or bool(profile and profile.sms_consent)
    )


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def deliver_notification(self, notification_id: int, channels: list[str]) -> list[str]:
    """Send a notification by e-mail and/or SMS. Idempotent: a channel already sent (its
    timestamp set under a row lock) is never sent again, so retries cannot double it."""
    sent = []
    for channel in channels:
        stamp = "emailed_at" if channel == "email" else "texted_at"
        with transaction.atomic():
            notification = (
                Notification.objects.select_for_update(of=("self",))
                .select_related("member__profile")
                .filter(pk=notification_id)
                .first()
            )
            if (
                notification is None
                or getattr(notification, stamp)
                or not _allowed(notification, channel)
            ):
                continue
            try:
                if channel == "email":
                    text = (
                        f"{notification.body}\n\n{settings.WAGTAILADMIN_BASE_URL}{notification.url}"
                    )
                    send_mail(notification.title, text, None, [notification.member.email])
                else:
                    send_sms(to=notification.member.mobile, text=notification.title)
            except Exception as exc:
                raise self.retry(exc=exc) from exc
            setattr(notification, stamp, timezone.now())
            notification.save(update_fields=[stamp])
            sent.append(channel)
    return sent
