"""Demo pages: what the apps' demo seeds share."""

from wagtail.models import Page


def published_child(parent: Page, model, slug: str, **fields) -> Page:
    """The child of `parent` of type `model` with this slug, made and published (with a
    revision, so the sitemap has its date) the first time. Idempotent."""
    existing = model.objects.child_of(parent).filter(slug=slug).first()
    if existing is not None:
        return existing
    page = parent.add_child(instance=model(slug=slug, **fields))
    page.save_revision().publish()
    return page
