"""Word package surgery for the handout: language tags, document properties, a reproducible ZIP.

Works on the .docx as a ZIP of XML parts with lxml only, so the template lint and the
template build script can share it without importing python-docx.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass

from lxml import etree

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
#: Parts that hold text a reader sees (body, headers, footers, notes).
STORY_PART = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml")
#: Entries that must come first in the archive: some readers sniff the content types there.
_LEADING_ENTRIES = ("[Content_Types].xml", "_rels/.rels")
# CT_RPr children in schema order: Word rejects a w:lang placed after, say, w:eastAsianLayout.
_RPR_ORDER = [
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
    "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing",
    "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText",
    "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath",
]
# CT_Style children that may follow rPr; a new rPr goes before the first of them.
_AFTER_STYLE_RPR = {f"{W}{name}" for name in ("tblPr", "trPr", "tcPr", "tblStylePr")}


@dataclass(frozen=True)
class DocumentProperties:
    """What Word shows under File > Info > Properties; every field is written, none is inherited."""

    title: str
    subject: str
    creator: str
    keywords: list[str]
    description: str
    category: str
    language: str
    created: dt.datetime
    revision: int = 1


def read_package(data: bytes) -> dict[str, bytes]:
    """The entries of a .docx in archive order."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_package(parts: dict[str, bytes], stamp: dt.date) -> bytes:
    """A ZIP whose bytes depend only on ``parts``: fixed entry order, timestamps and attributes."""
    leading = [name for name in _LEADING_ENTRIES if name in parts]
    names = leading + sorted(name for name in parts if name not in leading)
    when = (max(stamp.year, 1980), stamp.month, stamp.day, 0, 0, 0)  # DOS dates start in 1980
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3  # the host OS would otherwise leak into the bytes
            info.external_attr = 0o644 << 16
            archive.writestr(info, parts[name], compresslevel=9)
    return buffer.getvalue()


def parse_xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(remove_blank_text=False, resolve_entities=False))


def serialize_xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _child_rpr(parent: etree._Element) -> etree._Element:
    """The rPr of a run (its first child, created when missing)."""
    rpr = parent.find(f"{W}rPr")
    if rpr is None:
        rpr = etree.Element(f"{W}rPr")
        parent.insert(0, rpr)
    return rpr


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


def _set_lang(rpr: etree._Element, tag: str, *, overwrite: bool = True) -> None:
    """Give ``rpr`` a w:lang for ``tag`` (in schema order); keep an existing one unless ``overwrite``."""
    lang = rpr.find(f"{W}lang")
    if lang is not None and not overwrite:
        return
    if lang is None:
        lang = etree.Element(f"{W}lang")
        position = _RPR_ORDER.index("lang")
        later = {f"{W}{name}" for name in _RPR_ORDER[position + 1:]}
        following = next((child for child in rpr if child.tag in later), None)
        if following is None:
            rpr.append(lang)
        else:
            following.addprevious(lang)
    # The document holds no East Asian or right-to-left text, so all three scripts get the
    # document's language instead of the template's leftovers (zh-CN, ar-SA...).
    for attribute in ("val", "eastAsia", "bidi"):
        lang.set(f"{W}{attribute}", tag)


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


def tag_language(parts: dict[str, bytes], tag: str) -> None:
    """Tag styles (document defaults and every paragraph and character style), settings and runs.

    Runs that already carry a language keep it: only the renderer's helpers put one there,
    for text quoted in another language (a source's own title).
    """
    if "word/styles.xml" in parts:
        root = parse_xml(parts["word/styles.xml"])
        defaults = root.find(f"{W}docDefaults")
        if defaults is None:
            defaults = etree.Element(f"{W}docDefaults")
            root.insert(0, defaults)
        rpr_default = defaults.find(f"{W}rPrDefault")
        if rpr_default is None:
            rpr_default = etree.Element(f"{W}rPrDefault")
            defaults.insert(0, rpr_default)
        _set_lang(_child_rpr(rpr_default), tag)
        for style in root.iter(f"{W}style"):
            if style.get(f"{W}type") in ("paragraph", "character") or style.find(f"{W}rPr") is not None:
                _set_lang(style_rpr(style), tag)
        parts["word/styles.xml"] = serialize_xml(root)
    if "word/settings.xml" in parts:
        root = parse_xml(parts["word/settings.xml"])
        for theme_lang in root.iter(f"{W}themeFontLang"):
            for attribute in ("val", "eastAsia", "bidi"):
                theme_lang.set(f"{W}{attribute}", tag)
        parts["word/settings.xml"] = serialize_xml(root)
    for name, data in parts.items():
        if STORY_PART.fullmatch(name):
            root = parse_xml(data)
            for run in root.iter(f"{W}r"):
                _set_lang(_child_rpr(run), tag, overwrite=False)
            parts[name] = serialize_xml(root)


_CORE_NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "dcmitype": "http://purl.org/dc/dcmitype/",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}


def core_properties_xml(props: DocumentProperties) -> bytes:
    """docProps/core.xml written from scratch, so no library default (author, 2013 dates) survives."""
    root = etree.Element(f"{{{_CORE_NS['cp']}}}coreProperties", nsmap=_CORE_NS)

    def add(prefix: str, name: str, text: str) -> etree._Element:
        element = etree.SubElement(root, f"{{{_CORE_NS[prefix]}}}{name}")
        element.text = text
        return element

    stamp = props.created.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    add("dc", "title", props.title)
    add("dc", "subject", props.subject)
    add("dc", "creator", props.creator)
    add("cp", "keywords", "; ".join(props.keywords))
    add("dc", "description", props.description)
    add("cp", "lastModifiedBy", props.creator)
    add("cp", "revision", str(props.revision))
    for name in ("created", "modified"):
        add("dcterms", name, stamp).set(f"{{{_CORE_NS['xsi']}}}type", "dcterms:W3CDTF")
    add("cp", "category", props.category)
    add("dc", "language", props.language)
    return serialize_xml(root)


def app_properties_xml(application: str) -> bytes:
    """docProps/app.xml naming the toolkit, without stale page or word counts or a company."""
    ns = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
    root = etree.Element(f"{{{ns}}}Properties", nsmap={
        None: ns, "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"})
    for name, value in (("Application", application), ("DocSecurity", "0"), ("ScaleCrop", "false"),
                        ("LinksUpToDate", "false"), ("SharedDoc", "false"), ("HyperlinksChanged", "false")):
        etree.SubElement(root, f"{{{ns}}}{name}").text = value
    return serialize_xml(root)


def drop_thumbnail(parts: dict[str, bytes]) -> None:
    """Remove the package thumbnail: a stale picture of some other document."""
    rels = parts.get("_rels/.rels")
    if rels is None:
        return
    root = parse_xml(rels)
    for rel in list(root):
        if rel.get("Type", "").endswith("/metadata/thumbnail"):
            parts.pop(rel.get("Target", "").lstrip("/"), None)
            root.remove(rel)
    parts["_rels/.rels"] = serialize_xml(root)
