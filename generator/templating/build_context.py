"""One build's shared inputs, loaded once: the facts, the template path, the brand, the options,
each language's labels and the Jinja environment.

Every renderer, ``generate check``, the download page and ``verify`` take them from here, so
that a build reads each of them once and they all see the same brand and labels. Sent once to
each worker process; the Jinja environment is made again in each process (it cannot travel).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import jinja2

    from generator.facts.load import LoadedFacts
    from generator.templating.brand import LoadedBrand
    from generator.templating.paths import TemplatePath
    from generator.templating.i18n import Labels, Localizer


@dataclass
class BuildContext:
    """The inputs every document of one build shares."""

    loaded: "LoadedFacts"
    templates: "TemplatePath"
    brand: "LoadedBrand"
    options: dict = field(default_factory=dict)
    """Kind options (``pdf_variant``, ``slides``), ``brand`` (the brand file given, or None) and ``name``."""
    _labels: dict[str, "Labels"] = field(default_factory=dict, repr=False)
    _label_files: dict[str, list[Path]] = field(default_factory=dict, repr=False)
    _environment: "jinja2.Environment | None" = field(default=None, repr=False)

    @classmethod
    def load(cls, loaded: "LoadedFacts | Path | None" = None, templates: "TemplatePath | None" = None,
             brand_file: Path | None = None, options: dict | None = None) -> "BuildContext":
        """Load what is not given: the fact file (the bundled one by default), the template
        path (the bundled templates) and the brand (``brand_file``, else ``brand.yaml`` on the path)."""
        from generator.facts.load import LoadedFacts, load_facts
        from generator.templating.brand import load_brand
        from generator.templating.paths import TemplatePath

        if not isinstance(loaded, LoadedFacts):
            loaded = load_facts(loaded)
        templates = templates or TemplatePath()
        options = {"brand": brand_file, **(options or {})}
        return cls(loaded, templates, load_brand(templates, options.get("brand")), options)

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_environment"] = None  # made again where it is used
        return state

    @property
    def facts(self):
        return self.loaded.facts

    def labels(self, lang: str) -> "Labels":
        """The labels of ``lang``, read and checked once per build.

        Every call, from memory or not, tells the document being recorded which label files it
        depends on (:data:`generator.templating.sandbox.template_used`): a document that reads
        another language's labels (the handout checks its template against every language)
        depends on them too, whichever document happened to read them first.
        """
        from generator.templating.sandbox import template_used

        found = self._labels.get(lang)
        if found is None:
            from generator.templating.i18n import load_labels

            found = self._labels[lang] = load_labels(list(self.templates.dirs), lang)
        listener = template_used.get()
        if listener is not None:
            for path in self.label_files(lang):
                listener(str(path))
        return found

    def label_files(self, lang: str) -> list[Path]:
        """The files the labels of ``lang`` come from (and the English reference their placeholders are checked against)."""
        files = self._label_files.get(lang)
        if files is None:
            from generator.templating.i18n import labels_paths

            reference = self.templates.dirs[-1] / "labels" / "en.yaml"
            files = self._label_files[lang] = [*labels_paths(list(self.templates.dirs), lang),
                                              *([reference] if reference.is_file() else [])]
        return files

    def localizer(self, lang: str) -> "Localizer":
        from generator.templating.i18n import Localizer

        return Localizer(lang, self.facts.primary_language, self.labels(lang))

    def environment(self) -> "jinja2.Environment":
        """The build's Jinja environment (one per process): templates compile once for every document."""
        if self._environment is None:
            from generator.templating.environment import create_environment

            self._environment = create_environment(self.templates)
        return self._environment

    def template_context(self, lang: str, **extra: object) -> dict:
        """A fresh template context for one document in ``lang`` (its own citation numbering), with the brand."""
        from generator.templating.context import template_context

        extra.setdefault("brand", self.brand)
        return template_context(self.loaded, lang, self.templates, labels=self.labels(lang), **extra)
