"""Finishing touches to WeasyPrint 70's PDF structure tree, applied before the file is written.

Gaps in WeasyPrint's tagging are closed here (``HTML.write_pdf(finisher=...)``):

* Table header cells get a ``/Scope`` (``/Column`` in a header row group, ``/Row``
  elsewhere). WeasyPrint links data cells to headers with ``/Headers`` + ``/ID`` only;
  checkers that look at the header cells (``pdfua`` rule UA-15-003) cannot see that.
* Page margin boxes (running header, page numbers) are marked as ``/Artifact``
  (pagination). WeasyPrint tags their text as ``/Span`` content whose structure elements
  are not linked into the tree (its comment: artifacts in the tree need PDF 2.0), which
  leaves real-looking content outside the logical structure. Elements marked
  ``aria-hidden="true"`` (the timeline's drawn labels, which the figure's alternative text
  already reads) are taken out of the tree the same way, so that they are read once.
* Language of parts: WeasyPrint writes ``lang`` only to the catalog. Every structure element
  whose HTML element has a ``lang`` other than the document's gets ``/Lang``.
* Footnotes (``class="footnote"``) become ``/Note`` elements with the ``/ID`` of their HTML id,
  which the call's link in the text points to.
* Link annotations get ``/Contents`` from the link's ``title`` ("Source 11: …") rather than
  the raw target ("source-11"), and the Print flag (``/F 4``).
* The archival variant (PDF/A-3b) keeps the PDF/UA-1 identifier in its XMP metadata, declared
  by a PDF/A extension schema, and the metadata stream is left unfiltered.

To know which HTML element a structure element came from, WeasyPrint's tree builder is
wrapped while a PDF is written (:func:`recording_elements`). This works on pydyf objects and
WeasyPrint's internals, so it depends on WeasyPrint 70.x (pinned).
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from typing import Any, Iterator

_recording = threading.local()


@contextmanager
def recording_elements() -> Iterator[dict[int, Any]]:
    """While active, maps the object number of each structure element WeasyPrint creates to the
    HTML element (``xml.etree`` element, or None for an anonymous box) it was made for."""
    _install_recorder()
    found: dict[int, Any] = {}
    _recording.found = found
    try:
        yield found
    finally:
        _recording.found = None


def _install_recorder() -> None:
    _install_page_references_cache()
    from weasyprint.layout.absolute import AbsolutePlaceholder
    from weasyprint.pdf import tags

    if getattr(tags._build_box_tree, "records_elements", False):
        return
    build = tags._build_box_tree

    def build_and_record(box, *args, **kwargs):
        real = box._box if isinstance(box, AbsolutePlaceholder) else box
        for element in build(box, *args, **kwargs):
            found = getattr(_recording, "found", None)
            if found is not None and real.element is not None and "::" not in (real.element_tag or ""):
                found.setdefault(element.number, real.element)  # inner calls record first
            yield element

    build_and_record.records_elements = True
    tags._build_box_tree = build_and_record  # recursive calls go through the module global too


def _install_page_references_cache() -> None:
    """Make ``pydyf.PDF.page_references`` computed once per set of pages rather than at each use.

    The property formats a reference to every page each time it is read, and WeasyPrint's tagger
    reads it for every structure element it makes (``tags._build_box_tree``): pages times
    elements, quadratic in the length of a document: 12 of the 150 s of a 77-page brief (1,500
    sources) in a profile (issue 18, docs/performance.md). The cached tuple is the property's own result,
    reused while the page list holds the same pages, so the PDF is byte for byte the same.
    """
    import pydyf

    compute = pydyf.PDF.page_references.fget
    if getattr(compute, "reuses_result", False):
        return

    def page_references(pdf: Any) -> tuple:
        pages = tuple(pdf.pages["Kids"][::3])  # the object numbers the property formats
        cached = pdf.__dict__.get("_page_references")
        if cached is None or cached[0] != pages:
            cached = pdf.__dict__["_page_references"] = (pages, compute(pdf))
        return cached[1]

    page_references.reuses_result = True  # type: ignore[attr-defined]
    page_references.__doc__ = compute.__doc__
    pydyf.PDF.page_references = property(page_references)


def finish_structure(document: Any, pdf: Any, elements: dict[int, Any] | None = None,
                     variant: str = "pdf/ua-1") -> None:
    """WeasyPrint finisher: see the module's docstring. ``elements`` comes from
    :func:`recording_elements` (without it, only what needs no HTML element is done)."""
    name_links(document)
    if variant.startswith("pdf/a"):
        claim_pdf_ua(pdf)
    if "StructTreeRoot" in pdf.catalog:
        finish_tags(pdf, elements or {})
    compress_without_trailing_cr(pdf)


def finish_tags(pdf: Any, elements: dict[int, Any]) -> None:
    """The structure tree's part of the finisher."""
    objects = _Objects(pdf)
    root = objects[pdf.catalog["StructTreeRoot"]]
    reachable = set(objects.reachable(root))
    scope_table_headers(objects, reachable)
    lang = pdf.catalog.get("Lang")
    tag_from_html(objects, reachable, elements, getattr(lang, "string", "") or "")
    reachable = set(objects.reachable(root))
    mark_unlinked_content_as_artifacts(pdf, objects, root, reachable)


