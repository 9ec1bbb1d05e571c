from django import template
from django.utils.translation import gettext

register = template.Library()


@register.filter
def translated(value):
    """A label stored as its English msgid (rules mark them with gettext_noop), in the
    reader's language."""
    return gettext(value) if isinstance(value, str) and value else value
