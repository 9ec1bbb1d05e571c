"""The moderators' screens (permission accounts.moderate_community): the flag queue with
hide / restore / dismiss, the moderation log, and a member's page to warn, suspend or lift
a suspension. Every action is a POST with a reason and goes through community.moderation."""

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from portal.accounts.decorators import role_required
from portal.shell.errors import CodedError

from .. import moderation, selectors
from ..forms import LiftForm, LogFilterForm, ModerationActionForm, SuspendForm, WarnForm
from ..links import content_url
from ..models import Contribution, ModerationLog
from .common import back, refused

MODERATE = moderation.MODERATE
QUEUE_PAGE = 25
LOG_PAGE = 50


def _content(label: str, pk: int):
    """Any Contribution by "app_label.model" and pk (moderators see everything)."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise Http404 from None
    if not issubclass(model, Contribution):
        raise Http404
    return get_object_or_404(model._default_manager.select_related("author"), pk=pk)


@role_required(MODERATE)
@require_GET
def queue(request):
    page = Paginator(selectors.flag_queue(), QUEUE_PAGE).get_page(request.GET.get("page"))
    rows = selectors.queue_rows(page.object_list)
    return render(
        request,
        "community/moderation_queue.html",
        {"page": page, "rows": rows, "form": ModerationActionForm()},
    )


@role_required(MODERATE)
@require_POST
def act(request, label: str, pk: int):
    content = _content(label, pk)
    fallback = reverse("community:moderation-queue")
    form = ModerationActionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose an action and give a reason."))
        return back(request, fallback)
    action, reason = form.cleaned_data["action"], form.cleaned_data["reason"]
    try:
        if action == "hide":
            done = moderation.hide(
                content=content, moderator=request.user, reason=reason, request=request
            )
            message = _("Hidden. The author is told; the points it earned are taken back.")
        elif action == "restore":
            done = moderation.restore(
                content=content, moderator=request.user, reason=reason, request=request
            )
            message = _("Restored. Its points are given back and its flags rejected.")
        else:
            done = moderation.dismiss_flags(
                content=content, moderator=request.user, reason=reason, request=request
            )
            message = _("The flags are dismissed.")
    except CodedError as error:
        return refused(request, error, fallback)
    if done:
        messages.success(request, message)
    else:
        messages.info(request, _("Nothing changed: it was already like that."))
    return back(request, fallback)


@role_required(MODERATE)
@require_GET
def go(request, label: str, pk: int):
    """From the log to the content's page (the log itself stays one query per page)."""
    url = content_url(_content(label, pk))
    if not url:
        raise Http404
    return HttpResponseRedirect(url)


@role_required(MODERATE)
@require_GET
def log(request):
    form = LogFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    entries = selectors.moderation_log(
        moderator=filters.get("moderator"),
        action=filters.get("action", ""),
        member_handle=filters.get("member", ""),
    )
    page = Paginator(entries, LOG_PAGE).get_page(request.GET.get("page"))
    return render(request, "community/moderation_log.html", {"form": form, "page": page})


def _member(pk: int):
    return get_object_or_404(get_user_model().objects.select_related("profile", "community"), pk=pk)


def _member_page(request, member, *, warn_form=None, suspend_form=None, status=200):
    history = ModerationLog.objects.filter(member=member).select_related(
        "moderator", "target_type"
    )[:20]
    return render(
        request,
        "community/moderation_member.html",
        {
            "subject": member,
            "suspension": moderation.active_suspension(member),
            "history": history,
            "warn_form": warn_form or WarnForm(),
            "suspend_form": suspend_form or SuspendForm(),
            "lift_form": LiftForm(),
        },
        status=status,
    )


@role_required(MODERATE)
@require_GET
def member(request, pk: int):
    return _member_page(request, _member(pk))


@role_required(MODERATE)
@require_POST
def warn(request, pk: int):
    subject = _member(pk)
    form = WarnForm(request.POST)
    if form.is_valid():
        try:
            moderation.warn(
                member=subject,
                moderator=request.user,
                message=form.cleaned_data["message"],
                request=request,
            )
        except CodedError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The member has your message."))
            return HttpResponseRedirect(reverse("community:moderation-member", args=[pk]))
    return _member_page(request, subject, warn_form=form, status=400)


@role_required(MODERATE)
@require_POST
def suspend(request, pk: int):
    subject = _member(pk)
    form = SuspendForm(request.POST)
    if form.is_valid():
        try:
            moderation.suspend(
                member=subject,
                moderator=request.user,
                until=form.until_moment(),
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except CodedError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The member is suspended and told until when."))
            return HttpResponseRedirect(reverse("community:moderation-member", args=[pk]))
    return _member_page(request, subject, suspend_form=form, status=400)


@role_required(MODERATE)
@require_POST
def lift(request, pk: int):
    subject = _member(pk)
    form = LiftForm(request.POST)
    fallback = reverse("community:moderation-member", args=[pk])
    if form.is_valid():
        try:
            moderation.lift_suspension(
                member=subject,
                moderator=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except CodedError as error:
            return refused(request, error, fallback)
        messages.success(request, _("The suspension is lifted."))
    return HttpResponseRedirect(fallback)
