#!/usr/bin/env python3
"""Build templates/slides/master.pptx: the 16:9 slide master with the named layouts the deck uses.

Run from the repository root with the project's venv:  .venv/bin/python scripts/build_slides_master.py [OUTPUT]

It starts from python-pptx's default template, keeps six layouts (renamed and redrawn
for 16:9), sets a sober theme (navy, deep red accent, Arial/Liberation Sans for full
Vietnamese coverage), drops the template's thumbnail, printer settings and library
metadata, and writes a byte-reproducible file. See templates/slides/README.md.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import sys
from pathlib import Path

from lxml import etree
from pptx import Presentation
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.util import Emu

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from generator.renderers.ooxml import DocumentProperties, drop_thumbnail, finished_package, read_package  # noqa: E402
from generator.renderers.slides.pptx import deck_statistics  # noqa: E402
from generator.renderers.slides.theme import restyle_theme  # noqa: E402

TARGET = REPO / "templates" / "slides" / "master.pptx"
BUILT = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)  # fixed, so the committed file is reproducible
PROPERTIES = DocumentProperties(title="Slide master", subject="", creator="generate", keywords=[],
                                description="Built by scripts/build_slides_master.py", category="", created=BUILT)

NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
}
XMLNS = " ".join(f'xmlns:{k}="{v}"' for k, v in NS.items())

#: Theme colours: text, background, navy titles, light panel, accents (sober; red as the one accent).
COLOURS = {
    "dk1": "262626", "lt1": "FFFFFF", "dk2": "1F3864", "lt2": "EEF1F6",
    "accent1": "1F4E79", "accent2": "A6192E", "accent3": "C9A227", "accent4": "5B7A99",
    "accent5": "7F7F7F", "accent6": "3A7D44", "hlink": "1F4E79", "folHlink": "6B4E9B",
}
#: Arial: present on Windows and macOS; Liberation Sans (metric-compatible, full Vietnamese) elsewhere.
FONT = "Arial"
KEEP_LAYOUTS = {  # default-template name -> name in our master
    "Title Slide": "Title Slide",
    "Title and Content": "Title and Content",
    "Section Header": "Section Header",
    "Two Content": "Two Content",
    "Title Only": "Title Only",
    "Blank": "Blank",
}


def emu(inches: float) -> int:
    return int(round(inches * 914400))


SLIDE_W, SLIDE_H = emu(13.333333), emu(7.5)
MARGIN = emu(0.6)
CONTENT_W = SLIDE_W - 2 * MARGIN
GUTTER = emu(0.35)
COLUMN_W = (CONTENT_W - GUTTER) // 2
TITLE_BOX = (MARGIN, emu(0.3), CONTENT_W, emu(1.05))
BODY_BOX = (MARGIN, emu(1.7), CONTENT_W, emu(4.85))
FOOTER_Y, FOOTER_H = emu(6.88), emu(0.36)
FOOTER_BOX = (MARGIN, FOOTER_Y, emu(9.2), FOOTER_H)
DATE_BOX = (MARGIN + emu(9.3), FOOTER_Y, emu(1.6), FOOTER_H)
NUMBER_BOX = (SLIDE_W - MARGIN - emu(1.2), FOOTER_Y, emu(1.2), FOOTER_H)
GREY_TEXT = '<a:solidFill><a:schemeClr val="tx1"><a:lumMod val="65000"/><a:lumOff val="35000"/></a:schemeClr></a:solidFill>'


def xfrm(box: tuple[int, int, int, int]) -> str:
    x, y, cx, cy = box
    return f'<a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm>'


def placeholder(shape_id: int, name: str, ph: str, box=None, body_pr: str = "<a:bodyPr/>",
                lst_style: str = "<a:lstStyle/>", prompt: str = "") -> str:
    """A placeholder shape; ``box`` None inherits the master's position."""
    geometry = xfrm(box) + '<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>' if box else ""
    run = f'<a:r><a:rPr lang="en-US"/><a:t>{prompt}</a:t></a:r>' if prompt else ""
    if 'type="sldNum"' in ph:
        run = '<a:fld id="{B6F15528-21DE-4FAA-801E-634DDDAF4B2B}" type="slidenum"><a:rPr lang="en-US"/><a:t>‹#›</a:t></a:fld>'
    return (f'<p:sp><p:nvSpPr><p:cNvPr id="{shape_id}" name="{name}"/><p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr>'
            f'<p:nvPr>{ph}</p:nvPr></p:nvSpPr><p:spPr>{geometry}</p:spPr>'
            f'<p:txBody>{body_pr}{lst_style}<a:p>{run}<a:endParaRPr lang="en-US"/></a:p></p:txBody></p:sp>')


