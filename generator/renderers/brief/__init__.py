"""The briefing PDF (``generate brief``): Jinja HTML + CSS from templates/brief/, laid out by WeasyPrint."""

from __future__ import annotations

import html as html_module
import re
import unicodedata
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import click

from generator.renderers.brief.context import brief_helpers
from generator.errors import GenerateError
from generator.renderers import Output, RenderJob, Renderer
from generator.templating.environment import render_template

if TYPE_CHECKING:
    from pathlib import Path

    import jinja2

    from generator.facts.load import LoadedFacts
    from generator.templating.environment import TemplatePath
    from generator.facts.yamlsource import Problem

#: The document template; override it (or extend it) in your --templates directory.
TEMPLATE = "brief/brief.html.jinja"
DEFAULT_VARIANT = "pdf/ua-1"
# Resource references WeasyPrint would (or a browser might) fetch: URL attributes of the elements that
# load something, and url()/@import in stylesheets. Facts are escaped, so they never form a tag; in
# CSS a fact can only be a string literal, which the scanner steps over as a whole.
_FETCHING_TAG = re.compile(r"<(?:img|link|image|use|object|embed|iframe|source|video|audio|input|track)\b[^>]*>"
                           r"""|<a\b[^>]*\brel\s*=\s*["'][^"']*\battachment\b[^>]*>""", re.IGNORECASE)
_URL_ATTRIBUTE = re.compile(r"""\b(?:src|href|xlink:href|data|poster)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_STYLE = re.compile(r"""<style\b[^>]*>(.*?)</style\s*>|\bstyle\s*=\s*(?:"([^"]*)"|'([^']*)')""",
                    re.IGNORECASE | re.DOTALL)
_CSS_REFERENCE = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)"'\s]*))\s*\)|@import\s*(?:"([^"]*)"|'([^']*)')"""
                            r"""|"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'""", re.IGNORECASE)


def render_html(env: "jinja2.Environment", context: dict, templates: "TemplatePath",
                brand_file: "Path | None" = None) -> str:
    """The brief's HTML for one language (NFC), from ``context`` plus the brand and the brief's helpers."""
    from generator.templating.brand import load_brand

    if "brand" not in context:
        context["brand"] = load_brand(templates, brand_file)
    context.update(brief_helpers(context))
    return unicodedata.normalize("NFC", render_template(env, TEMPLATE, context))


class BriefRenderer(Renderer):
    """One tagged PDF per language (PDF/UA-1 by default, PDF/A-3b on request)."""

    kind = "brief"
    template = TEMPLATE

    def render(self, job: RenderJob) -> list[Output]:
        from generator.renderers.brief.pdf import html_to_pdf

        variant = job.options.get("pdf_variant") or DEFAULT_VARIANT
        context = job.context()
        html = render_html(job.env, context, job.templates, job.options.get("brand"))  # context holds job's brand
        refuse_outside_resources(html, job.templates)
        pdf = html_to_pdf(html, job.templates, variant)
        for message in pdf.warnings:
            click.echo(f"warning: brief ({job.lang}): WeasyPrint: {message}", err=True)
        title = context["i18n"].text(job.loaded.facts.document.title)
        return [Output(kind=self.kind, lang=job.lang, format="pdf", path=job.filename(self.kind, "pdf"),
                       data=pdf.data, title=title, pages=pdf.pages)]

    def lint(self, loaded: "LoadedFacts", templates: "TemplatePath") -> list["Problem"]:
        """Render the HTML in every language (no WeasyPrint): template errors and disallowed resources."""
        from generator.renderers.brief.pdf import resolve_resource, resource_base
        from generator.templating.context import build_context
        from generator.templating.environment import create_environment
        from generator.facts.yamlsource import Problem

        env = create_environment(templates)
        base = resource_base(templates)
        problems: list[Problem] = []
        for lang in loaded.facts.languages:
            try:
                html = render_html(env, build_context(loaded, lang, templates), templates)
            except GenerateError as exc:
                problems.append(Problem(None, f"brief ({lang})", exc.format_message()))
                continue
            for ref in _resource_refs(html):
                try:
                    resolve_resource(urljoin(base, ref), templates)
                except GenerateError as exc:
                    problems.append(Problem(None, f"brief ({lang})", exc.format_message()))
        return problems


def _resource_refs(html: str) -> list[str]:
    """Files and URLs the HTML would make WeasyPrint fetch (``data:`` URLs and fragments excluded).

    Only markup and stylesheets count: a fact that mentions ``url(http://…)`` is text.
    """
    refs = [value for tag in _FETCHING_TAG.findall(html)
            for match in _URL_ATTRIBUTE.findall(tag) for value in match if value]
    for match in _STYLE.findall(html):
        css = html_module.unescape(match[1] or match[2]) if not match[0] else match[0]
        refs += [value for groups in _CSS_REFERENCE.findall(css) for value in groups if value]
    refs = (html_module.unescape(ref).strip() for ref in refs)
    return [ref for ref in dict.fromkeys(refs) if ref and not ref.startswith(("data:", "#"))]


def refuse_outside_resources(html: str, templates: "TemplatePath") -> None:
    """Raise :class:`ResourceError` for the first reference outside the template directories.

    WeasyPrint's fetcher refuses what it loads; this also catches what it would silently
    skip (an iframe, a video poster), so a build and ``generate check`` agree.
    """
    from generator.renderers.brief.pdf import resolve_resource, resource_base

    base = resource_base(templates)
    for ref in _resource_refs(html):
        resolve_resource(urljoin(base, ref), templates)
