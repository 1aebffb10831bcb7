"""Helpers the brief templates call: graphics layouts, CSS strings, and discrepancy footnotes.

They are added to the ordinary template context (see ``generator.templating.context``) under the
names documented in ``templates/brief/README.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Sequence

from generator.renderers.brief.graphics import (BarChartLayout, TimelineEntry, TimelineLayout, bar_chart_layout,
                                      timeline_layout)
from generator.templating.context import Citations, number_runs
from generator.templating.css import css_string
from generator.errors import TemplateError
from generator.templating.i18n import Localizer
from generator.facts.models import Chapter, Discrepancy, Event
from generator.templating.environment import to_roman

_PLACEHOLDER = re.compile(r"\{(page|pages)\}")


def css_page_counter(label: str) -> str:
    """A label such as ``"Page {page} of {pages}"`` as a CSS ``content`` value with counters."""
    parts = []
    for index, piece in enumerate(_PLACEHOLDER.split(str(label))):
        if index % 2:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append(css_string(piece))
    return " ".join(parts) or '""'


def row_groups(rows: Sequence[object], edge: int = 3) -> list[list[object]]:
    """Table rows grouped so that each group can be kept on one page (``tbody`` per group).

    The first and last ``edge`` rows form groups of their own and every other row stands
    alone: a page break then never strands fewer than ``edge`` rows at either end.
    """
    rows = list(rows)
    if len(rows) <= 2 * edge:
        return [rows] if rows else []
    return [rows[:edge], *([row] for row in rows[edge:-edge]), rows[-edge:]]


@dataclass
class DisputeNotes:
    """Hands out each recorded discrepancy once, as a footnote where its fact is shown.

    ``for_fact(fact)`` gives the discrepancies about ``fact`` not yet footnoted;
    ``remaining()`` lists those no template call claimed, for the closing section.
    """

    citations: Citations
    shown: list[str] = field(default_factory=list)

    def for_fact(self, fact: object) -> list[Discrepancy]:
        found = [d for d in self.citations.disputes(fact) if d.id not in self.shown]
        self.shown += [d.id for d in found]
        return found

    def remaining(self) -> list[Discrepancy]:
        return [d for d in self.citations.facts.discrepancies if d.id not in self.shown]

    def letter(self, item: Discrepancy) -> str:
        """The footnote letter of a discrepancy already handed out: a, b, … z, aa, ab …"""
        return alphabetic(self.shown.index(item.id) + 1)


def alphabetic(number: int) -> str:
    """1 -> ``a``, 26 -> ``z``, 27 -> ``aa``: CSS ``lower-alpha``, which WeasyPrint's footnote
    marker counter also uses, so the letter in the text and at the foot of the page agree."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("a") + rest) + letters
    return letters


class BriefHelpers:
    """Functions the brief templates call, bound to one document's context."""

    def __init__(self, context: dict) -> None:
        self.context = context
        self.i18n: Localizer = context["i18n"]
        self.fonts = context["brand"].fonts
        self.notes = DisputeNotes(context["citations"])

    def label(self, key: str) -> str:
        """A label the Python side needs; a missing one is named with its label file."""
        try:
            return self.context["L"][key]
        except KeyError:
            raise TemplateError(f"labels/{self.context['lang']}.yaml has no label {key!r} (the brief's graphics "
                                f"use it); copy it from labels/en.yaml and translate it") from None

    def cite_links(self, fact: object) -> list[tuple[tuple[int, str], ...]]:
        """Citation marks of ``fact`` as runs of ``(number, accessible name)``: a run of
        consecutive numbers is printed "38–39" with each end linked to its source."""
        citations: Citations = self.context["citations"]
        return [tuple((n, self.source_name(n)) for n in dict.fromkeys((first, last)))
                for first, last in number_runs(citations.numbers(fact))]

    def source_name(self, number: int) -> str:
        """``Source 11: <title>``: what a screen reader says for a citation link."""
        source = self.context["citations"].note(number)[1]  # one lookup: listing every note per mark was quadratic
        return self.label("source_link").format(number=number, title=self.i18n.text(source.title))

    def short_range(self, start: dt.date, end: dt.date | None = None) -> str:
        return self.i18n.date_range(start, end, "short")

    def timeline(self, events: Sequence[Event], width: float, font_size: float = 10.5,
                 show_as_of: bool = True) -> TimelineLayout:
        entries = [TimelineEntry(e.date, e.end, self.short_range(e.date, e.end), self._event_title(e), e.upcoming)
                   for e in events]
        if show_as_of:
            as_of: dt.date = self.context["as_of"]
            entries.append(TimelineEntry(as_of, None, self.i18n.date(as_of, "short"),
                                         self.label("timeline_as_of"), marker=True))
        return timeline_layout(entries, width=width, font_size=font_size, family=self.label_font)

    def _event_title(self, event: Event) -> str:
        text = self.i18n.text(event.title)
        marks = self.context["P"]
        return f"{text}{marks.open_paren}{self.label('upcoming')}{marks.close_paren}" if event.upcoming else text

    def chapter_chart(self, chapters: Sequence[Chapter], width: float, font_size: float = 10.0,
                      row_height: float | None = None) -> BarChartLayout:
        items = [(to_roman(c.number), c.article_count, c.range_confirmed) for c in chapters]
        return bar_chart_layout(items, self.i18n.number, width=width, font_size=font_size,
                                row_height=row_height, family=self.label_font)

    @property
    def label_font(self) -> str:
        """The font the graphics' labels are measured in: the brand's font for the document's script."""
        return self.fonts.for_script(self.i18n.writing.script, self.fonts.body)


def brief_helpers(context: dict) -> dict:
    """The brief-only names added to a template ``context`` (see templates/brief/README.md).

    ``context`` must hold ``brand`` (a :class:`generator.templating.brand.LoadedBrand`): the graphics
    measure their labels in the brand's body font.
    """
    helpers = BriefHelpers(context)
    return {
        "css_string": css_string,
        "css_page_counter": css_page_counter,
        "font_stack": context["brand"].css_font_stack,
        "short_range": helpers.short_range,
        "row_groups": row_groups,
        "timeline_layout": helpers.timeline,
        "chapter_chart": helpers.chapter_chart,
        "cite_links": helpers.cite_links,
        "shared_marks": helpers.context["citations"].shared_marks,
        "shared_sources": helpers.context["citations"].shared_sources,
        "dispute_notes": helpers.notes.for_fact,
        "note_letter": helpers.notes.letter,
        "remaining_disputes": helpers.notes.remaining,
        "footnoted_disputes": lambda: list(helpers.notes.shown),
        # WeasyPrint ignores dir="auto": `tr` isolates right-to-left facts instead (see templating.isolate).
        "isolate_bidi": True,
    }
