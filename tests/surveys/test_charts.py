"""portal/shell/charts.py: a bar chart as SVG with its data table, escaped, accessible,
and laid out for the page's direction."""

import re
from decimal import Decimal

from django.utils import translation
from pytest import approx

from portal.shell import charts
from portal.shell.charts import WIDTH, Bar, bar_chart


def _chart(**kwargs) -> str:
    options = {
        "title": "Which branch?",
        "bars": [Bar("North", 30), Bar("South", 10), Bar("West", 0)],
        "label_header": "Branch",
        "value_header": "Answers",
    }
    options.update(kwargs)
    return str(bar_chart(**options))


def _bars(html: str) -> list[tuple[float, float]]:
    return [
        (float(x), float(w))
        for x, w in re.findall(r'class="chart-bar" x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', html)
    ]


def test_the_chart_is_a_named_image_with_a_table_of_the_same_numbers():
    html = _chart()
    svg_id = re.search(r'<figure class="chart" id="(chart-[0-9a-f]+)">', html).group(1)
    assert f'role="img" aria-labelledby="{svg_id}-title {svg_id}-desc"' in html
    assert f'<title id="{svg_id}-title">Which branch?</title>' in html
    assert f'<desc id="{svg_id}-desc">' in html
    assert "<title>North: 30</title>" in html
    rows = re.findall(r'<tr><th scope="row">(.*?)</th><td>(.*?)</td></tr>', html)
    assert rows == [("North", "30"), ("South", "10"), ("West", "0")]
    assert '<th scope="col">Branch</th><th scope="col">Answers</th>' in html


def test_bars_are_scaled_to_the_largest_value_or_the_given_maximum():
    assert [w for _x, w in _bars(_chart())] == approx([WIDTH, WIDTH / 3, 0], abs=0.1)
    assert [w for _x, w in _bars(_chart(scale_max=60))] == approx(
        [WIDTH / 2, WIDTH / 6, 0], abs=0.1
    )


def test_left_to_right_bars_start_on_the_left():
    html = _chart(rtl=False)
    assert 'direction="ltr"' in html
    assert [x for x, _w in _bars(html)] == [0, 0, 0]
    assert re.search(r'class="chart-label" x="0"', html)


def test_right_to_left_bars_start_on_the_right():
    html = _chart(rtl=True, scale_max=60)
    assert 'direction="rtl"' in html
    bars = [value for bar in _bars(html) for value in bar]
    assert bars == approx([WIDTH / 2, WIDTH / 2, WIDTH - WIDTH / 6, WIDTH / 6, WIDTH, 0], abs=0.1)
    assert re.search(rf'class="chart-label" x="{WIDTH}"', html)


def test_the_direction_follows_the_active_language():
    with translation.override("fa"):
        html = _chart()
    assert 'direction="rtl"' in html
    assert "<td>۳۰</td>" in html  # Persian digits


def test_labels_are_escaped_everywhere():
    html = _chart(title="<b>T</b>", bars=[Bar('<script>alert("x")</script>', 1, text="<i>1</i>")])
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;" in html


def test_a_long_label_is_shortened_in_the_picture_but_whole_in_the_table():
    label = "A very long answer " * 6
    html = _chart(bars=[Bar(label, 3)])
    drawn = re.search(r'class="chart-label"[^>]*>(.*?)</text>', html).group(1)
    assert drawn.endswith("…") and len(drawn) <= charts.MAX_LABEL
    assert f'<th scope="row">{label}</th>' in html


def test_an_empty_or_all_zero_chart_draws_no_bars():
    assert _bars(_chart(bars=[Bar("a", 0), Bar("b", 0)])) == [(0, 0), (0, 0)]
    assert "<svg" in _chart(bars=[])


def test_percentages_round_half_up():
    assert charts.percent(1, 8) == Decimal(13)
    assert charts.percent(1, 3, places=1) == Decimal("33.3")
    assert charts.percent(5, 0) == 0
    assert charts.count_and_share(1, 3) == "1 (33%)"
