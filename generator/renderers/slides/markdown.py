"""Render the slide outline template: Markdown escaping of facts, citation helpers, slide budgets.

The outline is Markdown, and the parser reads its structure from the text, so facts must
never add structure. Like HTML autoescaping, every ``{{ value }}`` in the outline template
is escaped for Markdown automatically (newlines collapsed, ``# - * _ [ ] | < > `` and
friends backslash-escaped); ``| note`` escapes for speaker notes (HTML comments) instead,
``| yaml`` for front-matter values, and ``| safe`` lets template-made Markdown through.
"""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field

import jinja2
from jinja2 import pass_context
from markupsafe import Markup

from generator.templating.context import Citations, citation_mark
from generator.errors import TemplateError
from generator.facts.models import Source
from generator.renderers.slides.outline import MAX_BULLET_CHARS, MAX_BULLETS, MAX_TIMELINE_EVENTS
from generator.templating.environment import render_template
from generator.templating.paths import TemplatePath

OUTLINE_TEMPLATE = "slides/outline.md.jinja"

_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]{}<>#|~$^&])")
_LINE_START = re.compile(r"^([-+=:>%])")
_ORDERED_START = re.compile(r"^(\d+)([.)])")


class MarkdownText(str):
    """Text that is already valid outline Markdown: not escaped again."""


def escape_markdown(value: object) -> MarkdownText:
    """``value`` as literal Markdown inline text that cannot start or end any structure."""
    if isinstance(value, (MarkdownText, Markup)):
        return MarkdownText(value)
    text = " ".join(str(value).split())
    text = _INLINE_SPECIAL.sub(r"\\\1", text)
    text = _LINE_START.sub(r"\\\1", text)
    text = _ORDERED_START.sub(r"\1\\\2", text)
    return MarkdownText(text)


def escape_note(value: object) -> MarkdownText:
    """``value`` as text inside a speaker-note comment: one line, and it cannot close the comment."""
    if isinstance(value, MarkdownText):
        return value
    text = " ".join(str(value).split())
    text = text.replace("-->", "-- >").replace("--!>", "-- !>").replace("<!--", "< !--")
    return MarkdownText(text)


def yaml_scalar(value: object) -> MarkdownText:
    """``value`` as a double-quoted YAML scalar on one line (JSON strings are valid YAML).

    It may stand inside the layout comment, so it cannot close that comment either.
    """
    return MarkdownText(json.dumps(escape_note(value), ensure_ascii=False))


@dataclass
class SlideCitations(Citations):
    """Citations that also remember which sources were cited since the last slide's list."""

    recent: set[int] = field(default_factory=set)

    def numbers(self, fact: object) -> list[int]:
        found = super().numbers(fact)
        self.recent.update(found)
        return found

    def take_recent(self) -> list[tuple[int, Source]]:
        """``(number, source)`` cited since the previous call, in number order."""
        taken = [self.note(number) for number in sorted(self.recent)]
        self.recent.clear()
        return taken


@pass_context
def _cite(ctx, fact) -> MarkdownText:
    """``{{ fact | cite }}`` -> ``[3–5, 9]``, a citation mark the parser recognizes."""
    return MarkdownText(citation_mark(ctx["citations"].numbers(fact)))


@pass_context
def _slide_sources(ctx) -> list[tuple[int, Source]]:
    """``slide_sources()``: the sources cited on this slide so far, for its speaker notes."""
    return ctx["citations"].take_recent()


@pass_context
def _fitting(ctx, items, count: int = MAX_BULLETS, attribute: str = "text", reserve: int = 0) -> tuple[list, list]:
    """``items | fitting(3)`` -> ``(shown, rest)``: the first ``count`` items short enough for a
    bullet in EVERY language (so all language versions show the same facts), and the others.

    ``attribute`` names the field shown (``text``, ``title``, ``by``); ``reserve`` counts
    characters the template adds around it. An item with a ``short`` version is measured by
    it, since templates show it then: ``{{ (item.short or item) | tr }}``.
    """
    shown, rest = [], []
    for item in items:
        short = getattr(item, "short", None)
        value = short if short is not None else getattr(item, attribute) if attribute else item
        texts = value.root.values() if hasattr(value, "root") else [str(value)]
        fits = all(len(" ".join(t.split())) + reserve <= MAX_BULLET_CHARS for t in texts)
        (shown if fits and len(shown) < count else rest).append(item)
    return shown, rest


