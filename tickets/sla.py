"""Business-hours arithmetic for SLA clocks. Pure functions: the opening windows come in as
(weekday, opens, closes) tuples (services read them from BusinessHours), so the rules are
the manager's rows and nothing here knows that Friday, or Thursday afternoon, is the
Iranian weekend.

Conventions:
- weekday is Python's (Monday 0 ... Sunday 6); a window lies within one local day
  (opens < closes); windows may overlap or touch (they are merged) and a day may have none.
- Times are read in `tz`, the club's time zone (settings.TIME_ZONE, Asia/Tehran) unless
  given; durations are real elapsed time, so a window stays as long as it really is on a
  day whose UTC offset changes.
- `closed_dates` are local dates with no business at all (public holidays), on top of
  the weekly rows.
"""

from collections.abc import Collection, Iterable, Iterator
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from django.utils import timezone

Hours = Iterable[tuple[int, time, time]]
_DAY = timedelta(days=1)


def _by_weekday(hours: Hours) -> dict[int, list[tuple[time, time]]]:
    """The windows of each weekday, sorted and merged; ValueError on a malformed row."""
    days: dict[int, list[tuple[time, time]]] = {}
    for weekday, opens, closes in hours:
        if not 0 <= weekday <= 6 or not opens < closes:
            raise ValueError(f"bad business-hours window: {weekday} {opens}-{closes}")
        days.setdefault(weekday, []).append((opens, closes))
    for weekday, windows in days.items():
        merged: list[tuple[time, time]] = []
        for opens, closes in sorted(windows):
            if merged and opens <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], closes))
            else:
                merged.append((opens, closes))
        days[weekday] = merged
    return days


def _windows_from(
    day: date, days: dict[int, list[tuple[time, time]]], tz: tzinfo, closed: Collection[date]
) -> Iterator[tuple[datetime, datetime]]:
    """Every window in UTC, from local `day` on, for ever."""
    while True:
        if day not in closed:
            for opens, closes in days.get(day.weekday(), ()):
                yield (
                    datetime.combine(day, opens, tzinfo=tz).astimezone(UTC),
                    datetime.combine(day, closes, tzinfo=tz).astimezone(UTC),
                )
        day += _DAY


def _check_aware(*moments: datetime) -> None:
    if any(timezone.is_naive(moment) for moment in moments):
        raise ValueError("business-hours arithmetic needs aware datetimes")


def add_business_minutes(
    start: datetime,
    minutes: float,
    hours: Hours,
    *,
    tz: tzinfo | None = None,
    closed_dates: Collection[date] = (),
) -> datetime:
    """The first moment at which `minutes` business minutes have passed since `start`
    (a clock started outside hours waits for the next opening; a count that runs out
    exactly at closing time ends at closing time, not at the next opening). Returned in
    `tz`. ValueError for naive datetimes, negative minutes or hours without any window."""
    _check_aware(start)
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    tz = tz or timezone.get_default_timezone()
    days = _by_weekday(hours)
    if not days:
        raise ValueError("no business hours: an SLA clock would never run")
    left = timedelta(minutes=minutes)
    if not left:
        return start.astimezone(tz)
    now = start.astimezone(UTC)
    for opens, closes in _windows_from(start.astimezone(tz).date(), days, tz, closed_dates):
        if closes <= now:
            continue
        begin = max(opens, now)
        if left <= closes - begin:
            return (begin + left).astimezone(tz)
        left -= closes - begin
    raise AssertionError("unreachable: _windows_from never ends")  # pragma: no cover


def business_minutes_between(
    a: datetime,
    b: datetime,
    hours: Hours,
    *,
    tz: tzinfo | None = None,
    closed_dates: Collection[date] = (),
) -> float:
    """Business minutes from `a` to `b` (negative when `b` is earlier), with seconds as a
    fraction. The inverse of add_business_minutes for a start inside hours."""
    _check_aware(a, b)
    if b < a:
        return -business_minutes_between(b, a, hours, tz=tz, closed_dates=closed_dates)
    tz = tz or timezone.get_default_timezone()
    days = _by_weekday(hours)
    if not days:
        return 0.0
    a, b = a.astimezone(UTC), b.astimezone(UTC)
    total = timedelta()
    for opens, closes in _windows_from(a.astimezone(tz).date(), days, tz, closed_dates):
        if opens >= b:
            break
        total += max(timedelta(), min(closes, b) - max(opens, a))
    return total.total_seconds() / 60
