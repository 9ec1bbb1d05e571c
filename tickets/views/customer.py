"""The customer's pages: file a ticket (member or guest), find it with the tracking code and
the contact used, follow it (public replies only), reply or add a file, rate it, and a
member's list of tickets.

Who may see a ticket is tickets.access.is_customer on every view; anything else, an
unknown code or a malformed one, is the same 404. Internal notes and internal files never
reach these pages. Filing and the tracking page are rate-limited per client address."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.core import get_usage, is_ratelimited

from .. import access, attachments, codes, services
from ..forms import NewTicketForm, RatingForm, ReplyForm, TrackForm, add_service_errors
from ..models import Status, Ticket, TicketAttachment, TicketMessage

TICKETS_PER_PAGE = 20
NEW_GROUP = "tickets-new"
TRACK_GROUP = "tickets-track"


def _new_rate() -> str:
    return getattr(settings, "TICKET_NEW_RATE", "10/h")


def _track_rate() -> str:
    return getattr(settings, "TICKET_TRACK_RATE", "10/m")


def _member(request):
    return request.user if request.user.is_authenticated else None


# --- Filing ----------------------------------------------------------------------------


def _filing_limited(request) -> bool:
    """Whether this client has filed its allowance; only tickets filed count, so a guest
    correcting a form is never locked out by its own mistakes."""
    usage = get_usage(request, group=NEW_GROUP, key="ip", rate=_new_rate(), increment=False)
    return usage is not None and (usage["should_limit"] or usage["count"] >= usage["limit"])


@require_http_methods(["GET", "POST"])
def new(request):
    member = _member(request)
    form = NewTicketForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        member=member,
    )
    if request.method == "POST":
        if _filing_limited(request):
            return render(
                request, "tickets/customer/new.html", {"form": form, "limited": True}, status=429
            )
        if form.is_valid():
            data = form.cleaned_data
            try:
                # One transaction: a refused file leaves no ticket behind.
                with transaction.atomic():
                    ticket = services.open_ticket(
                        kind=data["kind"],
                        category=data["category"],
                        branch=data["branch"],
                        subject=data["subject"],
                        description=data["description"],
                        member=member,
                        guest_name=data.get("guest_name", ""),
                        guest_mobile=data.get("guest_mobile", ""),
                        guest_email=data.get("guest_email", ""),
                    )
                    if data["file"]:
                        services.attach(ticket=ticket, uploaded_by=member, upload=data["file"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                get_usage(request, group=NEW_GROUP, key="ip", rate=_new_rate(), increment=True)
                access.grant(request.session, ticket)
                messages.success(request, _("Your ticket is filed."))
                return redirect("tickets:detail", code=ticket.tracking_code)
    return render(request, "tickets/customer/new.html", {"form": form})


# --- Tracking --------------------------------------------------------------------------


def _contact_matches(ticket: Ticket, contact: tuple[str, str]) -> bool:
    kind, value = contact
    if kind == "email":
        known = ticket.member.email if ticket.member_id else ticket.guest_email
        return bool(known) and known.lower() == value
    known = ticket.member.mobile if ticket.member_id else ticket.guest_mobile
    return bool(known) and known == value


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    if request.method != "POST":
        return render(request, "tickets/customer/track.html", {"form": TrackForm()})
    if is_ratelimited(
        request, group=TRACK_GROUP, key="ip", rate=_track_rate(), method="POST", increment=True
    ):
        return render(
            request,
            "tickets/customer/track.html",
            {"form": TrackForm(), "limited": True},
            status=429,
        )
    form = TrackForm(request.POST)
    if form.is_valid():
        ticket = (
            Ticket.objects.select_related("member")
            .filter(tracking_code=form.cleaned_data["code"])
            .first()
        )
        if ticket is not None and _contact_matches(ticket, form.cleaned_data["contact"]):
            access.grant(request.session, ticket)
            return redirect("tickets:detail", code=ticket.tracking_code)
        # An unknown code and a wrong contact get the very same page: a fresh form with
        # the contact kept (the visitor typed it) and one message.
        form = TrackForm(initial={"contact": request.POST.get("contact", "")})
        return render(request, "tickets/customer/track.html", {"form": form, "not_found": True})
    return render(request, "tickets/customer/track.html", {"form": form})


# --- The ticket's page -----------------------------------------------------------------


def _customer_ticket(request, code: str) -> Ticket:
    """The ticket with this code if the visitor is its customer; 404 for anything else."""
    canonical = codes.canonical(code)
    if canonical is None:
        raise Http404
    ticket = (
        Ticket.objects.select_related("category", "branch", "member", "merged_into", "rating")
        .filter(tracking_code=canonical)
        .first()
    )
    if ticket is None or not access.is_customer(request.user, request.session, ticket):
        raise Http404
    return ticket


def _same_customer(a: Ticket, b: Ticket) -> bool:
    if a.member_id or b.member_id:
        return a.member_id == b.member_id
    return bool(
        (a.guest_mobile and a.guest_mobile == b.guest_mobile)
        or (a.guest_email and a.guest_email.lower() == b.guest_email.lower())
    )


def _rating(ticket: Ticket):
    try:
        return ticket.rating
    except Ticket.rating.RelatedObjectDoesNotExist:
        return None


def _render_detail(request, ticket, *, reply_form=None, rating_form=None, status=200):
    public_files = TicketAttachment.objects.filter(is_internal=False).exclude(
        message__is_internal=True
    )
    thread = list(
        TicketMessage.objects.filter(ticket=ticket, is_internal=False)
        .prefetch_related(Prefetch("attachments", queryset=public_files))
        .order_by("created_at", "id")
    )
    for message in thread:
        message.from_customer = message.author_id is None or message.author_id == ticket.member_id
    loose_files = list(public_files.filter(ticket=ticket, message__isnull=True))
    merged_into = None
    if ticket.merged_into_id:
        target = ticket.merged_into
        if _same_customer(ticket, target):
            # Whoever proved the duplicate is that ticket's customer too.
            access.grant(request.session, target)
        if access.is_customer(request.user, request.session, target):
            merged_into = target
    rating = _rating(ticket)
    can_rate = rating is None and services.can_rate(ticket)
    context = {
        "ticket": ticket,
        "thread": thread,
        "loose_files": loose_files,
        "merged_into": merged_into,
        "rating": rating,
        "reply_form": (reply_form or ReplyForm()) if ticket.status != Status.CLOSED else None,
        "rating_form": (rating_form or RatingForm()) if can_rate else None,
        "live_url": f"/ws/tickets/{ticket.tracking_code}/",
    }
    response = render(request, "tickets/customer/detail.html", context, status=status)
    response["Cache-Control"] = "private, no-store"
    return response


@never_cache
def detail(request, code: str):
    return _render_detail(request, _customer_ticket(request, code))


@require_POST
def reply(request, code: str):
    ticket = _customer_ticket(request, code)
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        author = _member(request) if request.user.pk == ticket.member_id else None
        body, upload = form.cleaned_data["body"].strip(), form.cleaned_data["file"]
        try:
            with transaction.atomic():
                message = None
                if body:
                    message = services.add_reply(ticket=ticket, author=author, body=body)
                if upload:
                    services.attach(
                        ticket=message.ticket if message else ticket,
                        uploaded_by=author,
                        upload=upload,
                        message=message,
                    )
        except ValidationError as error:
            add_service_errors(form, error)
        except services.TicketError as error:  # closed since the page was loaded
            messages.error(request, str(error))
            return redirect("tickets:detail", code=ticket.tracking_code)
        else:
            messages.success(
                request, _("Your reply was sent.") if body else _("Your file was added.")
            )
            target = message.ticket if message else ticket
            if access.is_customer(request.user, request.session, target):
                return redirect("tickets:detail", code=target.tracking_code)
            return redirect("tickets:detail", code=ticket.tracking_code)
    ticket.refresh_from_db()
    return _render_detail(request, ticket, reply_form=form)


@require_POST
def rate(request, code: str):
    ticket = _customer_ticket(request, code)
    refusal = None
    if _rating(ticket) is not None:
        refusal = services.AlreadyRated()
    elif not services.can_rate(ticket):
        refusal = services.NotRatable()
    if refusal is not None:
        messages.error(request, str(refusal))
        return redirect("tickets:detail", code=ticket.tracking_code)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            services.rate(
                ticket=ticket,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except services.TicketError as error:
            messages.error(request, str(error))
            return redirect("tickets:detail", code=ticket.tracking_code)
        else:
            messages.success(request, _("Thank you for your rating."))
            return redirect("tickets:detail", code=ticket.tracking_code)
    return _render_detail(request, ticket, rating_form=form)


@never_cache
def download(request, code: str, pk: int):
    """A public file of the visitor's ticket, sent by this view only: PDF as a download,
    pictures inline, never sniffed by the browser, never cached."""
    ticket = _customer_ticket(request, code)
    attachment = get_object_or_404(
        TicketAttachment.objects.exclude(message__is_internal=True),
        pk=pk,
        ticket=ticket,
        is_internal=False,
    )
    return attachments.file_response(
        attachment, as_attachment=attachment.content_type == "application/pdf"
    )


# --- A member's tickets ----------------------------------------------------------------


@login_required
def mine(request):
    tickets = Ticket.objects.filter(member=request.user).select_related("category")
    page = Paginator(tickets.order_by("-created_at", "-id"), TICKETS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "tickets/customer/mine.html", {"page": page})


urlpatterns = [
    path("new/", new, name="new"),
    path("track/", track, name="track"),
    path("mine/", mine, name="mine"),
    path("t/<str:code>/", detail, name="detail"),
    path("t/<str:code>/reply/", reply, name="reply"),
    path("t/<str:code>/rate/", rate, name="rate"),
    path("t/<str:code>/files/<int:pk>/", download, name="file"),
]
