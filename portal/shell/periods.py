"""A report form's period check, shared by the desk reports and the club's dashboard."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def check_period(form, *, max_days: int) -> None:
    """Add the form's error when its cleaned `end` is before `start` or the period is
    longer than `max_days` days (both dates counted)."""
    start, end = form.cleaned_data.get("start"), form.cleaned_data.get("end")
    if not (start and end):
        return
    if end < start:
        form.add_error(
            "end",
            ValidationError(_("The end date is before the start date."), code="end_before_start"),
        )
    elif (end - start).days + 1 > max_days:
        form.add_error(
            "end",
            ValidationError(
                _("A report covers at most %(days)s days; please choose a shorter period.")
                % {"days": max_days},
                code="too_long",
            ),
        )
