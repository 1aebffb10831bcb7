"""Estimate how much room text takes in a placeholder, and the largest font size that fits.

PowerPoint only wraps text when the deck is opened, so the generator has to predict it:
words are wrapped greedily using Arial's character widths (Liberation Sans has the same
metrics; Times New Roman is narrower, so the estimate errs on the safe side), and each
line takes 1.2 em. Accented letters take the width of their base letter.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache

EMU_PER_POINT = 12700
LINE_HEIGHT = 1.2  # em per line at single spacing
BOLD_FACTOR = 1.07  # Arial Bold is about 7 % wider than Arial Regular
_DEFAULT_WIDTH = 556  # per 1000 em: a typical lower-case letter or digit
_WIDE_DEFAULT = 1000  # characters outside the table (CJK, symbols)

# Arial advance widths per 1000 em (Liberation Sans is metric-compatible).
_WIDTHS: dict[str, int] = {
    " ": 278, "!": 278, '"': 355, "#": 556, "$": 556, "%": 889, "&": 667, "'": 191, "(": 333, ")": 333,
    "*": 389, "+": 584, ",": 278, "-": 333, ".": 278, "/": 278, ":": 278, ";": 278, "<": 584, "=": 584,
    ">": 584, "?": 556, "@": 1015, "[": 278, "\\": 278, "]": 278, "^": 469, "_": 556, "`": 333, "{": 334,
    "|": 260, "}": 334, "~": 584, "–": 556, "—": 1000, "‘": 222, "’": 222, "“": 333, "”": 333, "•": 350,
    "·": 278, "…": 1000, "‹": 333, "›": 333, "«": 556, "»": 556, "°": 400, "§": 556,
    "A": 667, "B": 667, "C": 722, "D": 722, "E": 667, "F": 611, "G": 778, "H": 722, "I": 278, "J": 500,
    "K": 667, "L": 556, "M": 833, "N": 722, "O": 778, "P": 667, "Q": 778, "R": 722, "S": 667, "T": 611,
    "U": 722, "V": 667, "W": 944, "X": 667, "Y": 667, "Z": 611, "Đ": 722,
    "a": 556, "b": 556, "c": 500, "d": 556, "e": 556, "f": 278, "g": 556, "h": 556, "i": 222, "j": 222,
    "k": 500, "l": 222, "m": 833, "n": 556, "o": 556, "p": 556, "q": 556, "r": 333, "s": 500, "t": 278,
    "u": 556, "v": 500, "w": 722, "x": 500, "y": 500, "z": 500, "đ": 556, "ơ": 620, "ư": 640,
    "Ơ": 820, "Ư": 780,
}


@lru_cache(maxsize=4096)
def _char_width(char: str) -> int:
    if char in _WIDTHS:
        return _WIDTHS[char]
    if char.isdigit():
        return 556
    base = unicodedata.normalize("NFD", char)[0]  # ấ -> a, Ở -> O (horned letters are listed above)
    if base in _WIDTHS:
        return _WIDTHS[base]
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return _WIDE_DEFAULT
    return _DEFAULT_WIDTH


def text_width(text: str, size: float, bold: bool = False) -> float:
    """Width of ``text`` in points at ``size`` points."""
    width = sum(_char_width(c) for c in text) * size / 1000
    return width * BOLD_FACTOR if bold else width


def line_count(text: str, width: float, size: float, bold: bool = False) -> int:
    """Lines ``text`` wraps to in a column ``width`` points wide (greedy, on spaces)."""
    if width <= 0:
        return 10**6
    lines, current = 1, 0.0
    space = text_width(" ", size, bold)
    for word in text.split():
        word_width = text_width(word, size, bold)
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
        count = line_count(line.text, width - line.indent, own_size, line.bold)
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
