"""Pluggable SMS delivery. SMS_BACKEND names a class with `send(to, text)`.

- ConsoleBackend: prints the message (the default, for development).
- FileBackend: appends one JSON line per message to a file in SMS_FILE_PATH.
- LocmemBackend: keeps messages in `outbox` (tests).
- HttpBackend: POSTs JSON {"to", "text", "sender"} to SMS_HTTP_URL with
  `Authorization: Bearer SMS_HTTP_TOKEN`; any 2xx is success. Most Iranian and
  international SMS gateways accept this shape or a thin proxy in front of them.
"""

import json
import sys
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

outbox: list[dict] = []


class SMSDeliveryError(Exception):
    pass


class ConsoleBackend:
    def send(self, to: str, text: str) -> None:
        sys.stdout.write(f"[SMS to {to}] {text}\n")
        sys.stdout.flush()


class LocmemBackend:
    def send(self, to: str, text: str) -> None:
        outbox.append({"to": to, "text": text})


class FileBackend:
    def send(self, to: str, text: str) -> None:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        line = json.dumps({"to": to, "text": text, "at": datetime.now(UTC).isoformat()})
        with open(folder / "messages.jsonl", "a", encoding="utf-8") as handle:
            handle.write(line + "\n")


class HttpBackend:
    timeout = 10

    def send(self, to: str, text: str) -> None:
        if not settings.SMS_HTTP_URL.startswith("https://"):
            raise SMSDeliveryError("SMS_HTTP_URL must be an https:// address.")
        payload = json.dumps({"to": to, "text": text, "sender": settings.SMS_SENDER}).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            settings.SMS_HTTP_URL,
            data=payload,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Authorization": f"Bearer {settings.SMS_HTTP_TOKEN}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                if not 200 <= response.status < 300:
                    raise SMSDeliveryError(f"SMS gateway answered {response.status}")
        except OSError as exc:
            raise SMSDeliveryError(str(exc)) from exc


def get_backend():
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, to: str, text: str) -> None:
    get_backend().send(to, text)
