"""Cross-field rules of a fact file, each reported at the file position it concerns."""

from __future__ import annotations

import difflib
import re
from collections import Counter

from generator.facts.models import Attributed, Discrepancy, FactFile, Quotation, Sourced, Statement, Text, TextList, instances, walk
from generator.facts.yamlsource import Document, Problem, format_path


def check_facts(facts: FactFile, doc: Document) -> list[Problem]:
    """Every rule the model alone cannot express; errors and warnings mixed, in file order."""
    problems: list[Problem] = []

    def report(path: tuple, message: str, severity: str = "error", *, key: bool = False) -> None:
        problems.append(Problem(doc.position(path, key=key), format_path(path), message, severity))

    _check_languages(facts, report)
    _check_sources(facts, report)
    _check_reliability(facts, report)
    _check_changes(facts, report)
    _check_discrepancies(facts, report)
    _check_structure(facts, report)
    _check_state(facts, report)
    _check_dates(facts, report)
    _check_glyphs(facts, report)
    return problems


#: Arabic vowel and other marks written over or under a letter (harakat, shadda, sukun, superscript alef).
_ARABIC_MARKS = re.compile("[\u064b-\u0652\u0670]")


def missing_translations(facts: FactFile) -> dict[str, list[str]]:
    """For each language of the file, the paths of texts that lack it."""
    missing: dict[str, list[str]] = {lang: [] for lang in facts.languages}
    for path, value, lang in _untranslated(facts):
        missing[lang].append(format_path(path))
    return missing


def translation_gaps(facts: FactFile, doc: Document, langs: list[str]) -> list[Problem]:
    """One problem per text lacking one of ``langs``, at its file position, with its field path."""
    return [Problem(doc.position(path), format_path(path), f"missing translation: no {lang!r} text")
            for path, _, lang in _untranslated(facts) if lang in langs]


def _untranslated(facts: FactFile):
    """``(path, text, lang)`` for every text lacking a language of the file.

    A quotation's ``translation`` needs no entry in the quotation's own language.
    """
    quote_langs = {path + ("translation",): value.lang for path, value in instances(facts, Quotation)}
    for path, value in instances(facts, (Text, TextList)):
        for lang in facts.languages:
            if value.get(lang) is None and quote_langs.get(path) != lang:
                yield path, value, lang


def _check_languages(facts: FactFile, report) -> None:
    declared = facts.languages
    for path, _, lang in _untranslated(facts):
        report(path, f"missing translation: no {lang!r} text", "warning")
    for lang, count in Counter(declared).items():
        if count > 1:
            report(("languages",), f"expected each language once, found {lang!r} {count} times")
    for path, value in instances(facts, (Text, TextList, Quotation)):
        if issubclass(type(value), (Text, TextList)):
            for lang in value.languages:
                if lang not in declared:
                    report(path + (lang,), f"expected one of the file's languages ({', '.join(declared)}), "
                           f"found {lang!r}; add it to 'languages' or remove this text", key=True)
        elif value.lang not in declared:
            report(path + ("lang",), f"expected one of the file's languages ({', '.join(declared)}), found {value.lang!r}")
    for index, lang in enumerate(facts.document.unreviewed_translations):
        if lang not in declared:
            report(("document", "unreviewed_translations", index),
                   f"expected one of the file's languages ({', '.join(declared)}), found {lang!r}")


