"""Re-authentication for the account erasure.

allauth re-authenticates with a password (or an MFA authenticator) and, after it, replays
the POST that asked for it (`ReauthenticationRequired`, handled by its middleware). Members
registered at the till have neither: they log in with a code sent by SMS, and allauth lets
such a user through without any check (`did_recently_reauthenticate` is True when no method
exists). For them this module sends a fresh six-digit code by SMS (verified mobile) or
e-mail, and a correct code is recorded in allauth's authentication records exactly as a
password re-authentication is (`reauthenticated=True`), so one check serves both."""

import secrets
import time

from allauth.account import app_settings as allauth_settings
from allauth.account.adapter import get_adapter
from allauth.account.internal.flows.login import get_authentication_records, record_authentication
from allauth.core import ratelimit
from django.core.mail import send_mail
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext

SESSION_KEY = "club_reauth_code"
CODE_TIMEOUT = 300  # seconds
MAX_ATTEMPTS = 3
SALT = "club.reauthentication-code"


def recently_reauthenticated(request) -> bool:
    """Whether the member re-authenticated (password, MFA or code) within allauth's
    ACCOUNT_REAUTHENTICATION_TIMEOUT. Logging in is not re-authenticating."""
    records = [
        record
        for record in get_authentication_records(request, request.user)
        if record.get("reauthenticated")
    ]
    return bool(records) and (
        time.time() - records[-1]["at"] < allauth_settings.REAUTHENTICATION_TIMEOUT
    )


def has_allauth_method(user) -> bool:
    """A password or an MFA authenticator: allauth's own re-authentication pages apply."""
    return bool(get_adapter().get_reauthentication_methods(user))


def code_destination(user) -> tuple[str, str] | None:
    """Where a code can go: ("sms", mobile) for a verified mobile, else ("email", address)
    for a deliverable address (not a placeholder under .invalid), else None."""
    if user.mobile and user.mobile_verified:
        return "sms", user.mobile
    if user.email and not user.email.endswith(".invalid"):
        return "email", user.email
    return None


def _digest(user, code: str) -> str:
    return salted_hmac(SALT, f"{user.pk}:{code}").hexdigest()


def send_code(request) -> bool:
    """Send a new code (the previous one stops working). False, sending nothing, when the
    member has nowhere to receive it or asked too often (allauth's "reauthenticate" rate)."""
    user = request.user
    destination = code_destination(user)
    if destination is None or not ratelimit.consume(request, action="reauthenticate", user=user):
        return False
    code = f"{secrets.randbelow(10**6):06d}"
    request.session[SESSION_KEY] = {
        "digest": _digest(user, code),
        "expires": time.time() + CODE_TIMEOUT,
        "attempts": 0,
    }
    text = gettext("Customer Club code to confirm it is you: %(code)s") % {"code": code}
    channel, to = destination
    if channel == "sms":
        from portal.notifications.sms import send_sms

        send_sms(to=to, text=text)
    else:
        send_mail(gettext("Confirm it is you"), text, None, [to])
    return True


def code_sent(request) -> bool:
    state = request.session.get(SESSION_KEY)
    return bool(state) and state["expires"] > time.time() and state["attempts"] < MAX_ATTEMPTS


def check_code(request, code: str) -> bool:
    """Whether `code` is the one sent, still fresh, within MAX_ATTEMPTS tries. A right code
    is used up and recorded as a re-authentication; a wrong one counts as a try."""
    state = request.session.get(SESSION_KEY)
    if not state or state["expires"] <= time.time() or state["attempts"] >= MAX_ATTEMPTS:
        request.session.pop(SESSION_KEY, None)
        return False
    if not constant_time_compare(state["digest"], _digest(request.user, code.strip())):
        state["attempts"] += 1
        request.session[SESSION_KEY] = state
        return False
    del request.session[SESSION_KEY]
    record_authentication(request, request.user, method="code", reauthenticated=True)
    return True
