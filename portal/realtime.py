"""The one way services announce a change to open pages: after the transaction commits,
so nobody hears of a change that rolled back."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

logger = logging.getLogger(__name__)


def member_group(user_id: int) -> str:
    return f"member.{user_id}"


def send_event_on_commit(group: str, event: dict) -> None:
    """Queue `event` (a dict with a "type" naming the consumer handler) for `group`."""

    def send() -> None:
        layer = get_channel_layer()
        if layer is None:
            return
        try:
            async_to_sync(layer.group_send)(group, event)
        except Exception:  # a dead channel layer must never break the request
            logger.exception("could not push event to %s", group)

    transaction.on_commit(send)
