"""The one-page card (``generate card``): the convention at a glance, for officials at a meeting.

One side of A5 per language: the names, adoption, signature, status and structure, three points
to remember and the sources they come from. Jinja HTML + CSS from templates/card/, laid out by
the same tagged-PDF pipeline as the brief (:mod:`generator.renderers.pdf`), imported while rendering.
"""

from __future__ import annotations

from generator.renderers import Output, Renderer
from generator.renderers.pdf import PDF_VARIANT


class CardRenderer(Renderer):
    """One tagged one-page PDF per language (PDF/UA-1 by default, PDF/A-3b on request)."""

    kind = "card"
    summary = ("Render the one-page card of each language (templates/card/): the convention at a glance, "
               "and update the download page.")
    order = 15
    template = "card/card.html.jinja"
    formats = ("pdf",)
    extent = "pages"
    options = (PDF_VARIANT,)
    heavy_imports = ("generator.renderers.pdf.engine", "generator.renderers.pdf")
    lints_by_language = True
    # A card has no room for the "what changed" box: the brief and the handout carry it.
    shows = frozenset({"draft mark", "marking", "common name", "adoption date", "adopting instrument",
                       "article count", "in force since", "parties", "signing place", "signatories",
                       "signature deadline"})

    def render(self, job):
        from generator.renderers.pdf import html_to_pdf
        from generator.renderers.pdf.resources import refuse_outside_resources

        context = job.context()
        html = self.html(job.env, context)
        refuse_outside_resources(html, job.templates, self.kind)
        pdf = html_to_pdf(html, job.templates, self.kind, job.options.get("pdf_variant") or PDF_VARIANT.default)
        for message in pdf.warnings:
            job.warn(f"card ({job.lang}): WeasyPrint: {message}")
        if pdf.pages != 1:
            job.warn(f"card ({job.lang}): runs to {pdf.pages} pages, not one: shorten the texts it shows "
                     f"(the `short` forms) or the labels, or restyle {self.template}")
        title = context["P"].dash.join((context["i18n"].text(job.loaded.facts.names.common_name), context["L"]["kind_card"]))
        return [Output(self.kind, job.lang, "pdf", job.filename(self.kind, "pdf"), pdf.data, title, pages=pdf.pages)]

    def html(self, env, context: dict) -> str:
        """The card's HTML in the context's language (NFC)."""
        import unicodedata

        from generator.templating.css import css_string
        from generator.templating.environment import render_template

        context.setdefault("css_string", css_string)
        return unicodedata.normalize("NFC", render_template(env, self.template, context))

    def lint(self, build, languages=None):
        """Render the HTML in each language (no layout): template errors and disallowed resources."""
        from generator.renderers.pdf.resources import lint_html

        return lint_html(build, self.kind, lambda lang: self.html(build.environment(), build.template_context(lang)),
                         languages)
