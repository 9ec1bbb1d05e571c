"""Terminal secrets at rest: encrypted with Fernet (cryptography) under the keys in
TERMINAL_SECRET_KEYS, so a database dump without the environment reveals no secret.
Several keys may be listed, newest first: new secrets use the first, old ones still
decrypt until rotated (MultiFernet)."""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


def _fernet_key(value: str) -> bytes:
    """A Fernet key as given, or one derived from any other string (e.g. a passphrase)."""
    raw = value.encode()
    try:
        if len(base64.urlsafe_b64decode(raw)) == 32:
            return raw
    except ValueError:
        pass
    return base64.urlsafe_b64encode(hashlib.sha256(raw).digest())


@cache
def _box(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(_fernet_key(key)) for key in keys])


def _current() -> MultiFernet:
    return _box(tuple(settings.TERMINAL_SECRET_KEYS))


def encrypt(secret: str) -> str:
    return _current().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    return _current().decrypt(token.encode()).decode()
