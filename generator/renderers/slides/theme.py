"""Theme colours and fonts of a deck: used by the master build script and for a user's brand file."""

from __future__ import annotations

from lxml import etree

A = "http://schemas.openxmlformats.org/drawingml/2006/main"


def restyle_theme(theme_xml: bytes, colours: dict[str, str], heading_font: str | None = None,
                  body_font: str | None = None, name: str | None = None, scheme_name: str | None = None) -> bytes:
    """A theme part with the given colour slots (``{"dk2": "1F3864"}``) and fonts replaced.

    Slots not named keep their colour; ``None`` fonts keep theirs. The Vietnamese script
    font follows the Latin one, so Vietnamese text uses the same family.
    """
    root = etree.fromstring(theme_xml)
    if name:
        root.set("name", name)
    scheme = root.find(f"{{{A}}}themeElements/{{{A}}}clrScheme")
    fonts = root.find(f"{{{A}}}themeElements/{{{A}}}fontScheme")
    if scheme_name:
        scheme.set("name", scheme_name)
        fonts.set("name", scheme_name)
    for slot, value in colours.items():
        node = scheme.find(f"{{{A}}}{slot}")
        for child in list(node):
            node.remove(child)
        etree.SubElement(node, f"{{{A}}}srgbClr", val=value.lstrip("#").upper())
    for group, family in (("majorFont", heading_font), ("minorFont", body_font)):
        if not family:
            continue
        node = fonts.find(f"{{{A}}}{group}")
        node.find(f"{{{A}}}latin").set("typeface", family)
        for script in node.findall(f"{{{A}}}font"):
            if script.get("script") == "Viet":
                script.set("typeface", family)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# Theme slot -> brand colour: titles, bands, bars and markers take ``primary``; the one
# highlight colour (accent bar, upcoming events) takes ``accent``; panels take ``light``.
_SLOT_ROLES = {"dk1": "text", "dk2": "primary", "lt2": "light", "accent1": "primary", "accent2": "accent",
               "hlink": "accent"}


def brand_fonts(brand) -> tuple[str | None, str | None]:
    """``(heading, body)``: the fonts a user's brand file names for the theme, None where it names none
    (and for no brand, or the bundled one: the master keeps its own)."""
    if brand is None or not brand.custom:
        return None, None
    return (brand.fonts.heading if brand.sets_font("heading") else None,
            brand.fonts.body if brand.sets_font("body") else None)


def brand_colours(brand) -> dict[str, str]:
    """Theme slots of the colours the brand file names; the master's other slots stay as edited."""
    return {slot: brand.hex(role) for slot, role in _SLOT_ROLES.items() if brand.sets_colour(role)}
