"""The briefing PDF (``generate brief``): Jinja HTML + CSS from templates/brief/, laid out by WeasyPrint."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import click

from generator.renderers.brief.context import brief_helpers
from generator.errors import GenerateError
from generator.renderers import Output, RenderJob, Renderer
from generator.templating import render_template

if TYPE_CHECKING:
    from pathlib import Path

    import jinja2

    from generator.facts import LoadedFacts
    from generator.templating import TemplatePath
    from generator.yamlsource import Problem

#: The document template; override it (or extend it) in your --templates directory.
TEMPLATE = "brief/brief.html.jinja"
DEFAULT_VARIANT = "pdf/ua-1"
# Resource references WeasyPrint would fetch: src/href attributes of fetched elements and CSS url().
_RESOURCE_REF = re.compile(r"""(?:<(?:img|link|image|use|object|embed|iframe|source|video|audio)\b[^>]*?"""
                           r"""\b(?:src|href|xlink:href|data)\s*=\s*["']([^"']+)["'])|url\(\s*["']?([^"')]+)""",
                           re.IGNORECASE)


def render_html(env: "jinja2.Environment", context: dict, templates: "TemplatePath",
                brand_file: "Path | None" = None) -> str:
    """The brief's HTML for one language (NFC), from ``context`` plus the brand and the brief's helpers."""
    from generator.brand import load_brand

    if "brand" not in context:
        context["brand"] = load_brand(templates, brand_file)
    context.update(brief_helpers(context))
    return unicodedata.normalize("NFC", render_template(env, TEMPLATE, context))


class BriefRenderer(Renderer):
    """One tagged PDF per language (PDF/UA-1 by default, PDF/A-3b on request)."""

    kind = "brief"

    def render(self, job: RenderJob) -> list[Output]:
        from generator.renderers.brief.pdf import html_to_pdf

        variant = job.options.get("pdf_variant") or DEFAULT_VARIANT
        context = job.context()
        html = render_html(job.env, context, job.templates, job.options.get("brand"))  # context holds job's brand
        pdf = html_to_pdf(html, job.templates, variant)
        for message in pdf.warnings:
            click.echo(f"warning: brief ({job.lang}): WeasyPrint: {message}", err=True)
        title = context["i18n"].text(job.loaded.facts.document.title)
        return [Output(kind=self.kind, lang=job.lang, format="pdf", path=job.filename(self.kind, "pdf"),
                       data=pdf.data, title=title, pages=pdf.pages)]

    def lint(self, loaded: "LoadedFacts", templates: "TemplatePath") -> list["Problem"]:
        """Render the HTML in every language (no WeasyPrint): template errors and disallowed resources."""
        from generator.renderers.brief.pdf import resolve_resource, resource_base
        from generator.context import build_context
        from generator.templating import create_environment
        from generator.yamlsource import Problem

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
    """Files and URLs the HTML would make WeasyPrint fetch (``data:`` URLs and fragments excluded)."""
    refs = (ref.strip() for pair in _RESOURCE_REF.findall(html) for ref in pair if ref)
    return [ref for ref in dict.fromkeys(refs) if not ref.startswith(("data:", "#"))]
