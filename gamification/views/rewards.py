"""Member pages: the rewards catalogue and redeeming a reward for a voucher."""

import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from .. import ledger, rewards
from ..models import Reward


class RedeemForm(forms.Form):
    # Generated when the catalogue renders, one per reward form: a double click or a
    # resubmitted page replays the first redemption instead of buying twice.
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)


@login_required
@require_safe
def catalogue(request):
    member = request.user
    now = timezone.now()
    balance = ledger.balances(member).points
    offers = [
        {
            "reward": reward,
            "form": RedeemForm(initial={"idempotency_key": uuid.uuid4()}),
            "in_stock": reward.stock is None or reward.stock > 0,
            "limit_reached": reward.held >= reward.per_member_limit,
            "affordable": balance >= reward.points_cost,
        }
        for reward in rewards.available_rewards(member=member, at=now)
    ]
    return render(
        request,
        "gamification/rewards.html",
        {
            "offers": offers,
            "points": balance,
            "vouchers": list(rewards.member_vouchers(member=member)),
            "now": now,
        },
    )


@login_required
@require_POST
def redeem(request, reward_id: int):
    reward = get_object_or_404(Reward, pk=reward_id)
    form = RedeemForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This form has expired. Please try again."))
        return redirect("gamification:rewards")
    try:
        voucher = rewards.redeem_reward(
            member=request.user,
            reward=reward,
            idempotency_key=str(form.cleaned_data["idempotency_key"]),
        )
    except rewards.RewardError as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(
            request,
            _("Done! Your voucher code for “%(reward)s” is %(code)s. Show it at the till.")
            % {"reward": voucher.reward.name, "code": voucher.code},
        )
    return redirect("gamification:rewards")
