"""Right-to-left paragraphs, tables and runs, and each script's font and size, in the handout.

Word draws a character with one of three font slots chosen by its script (see
:class:`~generator.renderers.ooxml.OfficeScripts`): Latin (``w:ascii``/``w:hAnsi``,
``w:sz``, ``w:b``, ``w:i``), complex script (``w:cs``, ``w:szCs``, ``w:bCs``, ``w:iCs``) and
East Asian (``w:eastAsia``, with the Latin size). A template made for Latin text sets the
first and leaves the others to Word's defaults, so Arabic would come out in another size
and unbolded in a bold heading; here every size, bold and italic is repeated for complex
script, and the complex and East Asian fonts are the brand's.

Direction: in a right-to-left document every paragraph, table (``w:bidiVisual``) and the
section (``w:bidi``: columns run right to left) is right to left. Any paragraph takes the
direction of its first strong letter, as HTML's ``dir="auto"``: an Arabic name opening a
paragraph of an English handout makes it right to left, and a paragraph of a right-to-left
document stays left to right only when it opens with a Latin (or other left-to-right)
letter; a paragraph without letters takes the document's direction. ``w:jc`` is left alone:
Word reads ``left`` and ``right`` as start and end of the paragraph's direction, so a
right-to-left paragraph without ``w:jc`` is set flush right, and a template's ``right``
(a date at the end of a line, say) lands at the left edge, where its end now is.

Runs holding right-to-left letters are split where the text changes direction and the
right-to-left pieces marked ``w:rtl``, which makes Word order their spaces and punctuation
right to left and draw them with the complex-script properties; a Latin code inside an
Arabic sentence stays a left-to-right run. The order of the characters is never changed.

lxml only, like :mod:`.package`.
"""

from __future__ import annotations

import copy
import unicodedata

from lxml import etree

from generator.renderers.handout.package import RPR_ORDER, STORY_PART, W, insert_in_order, run_defaults
from generator.renderers.ooxml import OfficeScripts, parse_xml, serialize_xml
from generator.templating.environment import has_right_to_left, text_direction

# CT_PPrBase children in schema order (w:bidi and w:jc must sit in their place or Word refuses the file).
PPR_ORDER = [
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd", "snapToGrid",
    "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
    "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange",
]
TBLPR_ORDER = [
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize", "tblW",
    "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook",
    "tblCaption", "tblDescription", "tblPrChange",
]
SECTPR_ORDER = [
    "headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz", "pgMar", "paperSrc",
    "pgBorders", "lnNumType", "pgNumType", "cols", "formProt", "vAlign", "noEndnote", "titlePg",
    "textDirection", "bidi", "rtlGutter", "docGrid", "printerSettings", "sectPrChange",
]
#: Latin-slot properties and the complex-script twins that must say the same.
_COMPLEX_TWINS = {"sz": "szCs", "b": "bCs", "i": "iCs"}
_RUN_CONTENT = {f"{W}t", f"{W}tab", f"{W}br", f"{W}noBreakHyphen", f"{W}softHyphen"}


def write_scripts(parts: dict[str, bytes], scripts: OfficeScripts) -> None:
    """Fonts, complex-script sizes and directions of a rendered handout (see the module's docstring)."""
    if "word/styles.xml" in parts:
        root = parse_xml(parts["word/styles.xml"])
        _style_defaults(root, scripts)
        _complete(root, scripts)
        parts["word/styles.xml"] = serialize_xml(root)
    for name, data in parts.items():
        if STORY_PART.fullmatch(name):
            root = parse_xml(data)
            _complete(root, scripts)
            for paragraph in list(root.iter(f"{W}p")):
                _direct_paragraph(paragraph, scripts.rtl)
            if scripts.rtl:
                for table in root.iter(f"{W}tbl"):
                    properties = table.find(f"{W}tblPr")
                    if properties is None:
                        properties = etree.Element(f"{W}tblPr")
                        table.insert(0, properties)
                    _set_flag(properties, "bidiVisual", True, TBLPR_ORDER)
                for section in root.iter(f"{W}sectPr"):
                    _direct_section(section)
            parts[name] = serialize_xml(root)


