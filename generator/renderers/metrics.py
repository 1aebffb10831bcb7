"""Text measurement and line wrapping, with the font each format draws with (no WeasyPrint,
no python-pptx needed).

Neither the brief's graphic labels nor a deck's text boxes wrap by themselves where the
generator can see it: SVG labels do not wrap at all, and PowerPoint wraps only when the deck
is opened. So both measure text before placing it, here: with fontTools, the advance widths
of the font that fontconfig matches for the family the document names (the brief's "Times
New Roman" is Liberation Serif on this machine, the deck's Arial is Liberation Sans, metric-
compatible), which is the font WeasyPrint and LibreOffice draw with. Without fontconfig or
the font, and for a character the font lacks (another font will draw it), a conservative
estimate per character keeps text from overflowing anyway. Fonts are read once per process.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from functools import lru_cache
from typing import Callable

#: Average advance of a glyph in em, used when the real font cannot be read or lacks the glyph.
FALLBACK_EM = 0.55
#: Advance of a wide (East Asian) character in em, likewise.
WIDE_FALLBACK_EM = 1.0

Measure = Callable[[str], float]


#: Ascent and descent (in em) assumed when the real font cannot be read: Times New Roman's.
FALLBACK_VERTICAL = (0.891, 0.216)
# Characters with a meaning in a fontconfig pattern ("Family-12:bold"), escaped in a family name.
_PATTERN_SPECIAL = re.compile(r"([\\\-:,])")


@lru_cache(maxsize=32)
def _font(family: str, bold: bool, italic: bool):
    """The fontTools font fontconfig matches for ``family`` in that style, or None."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    style = ":".join(s for s in ("bold" if bold else "", "italic" if italic else "") if s)
    name = _PATTERN_SPECIAL.sub(r"\\\1", family)
    pattern = f"{name}:{style}" if style else name
    try:
        path = subprocess.run([fc_match, "-f", "%{file}", pattern], capture_output=True,
                              text=True, check=True, timeout=10).stdout.strip()
        from fontTools.ttLib import TTFont

        return TTFont(path, lazy=True)
    except Exception:  # any failure (no font, unreadable file) falls back to estimates
        return None


@lru_cache(maxsize=32)
def _advances(family: str, bold: bool, italic: bool) -> tuple[dict[int, int], int] | None:
    """``(codepoint -> advance, units per em)`` of the font fontconfig matches, or None."""
    font = _font(family, bold, italic)
    try:
        metrics = font["hmtx"].metrics
        widths = {code: metrics[glyph][0] for code, glyph in font.getBestCmap().items()}
        return widths, font["head"].unitsPerEm
    except Exception:  # no font, or an unreadable one: estimates instead
        return None


@lru_cache(maxsize=32)
def vertical_metrics(family: str, bold: bool = False, italic: bool = False) -> tuple[float, float]:
    """``(ascent, descent)`` in em, as Pango reads them: OS/2 typographic values when the font
    asks for them (USE_TYPO_METRICS), else the hhea ones."""
    font = _font(family, bold, italic)
    try:
        units = font["head"].unitsPerEm
        os2 = font["OS/2"] if "OS/2" in font else None
        if os2 is not None and os2.fsSelection & (1 << 7):
            return os2.sTypoAscender / units, -os2.sTypoDescender / units
        return font["hhea"].ascent / units, -font["hhea"].descent / units
    except Exception:  # no font, or an unreadable one
        return FALLBACK_VERTICAL


def baseline_drop(size: float, family: str) -> float:
    """How far below the top of a ``line-height: 0`` line WeasyPrint puts the baseline.

    With no leading, half of (ascent + descent) is taken off above and below, which leaves
    the baseline (ascent − descent) / 2 under the top. HTML labels positioned by their
    top land on a baseline computed for SVG this way.
    """
    ascent, descent = vertical_metrics(family)
    return (ascent - descent) / 2 * size


#: Texts up to this long (words, labels) have their widths remembered: fitting a slide measures
#: the same words at every size it tries. Longer ones are measured each time (memory stays bounded).
_REMEMBERED_LENGTH = 64


def text_width(text: str, size: float, *, family: str, bold: bool = False, italic: bool = False) -> float:
    """Width of ``text`` set in ``family`` at ``size`` (same unit as ``size``)."""
    if len(text) <= _REMEMBERED_LENGTH:
        return _remembered_em_width(text, family, bold, italic) * size
    return _em_width(text, family, bold, italic) * size


@lru_cache(maxsize=16384)
def _remembered_em_width(text: str, family: str, bold: bool, italic: bool) -> float:
    return _em_width(text, family, bold, italic)


def _em_width(text: str, family: str, bold: bool, italic: bool) -> float:
    font = _advances(family, bold, italic)
    if font is None:
        return sum(fallback_em(char) for char in text)
    widths, units = font
    total = 0.0
    for char in text:
        width = widths.get(ord(char))
        total += width if width is not None else fallback_em(char) * units
    return total / units


@lru_cache(maxsize=4096)
def fallback_em(char: str) -> float:
    """The advance assumed for ``char`` (in em) when no font at hand has it: a full em for a
    wide East Asian character, an average letter's otherwise."""
    return WIDE_FALLBACK_EM if unicodedata.east_asian_width(char) in ("W", "F") else FALLBACK_EM


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
        while len(current) > 1:
            cut = _longest_fitting_prefix(current, max_width, measure)
            if cut == len(current):
                break
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    return lines or [""]


def _longest_fitting_prefix(word: str, max_width: float, measure: Measure) -> int:
    """Length of the longest prefix of ``word`` no wider than ``max_width`` (at least 1).

    Widths grow with length, so a doubling search then a binary search find it while
    measuring only prefixes about a line long: a 100,000-character "word" in a fact costs
    a fraction of a second, not the hours that measuring every cut from the end would take.
    """
    low, high = 1, 2  # low always fits (or is the one-character minimum); high is the bound tried
    while high < len(word) and measure(word[:high]) <= max_width:
        low, high = high, high * 2
    if high >= len(word):
        if measure(word) <= max_width:
            return len(word)
        high = len(word)
    while high - low > 1:
        middle = (low + high) // 2
        if measure(word[:middle]) <= max_width:
            low = middle
        else:
            high = middle
    return low
