"""Dates and amounts as a reader of the active language expects them.

Persian: Jalali calendar (jdatetime), Persian digits, rial amounts grouped with the Arabic
thousands separator. English: Gregorian dates and comma grouping."""

from datetime import date, datetime

import jdatetime
from django import template
from django.template.defaultfilters import date as django_date
from django.utils import timezone
from django.utils.translation import get_language, gettext

register = template.Library()

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def is_persian() -> bool:
    return (get_language() or "").startswith("fa")


def to_persian_digits(text: str) -> str:
    return str(text).translate(PERSIAN_DIGITS)


@register.filter
def jdate(value, with_time: bool = False):
    """A date (or datetime, shown in local time) in the active language's calendar."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        if is_persian():
            jalali = jdatetime.datetime.fromgregorian(datetime=value, locale="fa_IR")
            text = f"{jalali.day} {jalali.strftime('%B')} {jalali.year}"
            if with_time:
                text += f"، {jalali.strftime('%H:%M')}"
            return to_persian_digits(text)
        return django_date(value, "j F Y, H:i" if with_time else "j F Y")
    if isinstance(value, date):
        if is_persian():
            jalali = jdatetime.date.fromgregorian(date=value, locale="fa_IR")
            return to_persian_digits(f"{jalali.day} {jalali.strftime('%B')} {jalali.year}")
        return django_date(value, "j F Y")
    return value


@register.filter(name="jdatetime")
def jdate_with_time(value):
    return jdate(value, True)


@register.filter
def grouped(value):
    """An integer with thousands grouped, in the active language's digits."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return value
    if is_persian():
        return to_persian_digits(f"{number:,}".replace(",", "٬"))
    return f"{number:,}"


@register.filter
def rials(value):
    """An amount of rials, grouped and labelled: "1,250,000 IRR" / "۱٬۲۵۰٬۰۰۰ ریال"."""
    text = grouped(value)
    if text == value and not isinstance(value, int):
        return value
    return gettext("%(amount)s IRR") % {"amount": text}


@register.filter
def digits(value):
    """Any number or text with its digits in the active language."""
    return to_persian_digits(value) if is_persian() else value


@register.filter
def listing(items):
    """Join words with the active language's comma ("، " in Persian)."""
    return ("، " if is_persian() else ", ").join(str(item) for item in items)
