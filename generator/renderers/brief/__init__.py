"""The briefing PDF (``generate brief``): Jinja HTML + CSS from templates/brief/, laid out by WeasyPrint.

Only the declaration lives here: the HTML is made in :mod:`.html`, the PDF in
:mod:`generator.renderers.pdf`, both imported while rendering.
"""

from __future__ import annotations

from generator.renderers import Output, Renderer
from generator.renderers.pdf import PDF_VARIANT


class BriefRenderer(Renderer):
    """One tagged PDF per language (PDF/UA-1 by default, PDF/A-3b on request)."""

    kind = "brief"
    summary = "Render the briefing PDF of each language (templates/brief/), and update the download page."
    order = 10
    template = "brief/brief.html.jinja"
    formats = ("pdf",)
    extent = "pages"
    options = (PDF_VARIANT,)
    heavy_imports = ("generator.renderers.pdf.engine", "fontTools.ttLib", "generator.renderers.pdf", "generator.renderers.brief.html")
    lints_by_language = True

    def render(self, job):
        from generator.renderers.brief.html import render_html
        from generator.renderers.pdf import html_to_pdf
        from generator.renderers.pdf.resources import refuse_outside_resources

        variant = job.options.get("pdf_variant") or PDF_VARIANT.default
        context = job.context()
        html = render_html(job.env, context, job.templates, job.options.get("brand"))  # context holds job's brand
        refuse_outside_resources(html, job.templates, self.kind)
        pdf = html_to_pdf(html, job.templates, self.kind, variant)
        for message in pdf.warnings:
            job.warn(f"brief ({job.lang}): WeasyPrint: {message}")
        title = context["i18n"].text(job.loaded.facts.document.title)
        return [Output(kind=self.kind, lang=job.lang, format="pdf", path=job.filename(self.kind, "pdf"),
                       data=pdf.data, title=title, pages=pdf.pages)]

    def lint(self, build, languages=None):
        """Render the HTML in each language (no WeasyPrint): template errors and disallowed resources."""
        from generator.renderers.brief.html import render_html
        from generator.renderers.pdf.resources import lint_html

        return lint_html(build, self.kind, lambda lang: render_html(build.environment(), build.template_context(lang),
                                                                   build.templates), languages)
