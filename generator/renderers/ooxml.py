"""Office Open XML packages (.docx, .pptx): read, write reproducibly, and set document properties.

Shared by the handout and the slides. Works on the package as a ZIP of XML parts with lxml
only, so template lints and build scripts can use it without python-docx or python-pptx.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from generator.errors import TemplateError
from generator.templating.writing import FontSlot, Writing, font_slot
from generator.limits import (MAX_COMPRESSION_RATIO, MAX_PACKAGE_BYTES, MAX_PACKAGE_CONTENT_BYTES, MAX_PACKAGE_PARTS,
                              RATIO_CHECKED_FROM_BYTES, megabytes, read_or_reason)

#: Entries that must come first in the archive: some readers sniff the content types there.
_LEADING_ENTRIES = ("[Content_Types].xml", "_rels/.rels")
_W3CDTF = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


@dataclass(frozen=True)
class DocumentProperties:
    """What Word and PowerPoint show under File > Info > Properties (docProps/core.xml).

    Every field is written, none is inherited from a library's template; the optional ones are
    left out when None (an empty string writes an empty element).
    """

    title: str
    subject: str
    creator: str
    keywords: list[str]
    description: str
    category: str
    created: dt.datetime
    """Also the modification date; timezone-aware (written in UTC)."""
    language: str | None = None
    identifier: str | None = None
    version: str | None = None
    content_status: str | None = None
    """A draft's mark ("content status"), for the documents that state one."""
    revision: int = 1


_HYPERLINK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"


def read_template_package(path: Path, shown: str) -> bytes:
    """The bytes of a user's Word or PowerPoint template, once it is known to be safe to open.

    Refused, with one line naming the file (and the part): anything but a regular file of at
    most 50 MB; a ZIP whose parts would decompress beyond 200 MB in all, or whose large parts
    expand more than 200 times (a ZIP bomb), judged from the central directory before a byte is
    extracted; and a relationship to anything outside the package except a plain hyperlink (an
    attached template, a linked picture or object, which an office program fetches on opening).
    """
    data, why = read_or_reason(path, MAX_PACKAGE_BYTES)
    if data is None:
        raise TemplateError(f"{shown}: {why}")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            _refuse_bomb(infos, shown)
            for info in infos:
                if info.filename.endswith(".rels"):
                    _refuse_external(info.filename, archive.read(info), shown)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError):
        raise TemplateError(f"{shown}: expected a Word or PowerPoint file (a ZIP package), found a file that is not one") \
            from None
    return data


def _refuse_bomb(infos: list[zipfile.ZipInfo], shown: str) -> None:
    if len(infos) > MAX_PACKAGE_PARTS:
        raise TemplateError(f"{shown}: expected at most {MAX_PACKAGE_PARTS:,} parts in the package, found {len(infos):,}")
    total = sum(info.file_size for info in infos)
    if total > MAX_PACKAGE_CONTENT_BYTES:
        raise TemplateError(f"{shown}: its parts would take {total:,} bytes once decompressed; expected at most "
                            f"{megabytes(MAX_PACKAGE_CONTENT_BYTES)} (a ZIP bomb?)")
    for info in infos:
        if info.file_size > RATIO_CHECKED_FROM_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise TemplateError(f"{shown}: {info.filename}: {info.compress_size:,} bytes would decompress to "
                                f"{info.file_size:,}, more than {MAX_COMPRESSION_RATIO} times as much (a ZIP bomb?)")


def _refuse_external(name: str, xml: bytes, shown: str) -> None:
    try:
        root = parse_xml(xml)
    except etree.XMLSyntaxError:
        raise TemplateError(f"{shown}: {name}: expected the XML of a relationships part, found something else") from None
    for relationship in root.iter(_RELATIONSHIP):
        if (relationship.get("TargetMode") or "").lower() != "external" or relationship.get("Type") == _HYPERLINK:
            continue
        kind = (relationship.get("Type") or "unknown").rsplit("/", 1)[-1]
        target = relationship.get("Target") or ""
        raise TemplateError(f"{shown}: {name}: relationship {relationship.get('Id')} ({kind}) points outside the "
                            f"package to {target[:120]!r}; an office program would fetch it on opening, and only "
                            f"plain hyperlinks may point outside (remove the {kind} in Word or PowerPoint)")


