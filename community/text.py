"""What members write: Markdown in, safe HTML out.

render() turns CommonMark (markdown-it-py, raw HTML disabled, so `<script>` arrives as
text) into HTML, links the @handles of existing members to their profiles, and then
cleans the result with bleach on an allow-list: only the tags below survive, links keep
http, https and mailto URLs only and all get rel="nofollow ugc noopener", bare URLs are
linked the same way, and nothing else (no attributes such as on*, style or class, no
images, no SVG) is kept. The Markdown source is stored for editing; the HTML is what pages
print. Belt and braces: markdown-it refuses javascript: links itself and bleach would drop
them anyway."""

import re
from functools import partial
from html import unescape

import bleach
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt
from markdown_it.token import Token

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "strong", "em", "del", "s", "a", "ul", "ol", "li", "blockquote",
        "code", "pre", "hr", "h3", "h4", "h5", "h6",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": ["href", "title", "rel"], "ol": ["start"]}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
MENTION = re.compile(r"(?<![\w@/])@([A-Za-z0-9_]{3,30})\b")
BARE_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
PROFILE_PATH = "/community/members/{handle}/"

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.enable("strikethrough")


def _set_rel(attrs, new=False):
    attrs[(None, "rel")] = LINK_REL
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_set_rel], skip_tags=["pre", "code"])],
)


def _text_tokens(tokens):
    """Every plain text token outside links and code: where mentions and bare URLs live."""
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        in_link = 0
        for child in token.children:
            if child.type == "link_open":
                in_link += 1
            elif child.type == "link_close":
                in_link -= 1
            elif child.type == "text" and not in_link:
                yield token, child


def mentioned_handles(source: str) -> set[str]:
    """The lower-case @handles in `source`, outside code and links."""
    return {
        match.lower()
        for _inline, child in _text_tokens(_markdown.parse(source or ""))
        for match in MENTION.findall(child.content)
    }


def link_count(source: str) -> int:
    """Links in `source`: Markdown links and bare URLs (mentions are not counted)."""
    tokens = _markdown.parse(source or "")
    links = sum(
        1
        for token in tokens
        if token.type == "inline"
        for child in token.children or []
        if child.type == "link_open"
    )
    return links + sum(len(BARE_URL.findall(child.content)) for _i, child in _text_tokens(tokens))


def _existing_handles(handles: set[str]) -> set[str]:
    if not handles:
        return set()
    from .models import CommunityProfile

    return set(CommunityProfile.objects.filter(handle__in=handles).values_list("handle", flat=True))


def _link_mentions(tokens, known: set[str]) -> None:
    """Replace each @handle of a known member in text tokens with a link to their profile."""
    for inline, child in list(_text_tokens(tokens)):
        parts = MENTION.split(child.content)
        if len(parts) == 1 or not any(p.lower() in known for p in parts[1::2]):
            continue
        replacement = []
        for index, part in enumerate(parts):
            if index % 2 == 0 or part.lower() not in known:
                text = part if index % 2 == 0 else f"@{part}"
                if text:
                    token = Token("text", "", 0)
                    token.content = text
                    replacement.append(token)
                continue
            opening = Token("link_open", "a", 1)
            opening.attrs = {"href": PROFILE_PATH.format(handle=part.lower())}
            label = Token("text", "", 0)
            label.content = f"@{part}"
            replacement += [opening, label, Token("link_close", "a", -1)]
        position = inline.children.index(child)
        inline.children[position : position + 1] = replacement


def render(source: str) -> str:
    """Sanitized HTML for `source` (one query when it mentions anyone)."""
    tokens = _markdown.parse(source or "")
    _link_mentions(tokens, _existing_handles(mentioned_handles(source)))
    html = _markdown.renderer.render(tokens, _markdown.options, {})
    return _cleaner.clean(html).strip()


def plain(source: str, limit: int = 200) -> str:
    """A plain-text excerpt of `source` (titles, feeds, notifications), at most `limit`
    characters."""
    html = _markdown.render(source or "")
    text = " ".join(unescape(bleach.clean(html, tags=set(), strip=True)).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
