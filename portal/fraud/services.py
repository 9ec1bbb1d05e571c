"""Fraud review: scans open cases and hold what they name; the club manager decides.

scan() runs every rule (rules.py) and opens a case per new finding, holding the points
and credit of the entries it names (gamification.holds: a ledger hold, never a deletion).
decide() releases or forfeits those holds once, records who decided, when and why, writes
the audit trail and tells each member whose balance it touched."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from gamification import holds
from gamification.models import Currency
from portal.accounts import roles
from portal.audit.services import Action, record
from portal.notifications.services import language_of, notify
from portal.shell.errors import CodedError

from . import rules
from .findings import Finding
from .models import CaseStatus, FraudCase

MANAGE = "accounts.manage_club"


class AlreadyDecided(CodedError):
    code = "already_decided"
    default_message = gettext_lazy("Another reviewer decided this case already.")


class ReasonRequired(CodedError):
    code = "reason_required"
    default_message = gettext_lazy("Say why: the reason is kept with the decision.")


def open_case(*, finding: Finding, at=None) -> tuple[FraudCase, bool]:
    """The case for `finding.key`, created with its holds when new. While a case is open a
    later finding with the same key refreshes its evidence and holds the new entries it
    names; a decided case stays as decided. Returns (case, created)."""
    at = at or timezone.now()
    facts = {
        "rule": finding.rule,
        "summary": finding.summary[:300],
        "params": finding.params,
        "evidence": finding.evidence,
        "member_id": finding.member_id,
        "suspect_id": finding.suspect_id,
    }
    with transaction.atomic():
        case, created = FraudCase.objects.select_for_update().get_or_create(
            key=finding.key, defaults={**facts, "created_at": at}
        )
        if case.status != CaseStatus.OPEN:
            return case, False
        if not created:
            for name, value in facts.items():
                setattr(case, name, value)
            case.save(update_fields=list(facts))
        holds.place(entries=finding.entry_ids, subject=case, reason=f"fraud case {case.pk}", at=at)
    return case, created


@dataclass(frozen=True)
class ScanResult:
    findings: int
    opened: list[FraudCase]


def scan(*, now=None, dry_run: bool = False) -> ScanResult:
    """Run every rule; open (or refresh) a case per finding unless `dry_run`. Tells the
    club managers when new cases are waiting. Idempotent: a second run opens nothing."""
    findings = rules.run_all(now=now)
    if dry_run:
        return ScanResult(len(findings), [])
    opened = [case for case, created in (open_case(finding=f) for f in findings) if created]
    if opened:
        _tell_managers(len(opened))
    return ScanResult(len(findings), opened)


def _tell_managers(count: int) -> None:
    url = reverse("fraud:queue")
    for manager in roles.active_holders(MANAGE):
        with override(language_of(manager)):
            notify(
                member=manager,
                kind="fraud_cases",
                title=_("%(count)d new fraud case(s) to review") % {"count": count},
                url=url,
            )


def decide(*, case: FraudCase, confirm: bool, actor, reason: str, request=None) -> FraudCase:
    """Confirm (forfeit what is held) or clear (release it) an open case, once. Raises
    AlreadyDecided when someone else decided first, ReasonRequired without a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    now = timezone.now()
    with transaction.atomic():
        case = FraudCase.objects.select_for_update().get(pk=case.pk)
        if case.status != CaseStatus.OPEN:
            raise AlreadyDecided()
        settled = holds.settle(
            subject=case, forfeit=confirm, actor=actor, reason=f"fraud case {case.pk}", at=now
        )
        case.status = CaseStatus.CONFIRMED if confirm else CaseStatus.CLEARED
        case.decided_at, case.decided_by, case.decision_note = now, actor, reason
        case.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
        totals_by_member = _totals(settled)
        for member_id, totals in totals_by_member.items():
            record(
                request=request,
                actor=actor,
                action=Action.BALANCE_ADJUSTED,
                target=case,
                member=get_user_model()(pk=member_id),
                decision=case.status,
                **totals,
            )
        _tell_members(totals_by_member)
    return case


def _totals(settled) -> dict[int, dict]:
    """Per member: points and credit released and forfeited."""
    totals: dict[int, dict] = {}
    for hold in settled:
        row = totals.setdefault(
            hold.member_id,
            {f"{c}_{what}": 0 for c in Currency.values for what in ("released", "forfeited")},
        )
        row[f"{hold.currency}_released"] += hold.released
        row[f"{hold.currency}_forfeited"] += hold.forfeited
    return totals


def _tell_members(totals_by_member: dict[int, dict]) -> None:
    members = get_user_model().objects.filter(pk__in=totals_by_member).select_related("profile")
    for member in members:
        figures = totals_by_member[member.pk]
        with override(language_of(member)):
            if figures["points_forfeited"] or figures["credit_forfeited"]:
                title = _("The club's review of your recent points or credit is done")
                body = _(
                    "After checking, the club has withdrawn %(points)d points and "
                    "%(credit)d rials of credit that were on hold. Anything else on hold "
                    "is back in your balance. Please contact support if you think this "
                    "is a mistake."
                ) % {"points": figures["points_forfeited"], "credit": figures["credit_forfeited"]}
            else:
                title = _("Your points and credit on hold are back")
                body = _(
                    "The club's check is done: %(points)d points and %(credit)d rials of "
                    "credit are back in your balance."
                ) % {"points": figures["points_released"], "credit": figures["credit_released"]}
            notify(
                member=member,
                kind="fraud_decision",
                title=title,
                body=body,
                url=reverse("gamification:history"),
                channels=("email",),
            )
