"""Native, editable figures drawn from outline tables and lists: column chart, timeline, tiles.

Colours are theme colours, so a corporate master recolours the figures with the rest.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from lxml import etree
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION
from pptx.enum.dml import MSO_LINE_DASH_STYLE, MSO_THEME_COLOR
from pptx.enum.shapes import MSO_CONNECTOR, MSO_SHAPE
from pptx.enum.text import MSO_ANCHOR, MSO_AUTO_SIZE, PP_ALIGN
from pptx.oxml.ns import qn
from pptx.util import Emu, Pt

from generator.renderers.slides.master import Box
from generator.renderers.slides.outline import Paragraph, Run, Table
from generator.renderers.slides.plan import FIGURE_INSETS, TILE_INSETS, TilesGeometry, TimelineGeometry, parse_number
from generator.renderers.slides.runs import add_runs

CHART_TEXT_SIZE = 14
MARKER = Emu(int(0.24 * 914400))


def set_alt_text(shape, name: str, description: str) -> None:
    """Name a shape and give it alternative text (``p:cNvPr`` ``name``/``descr``)."""
    properties = shape._element.find(".//" + qn("p:cNvPr"))
    properties.set("name", name)
    if description:
        properties.set("descr", description)


DECORATIVE_EXTENSION = "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"
DECORATIVE_NS = "http://schemas.microsoft.com/office/drawing/2017/decorative"


def mark_decorative(shape) -> None:
    """Flag a shape as decorative (Office's ``adec:decorative``): screen readers skip it and
    accessibility checkers do not ask it for alternative text. For rules, dots and bars, and for
    labels whose text the group's alternative text already reads."""
    properties = shape._element.find(".//" + qn("p:cNvPr"))
    extensions = properties.find(qn("a:extLst"))
    if extensions is None:
        extensions = etree.SubElement(properties, qn("a:extLst"))
    extension = etree.SubElement(extensions, qn("a:ext"), uri=DECORATIVE_EXTENSION)
    etree.SubElement(extension, f"{{{DECORATIVE_NS}}}decorative", nsmap={"adec": DECORATIVE_NS}, val="1")


def add_column_chart(slide, box: Box, table: Table, alt: str, language_tag: str, right_to_left: bool = False):
    """A clustered column chart: first column = categories, other columns = series (the first on
    the right in a ``right_to_left`` deck)."""
    data = CategoryChartData(number_format="0")
    data.categories = [row[0] for row in table.rows]
    for column, name in enumerate(table.header[1:], start=1):
        data.add_series(name, [parse_number(row[column]) for row in table.rows])
    frame = slide.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Emu(box.x), Emu(box.y),
                                   Emu(box.width), Emu(box.height), data)
    chart = frame.chart
    chart.font.size = Pt(CHART_TEXT_SIZE)
    chart.has_title = True
    title = chart.chart_title.text_frame
    title.text = table.header[1] if len(table.header) == 2 else ""
    title.paragraphs[0].runs[0].font.size = Pt(CHART_TEXT_SIZE + 2)
    title.paragraphs[0].runs[0].font.bold = True
    chart.has_legend = len(table.header) > 2
    plot = chart.plots[0]
    plot.gap_width = 55
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.number_format, labels.number_format_is_linked = "0", False
    labels.font.size = Pt(CHART_TEXT_SIZE)
    labels.font.bold = True
    for series in plot.series:
        series.format.fill.solid()
        series.format.fill.fore_color.theme_color = MSO_THEME_COLOR.ACCENT_1
    category = chart.category_axis
    category.has_major_gridlines = False
    category.tick_labels.font.size = Pt(CHART_TEXT_SIZE)
    category.has_title = True
    category.axis_title.text_frame.text = table.header[0]
    category.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(CHART_TEXT_SIZE)
    category.axis_title.text_frame.paragraphs[0].runs[0].font.bold = False
    category.format.line.color.theme_color = MSO_THEME_COLOR.TEXT_2
    category.reverse_order = right_to_left
    value = chart.value_axis
    value.visible = False  # the data labels carry the values
    value.has_major_gridlines = False
    set_alt_text(frame, f"Chart: {title.text or table.header[0]}", alt)
    _chart_language(chart, language_tag)
    return frame


