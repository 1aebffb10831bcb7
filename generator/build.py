"""One build: load the facts once, render each requested kind in each language, publish."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import click

from generator.brand import load_brand
from generator.errors import ConfigError
from generator.facts import LoadedFacts, load_facts
from generator.renderers import Output, RenderJob, get_renderer
from generator.templating import TemplatePath, create_environment


@dataclass
class BuildOptions:
    """The options every document command shares (see ``generator.cli``)."""

    facts: Path | None = None
    """Fact file; None means the bundled one."""
    langs: tuple[str, ...] = ()
    """Languages to build; empty means every language of the fact file."""
    out: Path = Path("output")
    """Output directory."""
    templates: Path | None = None
    """User template directory searched before the bundled templates."""
    brand: Path | None = None
    """Brand file; None means ``brand.yaml`` on the template search path."""
    kind_options: dict = field(default_factory=dict)
    """Options of one kind, e.g. ``{"pdf_variant": "pdf/ua-1"}``."""

    def template_path(self) -> TemplatePath:
        if self.templates is not None and not Path(self.templates).is_dir():
            raise ConfigError(f"--templates: {self.templates} is not a directory")
        return TemplatePath(overrides=(Path(self.templates),) if self.templates else ())


def select_languages(requested: tuple[str, ...], loaded: LoadedFacts) -> list[str]:
    """``requested`` in the fact file's order, or all of them; unknown codes are an error."""
    available = loaded.facts.languages
    unknown = [lang for lang in requested if lang not in available]
    if unknown:
        raise ConfigError(f"--lang {unknown[0]!r} is not a language of {loaded.document.file}; "
                          f"expected one of {', '.join(available)}")
    return [lang for lang in available if not requested or lang in requested]


Progress = Callable[[int, int, str, str], None]
"""Called before each document: ``(index, total, kind, lang)``."""


def render_documents(kinds: list[str], options: BuildOptions, loaded: LoadedFacts | None = None,
                     progress: Progress | None = None) -> tuple[LoadedFacts, list[Output]]:
    """Render ``kinds`` in every selected language; nothing is written."""
    loaded = loaded or load_facts(options.facts)
    for warning in loaded.warnings:
        click.echo(f"warning: {warning}", err=True)
    langs = select_languages(options.langs, loaded)
    templates = options.template_path()
    env = create_environment(templates)
    brand = load_brand(templates, options.brand)
    outputs: list[Output] = []
    jobs = [(kind, lang) for kind in kinds for lang in langs]
    for index, (kind, lang) in enumerate(jobs, start=1):
        if progress:
            progress(index, len(jobs), kind, lang)
        job = RenderJob(loaded, lang, templates, env, {**options.kind_options, "brand": options.brand}, brand)
        outputs += get_renderer(kind).render(job)
    return loaded, outputs


def build(kinds: list[str], options: BuildOptions, progress: Progress | None = None) -> list[dict]:
    """Render and publish ``kinds``; other documents already in OUT stay. Returns the new records."""
    from generator.writer import publish

    loaded, outputs = render_documents(kinds, options, progress=progress)
    return publish(options.out, outputs, loaded)


def build_all(options: BuildOptions, progress: Progress | None = None) -> list[dict]:
    """Every kind in every selected language, the download page and the manifest.

    The staged output is verified (every file opened, every key fact found in its
    language) before it replaces OUT; on failure OUT keeps the previous build.
    """
    from generator.renderers import REGISTRY
    from generator.site import site_files
    from generator.verify import require_verified
    from generator.writer import publish

    loaded, outputs = render_documents(list(REGISTRY), options, progress=progress)
    templates = options.template_path()
    env = create_environment(templates)
    brand = load_brand(templates, options.brand)
    return publish(
        options.out, outputs, loaded, replace_all=True,
        extra_files=lambda staging, documents: site_files(loaded, templates, env, documents, brand),
        check=lambda staging: require_verified(staging, loaded, templates),
    )
