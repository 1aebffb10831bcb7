"""The facts every document must state, in each language: the cross-format consistency gate."""

from __future__ import annotations

from dataclasses import dataclass

from generator.i18n import Localizer
from generator.models import FactFile


@dataclass(frozen=True)
class KeyFact:
    """A fact as it must appear, verbatim, in a document of one language."""

    name: str
    """What it is, for messages (``adoption date``)."""
    text: str
    """The exact text expected in the document (``ngày 24 tháng 12 năm 2024``)."""


def key_facts(facts: FactFile, i18n: Localizer) -> list[KeyFact]:
    """Names, dates and numbers that every document in ``i18n.lang`` states, formatted as templates format them."""
    labels = i18n.labels.text
    chapters = len(facts.structure.chapters)
    return [
        KeyFact("common name", i18n.text(facts.names.common_name)),
        KeyFact("adoption date", i18n.date(facts.adoption.date)),
        KeyFact("adopting resolution", facts.adoption.resolution),
        KeyFact("article count", f"{i18n.number(facts.structure.article_count.value)} {labels.get('articles', '')}".strip()),
        KeyFact("chapter count", f"{i18n.number(chapters)} {labels.get('chapters', '')}".strip()),
        KeyFact("signing place", i18n.text(facts.signature.ceremony.place)),
        KeyFact("signatories", i18n.number(facts.signature.signatories.value)),
    ]
