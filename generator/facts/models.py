"""Typed model of a fact file: declared once, documented per field, exported as JSON Schema.

A fact file describes one international instrument (a treaty or convention) in several
languages. Every statement a reader can see carries ``sources``: ids into the file's
``sources`` list. Cross-field rules (known languages, known source ids, consistent
chapter ranges) are checked by :mod:`generator.facts.rules`, which can point at file positions.

Treaties of every shape: only what every treaty has is required (its languages, the documents'
settings, a full title, who adopted it and when, sources). Everything that depends on the
treaty's state is optional and documents follow what is given: an adopting act of any kind or
none (``adoption.instrument``), signature open until a date or not at all
(``signature.open_until``), accession, the entry-into-force rule in words with its date once in
force, a ``status`` block (signatories, parties, ratifications, in force since, each with its own
``as_of``), protocols and amendments, and a negotiation history that may be partial.

Files of the first schema load unchanged: ``adoption.resolution`` and
``negotiation.mandate.resolution`` are read as an instrument of kind ``resolution``,
``signature.signatories`` as ``status.signatories`` and ``entry_into_force.ratifications`` as
``status.ratifications`` (see the ``FactFile`` properties). Giving one fact in both forms is an
error at its position.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Annotated, Callable, Iterable, Iterator, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, RootModel, StringConstraints, Tag

#: A language code: ISO 639 language, optional region or script subtags (``vi``, ``en``, ``pt-BR``).
LangCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}$")]
#: A short identifier: lower-case letters, digits and hyphens (``untc``, ``seed-article``).
Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
#: Non-empty text (after trimming).
NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]
SourceRefs = Annotated[list[Identifier], Field(min_length=1)]


#: While a document renders, called with ``(object, attribute name)`` for every public attribute
#: read on a fact-file object (see :mod:`generator.pipeline.recording`); None the rest of the time.
field_reader: ContextVar[Callable[["Model", str], None] | None] = ContextVar("field_reader", default=None)


#: The attribute name :data:`field_reader` receives when a whole object is read at once.
WHOLE_OBJECT = "*"


def _reads_whole(method: Callable) -> Callable:
    """``method``, reporting a read of every field of the object first.

    Printing, dumping, copying, iterating, hashing or comparing an object reads its fields
    without an attribute lookup per field: an incremental build must still see them all.
    """
    if getattr(method, "reads_whole", False):
        return method

    @functools.wraps(method)
    def reporting(self, *args, **kwargs):
        reader = field_reader.get()
        if reader is not None:
            reader(self, WHOLE_OBJECT)
        return method(self, *args, **kwargs)
    reporting.reads_whole = True
    return reporting


#: Methods pydantic gives a model that read no field's value (construction, attribute plumbing,
#: type metadata), left as they are. Every other method pydantic defines is taken to read the
#: whole object (:func:`_report_whole_reads`); ``tests/test_incremental.py`` lists pydantic's
#: methods and fails when one is in neither group, so an upgrade cannot open an unrecorded way in.
READS_NO_FIELD = frozenset({
    "__init__", "__new__", "__init_subclass__", "__class_getitem__", "__subclasshook__", "__setstate__",
    "__getattr__", "__getattribute__", "__setattr__", "__delattr__", "_setattr_handler", "__dir__",
    "__sizeof__", "__repr_name__", "__repr_recursion__", "model_post_init",
    # object's orderings return NotImplemented without reading; != calls ==, which reports.
    "__lt__", "__le__", "__gt__", "__ge__", "__ne__",
})


def pydantic_methods(cls: type, among: Iterable[str] | None = None) -> set[str]:
    """Names of the plain methods pydantic defines on ``cls`` or its pydantic bases (not our own);
    only those ``among`` the given names, when given."""
    import inspect

    names = set()
    for name in dir(cls) if among is None else set(among) & set(dir(cls)):
        static = inspect.getattr_static(cls, name)
        if isinstance(static, (classmethod, staticmethod, property, type)) or not callable(static):
            continue
        from_pydantic = any(name in base.__dict__ for base in cls.__mro__ if base.__module__.startswith("pydantic"))
        if from_pydantic or name == "__hash__" or (name.startswith("__") and name in object.__dict__):
            names.add(name)
    return names


def _report_whole_reads(cls: type, among: Iterable[str] | None = None) -> None:
    """Make every pydantic method of ``cls`` (``among`` the given names) that may read field values
    report a whole read."""
    for name in pydantic_methods(cls, among) - READS_NO_FIELD:
        method = getattr(cls, name)
        if not getattr(method, "reads_whole", False):
            setattr(cls, name, _reads_whole(method))


class Model(BaseModel):
    """Base of every fact-file object: unknown keys are errors, types are not coerced."""

    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, use_attribute_docstrings=True
    )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs) -> None:
        # After pydantic has built the class (a frozen model gets its __hash__ here). What it
        # inherits already reports: every base is Model or a subclass handled when it was made.
        # So only what the class itself holds can be new (looking at every name of every class
        # was a tenth of loading this module).
        super().__pydantic_init_subclass__(**kwargs)
        _report_whole_reads(cls, among=vars(cls))


_report_whole_reads(Model)


def _reporting_getattribute(self: Model, name: str):
    reader = field_reader.get()
    if reader is not None and (name[0] != "_" or name == "__dict__"):
        # ``__dict__`` holds every field: reading it is reading the whole object.
        reader(self, WHOLE_OBJECT if name == "__dict__" else name)
    return object.__getattribute__(self, name)


_readers_active = 0
_readers_lock = threading.Lock()


@contextmanager
def reading_fields(reader: Callable[[Model, str], None]) -> Iterator[None]:
    """Call ``reader(object, name)`` for every public attribute read on a fact-file object in
    this context (incremental builds must know which facts a document used; a hook on the
    objects sees template and renderer code alike).

    The hook is a Python ``__getattribute__`` on :class:`Model`, installed only while some
    context reads fields: every attribute lookup, and every ``isinstance`` a template
    sandbox makes, would otherwise run Python code for nothing (a third of a check's time
    on a large file). The context variable keeps other threads' reads out of the record.
    """
    global _readers_active
    with _readers_lock:
        if _readers_active == 0:
            Model.__getattribute__ = _reporting_getattribute
        _readers_active += 1
    token = field_reader.set(reader)
    try:
        yield
    finally:
        field_reader.reset(token)
        with _readers_lock:
            _readers_active -= 1
            if _readers_active == 0:
                del Model.__getattribute__


class Text(RootModel[dict[LangCode, NonEmpty]]):
    """A text in several languages: a mapping from language code to text, e.g. ``{vi: ..., en: ...}``."""

    model_config = ConfigDict(
        strict=True, frozen=True, json_schema_extra={"additionalProperties": False}
    )

    def get(self, lang: str) -> str | None:
        """The text in ``lang``, or None when that translation is missing."""
        return self.root.get(lang)

    @property
    def languages(self) -> list[str]:
        return list(self.root)


class TextList(RootModel[dict[LangCode, list[NonEmpty]]]):
    """A list of short texts per language, e.g. keywords: ``{vi: [a, b], en: [c, d]}``."""

    model_config = ConfigDict(
        strict=True, frozen=True, json_schema_extra={"additionalProperties": False}
    )

    def get(self, lang: str) -> list[str] | None:
        return self.root.get(lang)

    @property
    def languages(self) -> list[str]:
        return list(self.root)


def _plain_or_per_language(value: object) -> str | None:
    """The form a :data:`PlainOrText` value takes: ``plain-text`` (a string) or ``per-language`` (a mapping)."""
    if isinstance(value, str):
        return "plain-text"
    if isinstance(value, (dict, Text)):
        return "per-language"
    return None


#: Text written once, in its own language (a title as published), or a :class:`Text` per language
#: (a description written by the file's authors). Templates print either through the ``tr`` filter.
PlainOrText = Annotated[
    Annotated[NonEmpty, Tag("plain-text")] | Annotated[Text, Tag("per-language")],
    Discriminator(_plain_or_per_language, custom_error_type="plain_or_text",
                  custom_error_message="text, or a mapping from language code to text"),
]


class Sourced(Model):
    """Anything a reader sees as a fact: it names the sources that support it."""

    sources: SourceRefs
    """Ids of entries in the top-level ``sources`` list that support this fact (at least one)."""


class Statement(Sourced):
    """One fact stated in a sentence or two."""

    text: Text
    """The statement, in the file's own words, per language."""
    short: Text | None = None
    """A version of at most ~100 characters for slides and other tight layouts: the same fact,
    faithful to ``text`` and supported by the same sources. Leave it out when ``text`` is short
    enough; ``generate check`` warns when it is longer than a slide bullet may be."""


