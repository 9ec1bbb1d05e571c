"""Content-Security-Policy (django-csp, portal/settings/base.py): every page of the portal
carries a policy that allows no inline script or style and nothing from elsewhere, and no
template of ours needs one. (The browser tests also fail on any violation Chromium logs.)"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from portal.accounts import roles

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [
    ROOT / "templates",
    *(p for p in ROOT.glob("**/templates") if ".venv" not in p.parts and p != ROOT / "templates"),
]

PUBLIC = ["account_login", "account_signup", "tickets:new", "tickets:track"]
MEMBER = ["accounts:panel", "tickets:mine", "cardgateway:my-card", "notifications:list"]
STAFF = ["shell:staff-home", "tickets:desk-queue", "tickets:reports"]


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def _assert_strict(response) -> None:
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert not any("unsafe" in value for values in policy.values() for value in values)


@pytest.mark.django_db
@pytest.mark.parametrize("name", PUBLIC)
def test_public_pages_carry_the_strict_policy(client, name):
    _assert_strict(client.get(reverse(name)))


@pytest.mark.parametrize("name", MEMBER)
def test_member_pages_carry_the_strict_policy(member_client, name):
    response = member_client.get(reverse(name))
    assert response.status_code == 200
    _assert_strict(response)


@pytest.mark.parametrize("name", STAFF)
def test_staff_pages_carry_the_strict_policy(client, make_user, name):
    client.force_login(make_user(roles.CLUB_MANAGER))
    response = client.get(reverse(name))
    assert response.status_code == 200
    _assert_strict(response)


@pytest.mark.django_db
def test_errors_carry_it_too_and_the_admins_are_left_out(client):
    _assert_strict(client.get("/tickets/t/AAAA-AAAA-AA/"))  # 404
    assert "Content-Security-Policy" not in client.get("/cms/login/").headers
    assert "Content-Security-Policy" not in client.get("/django-admin/login/").headers


# --- our templates need no exception -------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/(?:ld\+)?json)[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
JS_URL = re.compile(r"href\s*=\s*[\"']\s*javascript:", re.I)


def _templates():
    for folder in TEMPLATE_DIRS:
        if ".venv" not in folder.parts:
            yield from sorted(folder.rglob("*.html"))


def test_the_scan_finds_templates_and_catches_what_it_looks_for():
    assert len(list(_templates())) > 50
    for bad in (
        "<script>alert(1)</script>",
        '<p style="color:red">',
        "<style>p{}</style>",
        '<a onclick="x()">',
        '<a href="javascript:x()">',
    ):
        assert any(
            p.search(bad) for p in (INLINE_SCRIPT, STYLE_ATTRIBUTE, STYLE_ELEMENT, HANDLER, JS_URL)
        )
    assert not INLINE_SCRIPT.search('<script src="/static/x.js" defer>')


@pytest.mark.parametrize(
    "pattern", [INLINE_SCRIPT, STYLE_ATTRIBUTE, STYLE_ELEMENT, HANDLER, JS_URL]
)
def test_no_template_needs_an_inline_exception(pattern):
    offenders = [
        f"{path.relative_to(ROOT)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in _templates()
        for text in [path.read_text(encoding="utf-8")]
        for match in pattern.finditer(text)
    ]
    assert offenders == []
