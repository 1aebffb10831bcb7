"""Per-language labels and Babel formatting of dates and numbers.

Labels (UI words such as "At a glance", and the date patterns a language uses) live in
``templates/labels/<lang>.yaml`` so that adding a language is a data change: copy a label
file, translate it, add the language to the fact file.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from babel.dates import format_date
from babel.numbers import format_decimal
from pydantic import BaseModel, ConfigDict, Field, computed_field

from generator.errors import TemplateError
from generator.templating.sandbox import format_string_problem
from generator.templating.writing import parse_locale, writing
from generator.facts.models import Text, TextList
from generator.facts.validation import validate
from generator.facts.yamlsource import Document, Problem, describe, load_yaml

Pattern = Annotated[str, Field(min_length=1)]
PatternPair = Annotated[list[Pattern], Field(min_length=2, max_length=2)]


class DateFormats(BaseModel):
    """Babel (CLDR) date patterns for one language."""

    model_config = ConfigDict(extra="forbid", strict=True)

    formal: Pattern
    """A full date in running text, e.g. ``'ngày' d 'tháng' M 'năm' y`` or ``d MMMM y``."""
    short: Pattern
    """A compact date for tables and graphics, e.g. ``dd/MM/y`` or ``d MMM y``."""
    month_year: Pattern
    """Month and year, e.g. ``'tháng' M/y`` or ``MMM y``."""
    year: Pattern = "y"
    """The year alone."""
    range_same_month: PatternPair
    """Start and end patterns of a range within one month (``25–26 October 2025``)."""
    range_same_year: PatternPair
    """Start and end patterns of a range within one year (``28 February – 11 March 2022``)."""
    range_separator_tight: str = "–"
    """Separator between days of the same month."""
    range_separator: str = " – "
    """Separator between longer ranges."""


Quotes = Annotated[list[Pattern], Field(min_length=4, max_length=4)]


class Punctuation(BaseModel):
    """The marks a template puts between pieces of text it joins, in one language.

    Each mark carries the spaces that go with it, so that a template writes
    ``{{ place }}{{ P.comma }}{{ date }}`` and gets "Hanoi, 25–26 October 2025" in English,
    "河内，2025年10月25日至26日" in Chinese and "هانوي، ..." in Arabic. Punctuation inside a
    label's own text is the label's business; these are for the joins templates make. The
    defaults are English (and Vietnamese) typography, so a label file may leave the block out.
    """

    model_config = ConfigDict(extra="forbid", strict=True)

    comma: Pattern = ", "
    """Between items of a list or the parts of one phrase (a place and a date): ``", "``,
    Chinese ``"，"``, Arabic ``"، "``."""
    full_stop: Pattern = "."
    """At the end of a sentence a template builds from facts: ``"."``, Chinese ``"。"``."""
    colon: Pattern = ": "
    """After a label that introduces a value (``Depositary: ...``): ``": "``, French
    ``"\\u00a0: "`` (no-break space before), Chinese ``"："``."""
    semicolon: Pattern = "; "
    """Between parts of a sentence that hold commas themselves: ``"; "``, French ``"\\u202f; "``
    (narrow no-break space before), Arabic ``"؛ "``, Chinese ``"；"``."""
    open_paren: Pattern = " ("
    """Opens an aside after a word, the space before it included: ``" ("``, Chinese ``"（"``
    (full width, no space)."""
    close_paren: Pattern = ")"
    """Closes the aside: ``")"``, Chinese ``"）"``."""
    quotes: Quotes = ["“", "”", "‘", "’"]
    """Quotation marks: primary open and close, then those of a quotation inside a quotation,
    spaces inside them included (French ``"«\\u00a0"``, ``"\\u00a0»"``)."""
    dash: Pattern = " — "
    """Between a title and who published or said it (``Title — Publisher``), spaces included:
    ``" — "``, Chinese ``"——"``."""
    between_sentences: Annotated[str, Field(pattern=r"^\s*$")] = " "
    """What separates two sentences a template puts side by side: a space, or nothing in
    Chinese (its full stop 。 carries its own space)."""

    # A label set in bold takes its colon into the bold and leaves the space after it out
    # ("<strong>Mandate:</strong> text"), an aside in a styled span takes its parentheses but
    # not the space before them: templates need the mark and its space apart.
    @computed_field
    @property
    def colon_mark(self) -> str:
        """The colon without the space after it (``":"``, French ``"\u00a0:"``, Chinese ``"："``)."""
        return self.colon.rstrip()

    @computed_field
    @property
    def colon_space(self) -> str:
        """The space after the colon (``" "``; nothing in Chinese)."""
        return self.colon[len(self.colon.rstrip()):]

    @computed_field
    @property
    def open_paren_space(self) -> str:
        """The space before the opening parenthesis (``" "``; nothing in Chinese), for an aside
        whose parentheses are styled with it (``text <span>(aside)</span>``)."""
        return self.open_paren[:len(self.open_paren) - len(self.open_paren.lstrip())]

    @computed_field
    @property
    def open_paren_mark(self) -> str:
        """The opening parenthesis without the space before it (``"("``, Chinese ``"（"``)."""
        return self.open_paren.lstrip()


class Labels(BaseModel):
    """Everything a template says in one language that is not a fact."""

    model_config = ConfigDict(extra="forbid", strict=True)

    language_tag: Annotated[str, Field(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$")]
    """BCP 47 tag written into documents, e.g. ``vi-VN``; it also selects Babel's locale data."""
    language_name: Pattern
    """The language's own name, e.g. ``Tiếng Việt`` (used by language switches)."""
    numbering_system: Annotated[str, Field(pattern=r"^[a-z]{3,8}$")] | None = None
    """Digits of numbers and dates as a CLDR numbering system (``latn`` 0–9, ``arab`` ٠–٩); by
    default the locale's own (``ar`` writes 0–9, ``ar-EG`` ٠–٩)."""
    date_formats: DateFormats
    """Date patterns."""
    text: dict[str, str]
    """UI labels by key, used in templates as ``L.key``."""
    punctuation: Punctuation = Field(default_factory=Punctuation)
    """The marks templates put between the pieces they join, used in templates as ``P.comma``,
    ``P.colon``...; by default English typography."""