class Attributed(Statement):
    """A position held by someone: a criticism, a reply, an official's point."""

    by: Text
    """Who holds this position (organization or person), per language."""
    short: Text | None = None
    """The position AND who holds it in at most ~100 characters, for slides and other tight
    layouts, which show it without ``by`` (e.g. "HRW, EFF and 100+ NGOs: scope too broad")."""


class Quotation(Sourced):
    """Words quoted verbatim from a source, always attributed."""

    quote: NonEmpty
    """The exact words, in the language they were said or written."""
    lang: LangCode
    """Language of ``quote``."""
    by: Text
    """Who said or wrote it."""
    translation: Text | None = None
    """Translations of the quotation into the file's other languages (marked as unofficial)."""


class DatedFact(Sourced):
    """A fact tied to a date."""

    date: dt.date
    """The date (YYYY-MM-DD)."""
    text: Text
    """What happened or applies on that date."""


class Count(Sourced):
    """A number that may change over time, with the date it was true."""

    value: Annotated[int, Field(ge=0)]
    """The number."""
    as_of: dt.date | None = None
    """The date on which the number was last verified; required for numbers that change."""
    note: Text | None = None
    """A short qualification (what is counted, what is not)."""


class Source(Model):
    """A document, web page or article that supports facts in this file."""

    id: Identifier
    """Identifier used in ``sources`` lists, e.g. ``untc``."""
    title: PlainOrText
    """Title as published, in the source's own language (plain text); or, for a source without
    a usable title, a descriptive title written by the file's authors in each language (a mapping)."""
    publisher: PlainOrText
    """Who published it (organization, newspaper, author), as a plain name; or, when the publisher
    has to be described (e.g. unknown), a description in each language (a mapping)."""
    kind: Literal["official", "press", "analysis"]
    """``official`` (UN or government), ``press`` (news media) or ``analysis`` (NGO, academic, commentary)."""
    reliability: Literal["primary", "secondary", "advocacy"]
    """How far the source can be relied on. ``primary``: the treaty text and the official records
    of the bodies and governments concerned; ``secondary``: established independent press, news
    agencies and research; ``advocacy``: an organisation campaigning for a position. An advocacy
    source may support only a statement of its own position: an attributed criticism or response
    (``criticisms``, ``responses``), or a claim reported under ``discrepancies``. Documents print
    the level in their source lists."""
    url: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")] | None = None
    """Public web address, if any."""
    document: PlainOrText | None = None
    """Document symbol when there is no URL, e.g. ``A/RES/79/243``; or, for a source with no public
    address, where readers can ask for it, described in each language (a mapping). Printed in documents."""
    internal_copy: NonEmpty | None = None
    """Where the project keeps its own copy (e.g. a file path in its archive), for the file's
    maintainers only: documents never print it."""
    date: dt.date | None = None
    """Publication date, if known."""
    lang: LangCode | None = None
    """Language the source is written in (and so its plain-text title and publisher)."""
    note: Text | None = None
    """What to keep in mind about this source (a reprint, a known error)."""


