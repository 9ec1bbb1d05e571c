"""What the community's views share: where to go back to after a POST, and how a refusal
reaches the member."""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, fallback: str) -> str:
    """The `next` field or parameter when it is a path on this site, else `fallback`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def back(request, fallback: str) -> HttpResponseRedirect:
    return HttpResponseRedirect(safe_next(request, fallback))


def refused(request, error, fallback: str) -> HttpResponseRedirect:
    """Show a service's refusal (its message says when to try again) and go back."""
    messages.error(request, str(error.message))
    return back(request, fallback)
