"""Template helpers for community pages: like buttons and flag links for anything
registered in community.targets, the address of a piece of content, excerpts."""

from django import template
from django.urls import reverse

from community import links, text

register = template.Library()


@register.filter
def target_label(obj) -> str:
    """ "app_label.model" of a model instance (how like and flag URLs name it)."""
    return obj._meta.label_lower


@register.filter
def kind(obj) -> str:
    """The content's kind in words (its model's verbose name)."""
    return obj._meta.verbose_name


@register.filter
def content_url(obj) -> str:
    return links.content_url(obj)


@register.filter
def local_url(value) -> str:
    """Only addresses on this site, or plain web addresses; anything else becomes ""."""
    value = str(value or "")
    if (value.startswith("/") and not value.startswith("//")) or value.startswith(
        ("https://", "http://")
    ):
        return value
    return ""


@register.filter
def excerpt(source, limit=200) -> str:
    """Plain text of Markdown `source` (escaped by the template as usual)."""
    return text.plain(source or "", int(limit))


@register.inclusion_tag("community/includes/like_button.html", takes_context=True)
def like_button(context, target, anchor: str = ""):
    """A like / unlike button (a POST form; works without JavaScript) and the count. Reads
    `target.liked` (set by the view: likes.liked_ids) and `target.like_count`. `anchor`
    ("status", "comment", "post") brings the page back to "#<anchor>-<pk>"."""
    request = context.get("request")
    user = context.get("user")
    label = target._meta.label_lower
    liked = bool(getattr(target, "liked", False))
    name = "community:unlike" if liked else "community:like"
    next_url = request.get_full_path() if request is not None else ""
    if anchor:
        next_url = f"{next_url.split('#')[0]}#{anchor}-{target.pk}"
    own = user is not None and getattr(target, "author_id", None) == getattr(user, "pk", None)
    return {
        "action": reverse(name, args=[label, target.pk]),
        "liked": liked,
        "count": getattr(target, "like_count", 0),
        "next": next_url,
        "can_like": bool(user and user.is_authenticated and not own)
        and not getattr(target, "is_hidden", False),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def flag_url(target) -> str:
    return reverse("community:flag", args=[target._meta.label_lower, target.pk])