class DocumentInfo(Model):
    """About the generated documents themselves rather than the instrument."""

    title: Text
    """Title of the briefing documents."""
    subtitle: Text
    """Subtitle shown under the title."""
    subject: Text
    """One-sentence subject, written into document metadata."""
    keywords: TextList
    """Keywords per language, written into document metadata."""
    issuer: Text | None = None
    """The organisation issuing the documents, written into document metadata and title blocks.
    Leave it out unless an organisation issues them: documents then name no issuer (a brand
    file's ``organization`` takes precedence)."""
    marking: Text | None = None
    """A security or distribution marking printed on every page, exactly as the issuing body's
    rules word it (e.g. "Tài liệu tham khảo"). Leave it out when none applies: documents then
    carry no marking."""
    status: Literal["draft", "cleared"] = "draft"
    """``draft`` (the default) until the documents are cleared for release: every page and slide
    of a draft, and its download page, carry a visible "DRAFT" mark in its language."""
    as_of: dt.date
    """The date the facts were last verified. Documents carry this date, never the clock's."""
    previous_edition: NonEmpty | None = None
    """Path, relative to this file, of the previous edition's fact file. When set, the documents
    say what changed since that edition: the ``changes`` below and the figures whose values differ.
    The previous file is read as plain data (it may follow an older schema) and never built."""
    changes: list[Statement] = []
    """What changed since the previous edition, in the file's words, each with its sources."""
    unreviewed_translations: list[LangCode] = []
    """Languages whose texts in this file a translator has not yet reviewed (machine or draft
    translations): every document in such a language says so visibly, in that language
    (the label ``unreviewed_translation``), on its first page, slide or screen."""


