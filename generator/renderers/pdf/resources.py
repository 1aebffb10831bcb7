"""What a document's HTML would make WeasyPrint (or a browser) fetch, parsed, not pattern-matched,
and refusing what lies outside the template directories before anything is laid out.

The HTML is parsed with tinyhtml5 exactly as WeasyPrint parses it, and stylesheets and style
attributes with tinycss2, WeasyPrint's own CSS parser, so a reference counts where it is one
and only there: a URL attribute of an element that loads something, a ``url()`` or an
``@import`` in CSS. Facts are escaped, so they are text, never an element, and in CSS never
more than a string. A ``data:`` URL holding SVG or CSS is decoded and scanned in turn: WeasyPrint
loads what it refers to.
"""


from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Mapping, Sequence
from urllib.parse import urljoin

if TYPE_CHECKING:
    from generator.templating.paths import TemplatePath

#: Elements whose URL attributes are loaded (an ``<a>`` only as a PDF attachment, see below).
_LOADING = frozenset({"img", "link", "image", "use", "object", "embed", "iframe", "source", "video", "audio",
                      "input", "track"})
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"  # as tinyhtml5 names SVG's xlink:href
_URL_ATTRIBUTES = ("src", "href", _XLINK_HREF, "data", "poster")
#: CSS functions whose string arguments are URLs (``url("x")``, CSS Values 4's ``src("x")``, ``image-set("x" 1x)``).
_URL_FUNCTIONS = frozenset({"url", "src", "image-set", "-webkit-image-set"})
_SCANNED_DATA = {"image/svg+xml": "markup", "text/html": "markup", "text/css": "css"}


def resource_refs(html: str) -> list[str]:
    """Files and URLs the HTML would make WeasyPrint fetch, in document order, each once
    (``data:`` URLs and fragments excluded, but what an SVG or CSS ``data:`` URL refers to included).

    Relative references are resolved against the document's ``<base href>`` when it has one,
    as WeasyPrint does; the caller resolves what stays relative against the template directory.
    """
    found: list[str] = []
    pending = [("markup", html)]
    while pending:  # each data: URL found is shorter than the text that holds it: this ends
        kind, text = pending.pop(0)
        refs = _markup_refs(text) if kind == "markup" else _css_refs(_stylesheet(text))
        for ref in (ref.strip() for ref in refs):
            if ref.lower().startswith("data:"):
                decoded = _data_url(ref)
                if decoded is not None:
                    pending.append(decoded)
            elif ref and not ref.startswith("#"):
                found.append(ref)
    return list(dict.fromkeys(found))


def _markup_refs(html: str) -> Iterator[str]:
    elements = _elements(html)
    base = next((attributes.get("href") for tag, attributes, _ in elements if tag == "base" and attributes.get("href")),
                None)
    if base:  # first: where it points is the reason every relative reference goes there too
        yield base
    for ref in _element_refs(elements):
        yield urljoin(base, ref) if base and not ref.lower().startswith("data:") else ref


def _elements(html: str) -> list[tuple[str, Mapping[str, str], str]]:
    """``(tag, attributes, text)`` of every element in document order, as WeasyPrint's parser builds them
    (``text``: what a ``<style>`` holds). Read with html.parser when the document is one it reads as
    HTML5 does (every document the bundled templates make), else parsed with tinyhtml5."""
    from generator.renderers.pdf.markupscan import scan

    elements: list = []
    if scan(html, lambda tag, attributes, text: elements.append((tag, attributes, text))):
        return elements
    import tinyhtml5

    root = tinyhtml5.parse(html, namespace_html_elements=False)  # WeasyPrint's own call
    return [(element.tag, element, "".join(element.itertext()) if element.tag.rpartition("}")[2] == "style" else "")
            for element in root.iter() if isinstance(element.tag, str)]  # not a comment or a processing instruction


def _element_refs(elements) -> Iterator[str]:
    for tag, attributes, text in elements:
        name = tag.rpartition("}")[2]
        if name in _LOADING or (name == "a" and "attachment" in attributes.get("rel", "").lower().split()):
            yield from (attributes.get(attribute) for attribute in _URL_ATTRIBUTES if attributes.get(attribute))
            yield from _srcset_urls(attributes.get("srcset", ""))
        if attributes.get("style"):
            yield from _css_refs(_declarations(attributes.get("style")))
        if name == "style":
            yield from _css_refs(_stylesheet(text))