def _style_defaults(root: etree._Element, scripts: OfficeScripts) -> None:
    """The document defaults: the brand's complex and East Asian fonts, right to left if the document is."""
    rpr_default = run_defaults(root)
    defaults = rpr_default.getparent()
    rpr = rpr_default.find(f"{W}rPr")
    if rpr is None:
        rpr = etree.SubElement(rpr_default, f"{W}rPr")
    fonts = rpr.find(f"{W}rFonts")
    if fonts is None:
        fonts = insert_in_order(rpr, etree.Element(f"{W}rFonts"), RPR_ORDER)
    if scripts.slot == "east_asian":
        # Quotation marks, dashes and ellipses are shared by both scripts; Word draws them with
        # the East Asian font (at its width) only when the run hints so.
        fonts.set(f"{W}hint", "eastAsia")
    if scripts.rtl:
        ppr_default = defaults.find(f"{W}pPrDefault")
        if ppr_default is None:
            ppr_default = etree.Element(f"{W}pPrDefault")
            rpr_default.addnext(ppr_default)
        ppr = ppr_default.find(f"{W}pPr")
        if ppr is None:
            ppr = etree.SubElement(ppr_default, f"{W}pPr")
        _set_flag(ppr, "bidi", True, PPR_ORDER)


def _complete(root: etree._Element, scripts: OfficeScripts) -> None:
    """Every font list with the brand's complex and East Asian fonts, every size, bold and
    italic repeated for complex script."""
    for fonts in root.iter(f"{W}rFonts"):
        for slot, attribute, theme in (("complex", "cs", "cstheme"), ("east_asian", "eastAsia", "eastAsiaTheme")):
            if slot in scripts.fonts:
                fonts.attrib.pop(f"{W}{theme}", None)  # a theme font would win over the named one
                fonts.set(f"{W}{attribute}", scripts.fonts[slot])
    for rpr in root.iter(f"{W}rPr"):
        for latin, complex_ in _COMPLEX_TWINS.items():
            source = rpr.find(f"{W}{latin}")
            if source is None:
                continue
            twin = rpr.find(f"{W}{complex_}")
            if twin is None:
                twin = insert_in_order(rpr, etree.Element(f"{W}{complex_}"), RPR_ORDER)
            twin.attrib.clear()
            twin.attrib.update(source.attrib)
        # Arabic and Chinese have no italics: a slanted Latin font is no emphasis there, so text
        # in the document's own script stays upright (its Latin words keep their italics in an
        # Arabic document, where Word takes them from w:i and the Arabic from w:iCs).
        if scripts.slot != "latin":
            upright = ("iCs",) if scripts.slot == "complex" else ("i", "iCs")
            for name in upright:
                node = rpr.find(f"{W}{name}")
                if node is not None and node.get(f"{W}val", "true") not in ("0", "false"):
                    node.attrib.clear()
                    node.set(f"{W}val", "0")


def _paragraph_text(paragraph: etree._Element) -> str:
    """The paragraph's own text (not that of a text box anchored in it)."""
    return "".join(t.text or "" for t in paragraph.iter(f"{W}t")
                   if next(t.iterancestors(f"{W}p"), None) is paragraph)


def _direct_paragraph(paragraph: etree._Element, document_rtl: bool) -> None:
    text = _paragraph_text(paragraph)
    rtl = text_direction(text, "rtl" if document_rtl else "ltr") == "rtl"
    if rtl or document_rtl:  # a left-to-right paragraph of a left-to-right document is left as it was
        properties = paragraph.find(f"{W}pPr")
        if properties is None:
            properties = etree.Element(f"{W}pPr")
            paragraph.insert(0, properties)
        _set_flag(properties, "bidi", rtl, PPR_ORDER)
    if has_right_to_left(text):
        for run in [r for r in paragraph.iter(f"{W}r") if next(r.iterancestors(f"{W}p"), None) is paragraph]:
            if has_right_to_left("".join(t.text or "" for t in run.iter(f"{W}t"))):
                _split_run(run, rtl)


