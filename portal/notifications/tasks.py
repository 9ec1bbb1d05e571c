from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from portal.accounts import unsubscribe

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


def _send(notification: Notification, channel: str) -> None:
    """E-mail or text one notification. A marketing one carries its one-click unsubscribe
    link (and, by e-mail, the List-Unsubscribe headers of RFC 8058), in the member's
    language."""
    member = notification.member
    profile = getattr(member, "profile", None)
    with translation.override(getattr(profile, "preferred_language", None)):
        link = unsubscribe.url(member, channel) if notification.marketing else ""
        if channel == "email":
            text = f"{notification.body}\n\n{settings.WAGTAILADMIN_BASE_URL}{notification.url}"
            headers = {}
            if link:
                text += "\n\n" + gettext("No more offers by e-mail: %(url)s") % {"url": link}
                headers = {
                    "List-Unsubscribe": f"<{link}>",
                    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                }
            EmailMessage(notification.title, text, to=[member.email], headers=headers).send()
        else:
            text = notification.title
            if link:
                text += " " + gettext("Stop offers: %(url)s") % {"url": link}
            send_sms(to=member.mobile, text=text)


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
                _send(notification, channel)
            except Exception as exc:
                raise self.retry(exc=exc) from exc
            setattr(notification, stamp, timezone.now())
            notification.save(update_fields=[stamp])
            sent.append(channel)
    return sent
