"""The staff desk: the queue of tickets and a ticket's page with its actions (reply or
internal note, status, assignment, priority, merge) and its files. Support agents and club
managers only (accounts.answer_tickets). Every action POSTs to its own URL, calls one
service of tickets/services.py and redirects back with a message; bad input re-renders
the page with the form's error (400) and saves nothing."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from portal.accounts.decorators import role_required
from portal.audit import services as audit

from .. import attachments, selectors, services
from ..desk_forms import (
    AssignForm,
    CannedPickForm,
    MergeForm,
    PriorityForm,
    QueueFilterForm,
    ReplyForm,
    StatusForm,
)
from ..forms import add_service_errors
from ..models import (
    CannedReply,
    DeskSettings,
    Status,
    Ticket,
    TicketAttachment,
)

AGENT = services.AGENT_PERMISSION
PER_PAGE = 25


# --- The queue --------------------------------------------------------------------------


@role_required(AGENT)
@require_GET
@never_cache
def queue(request):
    """Tickets under the filters of the GET form, 25 a page, each with its SLA's time left.
    A bad filter value shows its error above the default list (everything not closed)."""
    form = QueueFilterForm(request.GET or None)
    filters = {}
    if form.is_bound:
        if form.is_valid():
            filters = form.cleaned_data
        else:
            messages.error(
                request, _("Some filters were not understood; showing all open tickets.")
            )
    now = timezone.now()
    tickets = selectors.queue(user=request.user, filters=filters, now=now)
    page = Paginator(tickets, PER_PAGE).get_page(request.GET.get("page"))
    near = DeskSettings.load().near_breach_minutes
    for ticket in page:
        ticket.sla = selectors.sla_state(ticket, now, near)
    return render(
        request,
        "tickets/desk/queue.html",
        {"form": form, "page": page, "total": page.paginator.count},
    )


# --- A ticket ---------------------------------------------------------------------------


def _ticket_or_404(pk: int) -> Ticket:
    return get_object_or_404(
        Ticket.objects.select_related(
            "category",
            "branch",
            "assignee__profile",
            "member__profile",
            "merged_into",
            "rating__agent__profile",
        ),
        pk=pk,
    )


def _render_ticket(request, ticket: Ticket, *, status: int = 200, **forms):
    """The ticket's page; `forms` replaces the blank form of the action that failed."""
    now = timezone.now()
    near = DeskSettings.load().near_breach_minutes
    reply_form = forms.get("reply_form") or ReplyForm(initial=forms.get("reply_initial"))
    thread = list(ticket.messages.select_related("author__profile").prefetch_related("attachments"))
    loose_files = list(ticket.attachments.filter(message__isnull=True))
    rating = getattr(ticket, "rating", None)
    context = {
        "ticket": ticket,
        "sla": selectors.sla_state(ticket, now, near),
        "clocks": selectors.sla_clocks(ticket, now, near),
        "thread": thread,
        "loose_files": loose_files,
        "history": selectors.history(ticket),
        "duplicates": list(ticket.merged_duplicates.all()),
        "rating": rating,
        "reply_form": reply_form,
        "canned_replies": list(CannedReply.objects.only("pk", "title")),
        "status_form": forms.get("status_form") or StatusForm(ticket=ticket),
        "assign_form": forms.get("assign_form") or AssignForm(ticket=ticket),
        "priority_form": forms.get("priority_form") or PriorityForm(ticket=ticket),
        "merge_form": forms.get("merge_form") or MergeForm(),
    }
    return render(request, "tickets/desk/ticket.html", context, status=status)


@role_required(AGENT)
@require_GET
@never_cache
def ticket_detail(request, pk: int):
    """The ticket with its whole conversation, files, history and the desk's forms.
    `?canned=<id>` fills the reply box with that canned reply for this ticket."""
    ticket = _ticket_or_404(pk)
    initial = None
    if "canned" in request.GET:
        pick = CannedPickForm(request.GET)
        if pick.is_valid():
            initial = {"body": pick.cleaned_data["canned"].render(ticket)}
        else:
            messages.warning(request, _("That canned reply was not found; nothing was inserted."))
    return _render_ticket(request, ticket, reply_initial=initial)


def _back(ticket: Ticket):
    return redirect("tickets:desk-ticket", pk=ticket.pk)


def _act(request, pk: int, *, form_key: str, make_form, perform):
    """The shape of every desk action: bind the form, call one service through
    `perform(ticket, cleaned_data)` (which returns the message to show, or a redirect), and
    go back to the ticket; bad input or a refused change shows the page again with the
    form's error (400), nothing saved."""
    ticket = _ticket_or_404(pk)
    form = make_form(ticket)
    if form.is_valid():
        try:
            outcome = perform(ticket, form.cleaned_data)
        except (ValidationError, services.TicketError) as exc:
            add_service_errors(form, exc)
        else:
            audit.record(
                request=request,
                action=audit.Action.TICKET_CHANGED,
                target=ticket,
                change=form_key.removesuffix("_form"),
            )
            if not isinstance(outcome, str):
                return outcome
            messages.success(request, outcome)
            return _back(ticket)
    return _render_ticket(request, _ticket_or_404(pk), status=400, **{form_key: form})


