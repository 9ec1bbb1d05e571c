from django.urls import path, re_path

from . import api

urlpatterns = [
    path("health", api.health, name="gateway-health"),
    path("openapi.json", api.openapi, name="gateway-openapi"),
    path("inquiry", api.inquiry, name="gateway-inquiry"),
    path("purchases", api.purchases, name="gateway-purchases"),
    path("reversals", api.reversals, name="gateway-reversals"),
    path("returns", api.returns, name="gateway-returns"),
    re_path(r"^(?P<rest>.*)$", api.not_found),
]
