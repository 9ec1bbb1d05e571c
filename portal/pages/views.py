"""Public views of the site shell around the Wagtail pages: the site search and
robots.txt (the sitemap is wagtail.contrib.sitemaps' view, see urls.py)."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_ratelimit.core import is_ratelimited

from . import search

SEARCH_GROUP = "site-search"
RESULTS_PER_PAGE = 10


@require_GET
def site_search(request):
    query = request.GET.get("q", "").strip()
    context = {"query": query, "results": None}
    if query:
        if is_ratelimited(
            request,
            group=SEARCH_GROUP,
            key="ip",
            rate=getattr(settings, "SITE_SEARCH_RATE", "30/m"),
            increment=True,
        ):
            return render(request, "pages/search.html", {**context, "limited": True}, status=429)
        results = Paginator(search.search_pages(query=query), RESULTS_PER_PAGE).get_page(
            request.GET.get("page")
        )
        context["results"] = results
        context["rows"] = [
            {"page": page, "type": search.page_type(page), "snippet": search.snippet(page)}
            for page in results
        ]
    return render(request, "pages/search.html", context)


@require_GET
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("pages:sitemap"))
    return render(
        request,
        "pages/robots.txt",
        {"sitemap_url": sitemap},
        content_type="text/plain; charset=utf-8",
    )
