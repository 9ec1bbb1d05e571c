from channels.generic.websocket import AsyncJsonWebsocketConsumer

from portal.realtime import member_group


class NotificationConsumer(AsyncJsonWebsocketConsumer):
    """Joins the logged-in member's group and forwards what services send to it."""

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.group = member_group(user.pk)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()

    async def disconnect(self, code):
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        """Members only listen on this socket."""

    async def notification_created(self, event):
        await self.send_json(
            {
                "type": "notification",
                "notification": event["notification"],
                "unread": event["unread"],
            }
        )

    async def notification_read(self, event):
        await self.send_json({"type": "unread", "unread": event["unread"]})
