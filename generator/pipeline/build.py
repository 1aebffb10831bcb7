"""One build: load the facts once, render what changed (in parallel), reuse the rest, publish."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from generator.errors import ConfigError
from generator.limits import DEFAULT_TIME_BUDGET
from generator.renderers import Output, kinds as all_kinds, renderer_type
from generator.templating.paths import TemplatePath

if TYPE_CHECKING:  # the fact models (pydantic), YAML and Jinja load when a build needs them, not on import:
    # a rebuild its stamp shows to have nothing to do never needs them (generator.pipeline.stamp)
    from generator.facts.load import LoadedFacts
    from generator.templating.brand import LoadedBrand
    from generator.templating.build_context import BuildContext


@dataclass
class BuildOptions:
    """The options every document command shares (see ``generator.commands.cli``)."""

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
    jobs: int | None = None
    """Rendering processes; None means one per CPU, 1 renders everything in this process."""
    use_cache: bool = True
    """Reuse documents whose inputs are unchanged (``build`` and ``build_all``); False renders all again."""
    allow_missing: bool = False
    """Publish despite missing translations, each gap marked in the document's language."""
    strict: bool = False
    """Treat warnings (customizations that do nothing, slide limits, contrast) as errors: nothing is written."""
    name: str | None = None
    """Output file names ``NAME-brief.pdf``...; None means the fact file's name."""
    slides: tuple[str, ...] = ()
    """Slide ids of the deck in order; empty means every slide of the outline."""
    time_budget: float | None = DEFAULT_TIME_BUDGET
    """Seconds one document may take to render (None or 0: no limit)."""
    config_file: Path | None = None
    """The configuration file the settings came from (``generate.toml``), an input no build may overwrite."""

    def template_path(self) -> TemplatePath:
        if self.templates is not None and not Path(self.templates).is_dir():
            raise ConfigError(f"--templates: {self.templates} is not a directory")
        return TemplatePath(overrides=(Path(self.templates),) if self.templates else ())

    def job_count(self) -> int:
        from generator.pipeline.workers import default_jobs

        return self.jobs or default_jobs()


def select_languages(requested: tuple[str, ...], loaded: LoadedFacts) -> list[str]:
    """``requested`` in the fact file's order, or all of them; unknown codes are an error."""
    available = loaded.facts.languages
    unknown = [lang for lang in requested if lang not in available]
    if unknown:
        raise ConfigError(f"--lang {unknown[0]!r} is not a language of {loaded.document.file}; "
                          f"expected one of {', '.join(available)}")
    return [lang for lang in available if not requested or lang in requested]


@dataclass(frozen=True)
class DocumentStatus:
    """A document that is ready: rendered now or taken from the cache."""

    index: int
    """1 for the first document ready, up to ``total``."""
    total: int
    kind: str
    lang: str
    cached: bool
    seconds: float
    """Rendering time (for a cached document: the time its rendering took when it was made)."""
    elapsed: float = 0.0
    """Seconds since the build started rendering."""
    starting: bool = False
    """True when the document starts rendering (``index`` is then 0): nothing is ready yet."""


Progress = Callable[[DocumentStatus], None]
"""Called as each document starts rendering, and as each is ready, in the order they finish."""


@dataclass
class BuildReport:
    """What a build did, for the command line and the benchmarks."""

    rendered: list[tuple[str, str]] = field(default_factory=list)
    """(kind, lang) rendered by this build."""
    cached: list[tuple[str, str]] = field(default_factory=list)
    """(kind, lang) reused from the cache."""
    published: bool = False
    """False when OUT already held exactly what this build made, so nothing was written."""
    missing_translations: int = 0
    """Texts published with the missing-translation mark (``--allow-missing``)."""
    warnings: list[str] = field(default_factory=list)
    """Every warning of the build in the order found, each shown as ``warning: <text>``: of the fact file,
    the customizations, and each document (also when the document comes from the cache)."""
    on_warning: Callable[[str], None] | None = None
    """Called with each warning as it is found (the command line prints it at once)."""
    documents: list[tuple[str, str, float, list[str]]] = field(default_factory=list)
    """``(kind, lang, seconds, warnings)`` of each document as it is ready (for the build's stamp)."""
    stamped: bool = False
    """True when the build's stamp showed that nothing changed: nothing was loaded, rendered or
    written, and the report is the one a rebuild that changed nothing makes
    (see :mod:`generator.pipeline.stamp`)."""

    def warn(self, text: str) -> None:
        self.warnings.append(text)
        if self.on_warning is not None:
            self.on_warning(text)


