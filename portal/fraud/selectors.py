"""The review queue's reads: a fixed number of queries whatever the number of cases."""

from django.db.models import Q, Sum

from gamification.models import Currency, HoldStatus

from .models import FraudCase


def _held(currency: str) -> Sum:
    return Sum(
        "holds__amount",
        filter=Q(holds__currency=currency, holds__status=HoldStatus.HELD),
        default=0,
    )


def queue(*, status: str = "", rule: str = ""):
    """Cases under the filters, open ones first then newest, with what each holds now."""
    cases = FraudCase.objects.select_related("member", "suspect").annotate(
        held_points=_held(Currency.POINTS), held_credit=_held(Currency.CREDIT)
    )
    if status:
        cases = cases.filter(status=status)
    if rule:
        cases = cases.filter(rule=rule)
    return cases.order_by("-created_at", "-pk")


def case_holds(case: FraudCase):
    return case.holds.select_related("member", "source").order_by("pk")
