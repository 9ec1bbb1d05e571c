import re

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from .roles import is_staff_member

REFERRAL_CODE_RE = re.compile(r"^[A-Za-z0-9]{4,32}$")


class ReferralCaptureMiddleware:
    """Remembers `?ref=CODE` from any page in the session until the visitor signs up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        code = request.GET.get("ref", "")
        if code and REFERRAL_CODE_RE.match(code) and not request.user.is_authenticated:
            request.session[settings.REFERRAL_SESSION_KEY] = code.upper()
        return self.get_response(request)


class StaffMFAMiddleware:
    """With MFA_REQUIRED_FOR_STAFF, a staff user without TOTP may only reach the pages
    that let them enrol (and log out) until they do."""

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/health/", "/i18n/", "/language/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.MFA_REQUIRED_FOR_STAFF
            and request.user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and is_staff_member(request.user)
            and not self._has_totp(request.user)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)

    @staticmethod
    def _has_totp(user) -> bool:
        from allauth.mfa.models import Authenticator

        return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class StaffSessionMiddleware:
    """Staff sessions end after STAFF_SESSION_IDLE_MINUTES without a request (each request
    starts the count again); members keep the usual two weeks. A staff login on a shared
    till or desk does not stay open for the next person."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and is_staff_member(request.user):
            request.session.set_expiry(settings.STAFF_SESSION_IDLE_MINUTES * 60)
        return self.get_response(request)
