"""/gateway/v1/openapi.json describes the API that answers, and is valid OpenAPI."""

import pytest
from django.urls import get_resolver
from openapi_spec_validator import validate

from cardgateway import api
from cardgateway.openapi import ERROR_CODES

pytestmark = pytest.mark.django_db

GATEWAY_CODES = {
    "invalid_request": 400,
    "bad_signature": 401,
    "stale_request": 401,
    "replayed_request": 401,
    "unknown_terminal": 401,
    "terminal_disabled": 403,
    "unknown_card": 404,
    "unknown_transaction": 404,
    "txn_conflict": 409,
    "card_blocked": 422,
    "insufficient_credit": 422,
    "below_redeem_threshold": 422,
    "already_reversed": 422,
    "return_exceeds_purchase": 422,
    "limit_exceeded": 422,
    "rate_limited": 429,
}


@pytest.fixture
def spec(client):
    response = client.get("/gateway/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def test_description_is_valid_openapi(spec):
    validate(spec)


def test_description_lists_every_endpoint_with_its_method(spec):
    assert {path: set(ops) for path, ops in spec["paths"].items()} == {
        "/health": {"get"},
        "/inquiry": {"post"},
        "/purchases": {"post"},
        "/reversals": {"post"},
        "/returns": {"post"},
    }
    routes = {str(p.pattern) for p in get_resolver("cardgateway.api_urls").url_patterns}
    assert {path.lstrip("/") for path in spec["paths"]} <= routes


def test_error_codes_and_statuses_are_those_of_gateway_md():
    described = {code: int(status) for status, codes in ERROR_CODES.items() for code in codes}
    assert described == GATEWAY_CODES
    assert all(api.STATUS[code] == status for code, status in GATEWAY_CODES.items())


def test_postings_document_the_replay_answer(spec):
    for path in ("/purchases", "/reversals", "/returns"):
        responses = spec["paths"][path]["post"]["responses"]
        assert "Idempotent-Replay" in responses["200"]["headers"]
        assert {"201", "400", "401", "403", "404", "409", "422", "429"} <= set(responses)