class Names(Model):
    """How the instrument is called."""

    full_title: Statement
    """The full official title."""
    short_title: Statement | None = None
    """The short title used in running headers; leave it out when the instrument has none
    (documents then use the full title)."""
    common_name: Statement | None = None
    """The informal name in everyday use (e.g. "Hanoi Convention", "ACTIP"); leave it out when
    there is none (documents then use the short title, else the full title)."""

    @property
    def short(self) -> Statement:
        """The short title, else the full title."""
        return self.short_title or self.full_title

    @property
    def common(self) -> Statement:
        """The common name, else the short title, else the full title."""
        return self.common_name or self.short_title or self.full_title


#: The kinds of act by which a body adopts a text. ``summit`` and ``conference``: adopted at a
#: meeting with no separately numbered act; ``none``: no adopting act to name.
InstrumentKind = Literal["resolution", "decision", "declaration", "summit", "conference", "none"]


class Instrument(Model):
    """The act by which a body adopted a text or started a process (a resolution, a decision...).

    Documents name the act as its kind's label and reference ("resolution 79/243",
    "Nghị quyết 79/243"), or as ``name`` when one is given; a kind without a reference or a
    name, and the kind ``none``, are not named at all: a document never prints an instrument
    type the file does not give.
    """

    kind: InstrumentKind
    """``resolution``, ``decision``, ``declaration``, ``summit``, ``conference`` or ``none``."""
    reference: NonEmpty | None = None
    """Its number or symbol as published, e.g. ``79/243`` (printed after the kind's label)."""
    name: Text | None = None
    """The act as it is called, per language, when the kind's label does not fit (e.g. "the
    27th ASEAN Summit"); printed instead of the label and reference."""


class Adoption(Sourced):
    """The formal adoption of the instrument: by which body, when, and by what act."""

    body: Text
    """The body that adopted it, e.g. the UN General Assembly, the ASEAN Summit."""
    date: dt.date
    """Date of adoption."""
    instrument: Instrument | None = None
    """The adopting act (a resolution, a decision...), when there is one to name."""
    resolution: NonEmpty | None = None
    """Legacy form of ``instrument: {kind: resolution, reference: ...}`` (files of the first
    schema): a General Assembly resolution number, e.g. ``79/243``. Give one or the other."""
    place: Text | None = None
    """Where it was adopted."""
    vote: Text | None = None
    """How it was adopted, e.g. "without a vote"."""
    occasion: Text | None = None
    """The meeting at which it was adopted, when the act itself is not named (e.g. "the 27th
    ASEAN Summit")."""
    significance: list[Statement] = []
    """What makes the adoption notable."""


class Mandate(Sourced):
    """The decision that started the negotiations."""

    body: Text | None = None
    """The body that gave the mandate, when documents should name it."""
    instrument: Instrument | None = None
    """The act that gave it (a resolution, a decision...), as for the adoption."""
    resolution: NonEmpty | None = None
    """Legacy form of ``instrument: {kind: resolution, reference: ...}``, e.g. ``74/247``."""
    date: dt.date
    """Date of the decision."""
    text: Text
    """What was decided."""


class Committee(Sourced):
    """The negotiating body."""

    name: Text
    """Full name."""
    short_name: Text
    """Short name or acronym."""
    chair: Text | None = None
    """Who chaired it."""


class Session(Sourced):
    """One negotiating session (the list may start at any session and leave some out)."""

    number: Annotated[int, Field(ge=1)] | None = None
    """Its number in the series (1 for the first session), when sources number them."""
    place: Text
    """City where it met."""
    start: dt.date
    """First day."""
    end: dt.date
    """Last day."""
    note: Text | None = None
    """What was special about it (concluding, reconvened)."""


class Negotiation(Model):
    """How the text was negotiated: every part is optional, and the sessions may be a partial list."""

    mandate: Mandate | None = None
    """The decision that started the process."""
    committee: Committee | None = None
    """The negotiating body."""
    sessions: list[Session] = []
    """Negotiating sessions in date order; numbered ones in increasing order."""
    draft_approved: DatedFact | None = None
    """When the negotiators approved the final draft."""
    facts: list[Statement] = []
    """Other facts about the negotiations (hours, participants)."""


