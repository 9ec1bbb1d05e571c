"""Company videos without asking anyone: the player address of a YouTube, Vimeo or Aparat
link is worked out from the link itself (YouTube through its privacy-enhanced
youtube-nocookie.com host), so a video page renders with no network and only frames those
three hosts, the ones the Content-Security-Policy's frame-src allows
(portal/settings/base.py). Wagtail's oEmbed finders fetch the provider's HTML over the
internet and may return markup the policy refuses, so they are not used here.

PlayerFinder is the same rule as a Wagtail embed finder: put
{"class": "showcase.video.PlayerFinder"} in WAGTAILEMBEDS_FINDERS to make the `embed` tag
and EmbedBlock work the same way offline."""

import re
from urllib.parse import parse_qs, urlsplit

from django.utils.html import format_html
from wagtail.embeds.exceptions import EmbedUnsupportedProviderException
from wagtail.embeds.finders.base import EmbedFinder

YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
VIMEO_ID = re.compile(r"^\d{1,12}$")
APARAT_HASH = re.compile(r"^[A-Za-z0-9]{3,20}$")

YOUTUBE_HOSTS = {"youtube.com", "m.youtube.com", "youtube-nocookie.com"}
# The hosts a player frame may come from: keep in step with CSP frame-src.
PLAYER_HOSTS = (
    "https://www.youtube-nocookie.com",
    "https://player.vimeo.com",
    "https://www.aparat.com",
)


def _host(parts) -> str:
    return (parts.hostname or "").lower().removeprefix("www.")


def _youtube(parts) -> str:
    host = _host(parts)
    segments = [s for s in parts.path.split("/") if s]
    video = ""
    if host == "youtu.be" and segments:
        video = segments[0]
    elif host in YOUTUBE_HOSTS:
        if segments[:1] == ["watch"]:
            video = parse_qs(parts.query).get("v", [""])[0]
        elif len(segments) >= 2 and segments[0] in ("embed", "shorts", "live", "v"):
            video = segments[1]
    if YOUTUBE_ID.match(video):
        return f"https://www.youtube-nocookie.com/embed/{video}"
    return ""


def _vimeo(parts) -> str:
    host = _host(parts)
    segments = [s for s in parts.path.split("/") if s]
    if host == "vimeo.com" and segments and VIMEO_ID.match(segments[-1]):
        return f"https://player.vimeo.com/video/{segments[-1]}"
    if host == "player.vimeo.com" and segments[:1] == ["video"] and len(segments) >= 2:
        if VIMEO_ID.match(segments[1]):
            return f"https://player.vimeo.com/video/{segments[1]}"
    return ""


def _aparat(parts) -> str:
    if _host(parts) != "aparat.com":
        return ""
    segments = [s for s in parts.path.split("/") if s]
    video = ""
    if len(segments) == 2 and segments[0] == "v":
        video = segments[1]
    elif "videohash" in segments and segments.index("videohash") + 1 < len(segments):
        video = segments[segments.index("videohash") + 1]
    if APARAT_HASH.match(video):
        return f"https://www.aparat.com/video/video/embed/videohash/{video}/vt/frame"
    return ""


def player_src(url: str) -> str:
    """The https player address for a YouTube, Vimeo or Aparat video link, or "" for any
    other link (shown as a plain link instead)."""
    try:
        parts = urlsplit((url or "").strip())
    except ValueError:
        return ""
    if parts.scheme not in ("http", "https"):
        return ""
    for rule in (_youtube, _vimeo, _aparat):
        src = rule(parts)
        if src:
            return src
    return ""


class PlayerFinder(EmbedFinder):
    """A Wagtail embed finder for the three video hosts that needs no network."""

    def accept(self, url):
        return bool(player_src(url))

    def find_embed(self, url, max_width=None, max_height=None):
        src = player_src(url)
        if not src:
            raise EmbedUnsupportedProviderException
        return {
            "title": "",
            "author_name": "",
            "provider_name": urlsplit(src).hostname,
            "type": "video",
            "thumbnail_url": "",
            "width": 640,
            "height": 360,
            "html": format_html(
                '<iframe src="{}" width="640" height="360" loading="lazy" '
                'allow="fullscreen; picture-in-picture" allowfullscreen '
                'referrerpolicy="strict-origin-when-cross-origin"></iframe>',
                src,
            ),
        }
