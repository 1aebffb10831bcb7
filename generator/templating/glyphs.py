"""Which characters the installed fonts can draw, so that text no font has is refused, not printed as boxes.

WeasyPrint (through Pango and fontconfig) falls back from the brand's fonts to any
installed font that has a character; when none has it, the PDF shows an empty box
(".notdef") and the character is lost from the text layer. The union of every installed
font's character set, as fontconfig reports it, is therefore exactly what a PDF can show.
Word and PowerPoint substitute fonts on the reader's machine, so the PDF is the
strictest format and the one this module guards.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from generator.usercache import read_entry, user_cache_folder, write_entry

# Characters that draw nothing by design: joiners, variation selectors, soft hyphen and other
# format characters (Unicode "Default_Ignorable_Code_Point"). Fonts need no glyph for them.
_IGNORABLE_RANGES = ((0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
                     (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFFA0, 0xFFA0), (0xE0000, 0xE0FFF))


@dataclass(frozen=True)
class Coverage:
    """Sorted, non-overlapping code point ranges that some installed font covers."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]
    #: Whether each non-ASCII character looked up so far can be drawn: a fact file repeats few.
    drawable: dict[str, bool] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def __contains__(self, code: int) -> bool:
        index = bisect.bisect_right(self.starts, code) - 1
        return index >= 0 and code <= self.ends[index]


@lru_cache(maxsize=1)
def installed_coverage() -> Coverage | None:
    """What the fonts fontconfig knows can draw; None when fontconfig is not available.

    Merging the charsets of every installed font costs more than listing them (some 12,000
    ranges with a CJK font installed), so the merged ranges are kept in the user's cache,
    keyed by the digest of ``fc-list``'s very listing: any font added, removed or changed, any
    fontconfig setting that changes what it lists, is another key.
    """
    listing = _fc_list("%{charset}")
    if listing is None:
        return None
    key = hashlib.sha256(listing.encode("utf-8")).hexdigest()
    folder = user_cache_folder("fonts")
    entry = folder / COVERAGE_ENTRY if folder is not None else None
    cached = _read_coverage(entry, key) if entry is not None else None
    if cached is not None:
        return cached
    coverage = coverage_from_charsets(listing)
    if entry is not None:
        write_entry(entry, json.dumps({"format": COVERAGE_FORMAT, "listing": key, "starts": coverage.starts,
                                       "ends": coverage.ends}, separators=(",", ":")).encode("utf-8"))
    return coverage


#: The one file of merged ranges in the user's cache folder ``fonts`` (replaced when the fonts change).
COVERAGE_ENTRY = "coverage.json"
COVERAGE_FORMAT = 1


def _read_coverage(entry: Path, key: str) -> Coverage | None:
    """The cached coverage of the listing ``key``; None for a missing, damaged, foreign or implausible entry."""
    data = read_entry(entry)
    try:
        stored = json.loads(data) if data is not None else None
    except ValueError:
        return None
    if not (isinstance(stored, dict) and stored.get("format") == COVERAGE_FORMAT and stored.get("listing") == key):
        return None
    starts, ends = stored.get("starts"), stored.get("ends")
    if not (isinstance(starts, list) and isinstance(ends, list) and len(starts) == len(ends)):
        return None
    previous_end = -2
    for first, last in zip(starts, ends):  # sorted, disjoint, not touching, within Unicode: as merged
        if not (type(first) is int and type(last) is int and previous_end + 1 < first <= last <= 0x10FFFF):
            return None
        previous_end = last
    return Coverage(tuple(starts), tuple(ends))


def _fc_list(element: str) -> str | None:
    """``fc-list``'s listing of one element per font (``%{family}``…); None without fontconfig."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        return subprocess.run([fc_list, "--format", element + "\\n"], capture_output=True, text=True,
                              check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return None


def coverage_from_charsets(listing: str) -> Coverage:
    """Merge fontconfig charsets (``20-7e a0-17f 1e00``, one font per line) into one :class:`Coverage`."""
    ranges = []
    for token in listing.split():
        first, _, last = token.partition("-")
        ranges.append((int(first, 16), int(last or first, 16)))
    merged: list[list[int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1][1] = max(merged[-1][1], last)
        else:
            merged.append([first, last])
    return Coverage(tuple(r[0] for r in merged), tuple(r[1] for r in merged))


def needs_glyph(char: str) -> bool:
    """False for whitespace and for characters that are invisible by definition."""
    if char.isspace() or unicodedata.category(char) == "Cf":
        return False
    code = ord(char)
    return not any(first <= code <= last for first, last in _IGNORABLE_RANGES)


def first_undrawable(text: str, coverage: Coverage | None = None) -> int | None:
    """Index of the first character of ``text`` that no installed font can draw, or None.

    Without fontconfig nothing can be checked, and None is returned.
    """
    coverage = coverage if coverage is not None else installed_coverage()
    if coverage is None or text.isascii():
        return None
    drawable = coverage.drawable
    for index, char in enumerate(text):
        known = drawable.get(char)
        if known is None:
            known = drawable[char] = ord(char) <= 0x7E or not needs_glyph(char) or ord(char) in coverage
        if not known:
            return index
    return None



def describe_char(char: str) -> str:
    """``U+4E2D (CJK UNIFIED IDEOGRAPH-4E2D)``; unassigned code points have no name."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


# Fonts fontconfig substitutes with the same metrics (fonts-liberation2, fonts-crosextra-carlito):
# a document laid out for the first looks the same in the second, so that substitution is no surprise.
METRIC_CLONES = {"times new roman": "liberation serif", "times": "liberation serif", "arial": "liberation sans",
                 "helvetica": "liberation sans", "courier new": "liberation mono", "calibri": "carlito",
                 "cambria": "caladea"}


@lru_cache(maxsize=1)
def installed_families() -> tuple[str, ...] | None:
    """Every font family fontconfig knows (each name of a family); None without fontconfig."""
    listing = _fc_list("%{family}")
    if listing is None:
        return None
    return tuple(sorted({name.strip() for line in listing.splitlines() for name in line.split(",") if name.strip()}))


@lru_cache(maxsize=32)
def font_substitute(family: str) -> str | None:
    """The installed family fontconfig draws ``family`` with, when ``family`` itself is not installed
    and the substitute is not its metric clone; None when it is installed (or cannot be told)."""
    families = installed_families()
    fc_match = shutil.which("fc-match")
    if families is None or fc_match is None or family.lower() in {f.lower() for f in families}:
        return None
    if family.lower() in ("serif", "sans-serif", "monospace"):
        return None
    try:
        used = subprocess.run([fc_match, "--format", "%{family[0]}", family], capture_output=True, text=True,
                              check=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return None if METRIC_CLONES.get(family.lower()) == used.lower() else used
