from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from portal.accounts.decorators import role_required
from portal.accounts.roles import STAFF_PERMISSIONS
from portal.accounts.services import set_preferred_language

# The staff home lists the tools a user's roles open: (permission, label, URL name).
# Each later feature adds its screen here.
STAFF_TOOLS = [
    (
        "wagtailadmin.access_admin",
        _("Content and club settings (Wagtail admin)"),
        "wagtailadmin_home",
    ),
    (
        "accounts.operate_till",
        _("Cashier screen: find a member, credit a purchase, register, reverse"),
        "cardgateway:cashier-home",
    ),
    ("accounts.operate_till", _("Check and use a reward voucher"), "gamification:voucher-check"),
    ("accounts.manage_club", _("Check and use a reward voucher"), "gamification:voucher-check"),
    ("accounts.manage_club", _("Adjust a member's points or credit"), "gamification:adjust"),
    ("accounts.manage_club", _("Terminals (card readers)"), "cardgateway:terminal-list"),
    ("accounts.manage_club", _("Requests refused by a till limit"), "cardgateway:limit-hit-list"),
    ("accounts.manage_club", _("Find a card: history, block, unblock"), "cardgateway:card-search"),
    ("accounts.answer_tickets", _("Support desk: the ticket queue"), "tickets:desk-queue"),
    (
        "accounts.manage_club",
        _("Desk reports: satisfaction, response times, backlog"),
        "tickets:reports",
    ),
    ("accounts.manage_club", _("Audit trail: who changed or viewed member data"), "audit:list"),
    ("accounts.manage_club", _("Fraud review: flagged activity and holds"), "fraud:queue"),
    (
        "accounts.moderate_community",
        _("Moderation: flagged content, members, the log"),
        "community:moderation-queue",
    ),
    ("accounts.manage_club", _("Surveys: results and exports"), "surveys:staff-survey-list"),
    ("accounts.moderate_community", _("Surveys: results"), "surveys:staff-survey-list"),
    ("accounts.manage_club", _("Start a survey from a ready-made one"), "surveys:template-copy"),
    ("accounts.manage_club", _("Cockpit: the club's figures and exports"), "reports:dashboard"),
    ("accounts.manage_club", _("Segments of members"), "cockpit:segment-list"),
    ("accounts.manage_club", _("Campaigns: messages and gifts"), "cockpit:campaign-list"),
    ("accounts.manage_club", _("Import members from a file"), "imports:job-list"),
    ("accounts.manage_club", _("Events: attendees and invitations"), "events:staff-event-list"),
]


@require_POST
def set_language(request):
    """Switch the language: a cookie for this browser, and the profile for members."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=getattr(settings, "LANGUAGE_COOKIE_SECURE", False),
        )
        if request.user.is_authenticated:
            set_preferred_language(user=request.user, language=language)
    return response


@role_required(*STAFF_PERMISSIONS)
def staff_home(request):
    user = request.user
    tools = {
        url_name: {"label": label, "url": reverse(url_name)}
        for perm, label, url_name in STAFF_TOOLS
        if user.is_superuser or user.has_perm(perm)
    }
    tools = list(tools.values())
    if user.is_superuser:
        tools.append({"label": _("Django admin"), "url": reverse("admin:index")})
    return render(request, "shell/staff_home.html", {"tools": tools})