def _chart_language(chart, language_tag: str) -> None:
    """``c:lang`` for the chart; run-level ``lang`` is set with the rest of the slide."""
    space = chart._chartSpace
    lang = space.find(qn("c:lang"))
    if lang is None:
        lang = etree.Element(qn("c:lang"))
        date1904 = space.find(qn("c:date1904"))
        if date1904 is not None:
            date1904.addnext(lang)
        else:
            space.insert(0, lang)
    lang.set("val", language_tag)


def _mirrored(inner: Box, box: Box) -> Box:
    """``inner`` reflected across the vertical centre line of ``box``."""
    return Box(2 * box.x + box.width - inner.x - inner.width, inner.y, inner.width, inner.height)


def mirror_timeline(geometry: TimelineGeometry, box: Box) -> TimelineGeometry:
    """The timeline read from the right: markers and labels reflected within ``box``."""
    return TimelineGeometry(geometry.axis_y, [2 * box.x + box.width - x for x in geometry.markers],
                            [(_mirrored(label, box), above) for label, above in geometry.labels], geometry.size)


def mirror_tiles(geometry: TilesGeometry, box: Box) -> TilesGeometry:
    """The tiles read from the right: each reflected within ``box``."""
    return TilesGeometry([_mirrored(tile, box) for tile in geometry.tiles], geometry.size)


def add_timeline(slide, geometry: TimelineGeometry, table: Table, box: Box, alt: str):
    """A horizontal axis with a marker per event and labels alternating above and below.

    A row whose third cell is not empty (e.g. "upcoming") gets a hollow marker.
    """
    with _group_shape(slide) as group:
        _draw_timeline(group.shapes, geometry, table, box)
    set_alt_text(group, "Timeline", alt)
    return group


def _draw_timeline(shapes, geometry: TimelineGeometry, table: Table, box: Box) -> None:
    axis = _plain(shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Emu(box.x), Emu(geometry.axis_y),
                                       Emu(box.x + box.width), Emu(geometry.axis_y)))
    axis.line.width = Pt(2.5)
    axis.line.color.theme_color = MSO_THEME_COLOR.TEXT_2
    mark_decorative(axis)
    radius = MARKER // 2
    for centre, (label, above), cells in zip(geometry.markers, geometry.labels, table.cells):
        ahead = len(cells) > 2 and any(run.text.strip() for run in cells[2])
        edge = label.y + label.height if above else label.y
        tick = _plain(shapes.add_connector(MSO_CONNECTOR.STRAIGHT, Emu(centre), Emu(geometry.axis_y),
                                           Emu(centre), Emu(edge)))
        tick.line.width = Pt(1)
        tick.line.color.theme_color = MSO_THEME_COLOR.TEXT_2
        mark_decorative(tick)
        if ahead:
            tick.line.dash_style = MSO_LINE_DASH_STYLE.DASH
        marker = _plain(shapes.add_shape(MSO_SHAPE.OVAL, Emu(centre - radius), Emu(geometry.axis_y - radius),
                                         MARKER, MARKER))
        marker.line.width = Pt(2)
        mark_decorative(marker)
        if ahead:
            marker.fill.solid()
            marker.fill.fore_color.theme_color = MSO_THEME_COLOR.BACKGROUND_1
            marker.line.color.theme_color = MSO_THEME_COLOR.ACCENT_2
        else:
            marker.fill.solid()
            marker.fill.fore_color.theme_color = MSO_THEME_COLOR.ACCENT_1
            marker.line.color.theme_color = MSO_THEME_COLOR.BACKGROUND_1
        _timeline_label(shapes, label, above, cells, geometry.size, ahead)


