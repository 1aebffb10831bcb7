"""Word language tagging for the handout: w:lang on defaults, styles and runs, in schema order.

lxml only, so the template lint and the template build script can use it without python-docx.
"""

from __future__ import annotations

import re

from lxml import etree

from generator.errors import TemplateError
from generator.renderers.ooxml import parse_xml, serialize_xml
from generator.templating.writing import writing

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
#: Parts that hold text a reader sees (body, headers, footers, notes).
STORY_PART = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml")
# CT_RPr children in schema order: Word rejects a w:lang placed after, say, w:eastAsianLayout.
RPR_ORDER = [
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
    "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
    "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
    "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath",
]
# CT_Style children that may follow rPr; a new rPr goes before the first of them.
_AFTER_STYLE_RPR = {f"{W}{name}" for name in ("tblPr", "trPr", "tcPr", "tblStylePr")}


def _child_rpr(parent: etree._Element) -> etree._Element:
    """The rPr of a run (its first child, created when missing)."""
    rpr = parent.find(f"{W}rPr")
    if rpr is None:
        rpr = etree.Element(f"{W}rPr")
        parent.insert(0, rpr)
    return rpr


def run_defaults(styles: etree._Element) -> etree._Element:
    """The ``w:rPrDefault`` of a styles part (with its ``w:docDefaults``), created when missing."""
    defaults = styles.find(f"{W}docDefaults")
    if defaults is None:
        defaults = etree.Element(f"{W}docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(f"{W}rPrDefault")
    if rpr_default is None:
        rpr_default = etree.Element(f"{W}rPrDefault")
        defaults.insert(0, rpr_default)
    return rpr_default


def style_rpr(style: etree._Element) -> etree._Element:
    """The rPr of a style, created in its schema position when missing."""
    rpr = style.find(f"{W}rPr")
    if rpr is None:
        rpr = etree.Element(f"{W}rPr")
        following = next((child for child in style if child.tag in _AFTER_STYLE_RPR), None)
        if following is None:
            style.append(rpr)
        else:
            following.addprevious(rpr)
    return rpr


def insert_in_order(parent: etree._Element, element: etree._Element, order: list[str]) -> etree._Element:
    """Insert ``element`` into ``parent`` before the first child that ``order`` (schema order of
    local names) puts after it; returns ``element``."""
    later = {f"{W}{name}" for name in order[order.index(etree.QName(element).localname) + 1:]}
    following = next((child for child in parent if child.tag in later), None)
    if following is None:
        parent.append(element)
    else:
        following.addprevious(element)
    return element


#: w:lang's attribute for the language of each of Word's font slots.
_LANG_ATTRIBUTES = {"latin": "val", "east_asian": "eastAsia", "complex": "bidi"}  # Word's attribute order


def _set_lang(rpr: etree._Element, languages: dict[str, str], *, overwrite: bool = True) -> None:
    """Give ``rpr`` a w:lang for ``languages`` (font slot -> tag; in schema order).

    Word tags each character with the language of its font slot: ``w:val`` for Latin letters,
    ``w:eastAsia`` for Han and kana, ``w:bidi`` for Arabic and Hebrew. An existing w:lang (a
    run the renderer tagged as quoted in another language) is kept unless ``overwrite``, and
    gets that language in the slot its script is drawn with too.
    """
    lang = rpr.find(f"{W}lang")
    if lang is not None and not overwrite:
        tag = lang.get(f"{W}val")
        try:
            slot = writing(tag).font_slot if tag else "latin"
        except TemplateError:  # a language CLDR does not know: its script is unknown too
            slot = "latin"
        lang.set(f"{W}{_LANG_ATTRIBUTES[slot]}", tag)
        return
    if lang is None:
        lang = insert_in_order(rpr, etree.Element(f"{W}lang"), RPR_ORDER)
    # Each slot gets its own language (see OfficeScripts) instead of the template's leftovers
    # (en-US, ar-SA...): the same tag in all three would claim the Arabic quoted in an English
    # handout for English.
    for slot, attribute in _LANG_ATTRIBUTES.items():
        lang.set(f"{W}{attribute}", languages[slot])


def strip_run_languages(parts: dict[str, bytes]) -> None:
    """Remove w:lang from the runs of a template: one template serves every language.

    A w:lang in a template run is an accident of the machine it was edited on; the renderer
    tags every run with the document's language after rendering.
    """
    for name, data in parts.items():
        if STORY_PART.fullmatch(name) and b"w:lang" in data:
            root = parse_xml(data)
            for lang in root.iter(f"{W}lang"):
                if lang.getparent().getparent().tag == f"{W}r":
                    lang.getparent().remove(lang)
            parts[name] = serialize_xml(root)


def tag_language(parts: dict[str, bytes], languages: dict[str, str]) -> None:
    """Tag styles (document defaults and every paragraph and character style), settings and runs.

    ``languages``: font slot (``latin``, ``complex``, ``east_asian``) -> BCP 47 tag, as
    :class:`~generator.renderers.ooxml.OfficeScripts` has them. Runs that already carry a
    language keep it: only the renderer's helpers put one there, for text quoted in another
    language (a source's own title).
    """
    if "word/styles.xml" in parts:
        root = parse_xml(parts["word/styles.xml"])
        _set_lang(_child_rpr(run_defaults(root)), languages)
        for style in root.iter(f"{W}style"):
            if style.get(f"{W}type") in ("paragraph", "character") or style.find(f"{W}rPr") is not None:
                _set_lang(style_rpr(style), languages)
        parts["word/styles.xml"] = serialize_xml(root)
    if "word/settings.xml" in parts:
        root = parse_xml(parts["word/settings.xml"])
        for theme_lang in root.iter(f"{W}themeFontLang"):
            for slot, attribute in _LANG_ATTRIBUTES.items():
                theme_lang.set(f"{W}{attribute}", languages[slot])
        parts["word/settings.xml"] = serialize_xml(root)
    for name, data in parts.items():
        if STORY_PART.fullmatch(name):
            root = parse_xml(data)
            for run in root.iter(f"{W}r"):
                _set_lang(_child_rpr(run), languages, overwrite=False)
            parts[name] = serialize_xml(root)




