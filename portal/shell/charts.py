"""Charts drawn on the server as SVG, so pages need no script (strict CSP) and print as
they look. One kind so far: the horizontal bar chart (survey results; the manager's KPI
dashboard).

    chart = bar_chart(
        title="How did you hear of us?",
        bars=[Bar("A friend", 12), Bar("The shop", 30)],
        label_header="Answer",
        value_header="Members",
    )
    # in a template: {{ chart }}

It returns safe HTML: a <figure> holding the SVG (role="img", named by its <title> and
<desc>, each bar with a <title> of its own) and, next to it, a table with the same numbers
for screen readers, copying and anyone who prefers figures. Labels and numbers are escaped.

Phone first: each bar sits under its label, so a long label has the whole width. Right to
left (Persian): bars grow from the right and labels start at the right; the SVG's layout is
computed for the direction (SVG ignores CSS logical properties), and its `direction` is set
explicitly so text anchors mean the same in every browser. Numbers are shown in the active
language's digits (club_format.grouped)."""

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language_bidi, gettext

from .templatetags.club_format import digits, grouped

WIDTH = 320
ROW = 40  # height of one label and its bar
BAR = 14
LABEL_SIZE = 12
VALUE_SIZE = 11
PAD = 4
MAX_LABEL = 48  # characters of a label drawn in the SVG (the table has it whole)
BAR_COLOUR = "#0b5d4b"
TRACK_COLOUR = "#e8ebee"
INK = "#1b1f23"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | float | Decimal
    # What is written at the bar's end and in the table; the grouped value when empty.
    text: str = ""


def percent(part: int | float, whole: int | float, *, places: int = 0) -> Decimal:
    """`part` as a percentage of `whole`, rounded half up (0 when `whole` is 0)."""
    if not whole:
        return Decimal(0)
    exponent = Decimal(1).scaleb(-places)
    return (Decimal(part) * 100 / Decimal(whole)).quantize(exponent, rounding=ROUND_HALF_UP)


def format_percent(value: Decimal | int | float) -> str:
    """ "40%" in English, "۴۰٪" in Persian."""
    return digits(gettext("%(value)s%%") % {"value": value})


def count_and_share(count: int, whole: int) -> str:
    """ "12 (40%)": a count and its share of `whole`."""
    return gettext("%(count)s (%(share)s)") % {
        "count": grouped(count),
        "share": format_percent(percent(count, whole)),
    }


def _shorten(label: str) -> str:
    label = " ".join(str(label).split())
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def bar_chart(
    *,
    title: str,
    bars: Sequence[Bar],
    label_header: str,
    value_header: str,
    scale_max: int | float | Decimal | None = None,
    description: str = "",
    format_value: Callable[[int | float | Decimal], str] = grouped,
    rtl: bool | None = None,
) -> SafeString:
    """A horizontal bar chart and its data table as one <figure>. Bars are scaled to
    `scale_max` (the largest value when not given); `description` (the SVG's <desc>)
    defaults to a sentence naming the chart's size. `rtl` defaults to the active language's
    direction."""
    rtl = get_language_bidi() if rtl is None else rtl
    chart_id = f"chart-{uuid.uuid4().hex[:10]}"
    values = [float(bar.value) for bar in bars]
    top = float(scale_max) if scale_max is not None else max(values, default=0.0)
    height = ROW * len(bars) + 2 * PAD
    description = description or gettext(
        "Bar chart with %(count)s bars. The table next to it gives the same numbers."
    ) % {"count": digits(len(bars))}

    def x(start: float, length: float = 0.0) -> str:
        """The x of a shape `start` units from the start edge (its left end in LTR, its
        right end in RTL), `length` units long."""
        return _number(WIDTH - start - length if rtl else start)

    rows = []
    for index, (bar, value) in enumerate(zip(bars, values, strict=True)):
        text = bar.text or format_value(bar.value)
        length = 0.0 if top <= 0 else max(0.0, min(value / top, 1.0)) * WIDTH
        base = PAD + index * ROW
        label_y = base + LABEL_SIZE
        bar_y = base + LABEL_SIZE + 6
        value_y = bar_y + BAR / 2 + VALUE_SIZE * 0.35
        # The value sits after the bar's end, or inside it when the bar is nearly full.
        inside = length > WIDTH - 70
        value_x = x(length - PAD) if inside else x(length + PAD)
        rows.append(
            format_html(
                '<g class="chart-row"><title>{label}: {text}</title>'
                '<text class="chart-label" x="{label_x}" y="{label_y}" text-anchor="start" '
                'font-size="{label_size}" fill="{ink}">{short}</text>'
                '<rect class="chart-track" x="0" y="{bar_y}" width="{width}" height="{bar}" '
                'fill="{track}"/>'
                '<rect class="chart-bar" x="{bar_x}" y="{bar_y}" width="{length}" '
                'height="{bar}" fill="{colour}"/>'
                '<text class="chart-value{inside_class}" x="{value_x}" y="{value_y}" '
                'text-anchor="{anchor}" font-size="{value_size}" fill="{value_fill}">'
                "{text}</text></g>",
                label=bar.label,
                text=text,
                label_x=x(0),
                label_y=_number(label_y),
                label_size=LABEL_SIZE,
                ink=INK,
                short=_shorten(bar.label),
                bar_y=_number(bar_y),
                width=WIDTH,
                bar=BAR,
                track=TRACK_COLOUR,
                bar_x=x(0, length),
                length=_number(length),
                colour=BAR_COLOUR,
                inside_class=" is-inside" if inside else "",
                value_x=value_x,
                value_y=_number(value_y),
                anchor="end" if inside else "start",
                value_size=VALUE_SIZE,
                value_fill="#fff" if inside else INK,
            )
        )
    svg = format_html(
        '<svg class="chart-svg" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        'role="img" aria-labelledby="{id}-title {id}-desc" direction="{direction}" '
        'focusable="false"><title id="{id}-title">{title}</title>'
        '<desc id="{id}-desc">{description}</desc>{rows}</svg>',
        width=WIDTH,
        height=height,
        id=chart_id,
        direction="rtl" if rtl else "ltr",
        title=title,
        description=description,
        rows=mark_safe("".join(rows)),  # noqa: S308  (each row built with format_html)
    )
    table = format_html(
        '<table class="chart-table"><caption class="visually-hidden">{title}</caption><thead><tr>'
        '<th scope="col">{label_header}</th><th scope="col">{value_header}</th>'
        "</tr></thead><tbody>{body}</tbody></table>",
        title=title,
        label_header=label_header,
        value_header=value_header,
        body=format_html_join(
            "",
            '<tr><th scope="row">{}</th><td>{}</td></tr>',
            ((bar.label, bar.text or format_value(bar.value)) for bar in bars),
        ),
    )
    return format_html('<figure class="chart" id="{}">{}{}</figure>', chart_id, svg, table)
