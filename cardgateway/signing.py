"""The request signature of GATEWAY.md, with no Django in it, so that readers, the
simulator and the benchmark can import it alone.

The signed string is five lines joined by "\\n": METHOD, path (no host, no query),
X-Timestamp, X-Nonce, and the lower-case hex SHA-256 of the raw body."""

import hashlib
import hmac
import re
import secrets
import time

NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
TXN_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def string_to_sign(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    return "\n".join(
        [method.upper(), path, str(timestamp), nonce, hashlib.sha256(body).hexdigest()]
    )


def sign(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    message = string_to_sign(method, path, timestamp, nonce, body)
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def verify(
    secret: str, signature: str, method: str, path: str, timestamp: str, nonce: str, body: bytes
) -> bool:
    expected = sign(secret, method, path, timestamp, nonce, body)
    return hmac.compare_digest(expected, signature)


def signed_headers(
    *, terminal_id: str, secret: str, method: str, path: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    """Every header a signed request needs, with a fresh nonce."""
    timestamp = str(int(time.time() if now is None else now))
    nonce = secrets.token_urlsafe(24)
    return {
        "Content-Type": "application/json",
        "X-Terminal-Id": terminal_id,
        "X-Timestamp": timestamp,
        "X-Nonce": nonce,
        "X-Signature": sign(secret, method, path, timestamp, nonce, body),
    }