def compact_range(start: str, end: str) -> str:
    """``25/10/2025`` + ``26/10/2025`` -> ``25–26/10/2025``: drop what both dates share at the end.

    Works on formatted dates of any pattern: the shared tail must begin at a separator,
    otherwise the two dates are joined whole.
    """
    if start == end:
        return start
    shared = 0
    while shared < min(len(start), len(end)) and start[-1 - shared] == end[-1 - shared]:
        shared += 1
    while shared and start[-shared].isalnum():
        shared -= 1
    head = start[:len(start) - shared] if shared else start
    tight = bool(shared) and not any(char.isalpha() or char.isspace() for char in head)  # "25–26/10/2025"
    return f"{head}{'–' if tight else ' – '}{end}"


@dataclass
class Localizer:
    """Formats values for one language and picks that language out of bilingual texts."""

    lang: str
    primary: str
    labels: Labels
    fallbacks: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        try:
            self.writing = writing(self.labels.language_tag, self.labels.numbering_system)
        except TemplateError as exc:
            raise TemplateError(f"labels for {self.lang!r}: {exc}") from None
        self.locale = parse_locale(self.labels.language_tag)

    def date(self, value: dt.date, style: str = "formal") -> str:
        """Format a date with the named pattern of ``date_formats``."""
        pattern = getattr(self.labels.date_formats, style, None)
        if not isinstance(pattern, str):
            raise TemplateError(f"unknown date style {style!r}; expected one of formal, short, month_year, year")
        return self.writing.digits(format_date(value, pattern, locale=self.locale))

    def date_range(self, start: dt.date, end: dt.date | None, style: str = "formal") -> str:
        """``25–26 October 2025``; a single date when ``end`` is missing or equal.

        The formal style uses the label file's range patterns (the administrative Vietnamese
        "ngày 25–26 tháng 10 năm 2025", which Babel's ``format_interval`` does not give); another
        style joins the two dates with what they share at the end written once
        (:func:`compact_range`: ``25–26/10/2025``).
        """
        formats = self.labels.date_formats
        if end is None or end == start:
            return self.date(start, style)
        if style != "formal":
            return compact_range(self.date(start, style), self.date(end, style))
        if (start.year, start.month) == (end.year, end.month):
            first, last = formats.range_same_month
            sep = formats.range_separator_tight
        elif start.year == end.year:
            first, last = formats.range_same_year
            sep = formats.range_separator
        else:
            first = last = formats.formal
            sep = formats.range_separator
        return self.writing.digits(format_date(start, first, locale=self.locale) + sep
                                   + format_date(end, last, locale=self.locale))

    def number(self, value: int | float) -> str:
        """Locale-aware number: ``1.234,5`` in Vietnamese, ``1,234.5`` in English, ``١٬٢٣٤٫٥`` in ``ar-EG``."""
        return self.writing.digits(format_decimal(value, locale=self.locale, numbering_system=self.writing.numbering))

    @property
    def missing_mark(self) -> str:
        """What stands where a translation is missing (builds with ``--allow-missing`` only):
        the label ``missing_translation``, in the document's language."""
        return self.labels.text.get("missing_translation") or f"[{self.lang}: ?]"

    def text(self, value: object) -> str:
        """The current language's text of a bilingual field (or of an object's ``text``).

        A build refuses missing translations unless ``--allow-missing``; then the gap shows
        :attr:`missing_mark` in the reader's language, never another language's text or nothing.
        """
        kind = type(value)
        if kind is str:
            return value
        if not issubclass(kind, (Text, TextList)) and isinstance(getattr(value, "text", None), Text):
            value = value.text  # a statement given where its text is meant
        if isinstance(value, (Text, TextList)):
            found = value.get(self.lang)
            if found is None:
                self.fallbacks.append(self.lang)
                return [self.missing_mark] if isinstance(value, TextList) else self.missing_mark
            return found
        if isinstance(value, str):
            return value
        raise TemplateError(f"expected a bilingual text, found {describe(value)}")