def build(kinds: list[str], options: BuildOptions, progress: Progress | None = None,
          report: BuildReport | None = None) -> list[dict]:
    """Render and publish ``kinds``; other documents already in OUT stay, and the download page
    is rebuilt so that it lists exactly what manifest.json lists. Returns the new records."""
    from generator.pipeline import stamp

    report = report if report is not None else BuildReport()
    command = "only " + ",".join(kinds)
    replay, before = stamp.check(command, options)
    if replay is not None:
        return _replayed(replay, progress, report)
    from generator.pipeline.cache import DocumentCache
    from generator.output.site import site_files
    from generator.output.writer import publish_changes

    plan = _Plan.make(kinds, options, report)
    check_output(options, plan)
    report.missing_translations = plan.gaps
    cache = DocumentCache.for_output(options.out)
    outputs = _render(plan, options, cache, progress, report)
    published: dict[str, str] = {}
    records, report.published = publish_changes(
        options.out, outputs, plan.loaded,
        extra_files=lambda staging, documents: site_files(plan.build, documents), published=published.update)
    _write_stamp(command, options, plan, before, cache, published, records, report)
    return records


def build_all(options: BuildOptions, progress: Progress | None = None, report: BuildReport | None = None) -> list[dict]:
    """Every kind in every selected language, the download page and the manifest.

    The staged output is verified (every file opened, every key fact found in its
    language) before it replaces OUT; on failure OUT keeps the previous build. When OUT
    already holds exactly what this build made, it is left alone (after verification).
    """
    from generator.pipeline import stamp

    report = report if report is not None else BuildReport()
    replay, before = stamp.check("all", options)
    if replay is not None:
        return _replayed(replay, progress, report)
    from generator.pipeline.cache import DocumentCache, environment_digest
    from generator.output.verify import require_verified
    from generator.output.writer import publish_changes

    plan = _Plan.make(all_kinds(), options, report)
    check_output(options, plan)
    report.missing_translations = plan.gaps
    cache = DocumentCache.for_output(options.out)
    environment = before.environment if before is not None else environment_digest()
    verified = cache.verified(environment)
    outputs = _render(plan, options, cache, progress, report, environment, verified)
    published: dict[str, str] = {}
    records, report.published = publish_changes(
        options.out, outputs, plan.loaded, replace_all=True,
        extra_files=lambda staging, documents: _site_files(plan, documents, options.time_budget),
        check=lambda staging: require_verified(staging, plan.build, verified),
        published=published.update,
    )
    cache.save_verified(verified)
    _write_stamp("all", options, plan, before, cache, published, records, report)
    return records


def _replayed(replay, progress: Progress | None, report: BuildReport) -> list[dict]:
    """Report what a rebuild that changed nothing reports, from the build's stamp: the same
    warnings, the same progress lines (every document unchanged, from the cache), the same records."""
    report.stamped = True
    for warning in replay.warnings:
        report.warn(warning)
    report.missing_translations = replay.missing_translations
    begun = time.perf_counter()
    for index, (kind, lang, seconds, warnings) in enumerate(replay.documents, 1):
        for warning in warnings:
            report.warn(warning)
        report.cached.append((kind, lang))
        report.documents.append((kind, lang, seconds, warnings))
        if progress:
            progress(DocumentStatus(index, len(replay.documents), kind, lang, True, seconds,
                                    time.perf_counter() - begun))
    report.published = False
    return replay.records


