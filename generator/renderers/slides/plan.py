"""Place each outline slide on its master layout, choose font sizes that fit, and check the limits.

Pure Python on top of :mod:`generator.renderers.slides.master` and :mod:`generator.renderers.slides.fit`, so
``generate check`` can run it without python-pptx; the renderer builds exactly this plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from generator.renderers.slides.fit import EMU_PER_POINT, TextLine, fit_size, text_height
from generator.renderers.slides.master import Box, Layout, Master, Placeholder, ThemeFonts
from generator.renderers.slides.outline import MAX_BULLET_CHARS, MAX_BULLETS, MAX_TIMELINE_EVENTS, Block, Outline, Paragraph, Slide

MIN_BODY_SIZE = 16.0
"""Smallest body text (points) still readable from the back of a meeting room."""
MIN_TITLE_SIZE = 22.0
MIN_FIGURE_SIZE = 12.0
FIGURE_START_SIZE = 18.0
"""Largest text size in timelines and tiles; they shrink from here until everything fits."""
MAX_CHART_CATEGORIES = 16
MAX_TILES = 16
EMU_PER_INCH = 914400
FIGURE_INSETS = (45720, 45720, 45720, 45720)
"""Text insets of timeline labels (EMU)."""
TILE_INSETS = (137160, 91440, 91440, 91440)
"""Text insets of tiles: a little more on the left, where the accent bar is."""


@dataclass
class TextPlan:
    """Paragraphs for one placeholder and the factor applied to the master's font sizes."""

    placeholder: Placeholder
    paragraphs: list[Paragraph]
    scale: float = 1.0


@dataclass
class TimelineGeometry:
    axis_y: int
    markers: list[int]
    """Horizontal centre of each event's marker."""
    labels: list[tuple[Box, bool]]
    """Each event's label box and whether it sits above the axis."""
    size: float


@dataclass
class TilesGeometry:
    tiles: list[Box]
    size: float


@dataclass
class FigurePlan:
    """A chart, timeline or tile grid drawn where a content placeholder would be."""

    kind: str
    placeholder: Placeholder
    block: Block
    geometry: TimelineGeometry | TilesGeometry | None = None


@dataclass
class SlidePlan:
    slide: Slide
    layout: Layout
    title: TextPlan | None
    texts: list[TextPlan] = field(default_factory=list)
    figure: FigurePlan | None = None
    unused: list[Placeholder] = field(default_factory=list)
    """Content placeholders left empty (removed, so no prompt text shows)."""


@dataclass
class DeckPlan:
    slides: list[SlidePlan]
    errors: list[str]
    """Problems that make the deck impossible to build (unknown layout, too many columns)."""
    problems: list[str]
    """Limits exceeded (too many or too long bullets, text that does not fit)."""


def plan_outline(outline: Outline, master: Master) -> DeckPlan:
    """Plan every slide; nothing is raised, everything found is listed."""
    plan = DeckPlan([], [], [])
    for slide in outline.slides:
        layout = master.layout(slide.layout)
        if layout is None:
            plan.errors.append(f'{slide.label}: layout "{slide.layout}" is not in the slide master; '
                               f"available layouts: {master.describe_layouts()}")
            continue
        slide_plan = _plan_slide(slide, layout, plan)
        if slide_plan is not None:
            plan.slides.append(slide_plan)
            plan.problems += _check_limits(slide) + _check_fit(slide_plan)
    return plan


def _plan_slide(slide: Slide, layout: Layout, plan: DeckPlan) -> SlidePlan | None:
    content = layout.content
    if len(slide.blocks) > len(content):
        plan.errors.append(f'{slide.label}: {len(slide.blocks)} content blocks (columns, figures) but layout '
                           f'"{layout.name}" has {len(content)} content placeholder{"s" * (len(content) != 1)}')
        return None
    if layout.title is None:
        plan.errors.append(f'{slide.label}: layout "{layout.name}" has no title placeholder, and every slide needs a title')
        return None
    title = TextPlan(layout.title, [Paragraph(slide.title or [], "text", 0, slide.line)])
    result = SlidePlan(slide, layout, title)
    blocks = list(slide.blocks)
    placeholders = list(content)
    if slide.figure:
        if not placeholders:
            plan.errors.append(f'{slide.label}: layout "{layout.name}" has no content placeholder for the figure')
            return None
        result.figure = FigurePlan(slide.figure, placeholders.pop(0), blocks.pop(0))
        if slide.figure == "column-chart":
            errors = _check_chart(result.figure.block, slide)
            if errors:  # a chart without numbers cannot be drawn at all
                plan.errors += errors
                return None
    result.texts = [TextPlan(ph, block.paragraphs) for ph, block in zip(placeholders, blocks)]
    result.unused = placeholders[len(blocks):]
    return result


