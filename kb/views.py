"""The knowledge base's endpoints (its pages are Wagtail's): suggestions for the ticket
form as JSON, and the "was this helpful?" vote. Both public and rate-limited per client."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_ratelimit.core import is_ratelimited

from . import selectors, services
from .models import KBAnswerPage

SUGGEST_GROUP = "kb-suggest"
FEEDBACK_GROUP = "kb-feedback"
VOTED_SESSION_KEY = "kb_voted"
MIN_QUERY = 3


def _rate(name: str, default: str) -> str:
    return getattr(settings, name, default)


@require_GET
def suggest(request):
    """`?q=` the subject typed so far → up to five live public answers as
    {"results": [{"title", "url", "snippet"}]}. 429 with an empty list when limited."""
    if is_ratelimited(
        request,
        group=SUGGEST_GROUP,
        key="ip",
        rate=_rate("KB_SUGGEST_RATE", "60/m"),
        increment=True,
    ):
        return JsonResponse({"results": [], "error": "rate_limited"}, status=429)
    query = request.GET.get("q", "").strip()
    results = selectors.suggestions(query=query, request=request) if len(query) >= MIN_QUERY else []
    response = JsonResponse({"results": results})
    response["Cache-Control"] = "no-store"
    return response


def voted_on(request, answer: KBAnswerPage) -> bool:
    session = getattr(request, "session", None)  # Wagtail's preview may have none
    return session is not None and answer.pk in session.get(VOTED_SESSION_KEY, [])


@require_POST
def feedback(request, answer_id: int):
    answer = KBAnswerPage.objects.live().public().filter(pk=answer_id).first()
    if answer is None:
        raise Http404
    helpful = request.POST.get("helpful")
    limited = is_ratelimited(
        request,
        group=FEEDBACK_GROUP,
        key="ip",
        rate=_rate("KB_FEEDBACK_RATE", "30/h"),
        increment=True,
    )
    if helpful not in {"yes", "no"} or limited:
        messages.error(request, _("Your answer could not be recorded. Please try again later."))
    elif not voted_on(request, answer):
        services.record_feedback(answer=answer, helpful=helpful == "yes")
        request.session[VOTED_SESSION_KEY] = [
            *request.session.get(VOTED_SESSION_KEY, [])[-199:],
            answer.pk,
        ]
        messages.success(request, _("Thank you for your feedback."))
    return redirect(answer.get_url(request))
