"""Document renderers: one module per document kind behind one small interface.

A renderer turns one language's template context into files (as bytes); it never writes
to disk: :mod:`generator.output.writer` does. Heavy libraries (WeasyPrint, python-docx,
python-pptx) are imported inside renderer modules only, which load on first use.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from generator.errors import ConfigError

if TYPE_CHECKING:
    import jinja2

    from generator.templating.brand import LoadedBrand
    from generator.facts.load import LoadedFacts
    from generator.templating.environment import TemplatePath
    from generator.facts.yamlsource import Problem

#: Document kind -> "module:class". The CLI and ``generate all`` take their kinds from here.
REGISTRY: dict[str, str] = {
    "brief": "generator.renderers.brief:BriefRenderer",
    "handout": "generator.renderers.handout:HandoutRenderer",
    "slides": "generator.renderers.slides:SlidesRenderer",
}


@dataclass
class Output:
    """One generated file, not yet written."""

    kind: str
    """Document kind (``brief``, ``handout``, ``slides``)."""
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
    """Everything a renderer needs to produce one language's documents."""

    loaded: "LoadedFacts"
    lang: str
    templates: "TemplatePath"
    env: "jinja2.Environment"
    options: dict = field(default_factory=dict)
    """Kind-specific options, e.g. ``pdf_variant``, and ``brand`` (a brand file path or None)."""
    brand: "LoadedBrand | None" = None
    """The build's brand, loaded once per build; loaded on first use when not given."""

    def get_brand(self) -> "LoadedBrand":
        """The brand of this build (``brand.yaml`` on the template path unless a file was given)."""
        if self.brand is None:
            from generator.templating.brand import load_brand

            self.brand = load_brand(self.templates, self.options.get("brand"))
        return self.brand

    def context(self, **extra: object) -> dict:
        """A fresh template context (own citation numbering) for one document, with ``brand``."""
        from generator.templating.context import build_context

        extra.setdefault("brand", self.get_brand())
        return build_context(self.loaded, self.lang, self.templates, **extra)

    def filename(self, kind: str, suffix: str) -> str:
        """``vi/hanoi-convention-brief.pdf``: named after the fact file (or the ``name`` setting), by language."""
        return f"{self.lang}/{self.options.get('name') or self.loaded.path.stem}-{kind}.{suffix}"


class Renderer:
    """Base class: set ``kind`` and implement ``render``; ``lint`` is optional."""

    kind: str = ""
    template: str = ""
    """The template a document of this kind starts from (named when its rendering runs out of time)."""

    def render(self, job: RenderJob) -> list[Output]:
        raise NotImplementedError

    def lint(self, loaded: "LoadedFacts", templates: "TemplatePath") -> list["Problem"]:
        """Problems ``generate check`` reports for this kind's templates; must stay import-light."""
        return []


def get_renderer(kind: str) -> Renderer:
    """Instantiate the renderer of ``kind``; an unknown kind lists the valid ones."""
    try:
        target = REGISTRY[kind]
    except KeyError:
        raise ConfigError(f"unknown document kind {kind!r}; expected one of {', '.join(REGISTRY)}") from None
    module_name, class_name = target.split(":")
    return getattr(importlib.import_module(module_name), class_name)()
