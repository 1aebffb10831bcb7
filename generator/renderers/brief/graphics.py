"""Geometry of the brief's graphics: a vertical timeline and a horizontal bar chart.

Python computes positions, wrapped lines and ticks; the SVG templates in
``templates/brief/graphics/`` draw them, so colours and strokes stay editable without
Python. All lengths are in points (the SVG user unit the templates declare).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import partial
from typing import Callable, Sequence

from generator.renderers.metrics import baseline_drop, text_width as _text_width, wrap

#: Font family the graphics use unless the brand names another; the stylesheet names the same one.
GRAPHICS_FONT = "Times New Roman"


@dataclass(frozen=True)
class TimelineEntry:
    """One thing to place on the timeline: an event or the "as of" marker."""

    start: dt.date
    end: dt.date | None
    date_text: str
    title: str
    upcoming: bool = False
    marker: bool = False
    """True for the "as of" marker, drawn as a line across the axis rather than a dot."""


@dataclass(frozen=True)
class PlacedEntry:
    """An entry with its position: the dot on the axis and the label block beside it."""

    entry: TimelineEntry
    dot_y: float
    end_y: float
    """Bottom of the span drawn on the axis for events lasting several days (= dot_y otherwise)."""
    top: float
    """Top of the label block."""
    lines: tuple[str, ...]
    """Title lines; the date sits on the first line, in its own column."""
    baselines: tuple[float, ...]
    mid: float
    """Vertical middle of the first line (level with the dot), where the leader line arrives."""


@dataclass(frozen=True)
class YearTick:
    label: str
    y: float


@dataclass(frozen=True)
class TimelineLayout:
    """Everything the timeline template needs to draw."""

    width: float
    height: float
    font_size: float
    axis_x: float
    axis_top: float
    axis_bottom: float
    now_y: float | None
    """Where the axis turns from past (solid) to future (dashed); None without an "as of" date."""
    date_x: float
    title_x: float
    years: tuple[YearTick, ...]
    entries: tuple[PlacedEntry, ...]
    label_drop: float = 0.0
    """Distance from the top of a label's (``line-height: 0``) box to its baseline: the
    labels are HTML placed over the drawing, because WeasyPrint sets SVG text one letter at
    a time (no joining for Arabic or Devanagari, no right-to-left order, stray marks)."""


def timeline_layout(entries: Sequence[TimelineEntry], *, width: float, font_size: float = 10.5,
                    line_height: float = 1.15, gap: float = 3.0, min_axis: float = 100.0,
                    family: str = GRAPHICS_FONT) -> TimelineLayout:
    """Lay out ``entries`` (sorted here by date) along a vertical time axis.

    The axis is proportional to time except where events crowd: there it stretches just
    enough for each label to sit level with its dot, so no two labels or dots overlap.
    Year ticks follow the same (piecewise linear) scale, so the stretch stays visible.
    """
    entries = sorted(entries, key=lambda e: (e.start, e.marker))
    if not entries:
        raise ValueError("a timeline needs at least one entry")
    text_width = partial(_text_width, family=family)
    line = font_size * line_height
    year_label_w = text_width("0000", font_size * 0.9) + 4
    axis_x = year_label_w + 10
    date_x = axis_x + 16
    date_w = max(text_width(e.date_text, font_size, bold=True) for e in entries)
    title_x = date_x + date_w + 10
    title_w = max(width - title_x, 60.0)
    wrapped = [tuple(wrap(e.title, title_w, lambda s, e=e: text_width(s, font_size, italic=e.upcoming or e.marker)))
               for e in entries]
    heights = [len(lines) * line for lines in wrapped]

    axis_top = line * 0.6
    scale_len = max(min_axis, 0.9 * (sum(heights) + gap * (len(entries) - 1)))
    first, last = entries[0].start, max(e.end or e.start for e in entries)
    per_day = scale_len / max((last - first).days, 1)

    dots: list[float] = []
    for index, entry in enumerate(entries):
        proportional = axis_top + (entry.start - first).days * per_day
        floor = dots[-1] + heights[index - 1] + gap if index else axis_top  # room for the label above
        dots.append(max(proportional, floor))
    knots = _knots([e.start for e in entries], dots)

    def y_of(day: dt.date) -> float:
        return _interpolate(knots, day, per_day)

    placed = []
    for entry, dot, lines in zip(entries, dots, wrapped):
        # The first line is centred on the dot (x-height centre at the dot), the rest follow it.
        top = dot - line / 2
        baselines = tuple(dot + font_size * 0.33 + line * i for i in range(len(lines)))
        end_y = y_of(entry.end) if entry.end else dot
        placed.append(PlacedEntry(entry, dot, end_y, top, lines, baselines, dot))
    axis_bottom = max(y_of(last), dots[-1])
    markers = [p for p in placed if p.entry.marker]
    bottom = max(max(p.top + h for p, h in zip(placed, heights)), axis_bottom) + line * 0.4
    return TimelineLayout(
        width=width, height=round(bottom, 2), font_size=font_size, axis_x=axis_x,
        axis_top=axis_top, axis_bottom=axis_bottom,
        now_y=markers[0].dot_y if markers else None, date_x=date_x, title_x=title_x,
        years=tuple(_year_ticks(first, last, y_of, font_size)), entries=tuple(placed),
        label_drop=round(baseline_drop(font_size, family), 3),
    )


def _knots(days: list[dt.date], ys: list[float]) -> list[tuple[dt.date, float]]:
    """``(date, y)`` pairs of the stretched scale, one per distinct date."""
    knots: list[tuple[dt.date, float]] = []
    for day, y in zip(days, ys):
        if not knots or day > knots[-1][0]:
            knots.append((day, y))
    return knots


def _interpolate(knots: list[tuple[dt.date, float]], day: dt.date, per_day: float) -> float:
    """Position of ``day`` on the piecewise linear scale through ``knots``."""
    if day <= knots[0][0]:
        return knots[0][1] - (knots[0][0] - day).days * per_day
    for (d0, y0), (d1, y1) in zip(knots, knots[1:]):
        if day <= d1:
            return y0 + (y1 - y0) * (day - d0).days / (d1 - d0).days
    return knots[-1][1] + (day - knots[-1][0]).days * per_day


def _year_ticks(first: dt.date, last: dt.date, y_of: Callable[[dt.date], float], font_size: float) -> list[YearTick]:
    """January 1st of each year within the span, thinned so that no two labels touch."""
    years = list(range(first.year + (first > dt.date(first.year, 1, 1)), last.year + 1))
    for step in (1, 2, 5, 10, 20, 50, 100):
        chosen = [year for year in years if year % step == 0]
        ys = [y_of(dt.date(year, 1, 1)) for year in chosen]
        if all(b - a >= font_size * 1.3 for a, b in zip(ys, ys[1:])):
            return [YearTick(str(year), y) for year, y in zip(chosen, ys)]
    return []


@dataclass(frozen=True)
class Bar:
    """One horizontal bar of the bar chart."""

    category: str
    value: int
    value_text: str
    baseline: float
    """Baseline of the category and value labels."""
    y: float
    width: float
    height: float
    confirmed: bool = True


@dataclass(frozen=True)
class GridLine:
    x: float
    label: str


@dataclass(frozen=True)
class BarChartLayout:
    width: float
    height: float
    font_size: float
    plot_left: float
    plot_right: float
    plot_top: float
    plot_bottom: float
    bars: tuple[Bar, ...]
    grid: tuple[GridLine, ...]


def bar_chart_layout(items: Sequence[tuple[str, int, bool]], format_number: Callable[[int], str], *,
                     width: float, font_size: float = 10.0, row_height: float | None = None,
                     mark_unconfirmed: str = "†", family: str = GRAPHICS_FONT) -> BarChartLayout:
    """Horizontal bars for ``(category, value, confirmed)`` items over a value axis with round ticks.

    Category labels sit left of the bars and values at their ends, so long labels and any
    number of items fit: the chart grows in height, never overlaps. Unconfirmed values get
    ``mark_unconfirmed`` after their number (the legend explains it).
    """
    text_width = partial(_text_width, family=family)
    row = row_height or font_size * 1.55
    top_value = max([value for _, value, _ in items] + [1])
    step = nice_step(top_value)
    axis_max = step * math.ceil(top_value / step)
    texts = [format_number(value) + ("" if confirmed else mark_unconfirmed) for _, value, confirmed in items]
    label_w = max([text_width(category, font_size, bold=True) for category, _, _ in items] + [0])
    value_w = max([text_width(text, font_size) for text in texts] + [0])
    tick_w = text_width(format_number(axis_max), font_size * 0.9)
    plot_left = label_w + 6
    plot_right = width - max(value_w + 4, tick_w / 2)
    plot_top = 2.0
    scale = (plot_right - plot_left) / axis_max
    bars = []
    for index, ((category, value, confirmed), text) in enumerate(zip(items, texts)):
        y = plot_top + row * index
        bar_h = row * 0.64
        bars.append(Bar(category, value, text, y + row / 2 + font_size * 0.33, y + (row - bar_h) / 2,
                        value * scale, bar_h, confirmed))
    plot_bottom = plot_top + row * len(items)
    grid = tuple(GridLine(plot_left + t * scale, format_number(t)) for t in range(0, axis_max + 1, step))
    return BarChartLayout(width, round(plot_bottom + font_size * 1.4, 2), font_size, plot_left, plot_right,
                          plot_top, plot_bottom, tuple(bars), grid)


def nice_step(top_value: float, max_ticks: int = 5) -> int:
    """A tick step of 1, 2 or 5 times a power of ten giving at most ``max_ticks`` intervals."""
    magnitude = 10 ** max(int(math.floor(math.log10(max(top_value, 1)))) - 1, 0)
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(top_value / step) <= max_ticks:
                return step
        magnitude *= 10
