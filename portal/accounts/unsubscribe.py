"""One-click unsubscribe links for marketing messages: signed with SECRET_KEY (so they
cannot be forged or pointed at another member), no expiry (an old message's link keeps
working), one per member and channel."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

SALT = "club.unsubscribe"
CHANNELS = ("sms", "email")


def token(member, channel: str) -> str:
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    return signing.dumps({"m": member.pk, "c": channel}, salt=SALT, compress=True)


def read(value: str) -> tuple[int, str] | None:
    """(member id, channel) of a genuine token, else None."""
    try:
        data = signing.loads(value, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("c") not in CHANNELS:
        return None
    if not isinstance(data.get("m"), int):
        return None
    return data["m"], data["c"]


def url(member, channel: str) -> str:
    path = reverse("accounts:unsubscribe", args=[token(member, channel)])
    return f"{settings.WAGTAILADMIN_BASE_URL}{path}"
