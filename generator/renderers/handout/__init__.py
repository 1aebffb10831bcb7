"""The Word handout (``generate handout``): templates/handout/handout.docx with Jinja tags, per language.

Only the declaration lives here; the rendering is in :mod:`.document` (docxtpl and python-docx
are imported there, and only while rendering; ``lint`` reads the template with zipfile and lxml).
"""

from __future__ import annotations

from generator.renderers import Renderer


class HandoutRenderer(Renderer):
    """One .docx per language from ``templates/handout/handout.docx``."""

    kind = "handout"
    summary = "Render the Word handout (.docx) of each language (templates/handout/), and update the download page."
    order = 20
    template = "handout/handout.docx"
    formats = ("docx",)
    extent = "pages"  # never counted: Word lays a .docx out on the reader's machine
    heavy_imports = ("docxtpl", "docx", "generator.renderers.handout.document")

    def render(self, job):
        from generator.renderers.handout.document import render

        return render(job)

    def lint(self, build, languages=None):
        # Every language at once (not lints_by_language): the template is checked against the
        # types that all languages' contexts give each name.
        from generator.renderers.handout.document import lint

        return lint(build)
