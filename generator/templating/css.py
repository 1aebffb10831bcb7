"""The one place where values become CSS: every brand value and fact that reaches a stylesheet
(the brief's, the download page's) goes through these functions.

A font name is a quoted CSS string with ``\\``, ``"``, ``<`` and control characters escaped, so a
brand file cannot end the string, the rule or the ``<style>`` element it stands in; a colour
must be ``#RRGGBB`` (the brand model already insists, this refuses anything else that gets here).
"""

from __future__ import annotations

import re
from typing import Iterable

from generator.errors import TemplateError

#: Generic font families: CSS keywords, written bare.
GENERIC_FAMILIES = frozenset({"serif", "sans-serif", "monospace", "cursive", "fantasy", "system-ui"})
_COLOUR = re.compile(r"#[0-9A-Fa-f]{6}")
# Inside a quoted CSS string: the quote and backslash end or escape it, a line break is invalid,
# "<" could close the <style> element around it, and other controls have no business there.
_ESCAPED = re.compile(r'[\\"<>\x00-\x1f\x7f]')


def css_string(text: object) -> str:
    """``text`` as a quoted CSS string: ``Times "New"`` -> ``"Times \\"New\\""``."""
    text = str(text)  # an undefined label raises here, and the template error names its line

    def escape(match: re.Match) -> str:
        char = match.group()
        return "\\" + char if char in '\\"' else f"\\{ord(char):x} "

    return '"' + _ESCAPED.sub(escape, text) + '"'


def css_font_stack(families: Iterable[str]) -> str:
    """``"Times New Roman", "Liberation Serif", serif``: names quoted and escaped, generic families bare."""
    return ", ".join(name if name in GENERIC_FAMILIES else css_string(name) for name in families)


def css_colour(value: object) -> str:
    """A ``#RRGGBB`` colour as is; anything else is refused (never copied into a stylesheet)."""
    text = str(value)
    if not _COLOUR.fullmatch(text):
        raise TemplateError(f"expected a colour such as #1f3864 for the stylesheet, found {text[:40]!r}")
    return text
