"""The elements and attributes of well-formed HTML in one pass of the standard library's tokenizer,
for the resource check: a tenth of what building the whole HTML5 tree with tinyhtml5 costs.

``html.parser`` is not an HTML5 parser: it tokenizes a well-formed document as HTML5 does, but
parts of HTML5 go further (comments closed by ``--!>``, raw text after ``<title>``, SVG's own
attribute names, misplaced table content moved before the table, ...). :func:`scan` therefore
checks, as it goes, that the document stays inside what the two read alike, and answers
``False`` as soon as it does not: the caller then builds the HTML5 tree (see
:func:`generator.renderers.pdf.resources.resource_refs`). A test compares the two on generated
documents, hostile ones included.
"""

from __future__ import annotations

import re
from html.entities import html5 as _ENTITIES
from html.parser import HTMLParser

#: Constructs html.parser reads differently from HTML5 anywhere in a document (a bogus comment or
#: CDATA section, comments HTML5 ends elsewhere, an end tag that is not ``</name>`` after raw text).
_UNLIKE_HTML5 = re.compile(
    r"""\x00
    | <!(?!--|(?i:doctype)[\t\n\f\r\x20]+[^>"'\[<]*>)
    | <!---?>
    | --!>
    | --\s+>
    | </(?![A-Za-z])
    | (?i:</\s*(?:script|style|title|textarea|xmp|iframe|noembed|noframes)(?!>))
    """, re.VERBOSE)
#: A start tag whose tokens html.parser and HTML5 agree on: ASCII names, HTML whitespace between
#: attributes, values quoted or plain (no quote, ``=``, ``<`` or backquote in a plain one).
_PLAIN_START_TAG = re.compile(
    r"""<[A-Za-z][A-Za-z0-9:._-]*
    (?:[\t\n\f\r\x20]+[!#-&(-.0-;?-~]+
       (?:[\t\n\f\r\x20]*=[\t\n\f\r\x20]*(?:"[^"]*"|'[^']*'|[!#-&(-;?-_a-~]+))?)*
    [\t\n\f\r\x20]*/?>\Z""", re.VERBOSE)
#: A character reference html.unescape and HTML5 decode alike in an attribute: numeric, or a
#: whole named reference with its semicolon (HTML5 leaves ``&copy=`` as it is; unescape does not).
_REFERENCE = re.compile(r"&(?:#[0-9]+;|#[xX][0-9a-fA-F]+;|([A-Za-z][A-Za-z0-9]*;))")

_RAW_TEXT = frozenset({"title", "textarea", "xmp", "iframe", "noembed", "noframes"})
_SCRIPT_DATA = frozenset({"script", "style"})  # html.parser's own raw text elements
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                   "track", "wbr", "param", "keygen", "image", "basefont", "bgsound", "frame"})
#: Elements HTML5 builds its own way (content dropped, moved or read as text): left to tinyhtml5.
_NOT_SCANNED = frozenset({"math", "select", "frameset", "template", "plaintext", "noscript", "isindex"})
#: Start tags that end SVG content in HTML5 (the spec's list; ``font`` only with some attributes).
_BREAKOUT = frozenset({"b", "big", "blockquote", "body", "br", "center", "code", "dd", "div", "dl", "dt", "em",
                       "embed", "h1", "h2", "h3", "h4", "h5", "h6", "head", "hr", "i", "img", "li", "listing",
                       "menu", "meta", "nobr", "ol", "p", "pre", "ruby", "s", "small", "span", "strong", "strike",
                       "sub", "sup", "table", "tt", "u", "ul", "var", "font"})
#: SVG elements whose content HTML5 reads as HTML.
_INTEGRATION_POINTS = frozenset({"foreignobject", "desc", "title"})
_TABLE_SECTIONS = frozenset({"table", "tbody", "thead", "tfoot", "tr"})
_TABLE_CELLS = frozenset({"td", "th", "caption"})
_TABLE_CONTENT = frozenset({"caption", "colgroup", "col", "tbody", "thead", "tfoot", "tr", "td", "th", "table",
                            "script", "style"})
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
SVG = "{http://www.w3.org/2000/svg}"


class _Unlike(Exception):
    """The document leaves what html.parser and HTML5 read alike."""