def _check_limits(slide: Slide) -> list[str]:
    problems = []
    bullets = slide.bullets
    if len(bullets) > MAX_BULLETS:
        problems.append(f"{slide.label}: {len(bullets)} bullets, expected at most {MAX_BULLETS}")
    for number, bullet in enumerate(bullets, start=1):
        length = len(bullet.words)
        if length > MAX_BULLET_CHARS:
            problems.append(f"{slide.label} bullet {number}: {length} characters, expected at most "
                            f"{MAX_BULLET_CHARS} (\"{bullet.words[:40]}…\")")
    return problems


#: How much larger than the master's size body text may grow on a slide with room to spare.
MAX_BODY_GROWTH = 1.2


def _check_fit(plan: SlidePlan) -> list[str]:
    """Choose sizes (one scale for all text columns of a slide) and report what cannot fit."""
    slide = plan.slide
    problems = []
    fonts = plan.layout.fonts
    scale, fits = fit_placeholder(plan.title, fonts, MIN_TITLE_SIZE)
    plan.title.scale = scale
    if not fits:
        problems.append(f"{slide.label}: the title does not fit its placeholder even at {MIN_TITLE_SIZE:g} pt; shorten it")
    scales = []
    for text in plan.texts:
        scale, fits = fit_placeholder(text, fonts, MIN_BODY_SIZE, grow=MAX_BODY_GROWTH)
        scales.append(scale)
        if not fits:
            problems.append(f'{slide.label}: the text of placeholder "{text.placeholder.name}" does not fit even at '
                            f"{MIN_BODY_SIZE:g} pt; shorten it or split the slide")
    for text in plan.texts:  # the same size in every column looks deliberate
        text.scale = min(scales)
    if plan.figure is not None:
        problems += _plan_figure(plan.figure, slide, fonts.body)
    return problems


def fit_placeholder(text: TextPlan, fonts: ThemeFonts, minimum: float, grow: float = 1.0) -> tuple[float, bool]:
    """``(scale, fits)`` for ``text`` in its placeholder, starting at ``grow`` times the master's
    sizes (whole points), so that a slide with little text fills its room instead of leaving
    its lower third empty. ``fonts``: the theme fonts its typefaces refer to."""
    placeholder = text.placeholder
    base = placeholder.levels[0].size
    lines = [_text_line(p, placeholder, base, fonts) for p in text.paragraphs]
    width, height = _inner_size(placeholder.box, placeholder.insets)
    size, fits = fit_size(lines, width, height, int(base * grow), min(minimum, base))
    return size / base, fits


def _text_line(paragraph: Paragraph, placeholder: Placeholder, base: float, fonts: ThemeFonts) -> TextLine:
    style = placeholder.levels[min(paragraph.level, 8)]
    bulleted = paragraph.kind == "bullet" and style.bullet
    return TextLine(
        text=paragraph.text,
        family=fonts.family(style.font),
        bold=style.bold or paragraph.kind == "heading" or any(r.bold for r in paragraph.runs),
        scale=style.size / base,
        indent=style.margin_left / EMU_PER_POINT if bulleted else 0.0,
        line_spacing=style.line_spacing,
        space_before=style.space_before,
        space_before_pt=style.space_before_pt,
    )


def _inner_size(box: Box, insets: tuple[int, int, int, int]) -> tuple[float, float]:
    """Usable width and height in points."""
    left, top, right, bottom = insets
    return (box.width - left - right) / EMU_PER_POINT, (box.height - top - bottom) / EMU_PER_POINT


def _plan_figure(figure: FigurePlan, slide: Slide, family: str) -> list[str]:
    """Check a figure's limits and lay it out; its labels are set in ``family`` (the body font)."""
    block, box = figure.block, figure.placeholder.box
    if figure.kind == "column-chart":
        rows = len(block.table.rows)
        return [] if rows <= MAX_CHART_CATEGORIES else [
            f"{slide.label}: chart of {rows} categories, expected at most {MAX_CHART_CATEGORIES}"]
    if figure.kind == "timeline":
        rows = block.table.rows
        if len(rows) > MAX_TIMELINE_EVENTS:
            return [f"{slide.label}: timeline of {len(rows)} events, expected at most {MAX_TIMELINE_EVENTS}"]
        figure.geometry = timeline_geometry(box, rows, family)
        return [] if figure.geometry.size >= MIN_FIGURE_SIZE else [
            f"{slide.label}: timeline labels do not fit even at {MIN_FIGURE_SIZE:g} pt; shorten the event titles"]
    items = [p for p in block.paragraphs if p.kind == "bullet"]
    if len(items) > MAX_TILES:
        return [f"{slide.label}: {len(items)} tiles, expected at most {MAX_TILES}"]
    problems = [f"{slide.label} tile {n}: {len(p.words)} characters, expected at most {MAX_BULLET_CHARS}"
                for n, p in enumerate(items, start=1) if len(p.words) > MAX_BULLET_CHARS]
    figure.geometry = tiles_geometry(box, [p.text for p in items], family)
    if figure.geometry.size < MIN_FIGURE_SIZE:
        problems.append(f"{slide.label}: tile texts do not fit even at {MIN_FIGURE_SIZE:g} pt")
    return problems