def _srcset_urls(srcset: str) -> Iterator[str]:
    """``a.png 1x, b.png 2x`` -> ``a.png``, ``b.png`` (what a browser picks from; WeasyPrint ignores it)."""
    for candidate in srcset.split(","):
        words = candidate.split()
        if words:
            yield words[0]


def _stylesheet(css: str) -> list:
    import tinycss2

    return tinycss2.parse_stylesheet(css)


def _declarations(css: str) -> list:
    import tinycss2

    return tinycss2.parse_blocks_contents(css)


def _css_refs(nodes: Iterable) -> Iterator[str]:
    """URLs in parsed CSS, in order: ``url()`` tokens and functions, and ``@import "…"``."""
    stack = list(reversed(list(nodes)))  # a stack, not recursion: nesting depth costs nothing
    while stack:
        node = stack.pop()
        kind = node.type
        children: list = []
        if kind == "url":
            yield node.value
        elif kind == "function":
            if node.lower_name in _URL_FUNCTIONS:
                yield from (token.value for token in node.arguments if token.type == "string")
            children = node.arguments
        elif kind == "at-rule":
            if node.lower_at_keyword == "import":
                first = next((token for token in node.prelude if token.type not in ("whitespace", "comment")), None)
                if first is not None and first.type == "string":
                    yield first.value
            children = node.prelude + (node.content or [])
        elif kind == "qualified-rule":
            children = node.prelude + node.content
        elif kind == "declaration":
            children = node.value
        elif kind in ("() block", "[] block", "{} block"):
            children = node.content
        stack.extend(reversed(children))


def _data_url(url: str) -> tuple[str, str] | None:
    """``(kind, text)`` to scan from a ``data:`` URL of SVG, HTML or CSS; None for anything else
    (an image, a font: nothing in it is fetched) or a URL that does not decode."""
    import urllib.request  # here: it imports http.client and email, a tenth of the brief's lint

    try:
        with urllib.request.DataHandler().data_open(urllib.request.Request(url)) as response:
            kind = _SCANNED_DATA.get(response.headers.get_content_type())
            if kind is None:
                return None
            charset = response.headers.get_content_charset() or "utf-8"
            return kind, response.read().decode(charset, errors="replace")
    except (ValueError, LookupError, OSError):  # not base64, an unknown charset
        return None


def refuse_outside_resources(html: str, templates: "TemplatePath", kind: str) -> None:
    """Raise :class:`ResourceError` for the first reference outside the template directories.

    WeasyPrint's fetcher refuses what it loads; this also catches what it would silently
    skip (an iframe, a video poster), so a build and ``generate check`` agree.
    """
    from generator.renderers.pdf import resolve_resource, resource_base

    base = resource_base(templates, kind)
    for ref in resource_refs(html):
        resolve_resource(urljoin(base, ref), templates, kind)


def resource_problems(html: str, templates: "TemplatePath", kind: str) -> list[str]:
    """One message per reference outside the template directories (for ``generate check``)."""
    from generator.errors import GenerateError
    from generator.renderers.pdf import resolve_resource, resource_base

    base = resource_base(templates, kind)
    problems = []
    for ref in resource_refs(html):
        try:
            resolve_resource(urljoin(base, ref), templates, kind)
        except GenerateError as exc:
            problems.append(exc.format_message())
    return problems


def lint_html(build, kind: str, render: Callable[[str], str], languages: Sequence[str] | None = None) -> list:
    """``generate check`` for an HTML kind: ``render(lang)`` in each of ``languages`` (default: every
    language of ``build``; no layout), each template error and each reference outside the template
    directories as a problem."""
    from generator.errors import GenerateError
    from generator.facts.yamlsource import Problem

    problems = []
    for lang in build.facts.languages if languages is None else languages:
        where = f"{kind} ({lang})"
        try:
            html = render(lang)
        except GenerateError as exc:
            problems.append(Problem(None, where, exc.format_message()))
            continue
        problems += [Problem(None, where, message) for message in resource_problems(html, build.templates, kind)]
    return problems
