"""Writing the audit trail. Staff views call `record(...)` once the change succeeded (inside
its transaction where there is one), or when they show a member's data."""

import ipaddress

from django.contrib.auth import get_user_model

from .models import Action, AuditEntry

__all__ = ["Action", "record"]

USER_AGENT_LENGTH = 200


def client_ip(request) -> str | None:
    """REMOTE_ADDR as the server saw it (a proxy in front must set it, e.g. Daphne's
    --proxy-headers); anything that is not an IP address is not stored."""
    value = (request.META.get("REMOTE_ADDR") or "").strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _target_user_id(target) -> int | None:
    """The member a target belongs to: the user itself, or the object's `member`."""
    if target is None:
        return None
    if isinstance(target, get_user_model()):
        return target.pk
    return getattr(target, "member_id", None)


def _target_repr(target) -> str:
    """A short, non-personal name for the target: a card's masked number, a ticket's
    tracking code, else "model #pk". (The member is linked, not copied, so an erased
    member's entries show the pseudonym.)"""
    if target is None or isinstance(target, get_user_model()):
        return ""
    for attribute in ("tracking_code", "masked"):
        value = getattr(target, attribute, None)
        if value:
            return str(value)[:200]
    return f"{target._meta.verbose_name} #{target.pk}"[:200]


def record(
    *, request=None, actor=None, action: str, target=None, member=None, **detail
) -> AuditEntry:
    """Write one audit entry (one INSERT). `actor`, the IP address and the browser come
    from `request` unless given; `member` defaults to the target's member; `detail` is
    stored as JSON."""
    if action not in Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    ip = user_agent = None
    if request is not None:
        if actor is None and getattr(request, "user", None) is not None:
            actor = request.user if request.user.is_authenticated else None
        ip = client_ip(request)
        user_agent = request.META.get("HTTP_USER_AGENT", "")
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=target.pk if target is not None else None,
        target_user_id=member.pk if member is not None else _target_user_id(target),
        target_repr=_target_repr(target),
        detail=detail,
        ip=ip,
        user_agent=(user_agent or "")[:USER_AGENT_LENGTH],
    )
