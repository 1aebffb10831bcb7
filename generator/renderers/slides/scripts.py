"""Right-to-left paragraphs, and each script's font and language, in the deck.

PowerPoint, like Word, draws a character with one of three font slots chosen by its script
(see :class:`~generator.renderers.ooxml.OfficeScripts`): the theme's ``a:latin``, ``a:cs``
(complex script: Arabic, Hebrew…) and ``a:ea`` (East Asian) typefaces. The master leaves the
last two empty, so PowerPoint would pick its own; the theme gets the brand's per-script fonts.

Direction: a paragraph takes the direction of its first strong letter, the deck's where it
has none (HTML's ``dir="auto"``). A right-to-left paragraph gets ``rtl="1"`` and is set flush
right (``algn="r"``; DrawingML's ``l`` and ``r`` are the physical sides); a centred one stays
centred. In a right-to-left deck the master's, layouts' and notes' text styles are right to
left too, their left and right alignments swapped (the slide number moves to the left), and
a paragraph opening with a Latin letter is set left to right, flush left.

lxml only; python-pptx hands over the elements.
"""

from __future__ import annotations

import re

from lxml import etree

from generator.renderers.ooxml import OfficeScripts
from generator.templating.environment import text_direction

A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
A = f"{{{A_NS}}}"
_LEVEL_STYLE = re.compile(rf"{re.escape(A)}(lvl[1-9]pPr|defPPr)")
_SWAPPED = {"l": "r", "r": "l"}


def direct_paragraphs(element: etree._Element, deck_rtl: bool) -> None:
    """Set the direction of every paragraph under ``element`` (a slide, a notes page) from its text."""
    for paragraph in element.iter(f"{A}p"):
        strong = text_direction("".join(t.text or "" for t in paragraph.iter(f"{A}t")), "")
        rtl = strong == "rtl" or (not strong and deck_rtl)
        if not rtl and not deck_rtl:
            continue  # left to right in a left-to-right deck: as the master sets it
        properties = paragraph.find(f"{A}pPr")
        if properties is None:
            properties = etree.Element(f"{A}pPr")
            paragraph.insert(0, properties)
        properties.set("rtl", "1" if rtl else "0")
        if not strong:
            continue  # a slide number: where the (mirrored) style puts it
        alignment = properties.get("algn")
        if rtl and alignment in (None, "l"):
            properties.set("algn", "r")
        elif not rtl and alignment is None:
            properties.set("algn", "l")  # the deck's styles are flush right


def upright(element: etree._Element) -> None:
    """No italics in a deck written in a script without them (Arabic, Chinese): PowerPoint would
    slant the font, which is no emphasis there."""
    for tag in ("r", "fld", "endParaRPr", "defRPr"):
        for node in element.iter(f"{A}{tag}"):
            properties = node if tag in ("endParaRPr", "defRPr") else node.find(f"{A}rPr")
            if properties is not None and properties.get("i") == "1":
                properties.set("i", "0")


def mirror_text_styles(element: etree._Element) -> None:
    """Make the paragraph styles under ``element`` (a master, a layout, the presentation's
    defaults, the notes master) right to left, left and right alignments swapped."""
    for style in element.iter():
        if isinstance(style.tag, str) and _LEVEL_STYLE.fullmatch(style.tag):
            style.set("rtl", "1")
            style.set("algn", _SWAPPED.get(style.get("algn", "l"), style.get("algn", "l")))


def theme_script_fonts(theme_xml: bytes, scripts: OfficeScripts) -> bytes:
    """The theme with the brand's complex-script and East Asian fonts as its ``a:cs`` and ``a:ea``
    typefaces (heading and body), and as the script entries of those scripts' own fonts."""
    root = etree.fromstring(theme_xml)
    for group in root.iter(f"{A}majorFont", f"{A}minorFont"):
        for slot, tag in (("complex", "cs"), ("east_asian", "ea")):
            if slot not in scripts.fonts:
                continue
            node = group.find(f"{A}{tag}")
            if node is None:
                node = etree.Element(f"{A}{tag}")  # schema order: latin, ea, cs
                before = group.find(f"{A}ea") if tag == "cs" else None
                (before if before is not None else group.find(f"{A}latin")).addnext(node)
            node.set("typeface", scripts.fonts[slot])
        for script, font in scripts.script_fonts.items():
            entry = next((f for f in group.findall(f"{A}font") if f.get("script") == script), None)
            if entry is None:
                entry = etree.SubElement(group, f"{A}font", script=script)
                extension = group.find(f"{A}extLst")
                if extension is not None:
                    extension.addprevious(entry)
            entry.set("typeface", font)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