class _Objects:
    """Look up pydyf objects by their ``b"12 0 R"`` references."""

    def __init__(self, pdf: Any) -> None:
        self.pdf = pdf

    def __getitem__(self, reference: Any) -> Any:
        return self.pdf.objects[number(reference)]

    def reachable(self, element: Any) -> Iterator[int]:
        """Object numbers of the structure elements below ``element`` (depth first)."""
        stack = [element]
        while stack:
            current = stack.pop()
            kids = current.get("K", [])
            for kid in kids if isinstance(kids, list) else [kids]:
                if isinstance(kid, (bytes, str)) and str(_text(kid)).endswith(" R"):
                    target = self[kid]
                    if isinstance(target, dict) and target.get("Type") == "/StructElem":
                        yield target.number
                        stack.append(target)


def number(reference: Any) -> int:
    """``b"12 0 R"`` -> 12."""
    return int(_text(reference).split()[0])


def _text(value: Any) -> str:
    return value.decode("ascii") if isinstance(value, bytes) else str(value)


def scope_table_headers(objects: _Objects, reachable: set[int]) -> None:
    """Add ``/Scope`` to every ``/TH``: ``/Column`` under ``/THead``, ``/Row`` elsewhere."""
    for obj_number in sorted(reachable):
        element = objects.pdf.objects[obj_number]
        if element.get("S") != "/TH":
            continue
        row = objects[element["P"]]
        group = objects[row["P"]] if "P" in row else None
        scope = "/Column" if group is not None and group.get("S") == "/THead" else "/Row"
        attributes = element.get("A")
        if attributes is None:
            import pydyf

            attributes = element["A"] = pydyf.Dictionary({"O": "/Table"})
        attributes["Scope"] = scope


def mark_unlinked_content_as_artifacts(pdf: Any, objects: _Objects, root: Any, reachable: set[int]) -> int:
    """Re-mark content whose structure element is not in the tree as pagination artifacts.

    Returns how many marked-content sequences were changed.
    """
    import pydyf

    nums = objects[root["ParentTree"]]["Nums"]
    changed = 0
    for index in range(0, len(nums), 2):
        page_index, parents = nums[index], nums[index + 1]
        if not isinstance(parents, list) or page_index >= len(pdf.page_references):
            continue  # annotation entries follow the pages
        orphans = {mcid for mcid, ref in enumerate(parents)
                   if isinstance(ref, (bytes, str)) and number(ref) not in reachable}
        if not orphans:
            continue
        page = objects[pdf.page_references[page_index]]
        stream = objects[page["Contents"]].stream
        for position in range(len(stream) - 2):
            tag, properties, operator = stream[position:position + 3]
            if (operator == b"BDC" and isinstance(properties, dict) and properties.get("MCID") in orphans
                    and isinstance(tag, str) and tag.startswith("/")):
                stream[position] = "/Artifact"
                stream[position + 1] = pydyf.Dictionary({"Type": "/Pagination"})
                changed += 1
        for mcid in orphans:
            parents[mcid] = "null"
    return changed


def tag_from_html(objects: _Objects, reachable: set[int], elements: dict[int, Any], document_lang: str) -> None:
    """``/Lang``, ``/Note`` + ``/ID``, and hidden elements out of the tree, from the HTML elements."""
    import pydyf

    for obj_number in sorted(reachable):
        html = elements.get(obj_number)
        if html is None:
            continue
        element = objects.pdf.objects[obj_number]
        if html.get("aria-hidden") == "true":
            parent = objects[element["P"]]
            parent["K"] = pydyf.Array(kid for kid in parent["K"] if kid != element.reference)
            continue
        lang = html.get("lang")
        if lang and not same_language(lang, document_lang):
            element["Lang"] = pydyf.String(lang)
        if "footnote" in (html.get("class") or "").split() and element.get("S") == "/Span":
            element["S"] = "/Note"
            if html.get("id"):
                element["ID"] = pydyf.String(html.get("id"))


def same_language(tag: str, other: str) -> bool:
    """``en`` and ``en-US`` name the same language (a screen reader's voice is chosen by it)."""
    return tag.split("-")[0].lower() == other.split("-")[0].lower()


def name_links(document: Any) -> None:
    """Each link annotation's ``/Contents`` from its ``title`` (its accessible name), and ``/F 4``."""
    import pydyf

    for page in document.pages:
        for _kind, _target, _rectangle, box in page.links:
            annotation = getattr(box, "link_annotation", None)
            if annotation is None:
                continue
            annotation["F"] = 4  # Print: required by PDF/A, and asked by PDF/UA checkers
            title = box.element.get("title") if box.element is not None else None
            if title:
                annotation["Contents"] = pydyf.String(title)


_XMP_END = re.compile(rb"</rdf:RDF>")
#: The PDF/UA identification schema, declared as PDF/A requires of a schema it does not predefine.
_PDF_UA_XMP = b"""<rdf:Description rdf:about="" xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"><pdfuaid:part>1</pdfuaid:part></rdf:Description>
<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/" xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">
<pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
<pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
<pdfaSchema:property><rdf:Seq><rdf:li rdf:parseType="Resource">
<pdfaProperty:name>part</pdfaProperty:name>
<pdfaProperty:valueType>Integer</pdfaProperty:valueType>
<pdfaProperty:category>internal</pdfaProperty:category>
<pdfaProperty:description>Indicates, which part of ISO 14289 standard is followed</pdfaProperty:description>
</rdf:li></rdf:Seq></pdfaSchema:property>
</rdf:li></rdf:Bag></pdfaExtension:schemas>
</rdf:Description>
"""


def compress_without_trailing_cr(pdf: Any) -> None:
    """Compress the streams pydyf would compress, never leaving a carriage return as the last byte.

    A stream whose compressed data happens to end in CR reads, before the line feed that precedes
    ``endstream``, as if it ended with a CR LF end of line: a PDF/A validator then counts one byte
    fewer than ``/Length`` and fails the file (page-validation's PDFA3B-STREAM-LENGTH-001). zlib
    data ends with the checksum of the content, so the content has to change: a content stream
    (a page's or a form's drawing operators) takes a trailing blank line, which draws nothing;
    any other stream is written uncompressed.
    """
    import zlib

    import pydyf

    page_contents = {number(pdf.objects[number(page)]["Contents"]) for page in pdf.page_references}
    for obj in pdf.objects:
        if not isinstance(obj, pydyf.Stream) or not obj.compress:
            continue
        content = b"\n".join(pydyf._to_bytes(item) for item in obj.stream)
        packed = zlib.compress(content, 9)  # the bytes pydyf itself would write
        drawing = obj.extra.get("Subtype") == "/Form" or obj.number in page_contents
        while packed.endswith(b"\r") and drawing:
            content += b"\n"
            packed = zlib.compress(content, 9)
        if packed.endswith(b"\r"):
            obj.stream, obj.compress = [content], False
            continue
        obj.stream, obj.compress = [packed], False
        obj.extra["Filter"] = "/FlateDecode"


def claim_pdf_ua(pdf: Any) -> None:
    """Add the PDF/UA-1 identifier to an archival file's XMP (the tagging is the same as in
    the PDF/UA variant), and leave the metadata stream unfiltered so any tool can read it."""
    metadata = pdf.objects[number(pdf.catalog["Metadata"])]
    content = b"".join(part if isinstance(part, bytes) else str(part).encode() for part in metadata.stream)
    if b"pdfuaid" not in content:
        content = _XMP_END.sub(lambda match: _PDF_UA_XMP + match.group(0), content, count=1)
    metadata.stream = [content]
    metadata.compress = False
