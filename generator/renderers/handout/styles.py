"""Apply a user's brand (colours, fonts) to the handout's named Word styles.

Only a brand file of the user's own (``--templates DIR/brand.yaml`` or ``--brand FILE``)
is applied, and only the colours and fonts it names: every other property stays as
communications staff left it in Word (a logo-only brand changes no style). Styles the
template does not have are skipped, so a restyled template keeps working.
"""

from __future__ import annotations

from lxml import etree

from generator.renderers.ooxml import parse_xml, serialize_xml
from generator.renderers.handout.package import W, style_rpr

# style id -> (font role, colour role); None leaves that property alone.
_STYLE_ROLES: dict[str, tuple[str | None, str | None]] = {
    "Normal": ("body", None),  # body colour goes into the defaults, below the table style's colours
    "Title": ("heading", "primary"),
    "Subtitle": ("heading", "primary"),
    "Heading1": ("heading", "primary"),
    "Heading2": ("heading", "primary"),
    "DocumentInfo": (None, "muted"),
    "Note": (None, "muted"),
    "Header": (None, "muted"),
    "Footer": (None, "muted"),
    "Citation": (None, "primary"),
    "SourceNumber": (None, "primary"),
    "Hyperlink": (None, "accent"),
}
# CT_RPr order of the two children we set: rFonts comes right after rStyle, color much later.
_BEFORE_COLOR = {f"{W}{n}" for n in ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike",
                                     "dstrike", "outline", "shadow", "emboss", "imprint", "noProof",
                                     "snapToGrid", "vanish", "webHidden")}


def apply_brand(parts: dict[str, bytes], brand) -> None:
    """Rewrite fonts and colours in ``word/styles.xml`` from ``brand`` (a ``LoadedBrand``)."""
    if "word/styles.xml" not in parts:
        return
    root = parse_xml(parts["word/styles.xml"])
    defaults = root.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    if defaults is not None:
        if brand.sets_font("body"):
            _set_fonts(defaults, brand.fonts.body)
        if brand.sets_colour("text"):
            _set_colour(defaults, brand.hex("text"))
    for style in root.iter(f"{W}style"):
        style_id = style.get(f"{W}styleId")
        if style_id in _STYLE_ROLES:
            font_role, colour_role = _STYLE_ROLES[style_id]
            font_role = font_role if font_role and brand.sets_font(font_role) else None
            colour_role = colour_role if colour_role and brand.sets_colour(colour_role) else None
            if font_role or colour_role:
                rpr = style_rpr(style)
            if font_role:
                _set_fonts(rpr, getattr(brand.fonts, font_role))
            if colour_role:
                _set_colour(rpr, brand.hex(colour_role))
        if style_id == "DocumentInfo" and brand.sets_colour("primary"):
            for line in style.iter(f"{W}bottom"):
                line.set(f"{W}color", brand.hex("primary"))
        if style_id == "HandoutTable":
            _brand_table_style(style, brand)
    parts["word/styles.xml"] = serialize_xml(root)


def _set_fonts(rpr: etree._Element, family: str) -> None:
    fonts = rpr.find(f"{W}rFonts")
    if fonts is None:
        fonts = etree.Element(f"{W}rFonts")
        style = rpr.find(f"{W}rStyle")
        rpr.insert(0 if style is None else 1, fonts)
    for name in list(fonts.attrib):
        del fonts.attrib[name]
    for attribute in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(f"{W}{attribute}", family)


def _set_colour(rpr: etree._Element, value: str) -> None:
    colour = rpr.find(f"{W}color")
    if colour is None:
        colour = etree.Element(f"{W}color")
        following = next((child for child in rpr if child.tag not in _BEFORE_COLOR), None)
        if following is None:
            rpr.append(colour)
        else:
            following.addprevious(colour)
    for name in list(colour.attrib):
        del colour.attrib[name]
    colour.set(f"{W}val", value)


def _brand_table_style(style: etree._Element, brand) -> None:
    """Rules in the primary and rule colours, the header row in primary, the label column tinted."""
    borders = style.find(f"{W}tblPr/{W}tblBorders")
    if borders is not None:
        for edge in borders:
            role = "rule" if edge.tag == f"{W}insideH" else "primary"
            if brand.sets_colour(role):
                edge.set(f"{W}color", brand.hex(role))
    for conditional in style.findall(f"{W}tblStylePr"):
        kind = conditional.get(f"{W}type")
        shading = conditional.find(f"{W}tcPr/{W}shd")
        if kind == "firstRow" and shading is not None and brand.sets_colour("primary"):
            shading.set(f"{W}fill", brand.hex("primary"))
        if kind == "firstCol":
            if shading is not None and brand.sets_colour("light"):
                shading.set(f"{W}fill", brand.hex("light"))
            rpr = conditional.find(f"{W}rPr")
            if rpr is not None and brand.sets_colour("primary"):
                _set_colour(rpr, brand.hex("primary"))