@role_required(AGENT)
@require_POST
def reply(request, pk: int):
    """A public reply or an internal note, with an optional file on it. Message and file
    are saved together or not at all."""

    def perform(ticket, data):
        with transaction.atomic():
            message = services.add_reply(
                ticket=ticket, author=request.user, body=data["body"], internal=data["internal"]
            )
            if data["file"]:
                services.attach(
                    ticket=message.ticket,
                    uploaded_by=request.user,
                    upload=data["file"],
                    internal=data["internal"],
                    message=message,
                )
        if message.ticket_id != ticket.pk:
            messages.success(
                request,
                _("This ticket was merged; your message was added to %(code)s.")
                % {"code": message.ticket.tracking_code},
            )
            return redirect("tickets:desk-ticket", pk=message.ticket_id)
        if data["internal"]:
            return _("Internal note added.")
        return _("Reply sent to the customer.")

    return _act(
        request,
        pk,
        form_key="reply_form",
        make_form=lambda ticket: ReplyForm(request.POST, request.FILES),
        perform=perform,
    )


@role_required(AGENT)
@require_POST
def change_status(request, pk: int):
    def perform(ticket, data):
        services.change_status(ticket=ticket, to=data["status"], actor=request.user)
        return _("The ticket is now %(status)s.") % {"status": Status(data["status"]).label}

    return _act(
        request,
        pk,
        form_key="status_form",
        make_form=lambda ticket: StatusForm(request.POST, ticket=ticket),
        perform=perform,
    )


@role_required(AGENT)
@require_POST
def assign(request, pk: int):
    """To the agent chosen, to nobody, or ("Assign to me") to the person asking."""

    def perform(ticket, data):
        assignee = request.user if data["to_me"] else data["assignee"]
        services.assign(ticket=ticket, assignee=assignee, actor=request.user)
        if assignee is None:
            return _("The ticket is now unassigned.")
        return _("The ticket is assigned to %(name)s.") % {"name": assignee.get_full_name()}

    return _act(
        request,
        pk,
        form_key="assign_form",
        make_form=lambda ticket: AssignForm(request.POST, ticket=ticket),
        perform=perform,
    )


@role_required(AGENT)
@require_POST
def set_priority(request, pk: int):
    def perform(ticket, data):
        services.set_priority(ticket=ticket, priority=data["priority"], actor=request.user)
        return _("The priority is now %(priority)s.") % {"priority": ticket.get_priority_display()}

    return _act(
        request,
        pk,
        form_key="priority_form",
        make_form=lambda ticket: PriorityForm(request.POST, ticket=ticket),
        perform=perform,
    )


@role_required(AGENT)
@require_POST
def merge(request, pk: int):
    """Merge this ticket (the duplicate) into the ticket whose tracking code is given."""

    def perform(ticket, data):
        into = services.merge(duplicate=ticket, into=data["code"], actor=request.user)
        return _("Merged into %(code)s; this ticket is closed.") % {"code": into.tracking_code}

    return _act(
        request,
        pk,
        form_key="merge_form",
        make_form=lambda ticket: MergeForm(request.POST),
        perform=perform,
    )


@role_required(AGENT)
@require_GET
def download(request, pk: int, file_pk: int):
    """Any file of the ticket, public or internal, as a download that no browser or
    proxy keeps. A file of another ticket is 404."""
    attachment = get_object_or_404(TicketAttachment, pk=file_pk, ticket_id=pk)
    audit.record(
        request=request,
        action=audit.Action.FILE_DOWNLOADED,
        target=attachment.ticket,
        file=attachment.pk,
        internal=attachment.is_internal,
    )
    return attachments.file_response(attachment, as_attachment=True)


urlpatterns = [
    path("desk/", queue, name="desk-queue"),
    path("desk/<int:pk>/", ticket_detail, name="desk-ticket"),
    path("desk/<int:pk>/reply/", reply, name="desk-reply"),
    path("desk/<int:pk>/status/", change_status, name="desk-status"),
    path("desk/<int:pk>/assign/", assign, name="desk-assign"),
    path("desk/<int:pk>/priority/", set_priority, name="desk-priority"),
    path("desk/<int:pk>/merge/", merge, name="desk-merge"),
    path("desk/<int:pk>/files/<int:file_pk>/", download, name="desk-file"),
]
