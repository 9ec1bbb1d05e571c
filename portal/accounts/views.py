from allauth.core.exceptions import ReauthenticationRequired
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from portal.shell.templatetags.club_format import jdate

from . import data_export, erasure, reauthentication
from . import unsubscribe as unsubscribe_tokens
from .forms import EraseAccountForm, ProfileForm, ReauthenticationCodeForm
from .models import PrivacySettings, User
from .selectors import club_card, club_summary, panel_profile
from .services import ensure_profile, withdraw_consent


@login_required
def panel(request):
    """My club: the member's home. Later features add their sections to the template."""
    profile = panel_profile(user=request.user)
    percent, missing = profile.completion()
    return render(
        request,
        "accounts/panel.html",
        {
            "profile": profile,
            "completion": percent,
            "missing": missing,
            **club_summary(member=request.user),
            "club_card": club_card(member=request.user),
            "pending_erasure": erasure.pending_request(member=request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request):
    profile = ensure_profile(user=request.user)
    form = ProfileForm(request.POST or None, instance=profile, user=request.user)
    if request.method == "POST" and form.is_valid():
        form.save_profile(source=request.path)
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:panel")
    return render(request, "accounts/profile_edit.html", {"form": form})


@csrf_exempt  # RFC 8058 one-click POSTs come from mail clients; the signed token is the key.
@require_http_methods(["GET", "POST"])
@never_cache
def unsubscribe(request, token: str):
    """Withdraw marketing consent for one channel from a signed link, without logging in:
    GET asks (mail scanners open links), POST does it (the page's button, or a mail
    client's List-Unsubscribe-Post)."""
    found = unsubscribe_tokens.read(token)
    member = User.objects.filter(pk=found[0]).first() if found else None
    if member is None:
        return render(request, "accounts/unsubscribe.html", {"invalid": True}, status=404)
    channel = found[1]
    if request.method == "POST":
        withdraw_consent(member=member, channel=channel, source="unsubscribe link")
        return render(request, "accounts/unsubscribe.html", {"done": True, "channel": channel})
    return render(request, "accounts/unsubscribe.html", {"channel": channel})


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def my_data(request):
    """Download my data: a page that explains, and a POST that sends the ZIP."""
    if request.method == "POST":
        response = HttpResponse(data_export.build(request.user), content_type="application/zip")
        stamp = timezone.localdate().isoformat()
        response["Content-Disposition"] = f'attachment; filename="my-club-data-{stamp}.zip"'
        response["Cache-Control"] = "private, no-store"
        return response
    return render(request, "accounts/my_data_request.html")


# --- Erase my account -------------------------------------------------------------------

ERASE_CHOICE_KEY = "club_erase_posts"


def _erase_page(request, form, *, status: int = 200, **extra):
    return render(
        request,
        "accounts/erase.html",
        {
            "form": form,
            "pending": erasure.pending_request(member=request.user),
            "is_staff": erasure.is_staff(request.user),
            "cooling_off_days": PrivacySettings.load().erasure_cooling_off_days,
            **extra,
        },
        status=status,
    )


def _request_erasure(request, posts: str, form=None):
    """Call the service; on success back to the panel, else the page with the reason."""
    try:
        pending = erasure.request_erasure(member=request.user, posts=posts)
    except erasure.ErasureRefused as error:
        form = form or EraseAccountForm()
        form.add_error(None, str(error))
        status = 403 if isinstance(error, erasure.StaffCannotErase) else 400
        return _erase_page(request, form, status=status)
    messages.success(
        request,
        _("Your account will be erased on %(date)s. You can cancel until then.")
        % {"date": jdate(pending.effective_at)},
    )
    return redirect("accounts:panel")


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def erase(request):
    """Erase my account: what goes, what stays and why; the posts choice; re-authentication
    (allauth's password / MFA page, which replays this POST, or a code by SMS or e-mail for
    members without a password); then erasure.request_erasure."""
    if request.method == "GET":
        return _erase_page(request, EraseAccountForm())
    form = EraseAccountForm(request.POST)
    if erasure.is_staff(request.user):
        form.add_error(None, str(erasure.StaffCannotErase.default_message))
        return _erase_page(request, form, status=403)
    if not form.is_valid():
        return _erase_page(request, form, status=400)
    if not reauthentication.recently_reauthenticated(request):
        if reauthentication.has_allauth_method(request.user):
            raise ReauthenticationRequired  # allauth asks, then replays this request
        request.session[ERASE_CHOICE_KEY] = form.cleaned_data["posts"]
        return redirect("accounts:erase-code")
    return _request_erasure(request, form.cleaned_data["posts"], form)


@login_required
@require_http_methods(["GET", "POST"])
@never_cache
def erase_code(request):
    """Re-authentication by a code, for members without a password: POST "send" sends one,
    POST "code" checks it and, when right, files the erasure chosen on the previous page."""
    posts = request.session.get(ERASE_CHOICE_KEY)
    if posts is None or reauthentication.has_allauth_method(request.user):
        return redirect("accounts:erase")
    destination = reauthentication.code_destination(request.user)
    form = ReauthenticationCodeForm(request.POST if "code" in request.POST else None)
    status = 200
    if request.method == "POST" and "send" in request.POST:
        if reauthentication.send_code(request):
            messages.info(request, _("We sent you a code."))
            return redirect("accounts:erase-code")
        status = 429 if destination else 400
        form.add_error(None, _("No code could be sent now. Please try again in a minute."))
    elif request.method == "POST":
        if form.is_valid() and reauthentication.check_code(request, form.cleaned_data["code"]):
            request.session.pop(ERASE_CHOICE_KEY, None)
            return _request_erasure(request, posts)
        if form.is_valid():
            form.add_error("code", _("This code is wrong or has expired."))
        status = 400
    return render(
        request,
        "accounts/erase_code.html",
        {
            "form": form,
            "destination": destination,
            "code_sent": reauthentication.code_sent(request),
        },
        status=status,
    )


@login_required
@require_http_methods(["POST"])
def erase_cancel(request):
    """Cancel a pending erasure (POST, CSRF-checked). A second cancel changes nothing."""
    if erasure.cancel_erasure(member=request.user):
        messages.success(request, _("Your account will not be erased."))
    return redirect("accounts:panel")
