"""Document kinds: one package per kind, each declaring itself with a :class:`Renderer` subclass.

A kind package's ``__init__`` holds only its declaration (the class and its attributes) and
imports its rendering code inside ``render``/``lint``: the command line builds one command per
kind from these declarations on every start, so they must stay import-light (a test holds them
to that). Adding a kind is adding a package here and a template folder; the commands, the job
list, the manifest, the download page and ``verify`` take everything from the registry.

A renderer turns one language's template context into files (as bytes); it never writes to
disk: :mod:`generator.output.writer` does. See docs/kinds.md.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, ClassVar

from generator.errors import ConfigError

if TYPE_CHECKING:
    from collections.abc import Sequence

    import jinja2

    from generator.templating.build_context import BuildContext
    from generator.facts.load import LoadedFacts
    from generator.facts.yamlsource import Problem
    from generator.templating.brand import LoadedBrand
    from generator.templating.paths import TemplatePath


@dataclass(frozen=True)
class KindOption:
    """A setting a kind takes: an option of its command (and of ``generate all``) and a key of generate.toml."""

    name: str
    """Key in ``generate.toml`` and in :attr:`RenderJob.options`; ``pdf_variant`` is ``--pdf-variant``."""
    meaning: str
    """What it sets, for ``generate config`` and ``--help``."""
    choices: tuple[str, ...] = ()
    """The values it takes; the first is the default. Empty: a list of names (``many``)."""
    help: str = ""
    """Longer help for the command-line option."""
    command_line: bool = True
    """False: only generate.toml sets it (a list of slide ids, say)."""
    example: str = ""
    """An example value for error messages (``["title", "timeline"]``)."""
    items: str = "names"
    """What a list holds, for error messages (``slide ids``)."""
    shown_default: str = ""
    """How ``generate config`` describes the default of a list (``every slide of the outline``)."""

    @property
    def default(self) -> str | None:
        return self.choices[0] if self.choices else None

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def convert(self, value: object) -> object:
        """The configured ``value`` checked; raises ValueError with the expected form."""
        if self.choices:
            if value not in self.choices:
                raise ValueError(f"expected one of {', '.join(self.choices)}, found {value!r}")
            return value
        if not (isinstance(value, list) and value and all(isinstance(v, str) and v for v in value)):
            example = self.example or '["a", "b"]'
            raise ValueError(f"expected a list of {self.items} such as {example}, found {value!r}")
        return tuple(value)


@dataclass
class Output:
    """One generated file, not yet written."""

    kind: str
    """Document kind (``brief``, ``handout``, ``slides``, ...)."""
    lang: str
    """Language code."""
    format: str
    """File format: ``pdf``, ``docx``, ``pptx``, ``md``."""
    path: str
    """Path relative to the output directory, ``/``-separated."""
    data: bytes
    """File contents."""
    title: str
    """Document title in its language."""
    pages: int | None = None
    """Page count (PDF, DOCX), when known."""
    slides: int | None = None
    """Slide count (PPTX, Markdown outline)."""


@dataclass
class RenderJob:
    """One language's rendering of one kind: the build's shared inputs, the language, its options."""

    build: "BuildContext"
    lang: str
    options: dict = field(default_factory=dict)
    """Kind options (``pdf_variant``, ``slides``), ``brand`` (a brand file path or None) and ``name``;
    a build passes a recording mapping, so that the cache knows which ones a document read."""
    warnings: list[str] = field(default_factory=list)
    """What the rendering found worth telling (:meth:`warn`); returned with the outputs, shown by the command."""

    @property
    def loaded(self) -> "LoadedFacts":
        return self.build.loaded

    @property
    def templates(self) -> "TemplatePath":
        return self.build.templates

    @property
    def env(self) -> "jinja2.Environment":
        return self.build.environment()

    def get_brand(self) -> "LoadedBrand":
        """The brand of this build (``brand.yaml`` on the template path unless a file was given)."""
        return self.build.brand

    def context(self, **extra: object) -> dict:
        """A fresh template context (own citation numbering) for one document, with ``brand``."""
        return self.build.template_context(self.lang, **extra)

    def filename(self, kind: str, suffix: str) -> str:
        """``vi/hanoi-convention-brief.pdf``: named after the fact file (or the ``name`` setting), by language."""
        return f"{self.lang}/{self.options.get('name') or self.loaded.path.stem}-{kind}.{suffix}"

    def warn(self, message: str) -> None:
        """Report a warning about this document; the command prints ``warning: <message>``, so the
        message names what it is about (``brief (vi): ...``)."""
        self.warnings.append(message)


class Renderer:
    """A document kind. Subclass it in ``generator/renderers/<kind>/__init__.py`` and declare:"""

    kind: ClassVar[str] = ""
    """The command (``generate brief``), the template folder (``templates/brief/``) and the file name suffix."""
    summary: ClassVar[str] = ""
    """One sentence for ``generate --help`` and the command's help."""
    order: ClassVar[int] = 100
    """Place in ``generate all``, the download page and the manifest (smaller first)."""
    template: ClassVar[str] = ""
    """The template a document of this kind starts from (named when its rendering runs out of time)."""
    formats: ClassVar[tuple[str, ...]] = ()
    """The file formats one language's rendering produces, in order (``("pptx", "md")``)."""
    extent: ClassVar[str] = "pages"
    """What :class:`Output` counts for it: ``pages`` or ``slides``."""
    options: ClassVar[tuple[KindOption, ...]] = ()
    """Its settings (see :class:`KindOption`)."""
    heavy_imports: ClassVar[tuple[str, ...]] = ()
    """Modules its rendering imports; a worker process imports them before its first document."""
    shows: ClassVar[frozenset[str] | None] = None
    """Names of the key facts every document of this kind states (:data:`generator.output.keyfacts.KEY_FACTS`),
    which ``verify`` looks for; None: all of them."""
    lints_by_language: ClassVar[bool] = False
    """True when :meth:`lint` can check one language at a time (``check`` then shares a kind's
    languages out among its processes: a large fact file makes each language slow to render)."""

    def render(self, job: RenderJob) -> list[Output]:
        raise NotImplementedError

    def lint(self, build: "BuildContext", languages: "Sequence[str] | None" = None) -> list["Problem"]:
        """Problems ``generate check`` reports for this kind's templates, rendered in every language of
        ``build`` with its brand (no layout: ``check`` stays quick).

        ``languages``, for a kind that :attr:`lints_by_language`: only the problems of those
        languages, ``()`` only those of no language; None (and any other kind): all of them,
        in the order of those calls (no language first, then each language of the fact file).
        """
        return []


