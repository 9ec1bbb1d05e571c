"""The reader API of GATEWAY.md: parse, authenticate, call services.py, answer JSON.

Every failure, including an unexpected one, is the JSON error envelope; no stack trace
ever reaches a reader."""

import json
import logging
import re
from datetime import datetime
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django_ratelimit.core import is_ratelimited

from . import services
from .auth import AuthError, authenticate
from .cards import luhn_valid
from .models import GatewaySettings, LimitKind
from .openapi import document
from .services import Refused

logger = logging.getLogger(__name__)

STATUS = {
    "invalid_request": 400,
    "bad_signature": 401,
    "stale_request": 401,
    "replayed_request": 401,
    "unknown_terminal": 401,
    "terminal_disabled": 403,
    "unknown_card": 404,
    "unknown_transaction": 404,
    "not_found": 404,
    "method_not_allowed": 405,
    "txn_conflict": 409,
    "card_blocked": 422,
    "insufficient_credit": 422,
    "below_redeem_threshold": 422,
    "already_reversed": 422,
    "return_exceeds_purchase": 422,
    "limit_exceeded": 422,
    "rate_limited": 429,
    "server_error": 500,
}
CARD_RE = re.compile(r"^[0-9]{16}$")


def error(code: str, message: str, status: int | None = None) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": code, "message": message}}, status=status or STATUS[code]
    )


class BadRequest(Exception):
    pass


def _terminal_key(group, request) -> str:
    return request.terminal.terminal_id


def _rate_limited(request) -> bool:
    limit = GatewaySettings.load().requests_per_minute
    return is_ratelimited(
        request, group="gateway", key=_terminal_key, rate=f"{limit}/m", increment=True
    )


def _log_rate_hit(terminal) -> None:
    """At most one review row per terminal and minute, however hard it is hammered."""
    if cache.add(f"gw-ratehit:{terminal.pk}", 1, 60):
        services.log_limit_hit(
            kind=LimitKind.RATE, terminal=terminal, card=None, detail="requests per minute"
        )


def signed_endpoint(handler):
    """POST only, body within the size limit, signed, within the rate limit, a JSON object;
    then `handler(request, data, terminal)` returns (status, body, replay)."""

    @csrf_exempt
    @wraps(handler)
    def view(request):
        try:
            if request.method != "POST":
                return error("method_not_allowed", "Use POST.")
            length = request.META.get("CONTENT_LENGTH") or "0"
            if not length.isdigit() or int(length) > settings.GATEWAY_MAX_BODY_BYTES:
                return error("invalid_request", "The body is too large.")
            body = request.body
            if len(body) > settings.GATEWAY_MAX_BODY_BYTES:
                return error("invalid_request", "The body is too large.")
            terminal = authenticate(request, body)
            request.terminal = terminal
            if _rate_limited(request):
                _log_rate_hit(terminal)
                return error("rate_limited", "Too many requests from this terminal.")
            data = _parse(body)
            status, answer, replay = handler(request, data, terminal)
        except AuthError as refusal:
            return error(refusal.code, refusal.message, refusal.status)
        except BadRequest as refusal:
            return error("invalid_request", str(refusal))
        except Refused as refusal:
            return error(refusal.code, refusal.message)
        except Exception:
            logger.exception("gateway request failed")
            return error("server_error", "The server could not answer; retry the request.")
        response = JsonResponse(answer, status=200 if replay else status)
        if replay:
            response["Idempotent-Replay"] = "true"
        return response

    return view


def _parse(body: bytes) -> dict:
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("The body is not valid UTF-8 JSON.") from None
    if not isinstance(data, dict):
        raise BadRequest("The body must be a JSON object.")
    return data


def _field(data: dict, name: str, kind: type, *, required: bool = True, default=None):
    if name not in data:
        if required:
            raise BadRequest(f"{name} is missing.")
        return default
    value = data[name]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise BadRequest(f"{name} must be a {'string' if kind is str else 'whole number'}.")
    return value


def _card(data: dict) -> str:
    number = _field(data, "card", str)
    if not CARD_RE.match(number) or not luhn_valid(number):
        raise BadRequest("card must be 16 digits passing the Luhn check.")
    return number


def _amount(data: dict, name: str, *, required: bool = True, minimum: int = 1) -> int:
    value = _field(data, name, int, required=required, default=0)
    if value < minimum:
        raise BadRequest(f"{name} must be {'positive' if minimum else 'zero or more'}.")
    return value


def _occurred_at(data: dict) -> datetime | None:
    value = _field(data, "occurred_at", str, required=False)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadRequest("occurred_at must be ISO 8601 with an offset.") from None
    if moment.tzinfo is None:
        raise BadRequest("occurred_at must carry an offset.")
    return moment


def health(request):
    if request.method != "GET":
        return error("method_not_allowed", "Use GET.")
    return JsonResponse({"status": "ok"})


def openapi(request):
    return JsonResponse(document())


@signed_endpoint
def inquiry(request, data, terminal):
    return 200, services.inquiry(card_number=_card(data)), False


@signed_endpoint
def purchases(request, data, terminal):
    posted = services.post_purchase(
        txn_id=_field(data, "txn_id", str),
        card_number=_card(data),
        amount=_amount(data, "amount"),
        redeem=_amount(data, "redeem", required=False, minimum=0),
        occurred_at=_occurred_at(data),
        terminal=terminal,
    )
    return 201, posted.response, posted.replay


@signed_endpoint
def reversals(request, data, terminal):
    posted = services.reverse_purchase(
        txn_id=_field(data, "txn_id", str),
        original_txn_id=_field(data, "original_txn_id", str),
        terminal=terminal,
    )
    return 201, posted.response, posted.replay


@signed_endpoint
def returns(request, data, terminal):
    posted = services.return_purchase(
        txn_id=_field(data, "txn_id", str),
        original_txn_id=_field(data, "original_txn_id", str),
        amount=_amount(data, "amount"),
        terminal=terminal,
    )
    return 201, posted.response, posted.replay


@csrf_exempt
def not_found(request, rest=""):
    return error("not_found", "No such endpoint.")
