"""Likes and flags on anything registered in community.targets. Plain POST forms: they
work without JavaScript and come back to the page they were sent from."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.shell.errors import CodedError

from .. import flags, likes, targets
from ..forms import FlagForm
from ..links import content_url
from .common import back, refused, safe_next


@login_required
@require_POST
def like(request, label: str, pk: int):
    target = targets.resolve(label, pk, user=request.user, purpose="like")
    fallback = content_url(target) or "/community/"
    try:
        likes.like(member=request.user, target=target)
    except CodedError as error:
        return refused(request, error, fallback)
    return back(request, fallback)


@login_required
@require_POST
def unlike(request, label: str, pk: int):
    target = targets.resolve(label, pk, user=request.user, purpose="like")
    likes.unlike(member=request.user, target=target)
    return back(request, content_url(target) or "/community/")


@login_required
@require_http_methods(["GET", "POST"])
def flag(request, label: str, pk: int):
    target = targets.resolve(label, pk, user=request.user, purpose="flag")
    fallback = content_url(target) or "/community/"
    form = FlagForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            flags.flag(
                member=request.user,
                target=target,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except CodedError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Thank you. The moderators will look at it."))
            return back(request, fallback)
    return render(
        request,
        "community/flag_form.html",
        {"form": form, "target": target, "next": safe_next(request, fallback)},
        status=400 if form.errors else 200,
    )
