"""The briefing PDF (``generate brief``): Jinja HTML + CSS from templates/brief/, laid out by WeasyPrint."""

from __future__ import annotations

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
        from generator.renderers.brief.resources import resource_refs
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
            for ref in resource_refs(html):
                try:
                    resolve_resource(urljoin(base, ref), templates)
                except GenerateError as exc:
                    problems.append(Problem(None, f"brief ({lang})", exc.format_message()))
        return problems


def refuse_outside_resources(html: str, templates: "TemplatePath") -> None:
    """Raise :class:`ResourceError` for the first reference outside the template directories.

    WeasyPrint's fetcher refuses what it loads; this also catches what it would silently
    skip (an iframe, a video poster), so a build and ``generate check`` agree.
    """
    from generator.renderers.brief.pdf import resolve_resource, resource_base
    from generator.renderers.brief.resources import resource_refs

    base = resource_base(templates)
    for ref in resource_refs(html):
        resolve_resource(urljoin(base, ref), templates)