def labels_paths(search_dirs: list[Path], lang: str) -> list[Path]:
    """Every label file of ``lang`` on the template search path, most specific first.

    In each template directory: ``labels/<lang>.yaml``, then each document kind's own words in
    ``<kind>/labels/<lang>.yaml`` (a kind brings its labels in its template folder, so that adding
    a kind touches no shared file); a key in ``labels/`` wins over a kind's.
    """
    found = []
    for directory in search_dirs:
        shared = directory / "labels" / f"{lang}.yaml"
        if shared.is_file():
            found.append(shared)
        found += sorted(path for path in directory.glob(f"*/labels/{lang}.yaml") if path.is_file()
                        and path.parent.parent.name != "labels")
    return found


def load_labels(search_dirs: list[Path], lang: str) -> Labels:
    """Read, merge and validate the labels of ``lang``; raises :class:`TemplateError` with file positions.

    An override file needs only the keys it changes: label files along the search path are
    merged, the most specific winning key by key (a new language's file must be complete).
    """
    paths = labels_paths(search_dirs, lang)
    if not any(path.parent.parent in search_dirs for path in paths):  # only a kind's own words: no language file
        looked = ", ".join(str(d / "labels") for d in search_dirs)
        raise TemplateError(f"no labels for language {lang!r}: create labels/{lang}.yaml "
                            f"(copy labels/en.yaml and translate it); looked in {looked}")
    docs = [load_yaml(path) for path in paths]
    problems = [p for doc in docs for p in doc.problems if p.severity == "error"]
    for doc in docs:
        if doc.data is not None and not isinstance(doc.data, dict):
            problems.append(Problem(doc.position(()), "", f"expected a mapping of labels, found {describe(doc.data)}"))
    if not problems:
        merged = Document(docs[0].file, {})
        for doc in reversed(docs):  # bundled first, overrides on top
            _merge(merged, doc)
        labels, problems = validate(Labels, merged)
        if labels is not None:
            problems = _placeholder_problems(labels, merged, search_dirs[-1] / "labels" / "en.yaml")
        if labels is not None and not problems:
            return labels
    raise TemplateError("\n".join(str(p) for p in problems))


def _placeholders(text: str) -> set[str]:
    """``"{count} of {date:%d}"`` -> ``{"count", "date"}`` (ValueError for unbalanced braces)."""
    return {re.split(r"[.\[]", name, maxsplit=1)[0] for _, name, _, _ in string.Formatter().parse(text) if name is not None}


@lru_cache(maxsize=4)
def _reference_placeholders(reference: Path) -> dict[str, frozenset[str]]:
    """Placeholders of each label in the bundled English labels: what templates and code fill in."""
    doc = load_yaml(reference)
    texts = doc.data.get("text", {}) if isinstance(doc.data, dict) else {}
    found = {}
    for key, text in texts.items():
        try:
            found[key] = frozenset(_placeholders(text)) if isinstance(text, str) else frozenset()
        except ValueError:
            continue
    return found


def _placeholder_problems(labels: Labels, doc: Document, reference: Path) -> list[Problem]:
    """A label may use only the placeholders its bundled English version uses: a typo such as
    ``{versio}`` would otherwise stop the build with a KeyError when the label is filled in."""
    expected = _reference_placeholders(reference) if reference.is_file() else {}
    problems = []
    for key, text in labels.text.items():
        position = doc.position(("text", key))
        try:
            used = _placeholders(text)
            too_wide = format_string_problem(text)
        except ValueError:  # "{" without "}", say
            problems.append(Problem(position, f"text.{key}", f"expected {{placeholders}} in balanced braces "
                                    f"(write {{{{ for a literal brace), found {describe(text)}"))
            continue
        if too_wide:  # "{date:>1500000000}" would allocate gigabytes wherever the label is filled in
            problems.append(Problem(position, f"text.{key}", too_wide))
            continue
        allowed = expected.get(key)
        if allowed is not None and not used <= allowed:
            names = ", ".join(f"{{{name}}}" for name in sorted(allowed)) or "none"
            unknown = ", ".join(f"{{{name}}}" for name in sorted(used - allowed))
            problems.append(Problem(position, f"text.{key}", f"expected placeholders among {names} "
                                    f"(as in the bundled labels/en.yaml), found {unknown}"))
    return problems


def _merge(into: Document, doc: Document) -> None:
    """Deep-merge ``doc`` into ``into``, keeping each value's position from the file it came from."""
    taken: set[tuple] = set()  # the paths whose whole value comes from ``doc``

    def merge(target: dict, source: dict, path: tuple) -> None:
        for key, value in source.items():
            key_path = path + (key,)
            if isinstance(value, dict) and isinstance(target.get(key), dict):
                merge(target[key], value, key_path)
            else:
                target[key] = value
                taken.add(key_path)
    into.values.setdefault((), doc.values.get(()))
    merge(into.data, doc.data, ())
    # One pass over the positions (not one per label: that was quadratic): a position is taken
    # with the value it lies in.
    for table, positions in ((into.values, doc.values), (into.keys, doc.keys)):
        table.update({p: pos for p, pos in positions.items() if any(p[:i] in taken for i in range(1, len(p) + 1))})
