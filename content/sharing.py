"""Share links of an article: plain links to each network's own share page (they work
without JavaScript); content-share.js also tells the portal, which pays the "shared" rule."""

from urllib.parse import quote, urlencode

from django.utils.translation import gettext as _

from .models import Network


def share_links(*, url: str, title: str) -> list[dict]:
    text = f"{title} {url}"
    return [
        {
            "network": Network.TELEGRAM,
            "label": "Telegram",
            "href": "https://t.me/share/url?" + urlencode({"url": url, "text": title}),
        },
        {
            "network": Network.WHATSAPP,
            "label": "WhatsApp",
            "href": "https://wa.me/?" + urlencode({"text": text}),
        },
        {
            "network": Network.X,
            "label": "X",
            "href": "https://twitter.com/intent/tweet?" + urlencode({"url": url, "text": title}),
        },
        {
            "network": Network.LINKEDIN,
            "label": "LinkedIn",
            "href": "https://www.linkedin.com/sharing/share-offsite/?" + urlencode({"url": url}),
        },
        {
            "network": Network.EMAIL,
            "label": _("E-mail"),
            "href": f"mailto:?subject={quote(title)}&body={quote(text)}",
        },
    ]
