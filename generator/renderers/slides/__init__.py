"""Slide decks (``generate slides``): the outline template rendered to Markdown, parsed, laid onto the master.

Only the declaration lives here; the rendering is in :mod:`.deck` (python-pptx is imported only
while rendering, never by ``lint``).
"""

from __future__ import annotations

from generator.renderers import KindOption, Renderer


class SlidesRenderer(Renderer):
    """The slide deck (.pptx) and its Markdown outline (.md) of one language."""

    kind = "slides"
    summary = ("Render the slide deck (.pptx) and Markdown outline of each language (templates/slides/), "
               "and update the download page.")
    order = 30
    template = "slides/outline.md.jinja"
    formats = ("pptx", "md")
    extent = "slides"
    options = (KindOption("slides", "slides of the deck, in order (ids of the outline's blocks)", command_line=False,
                          example='["title", "timeline"]', items="slide ids", shown_default="every slide of the outline"),)
    heavy_imports = ("pptx", "generator.renderers.slides.deck", "generator.renderers.slides.pptx")
    lints_by_language = True

    def render(self, job):
        from generator.renderers.slides.deck import render

        return render(job)

    def lint(self, build, languages=None):
        from generator.renderers.slides.deck import lint

        return lint(build, languages)
