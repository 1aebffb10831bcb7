"""Rendering slide decks: the outline template rendered to Markdown, parsed, and laid onto the master deck.

Per language, two files: the editable .pptx and the Markdown outline it was built from
(Marp/Pandoc-compatible). python-pptx is imported only while rendering, never by ``lint``.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence

from generator import __version__
from generator.errors import GenerateError, TemplateError
from generator.renderers import Output, RenderJob
from generator.renderers.ooxml import document_scripts
from generator.renderers.slides.markdown import OUTLINE_TEMPLATE, outline_context, render_outline
from generator.renderers.slides.master import read_master
from generator.renderers.slides.outline import Outline, parse_outline
from generator.renderers.slides.plan import DeckPlan, plan_outline
from generator.renderers.slides.theme import brand_fonts
from generator.facts.yamlsource import Problem

MASTER = "slides/master.pptx"
KIND = "slides"


def outline_name(lang: str) -> str:
    """How messages name the rendered outline of one language."""
    return f"slides outline ({lang})"


def render(job: RenderJob) -> list[Output]:
    """Render, parse and plan the outline, then build the deck; limit problems are warnings."""
    from generator.renderers.slides.pptx import build_pptx

    brand = job.get_brand()
    context = outline_context(job.build, job.lang, job.options.get("slides") or ())
    text, outline, plan = _prepare(job.env, context, job.lang, job.templates)
    if plan.errors:
        raise TemplateError("\n".join(f"{outline_name(job.lang)}: {error}" for error in plan.errors))
    for problem in plan.problems:
        job.warn(f"{outline_name(job.lang)}: {problem}")
    data = build_pptx(plan, outline, job.templates.find(MASTER), deck_info(job, context),
                      document_scripts(job.build, job.lang, brand.fonts), brand if brand.custom else None)
    title = context["i18n"].text(job.loaded.facts.document.title)
    count = len(plan.slides)
    return [
        Output(KIND, job.lang, "pptx", job.filename(KIND, "pptx"), data, title, slides=count),
        Output(KIND, job.lang, "md", job.filename(KIND, "md"), text.encode("utf-8"), title, slides=count),
    ]


def lint(build, languages: Sequence[str] | None = None) -> list[Problem]:
    """Render the outline in each of ``languages`` (default: every language) and report what breaks
    the format or the limits; the fact file's own problems (over-long ``short`` texts) belong to no
    language: reported unless ``languages`` names some."""
    env = build.environment()
    problems: list[Problem] = _short_texts(build.loaded) if not languages else []
    for lang in build.facts.languages if languages is None else languages:
        name = outline_name(lang)
        try:
            context = outline_context(build, lang, build.options.get("slides") or ())
            _, _, plan = _prepare(env, context, lang, build.templates)
        except GenerateError as exc:  # outline errors already start with the outline's name
            problems += [Problem(None, "" if line.startswith(name) else name, line)
                         for line in exc.format_message().splitlines()]
            continue
        problems += [Problem(None, name, message) for message in plan.errors]
        # Limits are warnings here as in a build (errors with --strict in both).
        problems += [Problem(None, name, message, "warning") for message in plan.problems]
    return problems


def _short_texts(loaded) -> list[Problem]:
    """A statement's ``short`` version exists for slides: one longer than a slide bullet is
    reported at its place in the fact file (the slide then shortens it on its own)."""
    from generator.facts.models import Statement, instances
    from generator.facts.yamlsource import format_path
    from generator.renderers.slides.outline import MAX_BULLET_CHARS

    problems = []
    for path, value in instances(loaded.facts, Statement):
        if value.short is None:
            continue
        for lang, text in value.short.root.items():
            length = len(" ".join(text.split()))  # as the slides measure it: spaces collapsed
            if length > MAX_BULLET_CHARS:
                where = path + ("short", lang)
                problems.append(Problem(loaded.document.position(where), format_path(where),
                                        f"expected a short text of at most {MAX_BULLET_CHARS} characters "
                                        f"(a slide bullet), found {length}; shorten it",
                                        "warning"))
    return problems


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
