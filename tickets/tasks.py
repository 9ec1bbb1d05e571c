"""The desk's Celery tasks: a guest's e-mail / SMS, and the two scheduled jobs
(CELERY_BEAT_SCHEDULE in portal/settings/base.py) whose logic is in tickets/jobs.py."""

from celery import shared_task
from django.core.cache import cache
from django.core.mail import send_mail

from portal.notifications.sms import send_sms

from . import jobs
from .models import Ticket

# How long a sent (ticket, event, channel) is remembered: far longer than Celery retries.
GUEST_SENT_TTL = 14 * 24 * 3600


def guest_sent_key(ticket_id: int, event: str, channel: str) -> str:
    return f"tickets:guest-sent:{ticket_id}:{event}:{channel}"


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def send_to_guest(
    self, ticket_id: int, event: str, subject: str, body: str, sms_text: str
) -> list[str]:
    """E-mail and/or text a guest (who has no account, so no notification) about `event`
    of their ticket. Idempotent under retries and duplicate deliveries: each
    (ticket, event, channel) is claimed with cache.add() before sending, so it goes at most
    once; a send that fails releases its claim and the task retries that channel only.
    (A worker killed between claim and send loses that one message rather than doubling
    it. `event` must name one occurrence: "opened", "reply.<message id>", ...)"""
    ticket = Ticket.objects.filter(pk=ticket_id).values("guest_email", "guest_mobile").first()
    if ticket is None:
        return []
    sent = []
    for channel, to in (("email", ticket["guest_email"]), ("sms", ticket["guest_mobile"])):
        if not to:
            continue
        key = guest_sent_key(ticket_id, event, channel)
        if not cache.add(key, 1, timeout=GUEST_SENT_TTL):
            continue
        try:
            if channel == "email":
                send_mail(subject, body, None, [to])
            else:
                send_sms(to=to, text=sms_text)
        except Exception as exc:
            cache.delete(key)
            raise self.retry(exc=exc) from exc
        sent.append(channel)
    return sent


@shared_task
def auto_close_waiting() -> int:
    """Close tickets left waiting on the customer too long (every 15 minutes)."""
    return jobs.close_waiting()


@shared_task
def flag_sla_breaches() -> int:
    """Flag overdue SLA clocks once each and tell the assignee and managers (every 5 min)."""
    return jobs.flag_breaches()
