"""WCAG 2.x contrast of the brand's colour pairs, so that a brand cannot make text unreadable unnoticed.

The ratio is computed from relative luminance as WCAG defines it; AA needs 4.5:1 for text and
3:1 for large text (headings) and user-interface parts.
"""

from __future__ import annotations

from dataclasses import dataclass

TEXT = 4.5
LARGE = 3.0
WHITE = "#ffffff"


def luminance(colour: str) -> float:
    """Relative luminance of ``#RRGGBB`` (0 for black, 1 for white)."""
    channels = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """The contrast ratio of two colours, from 1 (none) to 21 (black on white)."""
    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@dataclass(frozen=True)
class Pair:
    """Where two brand colours meet in the documents or on the download page."""

    foreground: str
    """A brand colour name, or ``#ffffff`` for white."""
    background: str
    minimum: float
    use: str


# Every pair the bundled templates draw (see templates/site/style.css.jinja and the brief's stylesheet).
PAIRS = (
    Pair("text", WHITE, TEXT, "body text on the page"),
    Pair("text", "light", TEXT, "text in boxes and cards"),
    Pair("muted", WHITE, TEXT, "captions, headers and footers"),
    Pair("primary", WHITE, TEXT, "links and headings on the page"),
    Pair(WHITE, "primary", TEXT, "Download button text"),
    Pair("primary", "light", LARGE, "headings in boxes and cards"),
    Pair("accent", WHITE, TEXT, "links and list markers"),
)


def failing_pairs(colours) -> list[tuple[Pair, float]]:
    """``(pair, ratio)`` for every pair of ``colours`` (a brand's ``Colours``) below WCAG AA."""
    def value(name: str) -> str:
        return name if name.startswith("#") else getattr(colours, name)

    found = []
    for pair in PAIRS:
        ratio = contrast(value(pair.foreground), value(pair.background))
        if ratio < pair.minimum:
            found.append((pair, ratio))
    return found