def _check_sources(facts: FactFile, report) -> None:
    ids = [s.id for s in facts.sources]
    for index, (source_id, count) in enumerate(Counter(ids).items()):
        if count > 1:
            where = ids.index(source_id, ids.index(source_id) + 1)
            report(("sources", where, "id"), f"expected a unique source id, found {source_id!r} again")
    for index, source in enumerate(facts.sources):
        if source.url is None and source.document is None:
            report(("sources", index), "expected a 'url' or a 'document', found neither")
    known, used = set(ids), set()

    def use(path: tuple, source_id: str) -> None:
        used.add(source_id)
        if source_id not in known:
            close = difflib.get_close_matches(source_id, sorted(known), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            report(path, f"expected the id of an entry in 'sources', found unknown source {source_id!r}{hint}")

    for path, value in instances(facts, Sourced):
        for i, source_id in enumerate(value.sources):
            use(path + ("sources", i), source_id)
        if issubclass(type(value), Discrepancy):
            for i, claim in enumerate(value.claims):
                use(path + ("claims", i, "source"), claim.source)
    for index, source in enumerate(facts.sources):
        if source.id not in used:
            report(("sources", index, "id"), f"unused source {source.id!r}: no fact cites it", "warning")


#: Where an advocacy source may be cited: what ``generate check`` says, and the documentation.
ADVOCACY_RULE = ("an advocacy source may support only a statement of its own position: "
                 "a criticism or response attributed to it, or a claim under 'discrepancies'")


def _check_reliability(facts: FactFile, report) -> None:
    """An advocacy source may support only its own position, never a fact the documents state.

    The rule is structural: an advocacy id may appear in the ``sources`` of an attributed
    position (``criticisms``, ``responses``: a statement of who holds it, shown with ``by``)
    and as a discrepancy's claim (reported, not endorsed); anywhere else it would be cited for
    a fact. Whether ``by`` names that very organisation is left to the reviewer: names are
    written freely per language ("EFF", "Electronic Frontier Foundation"), so no text match
    could decide it reliably.
    """
    advocacy = {source.id for source in facts.sources if source.reliability == "advocacy"}
    if not advocacy:
        return
    for path, value in instances(facts, Sourced):
        if not issubclass(type(value), Attributed):
            for index, source_id in enumerate(value.sources):
                if source_id in advocacy:
                    report(path + ("sources", index), f"expected a primary or secondary source, found advocacy "
                           f"source {source_id!r}: {ADVOCACY_RULE}")


def _check_changes(facts: FactFile, report) -> None:
    if facts.document.changes and facts.document.previous_edition is None:
        report(("document", "changes"), "the documents show 'changes' only with a 'previous_edition' to compare "
               "with; name the previous edition's fact file or remove them", "warning")


def fact_paths(facts: FactFile) -> dict[str, object]:
    """Every sourced fact by its dotted path (what ``discrepancies[].concerns`` refers to)."""
    return {format_path(path): value for path, value in instances(facts, (Sourced, list))
            if path and path[0] != "discrepancies"}


def _check_discrepancies(facts: FactFile, report) -> None:
    paths = fact_paths(facts)
    seen: set[str] = set()
    for index, item in enumerate(facts.discrepancies):
        if item.id in seen:
            report(("discrepancies", index, "id"), f"expected a unique discrepancy id, found {item.id!r} again")
        seen.add(item.id)
        if item.concerns is not None and item.concerns not in paths:
            close = difflib.get_close_matches(item.concerns, sorted(paths), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            report(("discrepancies", index, "concerns"),
                   f"expected the path of a fact in this file, found {item.concerns!r}{hint}")


def _check_structure(facts: FactFile, report) -> None:
    chapters = facts.structure.chapters if facts.structure is not None else []
    expected_first = 1
    for index, chapter in enumerate(chapters):
        path = ("structure", "chapters", index)
        if chapter.number != index + 1:
            report(path + ("number",), f"expected chapter number {index + 1}, found {chapter.number}")
        if chapter.first_article != expected_first:
            report(path + ("first_article",), f"expected {expected_first} (the article after the previous chapter), "
                   f"found {chapter.first_article}")
        if chapter.last_article < chapter.first_article:
            report(path + ("last_article",), f"expected a number ≥ first_article ({chapter.first_article}), "
                   f"found {chapter.last_article}")
        expected_first = chapter.last_article + 1
    total = facts.structure.article_count.value if facts.structure is not None else None
    if chapters and chapters[-1].last_article != total:
        report(("structure", "chapters", len(chapters) - 1, "last_article"),
               f"expected {total} (structure.article_count), found {chapters[-1].last_article}")
    counts = [(("status", name), getattr(facts.status, name)) for name in ("signatories", "parties", "ratifications")
              if facts.status is not None]
    if facts.signature is not None:
        counts.append((("signature", "signatories"), facts.signature.signatories))
    if facts.entry_into_force is not None:
        counts.append((("entry_into_force", "ratifications"), facts.entry_into_force.ratifications))
    for path, count in counts:
        if count is not None and count.as_of is None:
            report(path, "expected an 'as_of' date: this number changes over time, found none")


def _check_state(facts: FactFile, report) -> None:
    """Each fact of the treaty's state in one place: the legacy forms of the first schema, or the new ones."""
    adoption = facts.adoption
    pairs = [(("adoption", "resolution"), adoption.resolution, adoption.instrument, "adoption.instrument")]
    mandate = facts.negotiation.mandate if facts.negotiation is not None else None
    if mandate is not None:
        pairs.append((("negotiation", "mandate", "resolution"), mandate.resolution, mandate.instrument,
                      "negotiation.mandate.instrument"))
    status = facts.status
    if status is not None and facts.signature is not None:
        pairs.append((("signature", "signatories"), facts.signature.signatories, status.signatories, "status.signatories"))
    if status is not None and facts.entry_into_force is not None:
        pairs.append((("entry_into_force", "ratifications"), facts.entry_into_force.ratifications, status.ratifications,
                      "status.ratifications"))
    for path, legacy, new, new_name in pairs:
        if legacy is not None and new is not None:
            report(path, f"expected this fact once, found it here and in '{new_name}'; keep '{new_name}'")
    force = facts.entry_into_force
    since = status.in_force_since if status is not None else None
    if force is not None and force.date is not None and since is not None and since.date != force.date:
        report(("entry_into_force", "date"), f"expected the date of status.in_force_since "
               f"({since.date.isoformat()}), found {force.date.isoformat()}")
    if force is not None and (force.days_after is None) != (force.instruments_required is None):
        missing = "days_after" if force.days_after is None else "instruments_required"
        report(("entry_into_force",), f"expected 'instruments_required' and 'days_after' together (or neither, "
               f"with the rule in 'text'), found no '{missing}'")


def _check_dates(facts: FactFile, report) -> None:
    sessions = facts.negotiation.sessions if facts.negotiation is not None else []
    spans = [(("negotiation", "sessions", i), s.start, s.end) for i, s in enumerate(sessions)]
    ceremony = facts.signature.ceremony if facts.signature is not None else None
    if ceremony is not None:
        spans.append((("signature", "ceremony"), ceremony.start, ceremony.end))
    spans += [(("timeline", i), e.date, e.end) for i, e in enumerate(facts.timeline) if e.end]
    for path, start, end in spans:
        if end < start:
            report(path + ("end",), f"expected a date on or after {start.isoformat()}, found {end.isoformat()}")
    # Sessions may start at any number and leave some out (a partial record); numbered ones go up.
    previous = None
    for index, session in enumerate(sessions):
        if session.number is None:
            continue
        if previous is not None and session.number <= previous:
            report(("negotiation", "sessions", index, "number"),
                   f"expected a session number above {previous} (the session before), found {session.number}")
        previous = session.number
    dates = [e.date for e in facts.timeline]
    for index in range(1, len(dates)):
        if dates[index] < dates[index - 1]:
            report(("timeline", index, "date"), f"expected dates in order, found {dates[index].isoformat()} "
                   f"after {dates[index - 1].isoformat()}", "warning")


def _check_glyphs(facts: FactFile, report) -> None:
    """Text no installed font can draw is refused: a PDF would show empty boxes and lose it."""
    from generator.templating.glyphs import describe_char, first_undrawable

    def check(path: tuple, text: str) -> None:
        index = first_undrawable(text)
        if index is not None:
            report(path, f"expected characters an installed font can draw, found {describe_char(text[index])} "
                   f"at character {index + 1}; install a font that has it or remove it")
        elif not text.isascii():
            mark = _ARABIC_MARKS.search(text)
            if mark:  # drawn correctly, but the PDF's text layer puts the mark beside its letter
                report(path, f"Arabic vowel mark {describe_char(mark.group())} at character {mark.start() + 1}: "
                       "the PDFs show it, but their text (copying, screen readers, verify) reads it apart from "
                       "its letter (WeasyPrint 70 draws each mark as a glyph of its own); write the text "
                       "without vowel marks where the meaning allows, as UN Arabic documents do", "warning")

    for path, value in walk(facts):
        kind = type(value)
        if issubclass(kind, Text):
            for lang, text in value.root.items():
                check(path + (lang,), text)
        elif issubclass(kind, TextList):
            for lang, texts in value.root.items():
                for index, text in enumerate(texts):
                    check(path + (lang, index), text)
        elif issubclass(kind, str) and path and path[-1] != "internal_copy":  # a file name, never printed
            check(path, value)
