"""Read a slide master's named layouts, placeholder boxes, text styles and theme fonts (lxml only,
no python-pptx).

`generate check` and the renderer both need to know, for a layout name, where its title and
content placeholders are and in what font and at what size their text starts, so that text can
be fitted before any slide is written. Values follow PowerPoint's inheritance: layout
placeholder, then the master placeholder of the same kind, then the master's text styles; a
typeface of ``+mj-lt`` or ``+mn-lt`` is the heading or body font of the master's theme.
"""

from __future__ import annotations

import dataclasses
import io
import posixpath
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from generator.errors import TemplateError

NS = {
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "p": "http://schemas.openxmlformats.org/presentationml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_REL_MASTER = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/slideMaster"
_REL_LAYOUT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/slideLayout"
_REL_THEME = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme"
#: What a master without a readable theme font leaves to the viewer: its default sans-serif font.
_NO_THEME_FONT = "sans-serif"
_TITLE_KINDS = {"title", "ctrTitle"}
_NON_CONTENT_KINDS = _TITLE_KINDS | {"dt", "ftr", "sldNum", "hdr", "sldImg"}
_DEFAULT_INSETS = (91440, 45720, 91440, 45720)


@dataclass(frozen=True)
class Box:
    """A rectangle on the slide, in EMU (914400 per inch)."""

    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class ThemeFonts:
    """The Latin heading and body fonts of a master's theme (``majorFont``, ``minorFont``)."""

    heading: str = _NO_THEME_FONT
    body: str = _NO_THEME_FONT

    def family(self, typeface: str) -> str:
        """The family a run's ``typeface`` stands for: ``+mj-lt`` the heading font, ``+mn-lt`` the body font."""
        if typeface.startswith("+mj"):
            return self.heading
        if typeface.startswith("+mn"):
            return self.body
        return typeface


@dataclass(frozen=True)
class LevelStyle:
    """How paragraphs of one outline level look inside a placeholder."""

    size: float = 18.0
    """Font size in points."""
    bold: bool = False
    font: str = "+mn-lt"
    """Typeface as the master writes it: a family, or ``+mj-lt``/``+mn-lt`` for the theme's (see :class:`ThemeFonts`)."""
    margin_left: int = 0
    """Left margin of the text (EMU); a hanging bullet sits left of it."""
    bullet: bool = False
    line_spacing: float = 1.0
    """Line spacing as a multiple of single spacing."""
    space_before: float = 0.0
    """Space before the paragraph, in lines (spcPct) ..."""
    space_before_pt: float = 0.0
    """... or in points (spcPts)."""


@dataclass(frozen=True)
class Placeholder:
    """A placeholder of a layout, with its inherited geometry and text style."""

    kind: str
    """PresentationML placeholder type: title, ctrTitle, body, obj, subTitle, dt, ftr, sldNum ..."""
    idx: int
    name: str
    box: Box | None
    insets: tuple[int, int, int, int]
    """Left, top, right, bottom text insets (EMU)."""
    levels: tuple[LevelStyle, ...]
    """Styles of levels 1..9."""

    @property
    def is_title(self) -> bool:
        return self.kind in _TITLE_KINDS

    @property
    def is_content(self) -> bool:
        return self.kind not in _NON_CONTENT_KINDS


@dataclass(frozen=True)
class Layout:
    """A named slide layout."""

    name: str
    placeholders: tuple[Placeholder, ...]
    fonts: ThemeFonts = ThemeFonts()
    """The theme fonts of its master."""

    @property
    def title(self) -> Placeholder | None:
        return next((p for p in self.placeholders if p.is_title), None)

    @property
    def content(self) -> list[Placeholder]:
        """Text/content placeholders in ``idx`` order (left column before right)."""
        return sorted((p for p in self.placeholders if p.is_content and p.box), key=lambda p: p.idx)

    def find(self, kind: str) -> Placeholder | None:
        return next((p for p in self.placeholders if p.kind == kind), None)


@dataclass(frozen=True)
class Master:
    """The layouts of a master deck, by name, and the slide size."""

    width: int
    height: int
    layouts: dict[str, Layout]

    def layout(self, name: str) -> Layout | None:
        return self.layouts.get(name)

    def describe_layouts(self) -> str:
        return ", ".join(f'"{name}"' for name in self.layouts)

    def with_fonts(self, heading: str | None = None, body: str | None = None) -> "Master":
        """This master with its themes' heading and/or body font replaced, as a brand does."""
        if heading is None and body is None:
            return self

        def restyled(fonts: ThemeFonts) -> ThemeFonts:
            return ThemeFonts(heading or fonts.heading, body or fonts.body)

        return dataclasses.replace(self, layouts={name: dataclasses.replace(layout, fonts=restyled(layout.fonts))
                                                  for name, layout in self.layouts.items()})


def read_master(path: Path) -> Master:
    """Read the layouts of the .pptx at ``path``; a file that is not a deck is a TemplateError."""
    from generator.renderers.ooxml import read_template_package
    from generator.facts.yamlsource import display_path

    data = read_template_package(path, display_path(path))  # a ZIP bomb or an external link is never opened
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            return _Reader(package).master()
    except (OSError, zipfile.BadZipFile, KeyError, etree.XMLSyntaxError) as exc:
        raise TemplateError(f"{path}: cannot read the slide master ({exc})") from None


class _Reader:
    def __init__(self, package: zipfile.ZipFile) -> None:
        self.package = package

    def xml(self, name: str):
        return etree.fromstring(self.package.read(name))

    def related(self, part: str, rel_type: str) -> list[str]:
        folder, base = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", base + ".rels")
        if rels_name not in self.package.namelist():
            return []
        targets = []
        for rel in self.xml(rels_name).findall("rel:Relationship", NS):
            if rel.get("Type") == rel_type:
                target = rel.get("Target")
                targets.append(target.lstrip("/") if target.startswith("/")
                               else posixpath.normpath(posixpath.join(folder, target)))
        return targets

    def master(self) -> Master:
        presentation = self.xml("ppt/presentation.xml")
        size = presentation.find("p:sldSz", NS)
        layouts: dict[str, Layout] = {}
        for master_part in self.related("ppt/presentation.xml", _REL_MASTER):
            master = self.xml(master_part)
            fonts = self.theme_fonts(master_part)
            for layout_part in self.related(master_part, _REL_LAYOUT):
                layout = self.layout(self.xml(layout_part), master, fonts)
                layouts.setdefault(layout.name, layout)
        return Master(int(size.get("cx")), int(size.get("cy")), layouts)

    def theme_fonts(self, master_part: str) -> ThemeFonts:
        for theme_part in self.related(master_part, _REL_THEME)[:1]:
            scheme = self.xml(theme_part).find("a:themeElements/a:fontScheme", NS)
            if scheme is not None:
                return ThemeFonts(_typeface(scheme, "majorFont"), _typeface(scheme, "minorFont"))
        return ThemeFonts()

    def layout(self, layout, master, fonts: ThemeFonts) -> Layout:
        name = layout.find("p:cSld", NS).get("name", "")
        shapes = []
        for sp in layout.iterfind("p:cSld/p:spTree/p:sp", NS):
            ph = sp.find("p:nvSpPr/p:nvPr/p:ph", NS)
            if ph is None:
                continue
            kind = ph.get("type", "obj")
            master_sp = _master_placeholder(master, kind)
            chain = [sp] + ([master_sp] if master_sp is not None else [])
            styles = _text_style(master, kind)
            shapes.append(Placeholder(
                kind=kind, idx=int(ph.get("idx", "0")),
                name=sp.find("p:nvSpPr/p:cNvPr", NS).get("name", ""),
                box=_box(chain), insets=_insets(chain),
                levels=tuple(_level(chain, styles, n, kind) for n in range(1, 10)),
            ))
        return Layout(name, tuple(shapes), fonts)


def _typeface(scheme, group: str) -> str:
    latin = scheme.find(f"a:{group}/a:latin", NS)
    return (latin.get("typeface") if latin is not None else None) or _NO_THEME_FONT


def _master_placeholder(master, kind: str):
    """The master placeholder a layout placeholder of ``kind`` inherits from."""
    wanted = "title" if kind in _TITLE_KINDS else kind if kind in ("dt", "ftr", "sldNum") else "body"
    for sp in master.iterfind("p:cSld/p:spTree/p:sp", NS):
        ph = sp.find("p:nvSpPr/p:nvPr/p:ph", NS)
        if ph is not None and ph.get("type", "obj") == wanted:
            return sp
    return None


def _text_style(master, kind: str):
    tag = "p:titleStyle" if kind in _TITLE_KINDS else "p:otherStyle" if kind in ("dt", "ftr", "sldNum") else "p:bodyStyle"
    return master.find(f"p:txStyles/{tag}", NS)


def _box(chain) -> Box | None:
    for sp in chain:
        off, ext = sp.find("p:spPr/a:xfrm/a:off", NS), sp.find("p:spPr/a:xfrm/a:ext", NS)
        if off is not None and ext is not None:
            return Box(int(off.get("x")), int(off.get("y")), int(ext.get("cx")), int(ext.get("cy")))
    return None


def _insets(chain) -> tuple[int, int, int, int]:
    values = list(_DEFAULT_INSETS)
    for position, attribute in enumerate(("lIns", "tIns", "rIns", "bIns")):
        for sp in chain:
            body = sp.find("p:txBody/a:bodyPr", NS)
            if body is not None and body.get(attribute) is not None:
                values[position] = int(body.get(attribute))
                break
    return tuple(values)


def _level(chain, styles, n: int, kind: str) -> LevelStyle:
    """Resolve level ``n``: each property from the first of layout, master placeholder, text styles."""
    sources = [sp.find(f"p:txBody/a:lstStyle/a:lvl{n}pPr", NS) for sp in chain]
    if styles is not None:
        sources.append(styles.find(f"a:lvl{n}pPr", NS))
    sources = [s for s in sources if s is not None]

    def first(path: str, attribute: str):
        for source in sources:
            node = source if path == "." else source.find(path, NS)
            if node is not None and node.get(attribute) is not None:
                return node.get(attribute)
        return None

    bullet = False
    for source in sources:
        if source.find("a:buNone", NS) is not None:
            break
        if source.find("a:buChar", NS) is not None or source.find("a:buAutoNum", NS) is not None:
            bullet = True
            break
    def spacing(tag: str) -> tuple[float | None, float | None]:
        """(fraction of a line, points) from the first source that sets ``tag``."""
        for source in sources:
            node = source.find(tag, NS)
            if node is not None:
                pct, pts = node.find("a:spcPct", NS), node.find("a:spcPts", NS)
                return (int(pct.get("val")) / 100000 if pct is not None else None,
                        int(pts.get("val")) / 100 if pts is not None else None)
        return None, None

    size, bold = first("a:defRPr", "sz"), first("a:defRPr", "b")
    font = first("a:defRPr/a:latin", "typeface") or ("+mj-lt" if kind in _TITLE_KINDS else "+mn-lt")
    line_pct, _ = spacing("a:lnSpc")
    before_pct, before_pts = spacing("a:spcBef")
    return LevelStyle(
        size=int(size) / 100 if size else 18.0,
        bold=bold in ("1", "true"),
        font=font,
        margin_left=int(first(".", "marL") or 0),
        bullet=bullet,
        line_spacing=line_pct or 1.0,
        space_before=before_pct or 0.0,
        space_before_pt=before_pts or 0.0,
    )
