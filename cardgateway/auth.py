"""Who is calling the reader API: the signed-request check of GATEWAY.md.

Order of checks: every header present and well formed, the terminal known, the signature
right, the clock within 300 s, the nonce unseen for 600 s, the terminal enabled. The
nonce is remembered only once the signature is proven, so nobody can burn a terminal's
nonces without its secret."""

import time
from datetime import timedelta

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

from .models import Terminal
from .services import terminal_secrets
from .signing import NONCE_RE, verify

CLOCK_WINDOW = 300
NONCE_MEMORY = 600
LAST_SEEN_EVERY = timedelta(seconds=60)


class AuthError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _header(request, name: str) -> str:
    value = request.headers.get(name, "")
    if not value:
        raise AuthError(401, "bad_signature", f"The {name} header is missing.")
    return value


def authenticate(request, body: bytes) -> Terminal:
    terminal_id = _header(request, "X-Terminal-Id")
    timestamp = _header(request, "X-Timestamp")
    nonce = _header(request, "X-Nonce")
    signature = _header(request, "X-Signature")
    if not NONCE_RE.match(nonce):
        raise AuthError(401, "bad_signature", "X-Nonce must be 16 to 64 of A-Z a-z 0-9 _ -.")
    if not (timestamp.isascii() and timestamp.isdigit()):
        raise AuthError(401, "stale_request", "X-Timestamp must be Unix time in whole seconds.")
    terminal = Terminal.objects.select_related("branch").filter(terminal_id=terminal_id).first()
    if terminal is None:
        raise AuthError(401, "unknown_terminal", "No terminal has this id.")
    # The current secret, and the previous one during a rotation's grace period.
    if not any(
        verify(secret, signature, request.method, request.path, timestamp, nonce, body)
        for secret in terminal_secrets(terminal)
    ):
        raise AuthError(401, "bad_signature", "The signature does not match.")
    if abs(time.time() - int(timestamp)) > CLOCK_WINDOW:
        raise AuthError(401, "stale_request", "X-Timestamp is more than 300 seconds off.")
    nonces = caches[settings.GATEWAY_NONCE_CACHE]
    if not nonces.add(f"gw-nonce:{terminal.pk}:{nonce}", 1, NONCE_MEMORY):
        raise AuthError(401, "replayed_request", "This nonce was already used.")
    if not terminal.is_enabled:
        raise AuthError(403, "terminal_disabled", "This terminal is switched off.")
    _touch(terminal)
    return terminal


def _touch(terminal: Terminal) -> None:
    now = timezone.now()
    if terminal.last_seen_at is None or now - terminal.last_seen_at > LAST_SEEN_EVERY:
        Terminal.objects.filter(pk=terminal.pk).update(last_seen_at=now)
        terminal.last_seen_at = now
