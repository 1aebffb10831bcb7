"""Rendering the Word handout: a .docx template with Jinja tags (docxtpl), per language, reproducible.

docxtpl and python-docx are imported inside ``render`` only: ``generate check`` calls
``lint``, which reads the template with zipfile and lxml.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Callable
from urllib.parse import urlsplit

import jinja2
import jinja2.sandbox

from generator import __version__
from generator.templating.brand import load_brand
from generator.errors import RenderError, TemplateError
from generator.renderers.handout.styles import apply_brand
from generator.renderers.handout.lint import context_types, lint_docx_template, part_label
from generator.renderers.ooxml import (
    DocumentProperties, document_scripts, finished_package, read_package, read_template_package,
    write_package,
)
from generator.renderers.handout.package import strip_run_languages, tag_language
from generator.renderers.handout.scripts import write_scripts
from generator.renderers import Output, RenderJob
from generator.templating.environment import raised_by_template, template_exhaustion
from generator.facts.yamlsource import Problem, display_path

if TYPE_CHECKING:
    from generator.templating.build_context import BuildContext
    from generator.facts.load import LoadedFacts
    from generator.templating.paths import TemplatePath

KIND = "handout"
#: The template, found on the template search path (your --templates directory first).
TEMPLATE = "handout/handout.docx"
#: Names the renderer adds to the template context (documented in templates/handout/README.md).
HELPERS = ("brand", "logo", "cite_mark", "link", "in_language", "host", "shorten")


def render(job: RenderJob) -> list[Output]:
    """One .docx for ``job.lang`` from the handout template (yours first on the template path)."""
    source = job.templates.find(TEMPLATE)
    shown = display_path(source)
    errors = [p for p in lint_handout(job.build, source) if p.severity == "error"]
    if errors:
        raise TemplateError("\n".join(str(p) for p in errors))
    facts = job.loaded.facts
    as_of = facts.document.as_of
    brand = job.get_brand()
    own_brand = brand.custom
    template = read_package(read_template_package(source, shown))
    strip_run_languages(template)
    document, context = _render_docx(write_package(template, as_of), shown, job, brand,
                                     brand.logo_path if own_brand else None)
    parts = read_package(document)
    if own_brand:
        apply_brand(parts, brand)
    scripts = document_scripts(job.build, job.lang, brand.fonts)
    tag_language(parts, scripts.languages)
    write_scripts(parts, scripts)
    properties = document_properties(context)
    data = finished_package(parts, properties, f"generate {__version__}")
    # Pages: a .docx has no fixed page count (Word lays it out on the reader's machine), so
    # none is claimed; see templates/handout/README.md.
    return [Output(KIND, job.lang, "docx", job.filename(KIND, "docx"), data, properties.title)]


def lint(build: "BuildContext") -> list[Problem]:
    """Check the handout template (yours if ``--templates`` has one) without rendering it."""
    return lint_handout(build, build.templates.find(TEMPLATE))


def lint_handout(build: "BuildContext", source: Path) -> list[Problem]:
    """Problems of the template at ``source``, checked against every language's context."""
    try:
        read_template_package(source, display_path(source))  # a ZIP bomb or an external link is never opened
    except TemplateError as exc:
        return [Problem(None, "", exc.format_message())]
    contexts = [build.template_context(lang) for lang in build.facts.languages]
    return lint_docx_template(source, display_path(source), build.environment(), context_types(contexts, HELPERS))


def document_properties(context: dict) -> DocumentProperties:
    """Core properties of one handout, all from the fact file, the labels and the brand."""
    facts, i18n, labels = context["facts"], context["i18n"], context["L"]
    info = facts.document
    as_of = info.as_of
    issuer = context["brand"].organization or info.issuer
    return DocumentProperties(
        title=i18n.text(info.title),
        subject=i18n.text(info.subject),
        creator=i18n.text(issuer) if issuer else "",  # no issuer unless one is given
        keywords=list(info.keywords.get(context["lang"]) or info.keywords.get(facts.primary_language) or []),
        description=labels.get("generated_with", "{version} {date}").format(version=__version__, date=i18n.date(as_of, "short")),
        category=labels.get("kind_handout", "handout"),
        language=context["language_tag"],
        created=dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=dt.timezone.utc),
    )


def shorten(text: str | None, width: int) -> str:
    """``text`` cut at the last word boundary within ``width`` characters, ending in "…" (no
    stray punctuation before it); shorter text unchanged. For the handout's source list."""
    text = " ".join((text or "").split())
    if len(text) <= width:
        return text
    cut = text[:width]
    if text[width] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:–—-") + "…"


def host(url: str | None) -> str:
    """``https://www.unodc.org/unodc/en/...`` -> ``unodc.org``: a short, printable pointer to a page."""
    if not url:
        return ""
    name = urlsplit(url).hostname or url
    return name[4:] if name.startswith("www.") else name