def rectangle(shape_id: int, name: str, box, colour: str) -> str:
    """A decorative filled rectangle in a scheme colour, without outline."""
    return (f'<p:sp><p:nvSpPr><p:cNvPr id="{shape_id}" name="{name}"/><p:cNvSpPr/><p:nvPr userDrawn="1"/></p:nvSpPr>'
            f'<p:spPr>{xfrm(box)}<a:prstGeom prst="rect"><a:avLst/></a:prstGeom>'
            f'<a:solidFill><a:schemeClr val="{colour}"/></a:solidFill><a:ln><a:noFill/></a:ln></p:spPr>'
            f'<p:txBody><a:bodyPr rtlCol="0" anchor="ctr"/><a:lstStyle/><a:p><a:endParaRPr lang="en-US"/></a:p></p:txBody></p:sp>')


def sp_tree(shapes: list[str]) -> str:
    return ('<p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>'
            '<p:grpSpPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="0" cy="0"/><a:chOff x="0" y="0"/>'
            '<a:chExt cx="0" cy="0"/></a:xfrm></p:grpSpPr>' + "".join(shapes) + "</p:spTree>")


def footer_placeholders(first_id: int, idx: tuple[int, int, int], boxes: bool) -> list[str]:
    """Date, footer and slide-number placeholders (positioned on the master, inherited on layouts)."""
    style = lambda align: f'<a:lstStyle><a:lvl1pPr algn="{align}"><a:defRPr sz="1000">{GREY_TEXT}</a:defRPr></a:lvl1pPr></a:lstStyle>'
    body = '<a:bodyPr vert="horz" lIns="0" tIns="0" rIns="0" bIns="0" rtlCol="0" anchor="ctr"><a:noAutofit/></a:bodyPr>'
    return [
        placeholder(first_id, "Date Placeholder", f'<p:ph type="dt" sz="half" idx="{idx[0]}"/>',
                    DATE_BOX if boxes else None, body if boxes else "<a:bodyPr/>", style("r") if boxes else "<a:lstStyle/>"),
        placeholder(first_id + 1, "Footer Placeholder", f'<p:ph type="ftr" sz="quarter" idx="{idx[1]}"/>',
                    FOOTER_BOX if boxes else None, body if boxes else "<a:bodyPr/>", style("l") if boxes else "<a:lstStyle/>"),
        placeholder(first_id + 2, "Slide Number Placeholder", f'<p:ph type="sldNum" sz="quarter" idx="{idx[2]}"/>',
                    NUMBER_BOX if boxes else None, body if boxes else "<a:bodyPr/>", style("r") if boxes else "<a:lstStyle/>"),
    ]


TITLE_BODY_PR = '<a:bodyPr vert="horz" lIns="91440" tIns="45720" rIns="91440" bIns="45720" rtlCol="0" anchor="b"><a:noAutofit/></a:bodyPr>'
TEXT_BODY_PR = '<a:bodyPr vert="horz" lIns="91440" tIns="45720" rIns="91440" bIns="45720" rtlCol="0"><a:noAutofit/></a:bodyPr>'


def master_shapes() -> str:
    """Title, body, footer row, and a navy rule with a short red accent under the title."""
    return sp_tree([
        placeholder(2, "Title Placeholder 1", '<p:ph type="title"/>', TITLE_BOX, TITLE_BODY_PR, prompt="Title"),
        placeholder(3, "Text Placeholder 2", '<p:ph type="body" idx="1"/>', BODY_BOX, TEXT_BODY_PR, prompt="Text"),
        *footer_placeholders(4, (2, 3, 4), boxes=True),
        rectangle(7, "Title Rule", (MARGIN, emu(1.42), CONTENT_W, emu(0.014)), "tx2"),
        rectangle(8, "Title Accent", (MARGIN, emu(1.40), emu(0.9), emu(0.055)), "accent2"),
    ])


def level(n: int, mar_l: float, size: int, bullet: str | None, space_pct: int) -> str:
    """One level of the body text style: hanging bullet, size in points, space before in % of a line."""
    indent = emu(0.3)
    marker = (f'<a:buClr><a:schemeClr val="accent1"/></a:buClr><a:buFont typeface="Arial"/><a:buChar char="{bullet}"/>'
              if bullet else "<a:buNone/>")
    return (f'<a:lvl{n}pPr marL="{emu(mar_l)}" indent="{-indent if bullet else 0}" algn="l" defTabSz="914400" rtl="0" '
            f'eaLnBrk="1" latinLnBrk="0" hangingPunct="1"><a:lnSpc><a:spcPct val="100000"/></a:lnSpc>'
            f'<a:spcBef><a:spcPct val="{space_pct}"/></a:spcBef>{marker}'
            f'<a:defRPr sz="{size * 100}" kern="1200"><a:solidFill><a:schemeClr val="tx1"/></a:solidFill>'
            f'<a:latin typeface="+mn-lt"/><a:ea typeface="+mn-ea"/><a:cs typeface="+mn-cs"/></a:defRPr></a:lvl{n}pPr>')