@lru_cache(maxsize=1)
def registry() -> dict[str, type[Renderer]]:
    """Every kind, in :attr:`Renderer.order`: the packages of this folder that declare a renderer."""
    found: dict[str, type[Renderer]] = {}
    for module in pkgutil.iter_modules(__path__):
        if not module.ispkg:
            continue
        package = importlib.import_module(f"{__name__}.{module.name}")
        for value in vars(package).values():
            if isinstance(value, type) and issubclass(value, Renderer) and value.kind and value.__module__ == package.__name__:
                found[value.kind] = value
    return dict(sorted(found.items(), key=lambda item: (item[1].order, item[0])))


def kinds() -> list[str]:
    """The kind names in build order."""
    return list(registry())


def renderer_type(kind: str) -> type[Renderer]:
    """The declaration of ``kind``; an unknown kind lists the valid ones."""
    try:
        return registry()[kind]
    except KeyError:
        raise ConfigError(f"unknown document kind {kind!r}; expected one of {', '.join(registry())}") from None


def get_renderer(kind: str) -> Renderer:
    """A renderer of ``kind``; an unknown kind lists the valid ones."""
    return renderer_type(kind)()


def kind_options() -> dict[str, KindOption]:
    """Every kind's options by name (two kinds may share one, such as a PDF variant)."""
    return {option.name: option for cls in registry().values() for option in cls.options}
