"""`{{ value|percent }}`: a Decimal percentage in the active language ("2.5%", "۲٫۵٪")."""

from django import template

from portal.shell.templatetags.club_format import is_persian, to_persian_digits

register = template.Library()


@register.filter
def percent(value) -> str:
    if value in (None, ""):
        return ""
    if is_persian():
        return to_persian_digits(str(value).replace(".", "٫")) + "٪"
    return f"{value}%"
