"""The OpenAPI 3.1 description of the reader API, served at /gateway/v1/openapi.json.
It follows GATEWAY.md; tests check that its paths and error codes match the API."""

from functools import cache

ERROR_CODES = {
    "400": ["invalid_request"],
    "401": ["bad_signature", "stale_request", "replayed_request", "unknown_terminal"],
    "403": ["terminal_disabled"],
    "404": ["unknown_card", "unknown_transaction"],
    "409": ["txn_conflict"],
    "422": [
        "card_blocked",
        "insufficient_credit",
        "below_redeem_threshold",
        "already_reversed",
        "return_exceeds_purchase",
        "limit_exceeded",
    ],
    "429": ["rate_limited"],
}
ERROR_TEXT = {
    "400": "Malformed JSON, a missing or ill-typed field, an amount ≤ 0, a bad card number.",
    "401": "Authentication failed.",
    "403": "The terminal is switched off.",
    "404": "No such card or original transaction.",
    "409": "The txn_id was used by this terminal with a different body.",
    "422": "A business rule refused the request; nothing was changed.",
    "429": "Too many requests from the terminal.",
}
TXN_ID = {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}
CARD = {"type": "string", "pattern": "^[0-9]{16}$", "description": "16 digits, Luhn-checked"}
RIALS = {"type": "integer", "description": "whole rials"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def _errors(*statuses: str) -> dict:
    return {
        status: {
            "description": f"{ERROR_TEXT[status]} Codes: {', '.join(ERROR_CODES[status])}.",
            "content": _json(_ref("Error")),
        }
        for status in ("400", "401", "403", *statuses, "429")
    }


def _posting(summary: str, request: str, statuses: tuple[str, ...]) -> dict:
    return {
        "post": {
            "summary": summary,
            "security": [{"terminal": [], "timestamp": [], "nonce": [], "signature": []}],
            "requestBody": {"required": True, "content": _json(_ref(request))},
            "responses": {
                "201": {"description": "Posted.", "content": _json(_ref("Posting"))},
                "200": {
                    "description": "A replay of an earlier request with the same txn_id and "
                    "body: the original answer, header Idempotent-Replay: true.",
                    "headers": {
                        "Idempotent-Replay": {"schema": {"type": "string", "enum": ["true"]}}
                    },
                    "content": _json(_ref("Posting")),
                },
                **_errors(*statuses),
            },
        }
    }


def _header_scheme(name: str, text: str) -> dict:
    return {"type": "apiKey", "in": "header", "name": name, "description": text}


@cache
def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Customer Club card gateway",
            "version": "1",
            "description": "The reader protocol of GATEWAY.md. Every request except health is "
            "signed: X-Signature is the lower-case hex HMAC-SHA256, keyed with the terminal's "
            "secret, of METHOD, path, X-Timestamp, X-Nonce and the hex SHA-256 of the body, "
            "joined by newlines.",
        },
        "servers": [{"url": "/gateway/v1"}],
        "paths": {
            "/health": {
                "get": {
                    "summary": "Is the gateway up? No authentication.",
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "Up.",
                            "content": _json(
                                {
                                    "type": "object",
                                    "required": ["status"],
                                    "properties": {"status": {"type": "string", "enum": ["ok"]}},
                                }
                            ),
                        }
                    },
                }
            },
            "/inquiry": {
                "post": {
                    "summary": "A card's status, holder and balances.",
                    "security": [{"terminal": [], "timestamp": [], "nonce": [], "signature": []}],
                    "requestBody": {"required": True, "content": _json(_ref("Inquiry"))},
                    "responses": {
                        "200": {"description": "The card.", "content": _json(_ref("CardInfo"))},
                        **_errors("404"),
                    },
                }
            },
            "/purchases": _posting(
                "Credit a purchase, optionally spending credit.", "Purchase", ("404", "409", "422")
            ),
            "/reversals": _posting(
                "Undo a purchase of this terminal entirely.", "Reversal", ("404", "409", "422")
            ),
            "/returns": _posting(
                "Return part of a purchase of this terminal.", "Return", ("404", "409", "422")
            ),
        },
        "components": {
            "securitySchemes": {
                "terminal": _header_scheme("X-Terminal-Id", "The terminal's id."),
                "timestamp": _header_scheme(
                    "X-Timestamp", "Unix time in whole seconds, within 300 s of the server."
                ),
                "nonce": _header_scheme(
                    "X-Nonce", "16 to 64 characters of [A-Za-z0-9_-], never reused."
                ),
                "signature": _header_scheme("X-Signature", "Lower-case hex HMAC-SHA256."),
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {
                                    "type": "string",
                                    "enum": [c for codes in ERROR_CODES.values() for c in codes],
                                },
                                "message": {"type": "string"},
                            },
                        }
                    },
                },
                "Inquiry": {
                    "type": "object",
                    "required": ["card"],
                    "properties": {"card": CARD},
                },
                "CardInfo": {
                    "type": "object",
                    "required": ["card", "status", "member", "points", "credit", "currency"],
                    "properties": {
                        "card": {"type": "string", "examples": ["603799******0006"]},
                        "status": {
                            "type": "string",
                            "enum": ["active", "blocked", "lost", "replaced", "expired"],
                        },
                        "member": {
                            "type": "object",
                            "required": ["display_name", "tier"],
                            "properties": {
                                "display_name": {"type": "string"},
                                "tier": {"type": "string"},
                            },
                        },
                        "points": {"type": "integer"},
                        "credit": RIALS,
                        "currency": {"type": "string", "enum": ["IRR"]},
                    },
                },
                "Purchase": {
                    "type": "object",
                    "required": ["txn_id", "card", "amount"],
                    "properties": {
                        "txn_id": TXN_ID,
                        "card": CARD,
                        "amount": {**RIALS, "minimum": 1},
                        "redeem": {**RIALS, "minimum": 0, "default": 0},
                        "occurred_at": {"type": "string", "format": "date-time"},
                    },
                },
                "Reversal": {
                    "type": "object",
                    "required": ["txn_id", "original_txn_id"],
                    "properties": {"txn_id": TXN_ID, "original_txn_id": TXN_ID},
                },
                "Return": {
                    "type": "object",
                    "required": ["txn_id", "original_txn_id", "amount"],
                    "properties": {
                        "txn_id": TXN_ID,
                        "original_txn_id": TXN_ID,
                        "amount": {**RIALS, "minimum": 1},
                    },
                },
                "Posting": {
                    "type": "object",
                    "required": [
                        "txn_id",
                        "receipt",
                        "amount",
                        "redeemed",
                        "cashback",
                        "points",
                        "balance",
                        "tier",
                    ],
                    "properties": {
                        "txn_id": TXN_ID,
                        "receipt": {"type": "string", "pattern": "^R-"},
                        "amount": RIALS,
                        "redeemed": RIALS,
                        "cashback": RIALS,
                        "points": {"type": "integer"},
                        "balance": {
                            "type": "object",
                            "required": ["points", "credit"],
                            "properties": {"points": {"type": "integer"}, "credit": RIALS},
                        },
                        "tier": {"type": "string"},
                    },
                },
            },
        },
    }
