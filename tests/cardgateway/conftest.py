import json

import pytest

from cardgateway import services
from cardgateway.models import Branch
from cardgateway.signing import signed_headers
from gamification import ledger
from gamification.models import Currency, EntryKind

TERMINAL_SECRET = "test-terminal-secret-0123456789abcdef"


@pytest.fixture
def branch(db):
    return Branch.objects.create(code="central", name="Central", city="Tehran")


@pytest.fixture
def terminal(branch):
    terminal, _secret = services.create_terminal(
        branch=branch, name="Till 1", terminal_id="T17", secret=TERMINAL_SECRET
    )
    return terminal


@pytest.fixture
def card(member):
    return services.issue_card(member=member)


@pytest.fixture
def give_credit():
    def give(member, amount: int, key: str = "seed-credit"):
        return ledger.post(
            member=member,
            currency=Currency.CREDIT,
            amount=amount,
            kind=EntryKind.ADJUSTMENT,
            idempotency_key=f"{key}:{member.pk}",
        )

    return give


class Reader:
    """A signed reader on Django's test client, as GATEWAY.md describes it."""

    def __init__(self, client, terminal_id: str = "T17", secret: str = TERMINAL_SECRET):
        self.client, self.terminal_id, self.secret = client, terminal_id, secret

    def headers(self, method: str, path: str, body: bytes, **overrides) -> dict:
        headers = signed_headers(
            terminal_id=self.terminal_id,
            secret=self.secret,
            method=method,
            path=path,
            body=body,
            now=overrides.pop("now", None),
        )
        headers.pop("Content-Type")
        headers.update(overrides)
        return headers

    def post(self, endpoint: str, data, *, raw: bytes | None = None, **overrides):
        path = f"/gateway/v1/{endpoint}"
        body = raw if raw is not None else json.dumps(data).encode()
        return self.client.generic(
            "POST",
            path,
            body,
            content_type="application/json",
            headers=self.headers("POST", path, body, **overrides),
        )


@pytest.fixture
def reader(client, terminal):
    return Reader(client)