class Chapter(Sourced):
    """One chapter of the instrument."""

    number: Annotated[int, Field(ge=1)]
    """Chapter number (1 for Chapter I)."""
    title: Text
    """Chapter title."""
    first_article: Annotated[int, Field(ge=1)]
    """Number of its first article."""
    last_article: Annotated[int, Field(ge=1)]
    """Number of its last article."""
    range_confirmed: bool = True
    """False when the article range is inferred rather than read from the text; documents mark it."""

    @property
    def article_count(self) -> int:
        return self.last_article - self.first_article + 1


class Structure(Model):
    """How the instrument is organized."""

    article_count: Count
    """Total number of articles."""
    chapters: list[Chapter] = []
    """Chapters in order; their article ranges must cover 1..article_count without gaps. Leave
    the list out for an instrument without chapters."""
    notes: list[Statement] = []
    """Other structural facts (key definitions, annexes, languages)."""


class Provision(Sourced):
    """A provision of the instrument, such as an offence States must criminalize."""

    title: Text
    """Short name of the provision."""
    article: Annotated[int, Field(ge=1)] | None = None
    """Article number, only where a source confirms it."""
    description: Text | None = None
    """One-sentence explanation."""


class Ceremony(Sourced):
    """The opening for signature."""

    place: Text
    """City."""
    venue: Text | None = None
    """Building or venue."""
    start: dt.date
    """First day."""
    end: dt.date
    """Last day."""
    theme: Text | None = None
    """Official theme or motto."""
    facts: list[Statement] = []
    """What happened at the ceremony."""


class Signature(Model):
    """Signing the instrument: every part is optional (a treaty may never have been open for
    signature, or have closed it long ago)."""

    ceremony: Ceremony | None = None
    """The signing ceremony."""
    open_until: DatedFact | None = None
    """Where and until when it stays open for signature; leave it out when signature is not
    open until a date (documents then never say "open for signature until")."""
    signatories: Count | None = None
    """Legacy place of ``status.signatories`` (files of the first schema); give one or the other."""
    depositary: Statement | None = None
    """Who keeps the original and receives instruments."""
    facts: list[Statement] = []
    """Other facts about signature."""


class Accession(Statement):
    """Who may join the instrument without having signed it, and how, in words."""


class EntryIntoForce(Sourced):
    """When the instrument takes legal effect: the rule in words, and its date once in force."""

    text: Text
    """The rule in words, as the instrument states it."""
    short: Text | None = None
    """The rule in at most ~100 characters, for cards, handouts and slides, when the file gives no
    ``instruments_required`` and ``days_after`` (documents otherwise state the rule from them)."""
    instruments_required: Annotated[int, Field(ge=1)] | None = None
    """Number of ratifications, acceptances, approvals or accessions needed, when the rule is
    that simple (with ``days_after``, documents then state the rule in a short standard form)."""
    days_after: Annotated[int, Field(ge=0)] | None = None
    """Days after the last required instrument, when the rule is that simple."""
    date: dt.date | None = None
    """The date it entered into force, once it has (or give ``status.in_force_since``)."""
    ratifications: Count | None = None
    """Legacy place of ``status.ratifications`` (files of the first schema); give one or the other."""
    status: Statement | None = None
    """The current status in words (e.g. that the count could not be verified)."""


class Status(Model):
    """Where the instrument stands, each figure with its own date: documents lead with the
    figures that match its state (parties and entry into force once in force, signatories while
    it is open for signature)."""

    signatories: Count | None = None
    """States (and organizations) that have signed it."""
    parties: Count | None = None
    """States (and organizations) bound by it."""
    ratifications: Count | None = None
    """Instruments of ratification, acceptance, approval or accession deposited."""
    in_force_since: DatedFact | None = None
    """The date it entered into force, and what that means, in words."""


class Protocol(Sourced):
    """A protocol or an amendment to the instrument."""

    kind: Literal["protocol", "amendment"]
    """``protocol`` (an instrument of its own, joined separately) or ``amendment``."""
    name: Text
    """Its title."""
    adopted: dt.date | None = None
    """Date of adoption."""
    in_force: dt.date | None = None
    """Date it entered into force, once it has."""
    note: Text | None = None
    """What it adds or changes, in a sentence."""