def read_package(data: bytes) -> dict[str, bytes]:
    """The entries of a package in archive order."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write_package(parts: dict[str, bytes], when: dt.date) -> bytes:
    """A ZIP whose bytes depend only on ``parts`` and ``when``.

    Fixed entry order (content types first), timestamps and attributes; embedded
    workbooks (chart data, which XlsxWriter stamps with the clock) are rewritten the same
    way with their creation dates set to ``when``.
    """
    moment = when if isinstance(when, dt.datetime) else dt.datetime(when.year, when.month, when.day)
    leading = [name for name in _LEADING_ENTRIES if name in parts]
    names = leading + sorted(name for name in parts if name not in leading)
    stamp = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in names:
            data = parts[name]
            if name.endswith(".xlsx"):
                data = normalize_package(_with_core_dates(data, moment), moment)
            info = zipfile.ZipInfo(name, date_time=stamp)  # DOS dates start in 1980
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0  # the host OS would otherwise leak into the bytes
            info.external_attr = 0
            archive.writestr(info, data, compresslevel=9)
    return buffer.getvalue()


def normalize_package(data: bytes, when: dt.date) -> bytes:
    """Rewrite a package reproducibly (see :func:`write_package`)."""
    return write_package(read_package(data), when)


def _with_core_dates(package: bytes, when: dt.datetime) -> bytes:
    """The package with ``docProps/core.xml`` created/modified dates replaced by ``when``."""
    parts = read_package(package)
    core = parts.get("docProps/core.xml")
    if core is None:
        return package
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    parts["docProps/core.xml"] = _W3CDTF.sub(lambda m: m.group(1) + stamp + m.group(3), core)
    return write_package(parts, when)


def parse_xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(remove_blank_text=False, resolve_entities=False))


def serialize_xml(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


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
    for prefix, name, value in (("dc", "language", props.language), ("dc", "identifier", props.identifier),
                                ("cp", "version", props.version), ("cp", "contentStatus", props.content_status)):
        if value is not None:
            add(prefix, name, value)
    return serialize_xml(root)


def app_properties_xml(application: str, statistics: tuple[tuple[str, str], ...] = ()) -> bytes:
    """docProps/app.xml naming the toolkit, without stale page or word counts or a company.

    ``statistics``: ``(element, value)`` pairs that are true of this package, such as a deck's
    ``("Slides", "11")``, written after the application's name.
    """
    ns = "http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"
    root = etree.Element(f"{{{ns}}}Properties", nsmap={
        None: ns, "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"})
    for name, value in (("Application", application), *statistics, ("DocSecurity", "0"), ("ScaleCrop", "false"),
                        ("LinksUpToDate", "false"), ("SharedDoc", "false"), ("HyperlinksChanged", "false")):
        etree.SubElement(root, f"{{{ns}}}{name}").text = value
    return serialize_xml(root)


def finished_package(parts: dict[str, bytes], properties: DocumentProperties, application: str,
                     statistics: tuple[tuple[str, str], ...] = ()) -> bytes:
    """The reproducible package of ``parts`` with its own properties: the template's thumbnail
    dropped, core.xml from ``properties``, app.xml from ``application`` and ``statistics``
    (see :func:`app_properties_xml`), every date set to ``properties.created``."""
    drop_thumbnail(parts)
    parts["docProps/core.xml"] = core_properties_xml(properties)
    parts["docProps/app.xml"] = app_properties_xml(application, statistics)
    return write_package(parts, properties.created)


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


@dataclass(frozen=True)
class OfficeScripts:
    """How Word and PowerPoint are to draw one document's text, slot by slot.

    Both draw each character with one of three font slots chosen by its script: Latin
    (Latin, Cyrillic, Greek…), complex script (Arabic, Hebrew, Thai…) and East Asian (Han,
    kana, Hangul), each with its own font, size, weight and language. A document fills the
    slot of its own script with its language and the brand's font for it; the other two slots
    get the file's other languages written in them (an Arabic name quoted in an English
    handout is then Arabic to a screen reader and a spell-checker).
    """

    tag: str
    """The document's BCP 47 tag."""
    rtl: bool
    """Whether the document's lines run right to left."""
    slot: FontSlot
    """The document's own slot."""
    languages: dict[str, str]
    """Slot (``latin``, ``complex``, ``east_asian``) -> BCP 47 tag."""
    fonts: dict[str, str]
    """``complex`` and ``east_asian`` -> the brand's font for them (absent: the template's stays)."""
    script_fonts: dict[str, str]
    """ISO 15924 script -> the brand's font for it (PowerPoint's theme lists a font per script)."""


def office_scripts(own: Writing, others: list[Writing], fonts) -> OfficeScripts:
    """The slots of a document written as ``own``, in a file whose other languages are written
    as ``others`` (file order), with the brand's ``fonts`` (:class:`~generator.templating.brand.Fonts`).

    A slot the document does not use gets the first other language written in it, else the
    document's own tag: text in it is then at least not claimed for a language the file does
    not have. Its font is the brand's for the first script, the document's own, then the other
    languages', then the brand's list, that the slot draws.
    """
    slots = ("latin", "complex", "east_asian")
    languages = {}
    for slot in slots:
        if own.font_slot == slot:
            languages[slot] = own.tag
        else:
            languages[slot] = next((other.tag for other in others if other.font_slot == slot), own.tag)
    candidates = [own.script, *(other.script for other in others), *fonts.scripts]
    chosen = {}
    for slot in ("complex", "east_asian"):
        script = next((s for s in candidates if font_slot(s) == slot and s in fonts.scripts), None)
        if script is not None:
            chosen[slot] = fonts.scripts[script]
    return OfficeScripts(own.tag, own.rtl, own.font_slot, languages, chosen, dict(fonts.scripts))


def document_scripts(build, lang: str, fonts) -> OfficeScripts:
    """:func:`office_scripts` of the document in ``lang`` of ``build`` (a
    :class:`~generator.templating.build_context.BuildContext`), the others being the fact file's
    other languages as their label files tag them."""
    from generator.templating.writing import writing

    labels = build.labels(lang)
    own = writing(labels.language_tag, labels.numbering_system)
    others = [writing(build.labels(other).language_tag) for other in build.facts.languages if other != lang]
    return office_scripts(own, others, fonts)