def _write_stamp(command: str, options: BuildOptions, plan: "_Plan", before, cache, published: dict[str, str],
                 records: list[dict], report: BuildReport) -> None:
    """After a successful publish, stamp what this build read and published, and what a rebuild
    that changed nothing will report (see :mod:`generator.pipeline.stamp`).

    Only when every document is in the cache and nothing the build read changed while it ran:
    the inputs found before the build (``before``), those the documents' cache keys were computed
    from, and those found now must agree. Otherwise the stamp is removed.
    """
    from generator.errors import GenerateError
    from generator.output.workspace import Workspace
    from generator.pipeline import stamp

    if before is None or cache.store_failed or not published or plan.seen is None:
        return
    loaded, previous, brand = plan.loaded, plan.loaded.previous, plan.brand
    files = [path for path in (loaded.path, previous and previous.path, brand.source, brand.logo_path) if path]
    order = {task: index for index, task in enumerate((kind, lang) for kind in plan.kinds for lang in plan.langs)}
    documents = sorted(report.documents, key=lambda document: order[document[:2]])
    replay = stamp.Replay(records, plan.warnings, [(k, lang, round(s, 3), w) for k, lang, s, w in documents],
                          plan.gaps)
    try:
        space = Workspace.beside(options.out)
        with space.lock():
            after = stamp.current_inputs(command, options, files)
            seen_snapshot, seen_brand = plan.seen
            read = {os.path.abspath(loaded.path): loaded.sha256,
                    **({os.path.abspath(previous.path): previous.sha256} if previous else {})}
            steady = (after.same_setting(before)
                      and before.snapshot.digests == seen_snapshot.digests
                      and all(before.files.get(path, digest) == digest for path, digest in after.files.items())
                      and all(after.files.get(path) == digest for path, digest in read.items())
                      and stamp.brand_files_digest(after, brand) == seen_brand
                      and len(documents) == len(order))
            if steady:
                stamp.write(space, after, published, replay)
            else:
                stamp.remove(space)
    except (OSError, GenerateError):
        return


def _site_files(plan: "_Plan", documents: list[dict], seconds: float | None) -> dict[str, bytes]:
    from generator.pipeline.budget import TimeBudget
    from generator.output.site import PAGE_TEMPLATE, site_files

    with TimeBudget(seconds, "the download page", PAGE_TEMPLATE):
        return site_files(plan.build, documents)


def check_output(options: BuildOptions, plan: "_Plan | None" = None):
    """Refuse, before anything is rendered or written, an OUT this build must not write to.

    See :mod:`generator.output.outdir`: OUT must not be or contain the working directory, an input
    of the build, the home folder or a system folder, and must be new, empty, or hold a
    manifest of ours. Returns the :class:`generator.output.outdir.OutputFolder` found.
    """
    from generator import BUNDLED_FACTS
    from generator.output.outdir import check_location, inspect
    from generator.output.writer import recover_if_idle

    inputs = {
        "the fact file": plan.loaded.path if plan else Path(options.facts or BUNDLED_FACTS),
        "the brand file": plan.brand.source if plan else options.brand,
        "the logo": plan.brand.logo_path if plan else None,
        "the configuration file": options.config_file,
    }
    templates = plan.templates if plan else options.template_path()
    check_location(options.out, inputs=inputs, template_dirs=templates.dirs)
    recover_if_idle(options.out)
    return inspect(options.out)


@dataclass
class _Plan:
    """The kinds and languages of one build, and its shared inputs, loaded once."""

    kinds: list[str]
    langs: list[str]
    build: BuildContext
    gaps: int = 0
    """Missing translations in the selected languages (only with ``allow_missing``)."""
    warnings: list[str] = field(default_factory=list)
    """The warnings the plan reported (of the fact file and the customizations)."""
    seen: tuple | None = None
    """The template snapshot and the brand digest the documents' cache keys were computed from."""

    @property
    def loaded(self) -> LoadedFacts:
        return self.build.loaded

    @property
    def templates(self) -> TemplatePath:
        return self.build.templates

    @property
    def brand(self) -> LoadedBrand:
        return self.build.brand

    @classmethod
    def make(cls, kinds: list[str], options: BuildOptions, report: BuildReport) -> "_Plan":
        for kind in kinds:
            renderer_type(kind)  # an unknown kind: the error lists the valid ones
        from generator.facts.load import load_facts
        from generator.facts.rules import translation_gaps

        loaded = load_facts(options.facts)
        langs = select_languages(options.langs, loaded)
        gaps = translation_gaps(loaded.facts, loaded.document, langs)
        if gaps and not options.allow_missing:
            count = len(gaps)
            raise ConfigError("\n".join(str(gap) for gap in gaps) + f"\n{count} missing translation{'s' * (count != 1)} "
                              f"in {loaded.document.file}; nothing was generated (add the text, or build with "
                              "--allow-missing to publish with a mark where each is missing)")
        from generator.templating.brand import load_brand
        from generator.templating.build_context import BuildContext
        from generator.templating.noops import customization_problems

        templates = options.template_path()
        brand = load_brand(templates, options.brand)
        warnings = [w for w in loaded.warnings if not w.message.startswith("missing translation")] + gaps
        warnings += customization_problems(templates, brand, langs)
        if options.strict and warnings:
            count = len(warnings)
            raise ConfigError("\n".join(str(w) for w in warnings) + f"\n--strict: {count} warning{'s' * (count != 1)} "
                              "count as errors; nothing was generated")
        for warning in warnings:
            report.warn(str(warning))
        kind_options = {**options.kind_options, "brand": options.brand, "name": options.name,
                        "slides": list(options.slides)}
        return cls(list(kinds), langs, BuildContext(loaded, templates, brand, kind_options), len(gaps),
                   [str(warning) for warning in warnings])