class Institution(Model):
    """An organization with a role in the instrument."""

    name: Text
    """Its name."""
    short_name: Text | None = None
    """Acronym."""
    roles: list[Statement]
    """What it does."""


class Interview(Sourced):
    """An official's interview or statement, summarized point by point."""

    speaker: Text
    """Who spoke."""
    position: Text
    """Their office."""
    date: dt.date | None = None
    """When, if known."""
    points: list[Statement]
    """The points made, in the file's own words."""
    quotations: list[Quotation] = []
    """Short verbatim quotations, attributed."""


class CountryRole(Model):
    """The role of the country the briefing is written for."""

    country: Text
    """The country."""
    points: list[Statement]
    """Its role, contributions and commitments."""
    interview: Interview | None = None
    """An official's account."""


class Event(Sourced):
    """One milestone on the timeline."""

    date: dt.date
    """When it happened (first day)."""
    end: dt.date | None = None
    """Last day, for events spanning several days."""
    title: Text
    """Short label for the timeline graphic."""
    upcoming: bool = False
    """True for a deadline or planned event that has not happened yet."""
    major: bool = False
    """True for a milestone a tight layout keeps when it cannot show every event (a slide's
    timeline keeps these, the first and last events and what is upcoming, then fills in)."""


class Claim(Model):
    """What one source says about a disputed fact."""

    source: Identifier
    """The source making the claim."""
    text: Text
    """The claim, reported (not endorsed)."""


class Discrepancy(Sourced):
    """A point on which sources disagree, kept as data so documents can footnote it.

    ``sources`` are the sources behind the verified position in ``text``.
    """

    id: Identifier
    """Identifier, e.g. ``article-count``."""
    concerns: NonEmpty | None = None
    """Dotted path of the fact it concerns, e.g. ``structure.article_count``; empty for claims that match no fact."""
    kind: Literal["contradicted", "superseded", "unsupported", "overstated", "misleading"]
    """How the competing claims relate to the verified facts: ``contradicted`` (the verified sources
    say otherwise), ``superseded`` (an earlier figure, replaced by a later one: not an error),
    ``unsupported`` (no source supports the claim), ``overstated`` (the claim goes further than
    the sources) or ``misleading`` (true in part, but suggests something false)."""
    text: Text
    """The verified position, in the file's words."""
    claims: Annotated[list[Claim], Field(min_length=1)]
    """The competing claims, each with its source."""


class FactFile(Model):
    """A fact file: everything the documents say, in every language, with sources."""

    languages: Annotated[list[LangCode], Field(min_length=1)]
    """Languages of the file; the first is the primary language."""
    document: DocumentInfo
    """About the generated documents."""
    names: Names
    """Titles and names of the instrument."""
    adoption: Adoption
    """Formal adoption."""
    negotiation: Negotiation | None = None
    """Negotiation history, as far as it is known."""
    structure: Structure | None = None
    """Chapters and articles, once a source confirms them (documents then state the counts)."""
    offences: list[Provision] = []
    """Offences States must establish (Chapter II of a criminal-law treaty)."""
    signature: Signature | None = None
    """Opening for signature, the ceremony and the depositary."""
    accession: Accession | None = None
    """Who may accede, in words."""
    entry_into_force: EntryIntoForce | None = None
    """Entry into force: the rule, and the date once in force."""
    status: Status | None = None
    """Signatories, parties, ratifications and the date of entry into force, each with its date."""
    protocols: list[Protocol] = []
    """Protocols and amendments."""
    safeguards: list[Statement] = []
    """Human-rights and procedural safeguards."""
    criticisms: list[Attributed] = []
    """Main criticisms, each attributed."""
    responses: list[Attributed] = []
    """Replies to the criticisms, each attributed."""
    institutions: list[Institution] = []
    """Organizations with a role (secretariat, depositary)."""
    country_role: CountryRole | None = None
    """The role of the country the briefing is for."""
    timeline: list[Event] = []
    """Milestones, drawn as the timeline graphic."""
    next_steps: list[Statement] = []
    """What comes next: deadlines, ratification, follow-up."""
    discrepancies: list[Discrepancy] = []
    """Points on which sources disagree."""
    sources: Annotated[list[Source], Field(min_length=1)]
    """Every source cited anywhere in the file."""

    # The treaty's state, wherever the file gives it (the status block, or a legacy place).

    @property
    def signatories(self) -> Count | None:
        """The signatory count: ``status.signatories``, else the legacy ``signature.signatories``."""
        status, signature = self.status, self.signature
        if status is not None and status.signatories is not None:
            return status.signatories
        return signature.signatories if signature is not None else None

    @property
    def parties(self) -> Count | None:
        return self.status.parties if self.status is not None else None

    @property
    def ratifications(self) -> Count | None:
        """``status.ratifications``, else the legacy ``entry_into_force.ratifications``."""
        status, force = self.status, self.entry_into_force
        if status is not None and status.ratifications is not None:
            return status.ratifications
        return force.ratifications if force is not None else None

    @property
    def in_force_since(self) -> dt.date | None:
        """The date of entry into force, once in force (``status.in_force_since`` or ``entry_into_force.date``)."""
        status, force = self.status, self.entry_into_force
        if status is not None and status.in_force_since is not None:
            return status.in_force_since.date
        return force.date if force is not None else None

    @property
    def in_force_fact(self) -> Sourced | None:
        """What to cite for the date of entry into force."""
        status, force = self.status, self.entry_into_force
        if status is not None and status.in_force_since is not None:
            return status.in_force_since
        return force if force is not None and force.date is not None else None

    @property
    def open_until(self) -> DatedFact | None:
        """Until when the instrument is open for signature, if it is open until a date."""
        return self.signature.open_until if self.signature is not None else None

    @property
    def primary_language(self) -> str:
        return self.languages[0]

    def source(self, source_id: str) -> Source:
        """The source with this id (KeyError when unknown)."""
        sources = self.sources
        found = _source_index(sources)[source_id]
        found.id  # a recorded read, as a search would make: the result depends on this id
        return found


