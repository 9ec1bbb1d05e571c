"""The moderators' forum actions: lock and unlock, pin and unpin, move a topic, hide and
restore a post or a whole topic. (Editing a post with a visible note is the edit page,
views/writing.py.) Each is logged through community.moderation by the service."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts.decorators import role_required
from portal.shell.errors import CodedError

from .. import services
from ..forms import MoveForm, OptionalReasonForm, ReasonForm, add_service_errors
from .common import post_location, post_or_404, topic_or_404

MODERATE = "accounts.moderate_community"


@require_POST
@role_required(MODERATE)
def topic_lock(request, pk: int):
    topic = topic_or_404(request.user, pk)
    form = OptionalReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    locked = request.POST.get("locked") != "0"
    if services.set_locked(
        topic=topic, moderator=request.user, locked=locked, reason=reason, request=request
    ):
        messages.success(
            request, _("The topic is locked.") if locked else _("The topic is open again.")
        )
    return redirect(topic)


@require_POST
@role_required(MODERATE)
def topic_pin(request, pk: int):
    topic = topic_or_404(request.user, pk)
    form = OptionalReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    pinned = request.POST.get("pinned") != "0"
    if services.set_pinned(
        topic=topic, moderator=request.user, pinned=pinned, reason=reason, request=request
    ):
        messages.success(
            request, _("The topic is pinned.") if pinned else _("The topic is no longer pinned.")
        )
    return redirect(topic)


@require_http_methods(["GET", "POST"])
@role_required(MODERATE)
def topic_move(request, pk: int):
    topic = topic_or_404(request.user, pk)
    form = MoveForm(request.POST or None, topic=topic)
    if request.method == "POST" and form.is_valid():
        try:
            services.move_topic(
                topic=topic,
                moderator=request.user,
                category=form.cleaned_data["category"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except CodedError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The topic is moved."))
            return redirect(topic)
    return render(
        request,
        "forums/topic_move.html",
        {"topic": topic, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@role_required(MODERATE)
def post_hide(request, pk: int):
    """Hide a visible post or restore a hidden one, with a reason (a topic's opening post
    stands for the whole topic)."""
    post = post_or_404(request.user, pk)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        action = services.restore_post if post.is_hidden else services.hide_post
        try:
            changed = action(post=post, moderator=request.user, reason=reason, request=request)
        except CodedError as error:
            add_service_errors(form, error)
        else:
            if changed:
                messages.success(
                    request,
                    _("It is shown again.")
                    if action is services.restore_post
                    else _("It is hidden."),
                )
            return redirect(post_location(post))
    return render(
        request,
        "forums/post_hide.html",
        {"post": post, "topic": post.topic, "form": form},
        status=400 if form.errors else 200,
    )


urlpatterns = [
    path("t/<int:pk>/lock/", topic_lock, name="topic-lock"),
    path("t/<int:pk>/pin/", topic_pin, name="topic-pin"),
    path("t/<int:pk>/move/", topic_move, name="topic-move"),
    path("p/<int:pk>/hide/", post_hide, name="post-hide"),
]
