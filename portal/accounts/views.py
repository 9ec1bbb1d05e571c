from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import data_export
from . import unsubscribe as unsubscribe_tokens
from .forms import ProfileForm
from .models import User
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