def _split_run(run: etree._Element, paragraph_rtl: bool) -> None:
    """Split ``run`` where its text changes direction; mark the right-to-left pieces ``w:rtl``."""
    content = [child for child in run if child.tag != f"{W}rPr"]
    if any(child.tag not in _RUN_CONTENT for child in content):  # a field, a picture: marked whole, never cut
        text = "".join(t.text or "" for t in run.iter(f"{W}t"))
        if has_right_to_left(text) and text_direction(text) == "rtl":
            _mark_rtl(run)
        return
    pieces: list[tuple[bool | None, etree._Element]] = []
    for child in content:
        if child.tag == f"{W}t":
            for rtl, text in direction_segments(child.text or "", paragraph_rtl):
                piece = etree.Element(f"{W}t")
                piece.text = text
                if text != text.strip():
                    piece.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                pieces.append((rtl, piece))
        else:
            pieces.append((None, child))
    groups: list[tuple[bool, list[etree._Element]]] = []
    for rtl, element in pieces:
        if rtl is None:  # a tab or a line break goes with the text before it
            rtl = groups[-1][0] if groups else paragraph_rtl
        if groups and groups[-1][0] == rtl:
            groups[-1][1].append(element)
        else:
            groups.append((rtl, [element]))
    properties = run.find(f"{W}rPr")
    for rtl, elements in groups:
        new = etree.Element(f"{W}r", attrib=dict(run.attrib))
        if properties is not None:
            new.append(copy.deepcopy(properties))
        for element in elements:
            new.append(element)
        if rtl:
            _mark_rtl(new)
        run.addprevious(new)
    run.getparent().remove(run)


def direction_segments(text: str, paragraph_rtl: bool) -> list[tuple[bool, str]]:
    """``text`` cut where its strong letters change direction: ``(rtl, piece)`` in order.

    Spaces, digits and punctuation between two pieces of opposite direction go with the
    paragraph's direction, as the Unicode bidirectional algorithm resolves them (rule N1/N2);
    those before the first letter go with it, those after the last with it.
    """
    segments: list[list] = []
    pending = ""
    for char in text:
        kind = unicodedata.bidirectional(char)
        rtl = True if kind in ("R", "AL") else False if kind == "L" else None
        if rtl is None:
            pending += char
            continue
        if not segments:
            segments.append([rtl, pending + char])
        elif segments[-1][0] == rtl:
            segments[-1][1] += pending + char
        elif paragraph_rtl == segments[-1][0]:
            segments[-1][1] += pending
            segments.append([rtl, char])
        else:
            segments.append([rtl, pending + char])
        pending = ""
    if not segments:
        return [(paragraph_rtl, text)] if text else []
    segments[-1][1] += pending
    return [(rtl, piece) for rtl, piece in segments]


def _mark_rtl(run: etree._Element) -> None:
    properties = run.find(f"{W}rPr")
    if properties is None:
        properties = etree.Element(f"{W}rPr")
        run.insert(0, properties)
    if properties.find(f"{W}rtl") is None:
        insert_in_order(properties, etree.Element(f"{W}rtl"), RPR_ORDER)


def _direct_section(section: etree._Element) -> None:
    """A right-to-left section: columns from the right, and the binding margin on the right,
    where a right-to-left document is bound (the template's wide left margin is Decree 30's
    binding side)."""
    _set_flag(section, "bidi", True, SECTPR_ORDER)
    margins = section.find(f"{W}pgMar")
    if margins is not None and margins.get(f"{W}left") and margins.get(f"{W}right"):
        left, right = margins.get(f"{W}left"), margins.get(f"{W}right")
        margins.set(f"{W}left", right)
        margins.set(f"{W}right", left)


def _set_flag(parent: etree._Element, name: str, on: bool, order: list[str]) -> None:
    """An on/off property: ``<w:name/>`` when ``on``, ``<w:name w:val="0"/>`` when not."""
    flag = parent.find(f"{W}{name}")
    if flag is None:
        flag = insert_in_order(parent, etree.Element(f"{W}{name}"), order)
    flag.attrib.clear()
    if not on:
        flag.set(f"{W}val", "0")
