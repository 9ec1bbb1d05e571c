"""Where a piece of community content is shown: its page address, for links in
notifications, the feed, the moderation queue and redirects after a like or a flag."""

from django.urls import NoReverseMatch, reverse


def content_url(content) -> str:
    """The address of `content`: its own get_absolute_url() when it has one (forum posts,
    contest photos, articles), else the community page that shows it. Costs no query for a
    status update or a comment (a comment's address redirects to its place)."""
    from .models import Comment, StatusUpdate

    if isinstance(content, StatusUpdate):
        return reverse("community:status", args=[content.pk])
    if isinstance(content, Comment):
        return reverse("community:comment", args=[content.pk])
    get_url = getattr(content, "get_absolute_url", None)
    if get_url is not None:
        try:
            return get_url() or ""
        except NoReverseMatch:
            return ""
    url = getattr(content, "url", None)  # a Wagtail page
    return url if isinstance(url, str) else ""


def member_url(handle: str) -> str:
    return reverse("community:member", args=[handle])
