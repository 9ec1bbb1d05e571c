"""The desk's sockets. Services push through tickets/notify.py (after commit); these
consumers only decide who may listen and forward what their group hears.

- /ws/tickets/<code>/  the ticket's customer (tickets.access.is_customer: its member, or a
  session that proved code and contact on the tracking page). Closed with 4403 for an
  unknown code and for someone else's ticket alike, so the socket tells no one which codes
  exist.
- /ws/desk/            agents and managers (accounts.answer_tickets), closed with 4403 for
  anyone else and for staff who still have to enrol MFA where it is required.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from . import access, codes
from .notify import DESK_GROUP, customer_group
from .services import AGENT_PERMISSION

REFUSED = 4403


class _TicketSocket(AsyncJsonWebsocketConsumer):
    group: str | None = None

    async def join(self, group: str) -> None:
        self.group = group
        await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if self.group:
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        """Listen-only: replies go through the pages' forms (CSRF, validation, limits)."""

    async def ticket_event(self, event):
        await self.send_json(event["payload"])


@database_sync_to_async
def _customer_ticket_id(scope) -> int | None:
    from .models import Ticket

    code = codes.canonical(scope["url_route"]["kwargs"].get("code", ""))
    ticket = Ticket.objects.filter(tracking_code=code).first() if code else None
    if ticket is None:
        return None
    if not access.is_customer(scope.get("user"), scope.get("session"), ticket):
        return None
    return ticket.pk


class CustomerTicketConsumer(_TicketSocket):
    async def connect(self):
        ticket_id = await _customer_ticket_id(self.scope)
        if ticket_id is None:
            await self.close(code=REFUSED)
            return
        await self.join(customer_group(ticket_id))

    async def ticket_event(self, event):
        payload = event["payload"]
        # notify.py never sends a note to this group; this is the belt to its braces.
        if payload.get("internal") or payload.get("type") not in {"message", "status"}:
            return
        await self.send_json(payload)


@database_sync_to_async
def _is_desk_user(user) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if not user.has_perm(AGENT_PERMISSION):
        return False
    if settings.MFA_REQUIRED_FOR_STAFF:
        from allauth.mfa.models import Authenticator

        return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    return True


class DeskConsumer(_TicketSocket):
    async def connect(self):
        if not await _is_desk_user(self.scope.get("user")):
            await self.close(code=REFUSED)
            return
        await self.join(DESK_GROUP)
