"""HTML -> tagged PDF with WeasyPrint, for every kind that lays out HTML (the brief, the card).

A document may read only files of the template directories and ``data:`` URLs. WeasyPrint is
imported inside functions: ``generate --help`` and ``generate check`` must not pay for loading it.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

from typing import TYPE_CHECKING

from generator.errors import ConfigError, ResourceError, TemplateError
from generator.renderers import KindOption

if TYPE_CHECKING:
    from generator.templating.paths import TemplatePath

#: The setting every PDF kind takes: tagged and accessible, or archival (tagged as well).
PDF_VARIANT = KindOption("pdf_variant", "variant of the PDFs (brief, card)", choices=("pdf/ua-1", "pdf/a-3b"),
                         help="pdf/ua-1: tagged, accessible PDF; pdf/a-3b: archival PDF.")
VARIANTS = PDF_VARIANT.choices


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int
    warnings: tuple[str, ...]
    """What WeasyPrint logged at warning level or above (unsupported CSS, missing alt text)."""


def resource_base(templates: "TemplatePath", kind: str) -> str:
    """The base URL of relative links: ``<first template dir>/<kind>/`` (the fetcher then looks override-first),
    so that ``assets/mark.svg`` in the brief is ``brief/assets/mark.svg``."""
    return (templates.dirs[0] / kind).as_uri() + "/"


def resolve_resource(url: str, templates: "TemplatePath", kind: str) -> Path:
    """The template file a ``file:`` URL names, looked up override-first like templates.

    Raises :class:`ResourceError` for anything outside the template directories.
    """
    from urllib.request import url2pathname  # imports http and email: not at start-up

    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
        raise ResourceError(f"refused to load {url}: a {kind} may only use files in the template "
                            f"directories and data: URLs (no network)")
    path = Path(url2pathname(parts.path)).resolve()
    for directory in templates.dirs:
        if path.is_relative_to(directory):
            name = path.relative_to(directory).as_posix()
            try:
                return templates.find(name)
            except TemplateError:
                raise ResourceError(f"refused to load {url}: no file {name} in the template directories "
                                    f"({', '.join(map(str, templates.dirs))})") from None
    raise ResourceError(f"refused to load {url}: it is outside the template directories "
                        f"({', '.join(map(str, templates.dirs))})")


@lru_cache(maxsize=1)
def _fetcher_types() -> tuple[type, type]:
    """``(Refused, TemplateOnlyFetcher)``, defined on first use so that WeasyPrint loads lazily."""
    import generator.renderers.pdf.engine  # noqa: F401  (WeasyPrint, loaded the quick way)
    from weasyprint.urls import FatalURLFetchingError, URLFetcher

    class Refused(FatalURLFetchingError):
        """Stops the rendering (WeasyPrint only lets BaseException through) and carries our error."""

        def __init__(self, error: ResourceError) -> None:
            super().__init__(error.format_message())
            self.error = error

    class TemplateOnlyFetcher(URLFetcher):
        """Serves ``data:`` URLs and files inside the template directories; refuses the rest."""

        def __init__(self, templates: "TemplatePath", kind: str) -> None:
            super().__init__(allowed_protocols=["file", "data"], fail_on_errors=True)
            self.templates, self.kind = templates, kind

        def fetch(self, url, headers=None):
            if urlsplit(url).scheme.lower() == "data":
                return super().fetch(url, headers)
            try:
                found = resolve_resource(url, self.templates, self.kind)
            except ResourceError as error:
                raise Refused(error) from None
            return super().fetch(found.as_uri(), headers)

    return Refused, TemplateOnlyFetcher


def html_to_pdf(html: str, templates: "TemplatePath", kind: str, variant: str = "pdf/ua-1") -> RenderedPdf:
    """Lay out ``html`` and write the PDF; relative links resolve in ``<template dir>/<kind>/``."""
    if variant not in VARIANTS:
        raise ConfigError(f"unknown PDF variant {variant!r}; expected one of {', '.join(VARIANTS)}")
    from generator.renderers.pdf.engine import weasyprint
    from generator.renderers.pdf.tagging import finish_structure, recording_elements

    refused, fetcher_type = _fetcher_types()
    base_url = resource_base(templates, kind)
    options = {"pdf_variant": variant, "pdf_tags": True}
    from generator.gcpause import collection_paused

    # Layout makes a box per element and line, kept until the PDF is written, and little cyclic
    # garbage: the collector's passes over the boxes cost a brief 10-15 % of its time, more the
    # longer it is, and kept its peak memory 2 % lower (issue 18, docs/performance.md).
    with _weasyprint_log() as warnings, collection_paused():
        try:
            document = weasyprint.HTML(string=html, base_url=base_url,
                                       url_fetcher=fetcher_type(templates, kind)).render(**options)
            with recording_elements() as elements:
                data = document.write_pdf(finisher=lambda doc, pdf: finish_structure(doc, pdf, elements, variant),
                                          **options)
        except refused as stop:
            raise stop.error from None
    return RenderedPdf(data, len(document.pages), tuple(dict.fromkeys(warnings)))


@contextmanager
def _weasyprint_log() -> Iterator[list[str]]:
    """Collect WeasyPrint's warnings instead of letting them reach the console unformatted."""
    import logging

    records: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record.getMessage())

    logger = logging.getLogger("weasyprint")
    handler = Collect(level=logging.WARNING)
    logger.addHandler(handler)
    propagate, logger.propagate = logger.propagate, False
    try:
        yield records
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate
