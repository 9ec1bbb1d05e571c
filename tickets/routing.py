"""The desk's WebSocket routes (included by portal/routing.py)."""

from django.urls import path

from .consumers import CustomerTicketConsumer, DeskConsumer

websocket_urlpatterns = [
    path("ws/tickets/<str:code>/", CustomerTicketConsumer.as_asgi()),
    path("ws/desk/", DeskConsumer.as_asgi()),
]
