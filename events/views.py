"""Member views (RSVP, cancel, "my events") and the organiser's screens (events with
their numbers, an event's attendees and invitations, the attendee list as CSV / XLSX).
The organiser's screens are for the Club manager role (`accounts.manage_club`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from portal.accounts.decorators import role_required
from portal.audit import services as audit

from . import exports, selectors, services
from .forms import InviteForm
from .models import EventPage, RegistrationStatus

MANAGE = "accounts.manage_club"
STAFF_PER_PAGE = 25


def _event_or_404(event_id: int) -> EventPage:
    return get_object_or_404(EventPage.objects.live(), pk=event_id)


def _back(event: EventPage):
    return redirect((event.live and event.get_url()) or "events:my-events")


@login_required
@require_POST
def rsvp(request, event_id: int):
    event = _event_or_404(event_id)
    try:
        registration = services.rsvp(event=event, member=request.user)
    except services.RsvpRefused as refused:
        messages.error(request, str(refused))
    else:
        if registration.status == RegistrationStatus.GOING:
            messages.success(request, _("You are going. See you there!"))
        else:
            position = selectors.waiting_position(registration)
            messages.info(
                request,
                _("The event is full, so you are number %(position)d on the waiting list.")
                % {"position": position},
            )
    return _back(event)


@login_required
@require_POST
def cancel(request, event_id: int):
    # Not only live events: a member may still give up a place at an unpublished one.
    event = get_object_or_404(EventPage, pk=event_id)
    try:
        registration = services.cancel(event=event, member=request.user)
    except services.RsvpRefused as refused:
        messages.error(request, str(refused))
    else:
        if registration is None:
            messages.info(request, _("You had not registered for this event."))
        else:
            messages.success(request, _("Your registration is cancelled."))
    return _back(event)


@login_required
@require_safe
def my_events(request):
    return render(
        request,
        "events/my_events.html",
        {
            "upcoming": selectors.member_registrations(member=request.user),
            "past": selectors.member_registrations(member=request.user, past=True)[:20],
        },
    )


# --- The organiser -----------------------------------------------------------------------


@role_required(MANAGE)
@require_safe
def staff_event_list(request):
    page = Paginator(selectors.staff_events(), STAFF_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "events/staff/event_list.html", {"page": page})


def _attendees_page(request, event: EventPage, form: InviteForm, status: int = 200):
    return render(
        request,
        "events/staff/attendees.html",
        {
            "event": event,
            "attendees": selectors.attendees(event=event),
            "form": form,
            "rounds": event.invitation_rounds.select_related(
                "tier", "group", "segment", "requested_by"
            )[:10],
            "going": services.going_count(event),
        },
        status=status,
    )


@role_required(MANAGE)
@require_safe
def attendees(request, event_id: int):
    event = get_object_or_404(EventPage, pk=event_id)
    return _attendees_page(request, event, InviteForm())


@role_required(MANAGE)
@require_POST
def invite(request, event_id: int):
    event = get_object_or_404(EventPage, pk=event_id)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            invitation_round = services.request_invitations(
                event=event,
                audience=form.cleaned_data["audience"],
                tier=form.cleaned_data["tier"],
                group=form.cleaned_data["group"],
                segment=form.cleaned_data["segment"],
                requested_by=request.user,
            )
        except services.InvitationRefused as refused:
            form.add_error(None, str(refused))
        else:
            invitation_round.refresh_from_db()
            if invitation_round.finished_at:
                count = invitation_round.invited_count
                messages.success(
                    request,
                    ngettext(
                        "Invitations sent to %(count)d new member.",
                        "Invitations sent to %(count)d new members.",
                        count,
                    )
                    % {"count": count},
                )
            else:
                messages.info(
                    request,
                    _("The invitations are being sent; reload this page to see how many."),
                )
            return redirect("events:staff-attendees", event_id=event.pk)
    return _attendees_page(request, event, form, status=400)


def _export_name(event: EventPage, extension: str) -> str:
    return f"event-{event.pk}-attendees-{timezone.localdate().isoformat()}.{extension}"


def _export(request, event: EventPage, content, content_type: str, extension: str):
    audit.record(
        request=request,
        action=audit.Action.REPORT_EXPORTED,
        target=event,
        report="event_attendees",
        format=extension,
    )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_export_name(event, extension)}"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(MANAGE)
@require_safe
def attendees_csv(request, event_id: int):
    event = get_object_or_404(EventPage, pk=event_id)
    response = _export(request, event, b"", "text/csv; charset=utf-8", "csv")
    exports.write_csv(event, response)
    return response


@role_required(MANAGE)
@require_safe
def attendees_xlsx(request, event_id: int):
    event = get_object_or_404(EventPage, pk=event_id)
    return _export(request, event, exports.workbook(event), exports.XLSX_TYPE, "xlsx")