def _check_chart(block: Block, slide: Slide) -> list[str]:
    """What makes a chart impossible to draw: no value column, no rows, values that are not numbers."""
    table = block.table
    problems = []
    if len(table.header) < 2:
        problems.append(f"{slide.label}: a chart table needs a category column and at least one value column")
    if not table.rows:
        problems.append(f"{slide.label}: the chart table has no rows")
    for row in table.rows:
        for cell in row[1:]:
            if parse_number(cell) is None:
                problems.append(f"{slide.label}: chart value {cell!r} (row {row[0]!r}) is not a number")
    return problems


def parse_number(text: str) -> float | None:
    """A plain number (``12``, ``3.5``), or None."""
    try:
        value = float(text.replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def timeline_geometry(box: Box, rows: list[list[str]], family: str) -> TimelineGeometry:
    """Markers evenly spaced on a horizontal axis; labels alternate above and below it.

    Every label is centred on its marker and equally wide. Labels on the same side are two
    markers apart, so a label may be nearly twice the marker spacing; the first and last
    markers are moved in by half a label so that no label leaves the box.
    """
    count = len(rows)
    gap, axis_gap = int(0.3 * EMU_PER_INCH), int(0.2 * EMU_PER_INCH)
    widest = int(3.4 * EMU_PER_INCH)
    if count <= 1:
        width = min(box.width, widest)
    else:
        width = min(widest, (2 * box.width - gap * (count - 1)) // (count + 1), box.width)
    spacing = (box.width - width) / (count - 1) if count > 1 else 0
    axis_y = box.y + box.height // 2
    label_height = box.height // 2 - axis_gap
    markers, labels = [], []
    for index in range(count):
        centre = int(box.x + width / 2 + spacing * index) if count > 1 else box.x + box.width // 2
        above = index % 2 == 0
        top = box.y if above else axis_y + axis_gap
        markers.append(centre)
        labels.append((Box(centre - width // 2, top, width, label_height), above))
    size = FIGURE_START_SIZE
    while size > MIN_FIGURE_SIZE - 1:
        if all(_label_fits(row, label, size, family) for row, (label, _) in zip(rows, labels)):
            break
        size -= 1
    return TimelineGeometry(axis_y, markers, labels, size)


def timeline_lines(row: list[str], family: str) -> list[TextLine]:
    """A timeline label: the date in bold, the event, and an optional status line."""
    lines = [TextLine(row[0], family, bold=True), TextLine(row[1] if len(row) > 1 else "", family)]
    if len(row) > 2 and row[2]:
        lines.append(TextLine(row[2], family, scale=0.85))
    return lines


def _label_fits(row: list[str], label: Box, size: float, family: str) -> bool:
    width, height = _inner_size(label, FIGURE_INSETS)
    return text_height(timeline_lines(row, family), width, size) <= height


def tiles_geometry(box: Box, texts: list[str], family: str) -> TilesGeometry:
    """A grid of equal tiles, at most four across, filling the box from the top."""
    count = max(len(texts), 1)
    columns = count if count <= 4 else 3 if count <= 6 else 4
    rows = math.ceil(count / columns)
    gap = int(0.18 * EMU_PER_INCH)
    width = min((box.width - (columns - 1) * gap) // columns, int(3.4 * EMU_PER_INCH))
    height = min((box.height - (rows - 1) * gap) // rows, int(1.6 * EMU_PER_INCH))
    tiles = [Box(box.x + (i % columns) * (width + gap), box.y + (i // columns) * (height + gap), width, height)
             for i in range(len(texts))]
    inner_width, inner_height = _inner_size(Box(0, 0, width, height), TILE_INSETS)
    size = min((fit_size([TextLine(text, family)], inner_width, inner_height, FIGURE_START_SIZE, MIN_FIGURE_SIZE - 1)[0]
                for text in texts), default=FIGURE_START_SIZE)
    return TilesGeometry(tiles, size)
