"""`{% page_meta %}`: what templates/includes/meta.html needs for the <title>, the meta
description and the Open Graph tags of a Wagtail page (any page type)."""

from django import template
from django.utils.translation import get_language
from wagtail.models import Page

register = template.Library()

# Image fields a page type may have, in order of preference, for og:image.
IMAGE_FIELDS = ("cover_image", "image", "hero_image", "feed_image")
OG_IMAGE_SPEC = "fill-1200x630"
OG_LOCALES = {"fa": "fa_IR", "en": "en_US"}


def og_image_url(page: Page, request) -> str:
    for name in IMAGE_FIELDS:
        image = getattr(page, name, None)
        if image is not None and hasattr(image, "get_rendition"):
            url = image.get_rendition(OG_IMAGE_SPEC).url
            return request.build_absolute_uri(url) if request is not None else url
    return ""


@register.simple_tag(takes_context=True)
def page_meta(context) -> dict:
    """The meta of `page` when the context holds a Wagtail page (anything else called
    `page`, such as a Paginator's page, is ignored); an empty dict otherwise."""
    page = context.get("page")
    request = context.get("request")
    if not isinstance(page, Page):
        return {}
    language = (get_language() or "en").split("-")[0]
    return {
        "title": page.seo_title or page.title,
        "description": page.search_description,
        "type": getattr(page, "og_type", "website"),
        "url": page.get_full_url(request),
        "image": og_image_url(page, request),
        "locale": OG_LOCALES.get(language, OG_LOCALES["en"]),
    }
