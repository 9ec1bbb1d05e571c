"""Every WebSocket route of the portal, under /ws/."""

from portal.notifications.routing import websocket_urlpatterns as notification_routes
from tickets.routing import websocket_urlpatterns as ticket_routes

websocket_urlpatterns = [*notification_routes, *ticket_routes]
