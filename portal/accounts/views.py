from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import ProfileForm
from .selectors import club_card, club_summary, panel_profile
from .services import ensure_profile


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
        form.save_profile()
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:panel")
    return render(request, "accounts/profile_edit.html", {"form": form})
