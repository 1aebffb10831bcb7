"""Read generated documents back: their text and their language tags, per format.

Used by ``generate verify``. A PDF's text comes from poppler's ``pdftotext`` (installed with
the system packages; about 30 times faster than pypdf's pure-Python extraction, and it puts
right-to-left runs in logical order); its language tag from ``qpdf`` (pypdf would parse every
object stored beside the catalog first). Without those tools, both come from pypdf.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path
from xml.etree import ElementTree

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


#: A line break between two Han, kana or full-width characters: Chinese and Japanese put no
#: space between words, so a line that wraps there joins without one.
_WIDE_LINE_BREAK = re.compile(r"(?<=[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef])[ \t]*\n\s*(?=[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef])")


def normalize_space(text: str) -> str:
    """NFC, soft hyphens dropped, every run of whitespace one space (none where a line wraps
    between two Han characters): text as a reader sees it."""
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "")
    return re.sub(r"\s+", " ", _WIDE_LINE_BREAK.sub("", text)).strip()


def extract_text(path: Path, fmt: str) -> str:
    """All the text of a document (body, headers, footers, notes), whitespace-normalized."""
    path = Path(path)
    if fmt == "pdf":
        return normalize_space(_pdf_text(path))
    if fmt == "docx":
        return normalize_space(_ooxml_text(path, r"word/(document|header\d*|footer\d*|footnotes)\.xml", f"{_W}p", f"{_W}t"))
    if fmt == "pptx":
        return normalize_space(_ooxml_text(path, r"ppt/(slides/slide|notesSlides/notesSlide|charts/chart)\d+\.xml", f"{_A}p", f"{_A}t"))
    if fmt == "md":  # as a reader sees it: CommonMark backslash escapes of ASCII punctuation removed
        return normalize_space(_MARKDOWN_ESCAPE.sub(r"\1", path.read_text(encoding="utf-8")))
    if fmt in ("html", "txt"):
        return normalize_space(path.read_text(encoding="utf-8"))
    raise ValueError(f"cannot read text from format {fmt!r}")


#: Directional embedding marks pdftotext puts around right-to-left runs: not text a reader sees.
_EMBEDDING_MARKS = re.compile("[\u202a-\u202e]")
_LRE, _RLE, _PDF = "\u202a", "\u202b", "\u202c"
#: A left-to-right island as the bidirectional algorithm forms one inside right-to-left text: from
#: a Latin letter on, everything up to the last Latin letter or digit (spaces between Latin words
#: take their direction); or a number: digits joined by single common separators (79/243,
#: 1,234.5), not by a dash ("1–2" in Arabic text is two numbers read right to left).
#: Arabic and Hebrew combining marks placed before the letter they sit on: WeasyPrint 70 draws a
#: mark as a glyph of its own, and poppler, sorting a right-to-left line by position, may read it
#: first ("ُترتكب" for "تُرتكب"). A combining mark never begins a word, so there it is moved back.
_MARK_BEFORE_LETTER = re.compile(r"(?<!\w)([\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]+)(\w)")
_ISLAND = re.compile(r"[^\W\d_](?:.*[\w])?|\d+(?:[.,:/+\-]\d+)*%?", re.S)


def logical_order(text: str) -> str:
    """pdftotext's text with its embedding marks resolved into the order a reader reads.

    poppler writes a right-to-left run in reading order between RLE and PDF marks, but a
    left-to-right stretch inside it (a date's "24" and "2024", "A/RES/79/243", citation numbers
    "1, 4") between LRE and PDF in the order it is drawn, spaces and commas of the Arabic text
    around it included: "‫‪ 24‬ديسمبر‪ ،2024‬‬" for "24 ديسمبر 2024،". Each such stretch is split
    into its islands, whose order is reversed with the neutrals between them, each island read
    as drawn. Outside right-to-left runs, text is already in reading order.
    """
    if _RLE not in text:
        return _EMBEDDING_MARKS.sub("", text)
    out: list[str] = []
    stack: list[str] = []  # the open embeddings, innermost last
    index = 0
    while index < len(text):
        char = text[index]
        if char == _LRE and stack and stack[-1] == _RLE:
            end = _closing(text, index + 1)
            out.append(_reverse_islands(_EMBEDDING_MARKS.sub("", text[index + 1:end])))
            index = end + 1
            continue
        if char in (_LRE, _RLE):
            stack.append(char)
        elif char == _PDF:
            if stack:
                stack.pop()
        elif not _EMBEDDING_MARKS.match(char):
            out.append(char)
        index += 1
    return _MARK_BEFORE_LETTER.sub(r"\2\1", "".join(out))


def _closing(text: str, start: int) -> int:
    """Index of the PDF mark that closes the embedding opened just before ``start`` (or the end)."""
    depth = 0
    for index in range(start, len(text)):
        if text[index] in (_LRE, _RLE):
            depth += 1
        elif text[index] == _PDF:
            if depth == 0:
                return index
            depth -= 1
    return len(text)


def _reverse_islands(drawn: str) -> str:
    """A left-to-right stretch as drawn inside right-to-left text -> as read: islands kept, their
    order and the neutrals between them reversed (" ،2024" -> "2024، ", "4 ,1 79/243" -> "79/243 1, 4")."""
    pieces: list[tuple[str, bool]] = []  # (text, is an island), as drawn
    position = 0
    for match in _ISLAND.finditer(drawn):
        pieces += [(drawn[position:match.start()], False), (match.group(), True)]
        position = match.end()
    pieces.append((drawn[position:], False))
    return "".join(text if island else text[::-1] for text, island in reversed(pieces))


def _pdf_text(path: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)
    result = subprocess.run([pdftotext, "-q", "-enc", "UTF-8", "-nopgbrk", str(path), "-"],
                            stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
    if result.returncode != 0:
        raise ValueError(f"pdftotext could not read it (exit status {result.returncode})")
    return "\n".join(logical_order(line) for line in result.stdout.decode("utf-8", "replace").split("\n"))


def _pdf_language(path: Path) -> str | None:
    """The catalog's ``/Lang``."""
    qpdf = shutil.which("qpdf")
    if qpdf is None:
        from pypdf import PdfReader

        lang = PdfReader(path).trailer["/Root"].get("/Lang")
        return str(lang) if lang else None
    # The catalog's number is in the trailer; asking for the first objects with it (WeasyPrint's
    # catalog is object 1 or 2) reads the file once instead of twice in the usual case.
    objects = _qpdf_objects(qpdf, path, ("trailer", *_LIKELY_CATALOGS))
    root = objects.get("trailer", {}).get("/Root")
    if not isinstance(root, str) or not root.endswith(" R"):
        raise ValueError("its trailer names no catalog")
    catalog = objects.get(f"obj:{root}")
    if catalog is None:
        catalog = _qpdf_objects(qpdf, path, (",".join(root.split()[:2]),)).get(f"obj:{root}", {})
    lang = catalog.get("/Lang")
    if not isinstance(lang, str) or not lang.startswith(("u:", "b:")):
        return None
    return lang[2:] if lang.startswith("u:") else bytes.fromhex(lang[2:]).decode("latin-1")