#: The last sources list indexed by id, and its index: documents look sources up thousands of
#: times, and a search of 5,000 sources each time made checks and builds quadratic.
_last_index: tuple[list, int, dict[str, "Source"]] | None = None


def _source_index(sources: list[Source]) -> dict[str, Source]:
    global _last_index
    cached = _last_index
    if cached is None or cached[0] is not sources or cached[1] != len(sources):
        index: dict[str, Source] = {}
        for src in sources:
            index.setdefault(object.__getattribute__(src, "__dict__")["id"], src)  # the first wins, as a search
            # finds it; finding a source is not a use of each id
        _last_index = cached = (sources, len(sources), index)
    return cached[2]


#: The last whole fact file walked, its nodes, and its nodes by kind (see :func:`instances`):
#: checks walk the same frozen file a dozen times.
_last_walk: tuple[object, list[tuple[tuple, object]], dict] | None = None


def walk(obj: object, path: tuple = ()) -> list[tuple[tuple, object]]:
    """``(path, value)`` for ``obj`` and everything below it, depth first, in file order.

    Types are compared with ``type()``: ``isinstance`` on a fact-file object would go through
    :meth:`Model.__getattribute__` for each of the hundred thousand nodes of a large file.
    """
    global _last_walk
    cached = _last_walk
    if not path and cached is not None and cached[0] is obj:
        return cached[1]
    nodes: list[tuple[tuple, object]] = []
    pending = [(path, obj)]
    while pending:
        where, value = pending.pop()
        nodes.append((where, value))
        kind = type(value)
        if issubclass(kind, RootModel):
            continue
        if issubclass(kind, BaseModel):
            values = object.__getattribute__(value, "__dict__")  # walking the tree is not a use of each fact
            pending.extend((where + (name,), values[name]) for name in reversed(kind.model_fields))
        elif issubclass(kind, list):
            pending.extend((where + (index,), value[index]) for index in range(len(value) - 1, -1, -1))
    if not path:
        _last_walk = (obj, nodes, {})
    return nodes


def instances(obj: object, kinds: type | tuple[type, ...]) -> list[tuple[tuple, object]]:
    """The ``(path, value)`` pairs of :func:`walk` whose value is one of ``kinds`` (a shared list:
    read it, do not change it)."""
    nodes = walk(obj)
    by_kind = _last_walk[2] if _last_walk is not None and _last_walk[0] is obj else {}
    found = by_kind.get(kinds)
    if found is None:
        found = by_kind[kinds] = [(where, value) for where, value in nodes if issubclass(type(value), kinds)]
    return found