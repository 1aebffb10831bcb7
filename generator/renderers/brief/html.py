"""The brief's HTML: templates/brief/brief.html.jinja rendered with the brief's helpers."""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from generator.renderers.brief.context import brief_helpers
from generator.templating.environment import render_template

if TYPE_CHECKING:
    from pathlib import Path

    import jinja2

    from generator.templating.paths import TemplatePath

#: The document template; override it (or extend it) in your --templates directory.
TEMPLATE = "brief/brief.html.jinja"


def render_html(env: "jinja2.Environment", context: dict, templates: "TemplatePath",
                brand_file: "Path | None" = None) -> str:
    """The brief's HTML for one language (NFC), from ``context`` plus the brand and the brief's helpers."""
    from generator.templating.brand import load_brand

    if "brand" not in context:
        context["brand"] = load_brand(templates, brand_file)
    context.update(brief_helpers(context))
    return unicodedata.normalize("NFC", render_template(env, TEMPLATE, context))
