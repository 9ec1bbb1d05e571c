"""The device cookie the referral rules compare: a random id in a long-lived cookie, so two
accounts created in one browser can be told apart from two friends on one network."""

import re
import secrets

from django.conf import settings

DEVICE_COOKIE = "club_device"
DEVICE_COOKIE_AGE = 2 * 365 * 24 * 60 * 60  # two years, in seconds
# What this middleware hands out (secrets.token_urlsafe(32)); anything else is replaced.
DEVICE_ID_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")
# Card readers speak JSON and keep no cookies: a new id on every answer would be noise.
SKIPPED_PREFIXES = ("/gateway/", "/health/", "/static/")


def device_id(request) -> str:
    """The browser's device id: its cookie, or the one this request is about to set
    (so a sign-up on the very first visit has one too); "" when there is none."""
    return getattr(request, "club_device", "")


class DeviceCookieMiddleware:
    """Gives each browser a random `club_device` id (HttpOnly, SameSite=Lax, Secure when
    session cookies are, two years) on the first response it gets without one. Nothing
    else is stored with it; the fraud rules keep only its SHA-256 (fraud/signals.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(SKIPPED_PREFIXES):
            return self.get_response(request)
        sent = request.COOKIES.get(DEVICE_COOKIE, "")
        known = bool(DEVICE_ID_RE.match(sent))
        request.club_device = sent if known else secrets.token_urlsafe(32)
        response = self.get_response(request)
        if not known:
            response.set_cookie(
                DEVICE_COOKIE,
                request.club_device,
                max_age=DEVICE_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
