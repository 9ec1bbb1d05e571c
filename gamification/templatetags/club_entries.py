from django import template

register = template.Library()


@register.filter
def cause_url(entry) -> str:
    """Where an entry's cause can be seen, when its subject has a page."""
    subject = entry.subject
    getter = getattr(subject, "get_absolute_url", None)
    return getter() if getter else ""
