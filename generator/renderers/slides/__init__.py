"""Slide decks: the outline template rendered to Markdown, parsed, and laid onto the master deck.

Per language, two files: the editable .pptx and the Markdown outline it was built from
(Marp/Pandoc-compatible). python-pptx is imported only while rendering, never by ``lint``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import click

from generator import __version__
from generator.templating.brand import load_brand
from generator.errors import GenerateError, TemplateError
from generator.renderers import Output, Renderer, RenderJob
from generator.renderers.slides.markdown import OUTLINE_TEMPLATE, outline_context, render_outline
from generator.renderers.slides.master import read_master
from generator.renderers.slides.outline import Outline, parse_outline
from generator.renderers.slides.plan import DeckPlan, plan_outline
from generator.renderers.slides.theme import brand_fonts
from generator.templating.environment import create_environment
from generator.facts.yamlsource import Problem

MASTER = "slides/master.pptx"
KIND = "slides"


def outline_name(lang: str) -> str:
    """How messages name the rendered outline of one language."""
    return f"slides outline ({lang})"


class SlidesRenderer(Renderer):
    """The slide deck (.pptx) and its Markdown outline (.md) of one language."""

    kind = KIND
    template = OUTLINE_TEMPLATE

    def render(self, job: RenderJob) -> list[Output]:
        """Render, parse and plan the outline, then build the deck; limit problems are warnings."""
        from generator.renderers.slides.pptx import build_pptx

        brand = job.get_brand()
        context = outline_context(job.loaded, job.lang, job.templates, brand, job.options.get("slides") or ())
        text, outline, plan = _prepare(job.env, context, job.lang, job.templates)
        if plan.errors:
            raise TemplateError("\n".join(f"{outline_name(job.lang)}: {error}" for error in plan.errors))
        for problem in plan.problems:
            click.echo(f"warning: {outline_name(job.lang)}: {problem}", err=True)
        data = build_pptx(plan, outline, job.templates.find(MASTER), deck_info(job, context),
                          brand if brand.custom else None)
        title = context["i18n"].text(job.loaded.facts.document.title)
        count = len(plan.slides)
        return [
            Output(KIND, job.lang, "pptx", job.filename(KIND, "pptx"), data, title, slides=count),
            Output(KIND, job.lang, "md", job.filename(KIND, "md"), text.encode("utf-8"), title, slides=count),
        ]

    def lint(self, loaded, templates) -> list[Problem]:
        """Render the outline in every language and report what breaks the format or the limits."""
        env = create_environment(templates)
        problems: list[Problem] = []
        for lang in loaded.facts.languages:
            name = outline_name(lang)
            try:
                context = outline_context(loaded, lang, templates, load_brand(templates), _configured_slides())
                _, _, plan = _prepare(env, context, lang, templates)
            except GenerateError as exc:  # outline errors already start with the outline's name
                problems += [Problem(None, "" if line.startswith(name) else name, line)
                             for line in exc.format_message().splitlines()]
                continue
            problems += [Problem(None, name, message) for message in plan.errors]
            # Limits are warnings here as in a build (errors with --strict in both).
            problems += [Problem(None, name, message, "warning") for message in plan.problems]
        return problems



def _configured_slides() -> tuple:
    """The ``slides`` setting of generate.toml, for ``generate check``."""
    from generator.commands.config import load_config

    return load_config().get("slides") or ()


def _prepare(env, context: dict, lang: str, templates) -> tuple[str, Outline, DeckPlan]:
    """The outline text (NFC), its parse and its plan on the master."""
    text = unicodedata.normalize("NFC", render_outline(env, context))
    outline = parse_outline(text, outline_name(lang))
    master = read_master(templates.find(MASTER)).with_fonts(*brand_fonts(context["brand"]))  # as build_pptx restyles it
    return text, outline, plan_outline(outline, master)


def deck_info(job: RenderJob, context: dict):
    """Core properties from the fact file (nothing from the library's template)."""
    from generator.renderers.ooxml import DocumentProperties

    facts = job.loaded.facts
    document = facts.document
    i18n = context["i18n"]
    keywords = document.keywords.get(job.lang) or document.keywords.get(facts.primary_language) or []
    as_of = document.as_of
    issuer = context["brand"].organization or document.issuer  # no issuer unless one is given
    return DocumentProperties(
        title=i18n.text(document.title),
        subject=i18n.text(document.subject),
        creator=i18n.text(issuer) if issuer else "",
        keywords=list(keywords),
        language=context["language_tag"],
        category=i18n.text(document.marking) if document.marking else "",
        content_status=context["L"]["draft_mark"] if context["draft"] else "",
        description=context["L"].get("generated_with", "").format(version=__version__, date=i18n.date(as_of)),
        identifier=f"{job.loaded.path.stem}-{KIND}-{job.lang}",
        version=as_of.isoformat(),
        created=dt.datetime(as_of.year, as_of.month, as_of.day, tzinfo=dt.timezone.utc),
    )