class _Scanner(HTMLParser):
    def __init__(self, visit) -> None:
        super().__init__(convert_charrefs=True)
        self.visit = visit  # visit(tag, attributes, text), as :func:`scan` says
        self.open: list[str] = []  # HTML elements, closed by their end tag (roughly: only to spot tables)
        self.svg: list[str] = []  # the SVG elements open, innermost last
        self.raw: tuple[str, dict, bool] | None = None  # a script or style (name, attributes, in SVG) being read
        self.raw_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs: list, closed: bool) -> None:
        raw = self.get_starttag_text() or ""
        if not _PLAIN_START_TAG.match(raw) or not _plain_references(raw) or tag in _NOT_SCANNED:
            raise _Unlike
        attributes: dict[str, str] = {}
        foreign = bool(self.svg) or tag == "svg"
        if tag == "image" and not foreign:  # HTML5 reads it as an <img>
            tag = "img"
        for name, value in attrs:  # HTML5 keeps the first of a repeated attribute
            if foreign and name == "xlink:href":
                name = XLINK_HREF
            attributes.setdefault(name, value or "")
        if self.svg:
            if tag in _BREAKOUT or self.svg[-1] in _INTEGRATION_POINTS:
                raise _Unlike
        else:
            self._html_start(tag, attributes, closed)
        if tag in _SCRIPT_DATA and not closed:
            self.raw, self.raw_text = (tag, attributes, foreign), []  # reported with its text, at its end tag
            return
        self.visit(SVG + tag if foreign else tag, attributes, "")
        if foreign and not closed:
            self.svg.append(tag)

    def _html_start(self, tag: str, attributes: dict, closed: bool) -> None:
        if tag in ("html", "body") and "style" in attributes:  # HTML5 may merge it into an element made earlier
            raise _Unlike
        section = next((name for name in reversed(self.open) if name in _TABLE_SECTIONS or name in _TABLE_CELLS), None)
        if section in _TABLE_SECTIONS and tag not in _TABLE_CONTENT:  # HTML5 moves it before the table
            raise _Unlike
        if closed and (tag in _RAW_TEXT or tag in _SCRIPT_DATA):  # HTML5 ignores the slash: raw text follows
            raise _Unlike
        if tag in _RAW_TEXT:
            self.set_cdata_mode(tag)
        if tag not in _VOID and not closed and tag != "svg":
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.raw is not None and tag == self.raw[0]:
            name, attributes, foreign = self.raw
            self.raw = None
            self.visit(SVG + name if foreign else name, attributes, "".join(self.raw_text))
            return
        if self.svg:
            if tag not in self.svg:  # HTML5 would close the SVG content early
                raise _Unlike
            del self.svg[len(self.svg) - 1 - self.svg[::-1].index(tag):]
            return
        if tag in self.open:
            del self.open[len(self.open) - 1 - self.open[::-1].index(tag):]

    def handle_data(self, data: str) -> None:
        if self.raw is not None:
            if self.raw[0] == "script" and "<!--" in data:  # HTML5's escaped script text runs on
                raise _Unlike
            if self.svg and ("<" in data or "&" in data):  # in SVG, HTML5 reads that text as markup
                raise _Unlike
            self.raw_text.append(data)


def _plain_references(tag: str) -> bool:
    """Every ``&`` of a start tag begins a reference decoded alike by html.unescape and HTML5."""
    if "&" not in tag:
        return True
    found = list(_REFERENCE.finditer(tag))
    if len(found) != tag.count("&"):
        return False
    return all(match[1] is None or match[1] in _ENTITIES for match in found)


def scan(html: str, visit) -> bool:
    """Call ``visit(tag, attributes, text)`` for each element of ``html`` in document order, named as
    tinyhtml5 names them without HTML's namespace (``img``; ``{http://www.w3.org/2000/svg}image``, in
    lower case), with the attributes HTML5 keeps (SVG's ``xlink:href`` namespaced) and, for a script
    or a style, its text. True when done; False, part way through or before any call, when the
    document is not one html.parser reads as HTML5 does: then nothing seen so far counts."""
    if _UNLIKE_HTML5.search(html) or not _comments_closed(html):
        return False
    scanner = _Scanner(visit)
    try:
        scanner.feed(html)
        scanner.close()
    except _Unlike:
        return False
    return scanner.raw is None and scanner.cdata_elem is None


def _comments_closed(html: str) -> bool:
    """Every ``<!--`` has its ``-->`` (html.parser reads on past an unclosed one)."""
    position = 0
    while (start := html.find("<!--", position)) >= 0:
        end = html.find("-->", start + 4)
        if end < 0:
            return False
        position = end + 3
    return True
