"""Estimate how much room text takes in a placeholder, and the largest font size that fits.

PowerPoint only wraps text when the deck is opened, so the generator has to predict it:
words are wrapped greedily with the advance widths of the font the text is set in (see
:mod:`generator.renderers.metrics`: the master's theme font, or the brand's, as fontconfig
resolves it), and each line takes 1.2 em.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.renderers.metrics import text_width

EMU_PER_POINT = 12700
LINE_HEIGHT = 1.2  # em per line at single spacing


def line_count(text: str, width: float, size: float, family: str, bold: bool = False) -> int:
    """Lines ``text`` wraps to in a column ``width`` points wide (greedy, on spaces)."""
    if width <= 0:
        return 10**6
    lines, current = 1, 0.0
    space = text_width(" ", size, family=family, bold=bold)
    for word in text.split():
        word_width = text_width(word, size, family=family, bold=bold)
        if current and current + space + word_width > width:
            lines += 1
            current = 0.0
        if current:
            current += space + word_width
        else:
            while word_width > width:  # a word longer than the line breaks anywhere
                lines += 1
                word_width -= width
            current = word_width
    return lines


@dataclass(frozen=True)
class TextLine:
    """One paragraph to fit: its text, how it is set, and the room its style takes."""

    text: str
    family: str
    """The font family it is set in."""
    bold: bool = False
    scale: float = 1.0
    """Font size relative to the box's size (e.g. 0.8 for a smaller level)."""
    indent: float = 0.0
    """Left margin in points (bullets hang inside it)."""
    line_spacing: float = 1.0
    space_before: float = 0.0
    """Space before, in lines of this paragraph."""
    space_before_pt: float = 0.0


def text_height(lines: list[TextLine], width: float, size: float) -> float:
    """Height in points of ``lines`` set at ``size`` in a column ``width`` points wide."""
    total = 0.0
    for line in lines:  # space before the first paragraph counts too: some viewers apply it
        own_size = size * line.scale
        line_height = own_size * LINE_HEIGHT * line.line_spacing
        count = line_count(line.text, width - line.indent, own_size, line.family, line.bold)
        total += line.space_before * line_height + line.space_before_pt + count * line_height
    return total


def fit_size(lines: list[TextLine], width: float, height: float, start: float, minimum: float) -> tuple[float, bool]:
    """The largest size from ``start`` down to ``minimum`` (whole points) at which ``lines`` fit.

    Returns ``(size, True)`` or ``(minimum, False)`` when even the minimum overflows.
    """
    size = float(start)
    while size >= minimum:
        if text_height(lines, width, size) <= height:
            return size, True
        size -= 1
    return float(minimum), False
