"""Facts + one language -> the context every template of a document renders from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pydantic import BaseModel, RootModel

from generator import __version__
from generator.facts.load import LoadedFacts
from generator.templating.i18n import Labels, Localizer, load_labels
from generator.facts.models import Discrepancy, FactFile, Source, Sourced
from generator.templating.paths import TemplatePath


@dataclass
class Citations:
    """Numbers sources in order of first citation within one document.

    Templates cite as they go (``cite_numbers(fact)``) and list ``citations.notes()`` at
    the end, so the numbers follow reading order and only cited sources are listed.
    """

    facts: FactFile
    order: list[str] = field(default_factory=list)
    _numbers: dict[str, int] = field(default_factory=dict, init=False, repr=False)
    """``order`` as source id -> note number (a search of ``order`` per citation was quadratic)."""

    def __post_init__(self) -> None:
        self._numbers = {source_id: index + 1 for index, source_id in enumerate(self.order)}
        # Keyed by the object each ``concerns`` path leads to: naming every object of the file
        # instead cost a walk of the whole tree per document.
        self._disputes: dict[int, list[Discrepancy]] = {}
        for item in self.facts.discrepancies:
            if item.concerns:
                target = _at_path(self.facts, item.concerns)
                if target is not None:
                    self._disputes.setdefault(id(target), []).append(item)

    def number(self, source_id: str) -> int:
        """The note number of a source, assigning the next number on first use."""
        number = self._numbers.get(source_id)
        if number is None:
            self.facts.source(source_id)  # KeyError for an unknown id: the loader prevents it
            self.order.append(source_id)
            number = self._numbers[source_id] = len(self.order)
        return number

    def numbers(self, fact: object) -> list[int]:
        """Note numbers for a sourced fact, a list of facts, or a list of source ids."""
        return sorted({self.number(source_id) for source_id in source_ids(fact)})

    def shared_sources(self, items: list) -> list[str]:
        """The source ids every item of ``items`` cites, in the order the first item lists them."""
        sets = [set(source_ids(item)) for item in items]
        common = set.intersection(*sets) if sets else set()
        return [source_id for source_id in dict.fromkeys(source_ids(items[0]) if items else []) if source_id in common]

    def shared_marks(self, items: list) -> list[tuple[object, object]]:
        """``(item, what to cite after it)`` for a list: consecutive items with the same sources
        share one mark, after the last of them (the others cite nothing: ``None``)."""
        marks: list[tuple[object, object]] = []
        for index, item in enumerate(items):
            following = items[index + 1] if index + 1 < len(items) else None
            shared = following is not None and set(source_ids(following)) == set(source_ids(item))
            marks.append((item, None if shared else item))
        return marks

    def notes(self) -> list[tuple[int, Source]]:
        """``(number, source)`` for every source cited so far, in number order."""
        return [(index + 1, self.facts.source(source_id)) for index, source_id in enumerate(self.order)]

    def note(self, number: int) -> tuple[int, Source]:
        """``(number, source)`` for one note number already assigned."""
        return number, self.facts.source(self.order[number - 1])

    def disputes(self, fact: object) -> list[Discrepancy]:
        """Discrepancies whose ``concerns`` is the path of ``fact``."""
        return list(self._disputes.get(id(fact), []))


def source_ids(fact: object) -> list[str]:
    """The source ids of a sourced fact, a list of facts, or a list of source ids."""
    ids: list[str] = []
    for item in fact if isinstance(fact, (list, tuple)) else [fact]:
        if isinstance(item, Sourced):
            ids += item.sources
        elif isinstance(item, str):
            ids.append(item)
    return ids


def number_runs(numbers: list[int]) -> list[tuple[int, int]]:
    """``[11, 21, 38, 39]`` -> ``[(11, 11), (21, 21), (38, 39)]``: consecutive numbers as runs."""
    runs: list[list[int]] = []
    for number in sorted(set(numbers)):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return [(first, last) for first, last in runs]


def compress_numbers(numbers: list[int], separator: str = ", ") -> str:
    """``[11, 21, 38, 39]`` -> ``"11, 21, 38–39"``: how every format prints a set of note numbers
    (Word's superscript marks use ``separator=","``, so that a mark never wraps)."""
    return separator.join(str(first) if first == last else f"{first}–{last}" for first, last in number_runs(numbers))


def citation_mark(numbers: list[int], separator: str = ", ") -> str:
    """``[1, 4, 5]`` -> ``"[1, 4–5]"``, the plain-text citation mark of every format; no numbers, no mark."""
    return f"[{compress_numbers(numbers, separator)}]" if numbers else ""


_STEP = re.compile(r"(?:^|\.)([A-Za-z_]\w*)|\[(\d+)\]")


def _at_path(facts: FactFile, dotted: str) -> object | None:
    """The object at a dotted path such as ``negotiation.sessions[2]`` (what ``format_path`` writes),
    or None. Read through ``__dict__``: finding a fact is not a use of it."""
    value: object = facts
    end = 0
    for match in _STEP.finditer(dotted):
        if match.start() != end:
            return None
        end = match.end()
        name, index = match.groups()
        if name is not None and isinstance(value, BaseModel) and not isinstance(value, RootModel) \
                and name in type(value).model_fields:
            value = object.__getattribute__(value, "__dict__")[name]
        elif index is not None and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        else:
            return None
    return value if end == len(dotted) and end else None


def template_context(loaded: LoadedFacts, lang: str, templates: TemplatePath, labels: "Labels | None" = None,
                     **extra: object) -> dict:
    """The template context for one document in ``lang`` (``labels``: the language's labels, when
    the caller has them loaded already, as a build does once per language).

    Keys: ``facts`` (the model), ``lang``, ``languages``, ``primary_language``, ``i18n``
    (formatting), ``L`` (labels), ``P`` (the punctuation that joins pieces of text:
    :class:`~generator.templating.i18n.Punctuation`), ``labels``, ``language_tag``, ``writing`` (direction, script,
    digits: :class:`~generator.templating.writing.Writing`), ``dir`` (``ltr``/``rtl``), ``citations``, ``as_of``,
    ``draft`` (True unless ``document.status`` is ``cleared``), ``unreviewed`` (True when a translator has
    not yet reviewed this language's texts: ``document.unreviewed_translations``), ``edition`` (what changed since
    the previous edition, or None), ``generator_version``, plus ``extra``.
    """
    from generator.facts.editions import edition_changes

    facts = loaded.facts
    labels = labels if labels is not None else load_labels(list(templates.dirs), lang)
    localizer = Localizer(lang, facts.primary_language, labels)
    return {
        "facts": facts,
        "lang": lang,
        "languages": facts.languages,
        "primary_language": facts.primary_language,
        "i18n": localizer,
        "L": labels.text,
        "P": labels.punctuation,
        "labels": labels,
        "language_tag": labels.language_tag,
        "writing": localizer.writing,
        "dir": localizer.writing.direction,
        "citations": Citations(facts),
        "as_of": facts.document.as_of,
        "draft": facts.document.status != "cleared",
        "unreviewed": lang in facts.document.unreviewed_translations,
        "edition": edition_changes(facts, loaded.previous, labels.text),
        "generator_version": __version__,
        **extra,
    }