def _render_docx(template: bytes, shown: str, job: RenderJob, brand, logo: Path | None) -> tuple[bytes, dict]:
    """Fill the template with docxtpl; returns the .docx bytes and the context used."""
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage, RichText

    from generator.templating.context import citation_mark

    document = DocxTemplate(io.BytesIO(template))
    language_tags = _language_tags(job)

    def foreign_tag(lang: str | None) -> str | None:
        return language_tags(lang) if lang and lang != job.lang else None

    def link(url: str | None, text: str | None = None, lang: str | None = None) -> RichText | str:
        """A clickable hyperlink run (style "Hyperlink") showing ``text`` or the address; ``text``
        is marked as written in ``lang`` when that is not the handout's language."""
        if not url:
            return in_language(text, lang) if text else ""
        tag = foreign_tag(lang)
        extra = {"lang": tag} if tag else {}
        return RichText(text or url, style="Hyperlink", url_id=document.build_url_id(url), **extra)

    def in_language(text: str | None, lang: str | None, italic: bool = False) -> RichText | str:
        """``text`` marked as written in ``lang`` (a source's own title), for spelling and screen
        readers; ``italic`` sets it as a title."""
        if not text:
            return ""
        tag = foreign_tag(lang)
        extra = {"italic": True} if italic else {}
        return RichText(text, lang=tag, **extra) if tag else RichText(text, **extra)

    # docxtpl puts the picture into the part being rendered (the header) with its relationship.
    picture = InlineImage(document, str(logo), height=Mm(9)) if logo else ""
    context = job.context(brand=brand, logo=picture, link=link, in_language=in_language, host=host, shorten=shorten)
    # "[6,12,24–26]": no spaces, so that a superscript mark never wraps across lines.
    context["cite_mark"] = lambda fact: citation_mark(context["citations"].numbers(fact), separator=",")
    # An overlay shares the project's filters, globals and loader; docxtpl sets autoescape on
    # the environment it is given, which must not leak into the other document kinds.
    env = job.env.overlay(autoescape=True)
    try:
        document.render(context, jinja_env=env, autoescape=True)
    except (jinja2.TemplateError, TemplateError, RecursionError, MemoryError) as exc:  # ours: a filter refusing a value, say
        raise _template_error(exc, document, shown) from None
    except Exception as exc:  # lxml rejects XML that a tag broke (a tag inside a field code, say)
        if type(exc).__module__.startswith("lxml"):
            raise RenderError(f"{shown}: the filled-in template is not a valid Word document: {exc}") from None
        if isinstance(exc, (KeyError, IndexError, ValueError, AttributeError)) and raised_by_template(exc):
            raise _template_error(exc, document, shown) from None  # e.g. "{x}".format() in a tag
        raise
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue(), context


def _language_tags(job: RenderJob) -> Callable[[str], str]:
    """Language code -> BCP 47 tag from that language's label file (the code itself if there is none)."""
    from generator.templating.i18n import labels_paths

    cache: dict[str, str] = {}

    def tag(lang: str) -> str:
        if lang not in cache:
            has_labels = bool(labels_paths(list(job.templates.dirs), lang))
            cache[lang] = job.build.labels(lang).language_tag if has_labels else lang
        return cache[lang]

    return tag


def _template_error(exc: Exception, document, shown: str) -> TemplateError:
    """Name the template, the part and the paragraph text where rendering failed."""
    part = getattr(document, "current_rendering_part", None)
    partname = str(getattr(part, "partname", "/word/document.xml"))
    siblings = [str(rel.target_ref) for rel in document.docx.part.rels.values() if not rel.is_external]
    where = part_label(f"word/{partname.rsplit('/', 1)[-1]}", [f"word/{name.rsplit('/', 1)[-1]}" for name in siblings])
    lineno = getattr(exc, "lineno", None) or _template_line(exc)
    snippet = _paragraph_text(document, part, lineno) if lineno else ""
    near = f", near “{snippet}”" if snippet else ""
    if isinstance(exc, TemplateError):
        message = exc.format_message()
    else:
        message = exc.message if isinstance(exc, jinja2.TemplateSyntaxError) else str(exc)
    if isinstance(exc, KeyError):
        message = f"unknown placeholder {{{exc.args[0]}}} in a text being formatted (a label?)"
    if isinstance(exc, jinja2.UndefinedError):
        message = f"undefined name: {message} (the facts or labels do not provide it)"
    elif isinstance(exc, jinja2.sandbox.SecurityError):
        message = f"not allowed in a template: {message}"
    elif isinstance(exc, (RecursionError, MemoryError)):
        message = template_exhaustion(exc)
    elif isinstance(exc, jinja2.TemplateSyntaxError):
        message = f"Jinja syntax error: {message}"
    elif isinstance(exc, jinja2.TemplateNotFound):  # an include of /etc/passwd, say: never read
        message = f"template not found: {exc.name}"
    return TemplateError(f"{shown} ({where}{near}): {message}")


def _template_line(exc: BaseException) -> int | None:
    """The template line Jinja was executing (its rewritten traceback names ``<template>``)."""
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == "<template>"]
    return lines[-1] if lines else None


def _paragraph_text(document, part, lineno: int) -> str:
    """The text of the paragraph on ``lineno`` of the XML docxtpl rendered (one paragraph per line)."""
    try:
        if part is None or part is document.docx._part:
            xml = document.get_xml()
        else:
            xml = document.get_part_xml(part)
        lines = re.sub(r"<w:p([ >])", r"\n<w:p\1", document.patch_xml(xml)).splitlines()
        text = re.sub(r"<[^>]+>", "", lines[lineno - 1]) if 0 < lineno <= len(lines) else ""
    except Exception:  # the location is a courtesy; the error itself must still be reported
        return ""
    text = " ".join(text.split())
    return text if len(text) <= 80 else text[:79] + "…"