#: Objects asked for with the trailer, where WeasyPrint (pydyf) puts the catalog.
_LIKELY_CATALOGS = ("1,0", "2,0")


def _qpdf_objects(qpdf: str, path: Path, selectors: tuple[str, ...]) -> dict[str, dict]:
    """The dictionaries of the objects ``selectors`` name (``trailer``, ``12,0``), in qpdf's JSON
    (version 2: keyed ``trailer``, ``obj:12 0 R``; names as ``/Name``, text strings as ``u:...``).
    An object the file lacks, or one that is not a dictionary, is left out."""
    result = subprocess.run([qpdf, "--json=2", "--json-key=qpdf", *(f"--json-object={s}" for s in selectors), str(path)],
                            stdin=subprocess.DEVNULL, capture_output=True, timeout=300)
    if result.returncode not in (0, 3):  # 3: read with warnings
        raise ValueError(f"qpdf could not read it (exit status {result.returncode})")
    objects = json.loads(result.stdout)["qpdf"][1]
    found = {key: entry.get("value") for key, entry in objects.items() if isinstance(entry, dict)}
    return {key: value for key, value in found.items() if isinstance(value, dict)}


def _ooxml_text(path: Path, parts: str, paragraph: str, text: str) -> str:
    pattern = re.compile(parts)
    out: list[str] = []
    with zipfile.ZipFile(path) as archive:
        for name in sorted(archive.namelist(), key=_natural):
            if pattern.fullmatch(name):
                root = ElementTree.fromstring(archive.read(name))
                for para in root.iter(paragraph):
                    out.append(_paragraph_text(para, text))
                if name.startswith("ppt/charts/"):  # category labels and series names
                    out += [node.text or "" for node in root.iter("{http://schemas.openxmlformats.org/drawingml/2006/chart}v")]
    return "\n".join(out)


def _paragraph_text(para: ElementTree.Element, text: str) -> str:
    """The paragraph's text, with a space for each line break or tab inside it.

    docxtpl turns a newline in a fact into ``<w:br/>``: without the space, "Da Lat" and
    "Convention" on two lines would read as "Da LatConvention".
    """
    namespace = text[: text.index("}") + 1]
    breaks = {namespace + "br", namespace + "cr"}
    tabs = {id(tab) for run in para.iter(namespace + "r") for tab in run.iter(namespace + "tab")}
    return "".join(node.text or "" if node.tag == text else " " for node in para.iter()
                   if node.tag == text or node.tag in breaks or id(node) in tabs)


def _natural(name: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def language_tags(path: Path, fmt: str) -> set[str]:
    """The language tags a document declares (PDF /Lang, w:lang, a:rPr/@lang, front matter ``lang``)."""
    path = Path(path)
    if fmt == "pdf":
        lang = _pdf_language(path)
        return {lang} if lang else set()
    if fmt == "docx":
        with zipfile.ZipFile(path) as archive:
            root = ElementTree.fromstring(archive.read("word/document.xml"))
        # Word tags each of its three font slots with its own language: an Arabic document's
        # language is in w:bidi, a Chinese one's in w:eastAsia (handout/scripts.py).
        return {node.get(f"{_W}{slot}") for node in root.iter(f"{_W}lang") for slot in ("val", "eastAsia", "bidi")
                if node.get(f"{_W}{slot}")}
    if fmt == "pptx":
        tags: set[str] = set()
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if re.fullmatch(r"ppt/slides/slide\d+\.xml", name):
                    root = ElementTree.fromstring(archive.read(name))
                    tags |= {node.get("lang") for node in root.iter(f"{_A}rPr") if node.get("lang")}
        return tags
    if fmt in ("md",):
        match = re.search(r"^lang:\s*['\"]?([A-Za-z-]+)", path.read_text(encoding="utf-8"), re.MULTILINE)
        return {match.group(1)} if match else set()
    if fmt == "html":
        match = re.search(r"<html[^>]*\blang=\"([^\"]+)\"", path.read_text(encoding="utf-8"))
        return {match.group(1)} if match else set()
    return set()