def _clip(text: str, reserve: int = 0) -> str:
    """``{{ title | tr | clip(12) }}``: ``text`` cut at a word boundary with "…" so that it fits a
    bullet with ``reserve`` characters the template adds: a slide shortens what is too long
    for it, and the speaker notes keep the whole text. The limit shapes the slide, never the facts."""
    words = " ".join(str(text).split())
    room = MAX_BULLET_CHARS - reserve
    if len(words) <= room:
        return text
    cut = words[:room - 1].rsplit(" ", 1)[0].rstrip(",;:–—-")
    return cut + "…"


def _timeline_pick(events: list, limit: int = MAX_TIMELINE_EVENTS) -> list:
    """``facts.timeline | timeline_pick``: at most ``limit`` events, in date order, for the slide's
    timeline: every event when they fit; else the events marked ``major``, the upcoming ones, the
    first and the last, then others spread evenly over the rest (the notes list them all)."""
    events = list(events)
    if len(events) <= limit:
        return events
    chosen = {0, len(events) - 1}
    for priority in (lambda e: e.major, lambda e: e.upcoming):
        for index, event in enumerate(events):
            if len(chosen) < limit and priority(event):
                chosen.add(index)
    rest = [index for index in range(len(events)) if index not in chosen]
    room = limit - len(chosen)
    if room > 0 and rest:
        step = len(rest) / room
        chosen.update(rest[int(step * n + step / 2)] for n in range(room))
    return [events[index] for index in sorted(chosen)]


SLIDE_BLOCK = "slide_"


@pass_context
def _deck_slides(ctx, default: list[str]) -> list[dict]:
    """``deck_slides([...])``: the slides to show, in order: the ``slides`` setting, else ``default``.

    Each id names a block ``slide_<id>`` of the outline (or of a template extending it), or a
    file ``slides/<id>.md.jinja`` on the template path, which is then included as one slide.
    """
    order = list(ctx.get("slide_order") or default)
    blocks = sorted(name[len(SLIDE_BLOCK):] for name in ctx.blocks if name.startswith(SLIDE_BLOCK))
    slides = []
    for slide_id in order:
        if slide_id in blocks:
            slides.append({"id": slide_id, "block": SLIDE_BLOCK + slide_id, "template": None})
            continue
        name = f"slides/{slide_id}.md.jinja"
        try:
            ctx.environment.get_template(name)
        except jinja2.TemplateNotFound:
            close = difflib.get_close_matches(str(slide_id), blocks, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise TemplateError(f"slides setting: expected the id of a slide ({', '.join(blocks)}) or a template "
                                f"slides/<id>.md.jinja, found unknown slide {slide_id!r}{hint}") from None
        slides.append({"id": slide_id, "block": None, "template": name})
    return slides


def outline_environment(env: jinja2.Environment) -> jinja2.Environment:
    """An overlay of the project environment for outline templates: Markdown autoescaping,
    the ``md``/``note``/``yaml`` filters, Markdown-safe ``cite``, ``fitting`` and ``slide_sources()``.

    It has its own template cache, so templates compiled for other kinds are never reused
    without the escaping.
    """
    overlay = env.overlay(finalize=escape_markdown, cache_size=50)
    overlay.filters = dict(env.filters)
    overlay.globals = dict(env.globals)
    overlay.filters.update(md=escape_markdown, note=escape_note, yaml=yaml_scalar, cite=_cite, fitting=_fitting,
                           clip=_clip, timeline_pick=_timeline_pick)
    overlay.globals.update(slide_sources=_slide_sources, deck_slides=_deck_slides, max_bullets=MAX_BULLETS, max_bullet_chars=MAX_BULLET_CHARS)
    return overlay


def markdown_punctuation(punctuation) -> dict:
    """The label file's punctuation (``P``) as outline Markdown: escaped like any value, but with
    its spaces kept (:func:`escape_markdown` folds the space of ", " away)."""
    def escaped(text: str) -> MarkdownText:
        return MarkdownText(_INLINE_SPECIAL.sub(r"\\\1", text))

    return {name: [escaped(mark) for mark in value] if isinstance(value, list) else escaped(value)
            for name, value in punctuation.model_dump().items()}


def outline_context(build, lang: str, slide_order=()) -> dict:
    """The build's template context, with citations that track each slide's sources,
    ``slide_order`` (the ``slides`` setting: slide ids in order; empty for the outline's own) and
    the punctuation ``P`` as Markdown."""
    context = build.template_context(lang)
    context["P"] = markdown_punctuation(context["P"])
    context["citations"] = SlideCitations(build.facts)
    context["slide_order"] = list(slide_order)
    return context


def render_outline(env: jinja2.Environment, context: dict) -> str:
    """The rendered outline Markdown (TemplateError naming file and line on template bugs)."""
    return render_template(outline_environment(env), OUTLINE_TEMPLATE, context)

