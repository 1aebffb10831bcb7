"""How a language is written: its direction, script and digits, from Unicode CLDR (via Babel).

Every format needs the same three answers for a document's language: which way its lines
run (HTML ``dir``, Word ``w:bidi``, PowerPoint ``rtl``), which script it is written in (the
font slot Word and PowerPoint draw it with: Latin, complex script or East Asian, and the
brand's font for that script), and which digits its numbers and dates use. They come from
the locale data, so that a new language needs no code: ``ar`` is right-to-left in the
Arabic script, ``zh`` is written in simplified Han (CLDR's likely subtags), and ``ar-EG``
writes Arabic-Indic digits where ``ar`` writes 0–9.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.core import get_global, parse_locale as split_locale_id

from generator.errors import TemplateError

#: The zero of each CLDR numbering system with decimal digits that a label file may name; the
#: other nine follow it in Unicode (CLDR numberingSystems.xml, type="numeric").
DIGIT_ZEROS = {
    "latn": "0", "arab": "\u0660", "arabext": "\u06f0", "beng": "\u09e6", "deva": "\u0966",
    "fullwide": "\uff10", "gujr": "\u0ae6", "guru": "\u0a66", "khmr": "\u17e0", "knda": "\u0ce6",
    "laoo": "\u0ed0", "mlym": "\u0d66", "mymr": "\u1040", "orya": "\u0b66", "tamldec": "\u0be6",
    "telu": "\u0c66", "thai": "\u0e50", "tibt": "\u0f20",
}

#: ISO 15924 scripts that Word and PowerPoint draw with their East Asian font slot.
EAST_ASIAN_SCRIPTS = frozenset({"Hans", "Hant", "Hani", "Jpan", "Hira", "Kana", "Kore", "Hang", "Bopo"})
#: Scripts they draw with their complex-script slot (right-to-left and shaped scripts).
COMPLEX_SCRIPTS = frozenset({"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Deva", "Beng", "Guru", "Gujr",
                             "Orya", "Taml", "Telu", "Knda", "Mlym", "Sinh", "Thai", "Laoo", "Khmr",
                             "Mymr", "Tibt", "Ethi"})

FontSlot = Literal["latin", "complex", "east_asian"]


def font_slot(script: str) -> FontSlot:
    """Which of Office's three font slots draws ``script`` (an ISO 15924 code)."""
    if script in EAST_ASIAN_SCRIPTS:
        return "east_asian"
    if script in COMPLEX_SCRIPTS:
        return "complex"
    return "latin"


@dataclass(frozen=True)
class Writing:
    """The direction, script and digits of one language tag."""

    tag: str
    """BCP 47 tag as documents carry it (``ar``, ``zh-CN``, ``vi-VN``)."""
    language: str
    """The language subtag alone (``ar``)."""
    script: str
    """ISO 15924 script code (``Arab``, ``Hans``, ``Latn``, ``Cyrl``)."""
    direction: Literal["ltr", "rtl"]
    """Which way its lines run."""
    numbering: str
    """CLDR numbering system of its digits (``latn``, ``arab``)."""

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    @property
    def font_slot(self) -> FontSlot:
        """Which of Office's three font slots draws this script."""
        return font_slot(self.script)

    @property
    def align_start(self) -> Literal["left", "right"]:
        """The physical side lines start from: ``right`` in a right-to-left language."""
        return "right" if self.rtl else "left"

    @property
    def align_end(self) -> Literal["left", "right"]:
        return "left" if self.rtl else "right"

    def digits(self, text: str) -> str:
        """``text`` with its ASCII digits written in this language's numbering system."""
        zero = DIGIT_ZEROS.get(self.numbering, "0")
        if zero == "0":
            return text
        return text.translate({ord("0") + n: chr(ord(zero) + n) for n in range(10)})


def parse_locale(tag: str) -> Locale:
    """Babel's locale for a BCP 47 tag; :class:`TemplateError` when CLDR has no data for it."""
    try:
        return Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError) as exc:
        raise TemplateError(f"Babel has no locale data for language tag {tag!r} ({exc})") from None


@lru_cache(maxsize=64)
def writing(tag: str, numbering: str | None = None) -> Writing:
    """How ``tag`` is written; ``numbering`` overrides the locale's default digits (a label file's
    ``numbering_system``)."""
    locale = parse_locale(tag)
    script = locale.script
    if not script:  # "zh" -> zh_Hans_CN, "sr" -> sr_Cyrl_RS: CLDR's likely subtags
        likely = get_global("likely_subtags")
        for key in (str(locale), f"{locale.language}_{locale.territory}" if locale.territory else "", locale.language):
            if key and key in likely:
                script = split_locale_id(likely[key])[2]  # (language, territory, script, variant)
                if script:
                    break
    if numbering is None:
        numbering = locale.default_numbering_system
    if numbering not in DIGIT_ZEROS:
        raise TemplateError(f"numbering system {numbering!r} of language tag {tag!r} is not supported; "
                            f"expected one of {', '.join(sorted(DIGIT_ZEROS))}")
    direction = "rtl" if locale.text_direction == "rtl" else "ltr"
    return Writing(tag, locale.language, script or "Latn", direction, numbering)
