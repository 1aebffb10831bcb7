"""Text measurement and line wrapping for the brief's SVG graphics (no WeasyPrint needed).

SVG text does not wrap, so the graphics code has to know how wide a label will be. We
measure with the advance widths of the font that fontconfig picks for "Times New Roman"
(Liberation Serif here), the same font WeasyPrint draws with; without fontconfig or the
font, a conservative average width keeps labels from overlapping anyway.
"""

from __future__ import annotations

import shutil
import subprocess
from functools import lru_cache
from typing import Callable

#: Font family the graphics use unless the brand names another; the stylesheet names the same one.
GRAPHICS_FONT = "Times New Roman"
#: Average advance of a serif glyph in em, used when the real font cannot be read.
FALLBACK_EM = 0.55

Measure = Callable[[str], float]


@lru_cache(maxsize=8)
def _advances(family: str, bold: bool, italic: bool) -> tuple[dict[int, int], int] | None:
    """``(codepoint -> advance, units per em)`` of the font fontconfig matches, or None."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    style = ":".join(s for s in ("bold" if bold else "", "italic" if italic else "") if s)
    pattern = f"{family}:{style}" if style else family
    try:
        path = subprocess.run([fc_match, "-f", "%{file}", pattern], capture_output=True,
                              text=True, check=True, timeout=10).stdout.strip()
        from fontTools.ttLib import TTFont

        font = TTFont(path, lazy=True)
        metrics = font["hmtx"].metrics
        widths = {code: metrics[glyph][0] for code, glyph in font.getBestCmap().items()}
        return widths, font["head"].unitsPerEm
    except Exception:  # any failure (no font, unreadable file) falls back to estimates
        return None


def text_width(text: str, size: float, *, bold: bool = False, italic: bool = False,
               family: str = GRAPHICS_FONT) -> float:
    """Width of ``text`` set in ``family`` at ``size`` (same unit as ``size``)."""
    font = _advances(family, bold, italic)
    if font is None:
        return len(text) * size * FALLBACK_EM
    widths, units = font
    fallback = units * FALLBACK_EM
    return sum(widths.get(ord(char), fallback) for char in text) * size / units


def wrap(text: str, max_width: float, measure: Measure) -> list[str]:
    """Greedy word wrap of ``text`` into lines no wider than ``max_width``.

    A word longer than a line is cut between characters rather than allowed to overflow.
    """
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if measure(candidate) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
        while measure(current) > max_width and len(current) > 1:
            cut = _longest_fitting_prefix(current, max_width, measure)
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    return lines or [""]


def _longest_fitting_prefix(word: str, max_width: float, measure: Measure) -> int:
    for cut in range(len(word) - 1, 0, -1):
        if measure(word[:cut]) <= max_width:
            return cut
    return 1