def _render(plan: _Plan, options: BuildOptions, cache, progress: Progress | None,
            report: BuildReport, environment: str | None = None, verified=None) -> list[Output]:
    """Outputs of every (kind, lang) of ``plan`` in kind-then-language order: from ``cache`` or rendered.

    With ``verified`` (a :class:`generator.pipeline.cache.VerifiedMemo`), each document is also
    verified where it is rendered, and the results are added to it.
    """
    from generator.pipeline.workers import Rendered, RenderSetup, Task, render_all

    tasks = [Task(kind, lang) for kind in plan.kinds for lang in plan.langs]
    kind_options = plan.build.options
    jobs = options.job_count()
    ready: dict[Task, list[Output]] = {}

    warned: list[str] = []
    begun = time.perf_counter()

    def announce(task: Task, cached: bool, seconds: float, warnings: list[str]) -> None:
        for warning in warnings:
            warned.append(warning)
            report.warn(warning)
        (report.cached if cached else report.rendered).append((task.kind, task.lang))
        report.documents.append((task.kind, task.lang, seconds, list(warnings)))
        if progress:
            progress(DocumentStatus(len(report.cached) + len(report.rendered), len(tasks), task.kind, task.lang,
                                    cached, seconds, time.perf_counter() - begun))

    def started(task: Task) -> None:
        if progress:
            progress(DocumentStatus(0, len(tasks), task.kind, task.lang, False, 0.0, time.perf_counter() - begun,
                                    starting=True))

    keys: dict[Task, str] = {}
    if cache is not None:
        keys, snapshot = _cache_keys(plan, tasks, cache, environment)
        for task in tasks:
            hit = cache.lookup(task.kind, task.lang, keys[task], snapshot, plan.loaded.facts, kind_options) \
                if options.use_cache else None
            if hit is not None:
                ready[task] = hit.outputs
                announce(task, True, hit.seconds, hit.warnings)

    def rendered(result: Rendered) -> None:
        task = Task(result.kind, result.lang)
        ready[task] = result.outputs
        for key in result.verified:
            verified.add(key)
        if cache is not None:
            cache.store(task.kind, task.lang, keys[task], snapshot.names(result.files), result.facts, result.options,
                        result.outputs, result.warnings, result.seconds)
        announce(task, False, result.seconds, result.warnings)

    missing = [task for task in tasks if task not in ready]
    if cache is not None:  # the slowest first, so that no worker is left with a long one at the end
        missing.sort(key=lambda t: -(cache.previous_seconds(t.kind, t.lang) or 0.0))
    setup = RenderSetup(plan.build, verify=verified is not None,
                        time_budget=options.time_budget)
    render_all(setup, missing, jobs, rendered, started)
    if cache is not None:
        cache.prune(all_kinds(), plan.loaded.facts.languages)
    if options.strict and warned:
        count = len(warned)
        raise ConfigError(f"--strict: {count} warning{'s' * (count != 1)} (above) count as errors; nothing was published")
    return [output for task in tasks for output in ready[task]]


def _cache_keys(plan: _Plan, tasks, cache, environment: str | None):
    """The inputs key of every task, and the template snapshot they were computed from."""
    from generator.pipeline.cache import TemplateSnapshot, brand_digest, environment_digest

    snapshot = TemplateSnapshot.take(plan.templates)
    environment = environment or environment_digest()
    brand = brand_digest(plan.brand)
    plan.seen = (snapshot, brand)
    previous = plan.loaded.previous
    keys = {task: cache.inputs_key(task.kind, task.lang, environment=environment, snapshot=snapshot, brand=brand,
                                   facts_stem=plan.loaded.path.stem,
                                   previous_edition=previous.sha256 if previous else None)
            for task in tasks}
    return keys, snapshot
