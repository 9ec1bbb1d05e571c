"""The site search: every live public page with search fields (articles, news, events,
knowledge-base answers, ...) through Wagtail search, each result with its type and a
short plain-text snippet."""

from html import unescape

from django.db.models import Model
from django.utils.html import strip_tags
from django.utils.text import Truncator
from wagtail.models import Page

MAX_QUERY = 100  # characters of a search query that are used
SNIPPET_CHARS = 200

# Fields a page type may have whose text makes a good snippet, most specific first.
SNIPPET_FIELDS = ("search_description", "intro", "summary", "excerpt", "answer", "body")


def plain_text(html: str, limit: int = SNIPPET_CHARS) -> str:
    """Rich text (already sanitized by Wagtail) as one line of plain text, cut at `limit`
    characters. The template or JSON encoder escapes it again."""
    text = " ".join(unescape(strip_tags(html or "")).split())
    return Truncator(text).chars(limit)


def search_pages(*, query: str):
    """Live public pages matching `query`, best first, as their specific types (one query
    per page type on the page shown). An empty query finds nothing."""
    query = " ".join(query.split())[:MAX_QUERY]
    if not query:
        return Page.objects.none()
    return Page.objects.live().public().specific().search(query)


def _text_of(value) -> str:
    stream_block = getattr(value, "stream_block", None)
    if stream_block is not None:
        # A StreamField: its searchable text, without rendering a block (no queries).
        return " ".join(str(part) for part in stream_block.get_searchable_content(value))
    return str(value)


def snippet(page: Page) -> str:
    for name in SNIPPET_FIELDS:
        value = getattr(page, name, None)
        if not value or isinstance(value, Model):
            continue
        text = plain_text(_text_of(value))
        if text:
            return text
    return ""


def page_type(page: Page) -> str:
    return str(page._meta.verbose_name)