def _timeline_label(shapes, label: Box, above: bool, cells: list[list[Run]], size: float, ahead: bool) -> None:
    box = shapes.add_textbox(Emu(label.x), Emu(label.y), Emu(label.width), Emu(label.height))
    mark_decorative(box)  # the group's alternative text reads every date and event once
    frame = _figure_frame(box, FIGURE_INSETS, MSO_ANCHOR.BOTTOM if above else MSO_ANCHOR.TOP)
    date = frame.paragraphs[0]
    add_runs(date, cells[0], size, bold=True, colour=MSO_THEME_COLOR.ACCENT_2 if ahead else MSO_THEME_COLOR.ACCENT_1)
    event = frame.add_paragraph()
    add_runs(event, cells[1] if len(cells) > 1 else [], size)
    if len(cells) > 2 and any(run.text.strip() for run in cells[2]):
        status = frame.add_paragraph()
        add_runs(status, [Run(run.text, italic=True, cite=run.cite) for run in cells[2]], size * 0.85,
                 colour=MSO_THEME_COLOR.ACCENT_2)
    for paragraph in frame.paragraphs:
        paragraph.alignment = PP_ALIGN.CENTER


def add_tiles(slide, geometry: TilesGeometry, items: list[Paragraph], name: str, right_to_left: bool = False):
    """One tile per list item: a light panel with an accent bar (on the side lines start from) and the item's text."""
    with _group_shape(slide) as group:
        _draw_tiles(group.shapes, geometry, items, right_to_left)
    # The tiles' own text is read, tile by tile; the group's description says what they are.
    set_alt_text(group, name, name)
    return group


def _draw_tiles(shapes, geometry: TilesGeometry, items: list[Paragraph], right_to_left: bool) -> None:
    bar = Emu(int(0.07 * 914400))
    for tile, item in zip(geometry.tiles, items):
        panel = _plain(shapes.add_shape(MSO_SHAPE.RECTANGLE, Emu(tile.x), Emu(tile.y), Emu(tile.width), Emu(tile.height)))
        panel.fill.solid()
        panel.fill.fore_color.theme_color = MSO_THEME_COLOR.BACKGROUND_2
        panel.line.fill.background()
        start = tile.x + tile.width - bar if right_to_left else tile.x
        accent = _plain(shapes.add_shape(MSO_SHAPE.RECTANGLE, Emu(start), Emu(tile.y), bar, Emu(tile.height)))
        accent.fill.solid()
        accent.fill.fore_color.theme_color = MSO_THEME_COLOR.ACCENT_1
        accent.line.fill.background()
        mark_decorative(accent)
        frame = _figure_frame(panel, TILE_INSETS, MSO_ANCHOR.MIDDLE)
        add_runs(frame.paragraphs[0], item.runs, geometry.size, colour=MSO_THEME_COLOR.TEXT_1)
        frame.paragraphs[0].alignment = PP_ALIGN.RIGHT if right_to_left else PP_ALIGN.LEFT


@contextmanager
def _group_shape(slide) -> Iterator:
    """A new group shape whose position and size are computed once, from all its shapes, when the
    block ends. python-pptx computes them again after every shape added to a group, reading every
    shape's position each time: quadratic, a fifth of a deck's time. The result is the same."""
    group = slide.shapes.add_group_shape()
    shapes = group.shapes
    shapes._recalculate_extents = lambda: None  # shadows the method for this group's shapes only
    try:
        yield group
    finally:
        del shapes._recalculate_extents
    shapes._recalculate_extents()


def _plain(shape):
    """Drop the theme style python-pptx gives new shapes (its effect style draws a shadow)."""
    style = shape._element.find(qn("p:style"))
    if style is not None:
        shape._element.remove(style)
    return shape


def _figure_frame(shape, insets: tuple[int, int, int, int], anchor: MSO_ANCHOR):
    frame = shape.text_frame
    frame.word_wrap = True
    frame.auto_size = MSO_AUTO_SIZE.NONE
    frame.margin_left, frame.margin_top, frame.margin_right, frame.margin_bottom = (Emu(v) for v in insets)
    frame.vertical_anchor = anchor
    return frame
