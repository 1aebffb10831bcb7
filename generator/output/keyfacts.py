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
KEY_FACTS = ("draft mark", "marking", "what-changed heading", "common name", "adoption date", "adopting instrument",
             "article count", "in force since", "parties", "signing place", "signatories",
             "signature deadline")


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
    chapters = len(facts.structure.chapters) if facts.structure is not None else 0
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
    state = []
    reference = _instrument_reference(facts.adoption, i18n)
    if reference:
        state.append(KeyFact("adopting instrument", reference))
    if facts.structure is not None:
        # The whole phrase, as every kind writes it from the same label: "68 articles in 9 chapters",
        # "68 статей в 9 главах", "共9章68条" (a count and its noun are not two phrases in every language).
        articles = i18n.number(facts.structure.article_count.value)
        if chapters and "structure_summary" in labels:
            phrase = labels["structure_summary"].format(articles=articles, chapters=i18n.number(chapters))
        else:
            phrase = f"{articles} {labels.get('articles', '')}".strip()
        state.append(KeyFact("article count", phrase))
    # What varies by treaty is looked for only where the file has it: a treaty in force states
    # its date and parties; one open for signature, its deadline.
    if facts.in_force_since is not None:
        state.append(KeyFact("in force since", i18n.date(facts.in_force_since)))
    if facts.parties is not None:
        state.append(KeyFact("parties", i18n.number(facts.parties.value)))
    ceremony = facts.signature.ceremony if facts.signature is not None else None
    if ceremony is not None:
        state.append(KeyFact("signing place", i18n.text(ceremony.place)))
    if facts.signatories is not None:
        state.append(KeyFact("signatories", i18n.number(facts.signatories.value)))
    if facts.open_until is not None and facts.in_force_since is None:
        state.append(KeyFact("signature deadline", i18n.date(facts.open_until.date)))
    return marks + [
        KeyFact("common name", i18n.text(facts.names.common)),
        KeyFact("adoption date", i18n.date(facts.adoption.date)),
        *state,
    ]


def _instrument_reference(holder, i18n: Localizer) -> str | None:
    """What identifies the adopting act in every document: its reference ("79/243") or its name;
    None when the file names no act (every kind words the act around it in its own way)."""
    act = holder.instrument
    if act is None:
        return holder.resolution
    if act.name is not None:
        return i18n.text(act.name)
    return act.reference if act.kind != "none" else None
