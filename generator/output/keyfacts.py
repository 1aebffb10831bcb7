"""The facts every document must state, in each language: the cross-format consistency gate."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.facts.editions import edition_changes
from generator.templating.i18n import Localizer
from generator.facts.models import FactFile

if TYPE_CHECKING:
    from generator.facts.editions import PreviousEdition


#: Every key fact by name: a kind declares the ones its documents state (``Renderer.shows``).
KEY_FACTS = ("draft mark", "marking", "what-changed heading", "common name", "adoption date", "adopting resolution",
             "article count", "chapter count", "signing place", "signatories")


@dataclass(frozen=True)
class KeyFact:
    """A fact as it must appear, verbatim, in a document of one language."""

    name: str
    """What it is, for messages (``adoption date``)."""
    text: str
    """The exact text expected in the document (``ngày 24 tháng 12 năm 2024``)."""


def key_facts(facts: FactFile, i18n: Localizer, previous: "PreviousEdition | None" = None) -> list[KeyFact]:
    """Names, dates and numbers that every document in ``i18n.lang`` states, formatted as templates format them.

    Also what every document must carry for the file's ``document`` settings: the draft mark of a
    draft, the marking when one is given, and, with a previous edition that the documents report
    changes against, the heading of the "what changed" box, paragraph or slide.
    """
    labels = i18n.labels.text
    chapters = len(facts.structure.chapters)
    document = facts.document
    marks = []
    if document.status != "cleared":
        marks.append(KeyFact("draft mark", labels.get("draft_mark", "DRAFT")))
    if document.marking is not None:
        marks.append(KeyFact("marking", i18n.text(document.marking)))
    edition = edition_changes(facts, previous, labels)
    if edition:
        heading = labels.get("edition_changes", "{date}").format(date=i18n.date(edition.previous_as_of))
        marks.append(KeyFact("what-changed heading", heading))
    return marks + [
        KeyFact("common name", i18n.text(facts.names.common_name)),
        KeyFact("adoption date", i18n.date(facts.adoption.date)),
        KeyFact("adopting resolution", facts.adoption.resolution),
        KeyFact("article count", f"{i18n.number(facts.structure.article_count.value)} {labels.get('articles', '')}".strip()),
        KeyFact("chapter count", f"{i18n.number(chapters)} {labels.get('chapters', '')}".strip()),
        KeyFact("signing place", i18n.text(facts.signature.ceremony.place)),
        KeyFact("signatories", i18n.number(facts.signature.signatories.value)),
    ]

