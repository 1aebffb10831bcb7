"""Facts + one language -> the context every template of a document renders from."""

from __future__ import annotations

from dataclasses import dataclass, field

from generator import __version__
from generator.facts import LoadedFacts
from generator.i18n import Localizer, load_labels
from generator.models import Discrepancy, FactFile, Source, Sourced, walk
from generator.templating import TemplatePath
from generator.yamlsource import format_path


@dataclass
class Citations:
    """Numbers sources in order of first citation within one document.

    Templates cite as they go (``cite_numbers(fact)``) and list ``citations.notes()`` at
    the end, so the numbers follow reading order and only cited sources are listed.
    """

    facts: FactFile
    order: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._paths = {id(value): format_path(path) for path, value in walk(self.facts)}
        self._disputes: dict[str, list[Discrepancy]] = {}
        for item in self.facts.discrepancies:
            if item.concerns:
                self._disputes.setdefault(item.concerns, []).append(item)

    def number(self, source_id: str) -> int:
        """The note number of a source, assigning the next number on first use."""
        if source_id not in self.order:
            self.facts.source(source_id)  # KeyError for an unknown id: the loader prevents it
            self.order.append(source_id)
        return self.order.index(source_id) + 1

    def numbers(self, fact: object) -> list[int]:
        """Note numbers for a sourced fact, a list of facts, or a list of source ids."""
        ids: list[str] = []
        for item in fact if isinstance(fact, (list, tuple)) else [fact]:
            if isinstance(item, Sourced):
                ids += item.sources
            elif isinstance(item, str):
                ids.append(item)
        return sorted({self.number(source_id) for source_id in ids})

    def notes(self) -> list[tuple[int, Source]]:
        """``(number, source)`` for every source cited so far, in number order."""
        return [(index + 1, self.facts.source(source_id)) for index, source_id in enumerate(self.order)]

    def disputes(self, fact: object) -> list[Discrepancy]:
        """Discrepancies whose ``concerns`` is the path of ``fact``."""
        path = self._paths.get(id(fact))
        return list(self._disputes.get(path, [])) if path else []

    def cite_all(self, facts: list[Sourced]) -> None:
        """Number the sources of ``facts`` in order (for documents that list notes up front)."""
        for fact in facts:
            self.numbers(fact)


def build_context(loaded: LoadedFacts, lang: str, templates: TemplatePath, **extra: object) -> dict:
    """The template context for one document in ``lang``.

    Keys: ``facts`` (the model), ``lang``, ``languages``, ``primary_language``, ``i18n``
    (formatting), ``L`` (labels), ``labels``, ``language_tag``, ``citations``, ``as_of``,
    ``draft`` (True unless ``document.status`` is ``cleared``), ``edition`` (what changed since
    the previous edition, or None), ``generator_version``, plus ``extra``.
    """
    from generator.editions import edition_changes

    facts = loaded.facts
    labels = load_labels(list(templates.dirs), lang)
    return {
        "facts": facts,
        "lang": lang,
        "languages": facts.languages,
        "primary_language": facts.primary_language,
        "i18n": Localizer(lang, facts.primary_language, labels),
        "L": labels.text,
        "labels": labels,
        "language_tag": labels.language_tag,
        "citations": Citations(facts),
        "as_of": facts.document.as_of,
        "draft": facts.document.status != "cleared",
        "edition": edition_changes(facts, loaded.previous, labels.text),
        "generator_version": __version__,
        **extra,
    }