def text_styles() -> str:
    """Title: 30 pt bold navy; body: 22/18/16 pt with navy bullets; other text: 18 pt."""
    title = ('<p:titleStyle><a:lvl1pPr algn="l" defTabSz="914400" rtl="0" eaLnBrk="1" latinLnBrk="0" hangingPunct="1">'
             '<a:lnSpc><a:spcPct val="90000"/></a:lnSpc><a:spcBef><a:spcPct val="0"/></a:spcBef><a:buNone/>'
             '<a:defRPr sz="3000" b="1" kern="1200"><a:solidFill><a:schemeClr val="tx2"/></a:solidFill>'
             '<a:latin typeface="+mj-lt"/><a:ea typeface="+mj-ea"/><a:cs typeface="+mj-cs"/></a:defRPr></a:lvl1pPr></p:titleStyle>')
    body_levels = [level(1, 0.3, 22, "•", 45000), level(2, 0.65, 18, "–", 25000)]
    body_levels += [level(n, 0.65 + 0.35 * (n - 2), 16, "•", 20000) for n in range(3, 10)]
    other = ('<p:otherStyle><a:defPPr><a:defRPr lang="en-US"/></a:defPPr>'
             + "".join(f'<a:lvl{n}pPr marL="{emu(0.5) * (n - 1)}" algn="l" defTabSz="914400" rtl="0" eaLnBrk="1" '
                       f'latinLnBrk="0" hangingPunct="1"><a:defRPr sz="1800" kern="1200"><a:solidFill>'
                       f'<a:schemeClr val="tx1"/></a:solidFill><a:latin typeface="+mn-lt"/><a:ea typeface="+mn-ea"/>'
                       f'<a:cs typeface="+mn-cs"/></a:defRPr></a:lvl{n}pPr>' for n in range(1, 10))
             + "</p:otherStyle>")
    return f"<p:txStyles>{title}<p:bodyStyle>{''.join(body_levels)}</p:bodyStyle>{other}</p:txStyles>"


def plain_lst_style(size: int, colour: str, bold: bool = False) -> str:
    """A first level without bullets or indent (subtitles, section text)."""
    weight = ' b="1"' if bold else ""
    return (f'<a:lstStyle><a:lvl1pPr marL="0" indent="0" algn="l"><a:spcBef><a:spcPct val="30000"/></a:spcBef><a:buNone/>'
            f'<a:defRPr sz="{size * 100}"{weight}>{colour}</a:defRPr></a:lvl1pPr></a:lstStyle>')


def cover_layout(name: str, band_height: float, title_size: int) -> str:
    """Title Slide / Section Header: a navy band carrying the title in white, text below it."""
    white = '<a:solidFill><a:schemeClr val="bg1"/></a:solidFill>'
    band = emu(band_height)
    title_style = (f'<a:lstStyle><a:lvl1pPr algn="l"><a:lnSpc><a:spcPct val="90000"/></a:lnSpc>'
                   f'<a:defRPr sz="{title_size * 100}" b="1">{white}</a:defRPr></a:lvl1pPr></a:lstStyle>')
    left = emu(0.8)
    width = SLIDE_W - 2 * left
    title_ph = '<p:ph type="ctrTitle"/>' if name == "Title Slide" else '<p:ph type="title"/>'
    text_ph = '<p:ph type="subTitle" idx="1"/>' if name == "Title Slide" else '<p:ph type="body" idx="1"/>'
    text_box = (left, band + emu(0.45), width, SLIDE_H - band - emu(0.45) - emu(0.75))
    return sp_tree([
        rectangle(2, "Title Band", (0, 0, SLIDE_W, band), "tx2"),
        rectangle(3, "Title Accent", (left, band, emu(1.4), emu(0.09)), "accent2"),
        placeholder(4, "Title 1", title_ph, (left, emu(0.7), width, band - emu(1.0)), TITLE_BODY_PR, title_style,
                    prompt="Title"),
        placeholder(5, "Text 2", text_ph, text_box, TEXT_BODY_PR,
                    plain_lst_style(20, GREY_TEXT), prompt="Subtitle"),
        *footer_placeholders(6, (10, 11, 12), boxes=False),
    ])


def content_layout(columns: int) -> str:
    """Title and Content (one body) or Two Content (two columns)."""
    shapes = [placeholder(2, "Title 1", '<p:ph type="title"/>', TITLE_BOX, prompt="Title")]
    x, y, _, height = BODY_BOX
    if columns == 1:
        shapes.append(placeholder(3, "Content Placeholder 2", '<p:ph idx="1"/>', BODY_BOX, prompt="Text"))
    else:
        shapes.append(placeholder(3, "Content Placeholder 2", '<p:ph sz="half" idx="1"/>', (x, y, COLUMN_W, height), prompt="Text"))
        shapes.append(placeholder(4, "Content Placeholder 3", '<p:ph sz="half" idx="2"/>',
                                  (x + COLUMN_W + GUTTER, y, COLUMN_W, height), prompt="Text"))
    return sp_tree(shapes + footer_placeholders(5, (10, 11, 12), boxes=False))


def layout_tree(name: str) -> tuple[str, bool]:
    """The shape tree of a layout and whether master shapes (the title rule) show on it."""
    if name == "Title Slide":
        return cover_layout(name, 4.3, 40), False
    if name == "Section Header":
        return cover_layout(name, 3.7, 36), False
    if name == "Title and Content":
        return content_layout(1), True
    if name == "Two Content":
        return content_layout(2), True
    if name == "Title Only":
        return sp_tree([placeholder(2, "Title 1", '<p:ph type="title"/>', TITLE_BOX, prompt="Title"),
                        *footer_placeholders(3, (10, 11, 12), boxes=False)]), True
    return sp_tree(footer_placeholders(2, (10, 11, 12), boxes=False)), False  # Blank: no title rule


def replace_child(parent, tag: str, xml: str) -> None:
    """Put the element parsed from ``xml`` where ``parent``'s child ``tag`` is."""
    new = etree.fromstring(f"<root {XMLNS}>{xml}</root>")[0]
    old = parent.find(tag, NS)
    parent.replace(old, new)


def build_presentation() -> bytes:
    """python-pptx's default deck, reshaped into our master; returns the saved package."""
    prs = Presentation()
    prs.slide_width, prs.slide_height = Emu(SLIDE_W), Emu(SLIDE_H)
    prs.part._element.find("p:sldSz", NS).attrib.pop("type", None)  # "screen4x3" no longer true
    for layout in list(prs.slide_layouts):
        if layout.name not in KEEP_LAYOUTS:
            prs.slide_layouts.remove(layout)
    master = prs.slide_master
    replace_child(master._element, "p:cSld", '<p:cSld><p:bg><p:bgRef idx="1001"><a:schemeClr val="bg1"/></p:bgRef></p:bg>'
                  + master_shapes() + "</p:cSld>")
    replace_child(master._element, "p:txStyles", text_styles())
    for layout in prs.slide_layouts:
        name = KEEP_LAYOUTS[layout.name]
        tree, show_master = layout_tree(name)
        replace_child(layout._element, "p:cSld", f'<p:cSld name="{name}">{tree}</p:cSld>')
        if show_master:
            layout._element.attrib.pop("showMasterSp", None)
        else:
            layout._element.set("showMasterSp", "0")
    theme = master.part.part_related_by(RT.THEME)
    theme._blob = restyle_theme(theme.blob, COLOURS, FONT, FONT, name="Briefing", scheme_name="Briefing")
    notes_master = prs.notes_master  # created from python-pptx's notes template on first access
    notes_theme = notes_master.part.part_related_by(RT.THEME)
    notes_theme._blob = restyle_theme(notes_theme.blob, COLOURS, FONT, FONT, name="Briefing Notes", scheme_name="Briefing")
    buffer = io.BytesIO()
    prs.save(buffer)
    return buffer.getvalue()


def strip_package(parts: dict[str, bytes]) -> None:
    """Drop the template's thumbnail and printer settings, and the content types only they used."""
    drop_thumbnail(parts)
    for name in [n for n in parts if n.startswith("ppt/printerSettings/")]:
        del parts[name]
    rels = "ppt/_rels/presentation.xml.rels"
    parts[rels] = re.sub(rb'<Relationship [^>]*Target="[^"]*printerSettings1\.bin"/>', b"", parts[rels])
    types = parts["[Content_Types].xml"]
    types = re.sub(rb'<Override PartName="/ppt/printerSettings/[^"]*"[^>]*/>', b"", types)
    if not any(n.endswith((".jpeg", ".jpg")) for n in parts):
        types = re.sub(rb'<Default Extension="jpe?g"[^>]*/>', b"", types)
    if not any(n.endswith(".bin") for n in parts):
        types = re.sub(rb'<Default Extension="bin"[^>]*/>', b"", types)
    parts["[Content_Types].xml"] = types


def main(argv: list[str]) -> None:
    """Write the master to templates/slides/master.pptx, or to the path given as the only argument."""
    target = Path(argv[0]) if argv else TARGET
    parts = read_package(build_presentation())
    strip_package(parts)
    data = finished_package(parts, PROPERTIES, "generate", deck_statistics(0, SLIDE_W / SLIDE_H))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    print(f"wrote {target} ({len(data):,} bytes)")


if __name__ == "__main__":
    main(sys.argv[1:])
