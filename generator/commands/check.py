"""``generate check``: the fact file, its translations and sources, labels and templates."""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from generator import BUNDLED_FACTS
from generator.errors import ConfigError, GenerateError, TemplateError
from generator.limits import DEFAULT_TIME_BUDGET

if TYPE_CHECKING:
    from generator.facts.yamlsource import Problem


#: ``GENERATE_TODAY=YYYY-MM-DD`` stands in for the clock's date in the freshness check (tests, reviews of old runs).
TODAY_VARIABLE = "GENERATE_TODAY"
DEFAULT_MAX_AGE = 90


def today() -> dt.date:
    """The date the freshness check measures against: ``$GENERATE_TODAY`` if set, else the clock's."""
    value = os.environ.get(TODAY_VARIABLE)
    if not value:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{TODAY_VARIABLE}: expected a date (YYYY-MM-DD), found {value!r}") from None


def run_check(facts_path: Path | None, langs: tuple[str, ...], templates_dir: Path | None,
              *, strict: bool, echo: Callable[..., None], brand: Path | None = None, verbose: bool = False,
              max_age: int = DEFAULT_MAX_AGE, today: dt.date | None = None,
              time_budget: float | None = DEFAULT_TIME_BUDGET, fail_stale: bool = False,
              read: dict[Path, str | None] | None = None) -> bool:
    """Print a report, verdict first; True when the check passes (no errors; no warnings either if
    ``strict``; no stale figure either if ``fail_stale``).

    Then each error, warning and stale notice (standard error), a summary of the fact file, its
    translations and freshness; the recorded discrepancies between sources only with ``verbose``.

    ``today`` (default: the clock's date) and ``max_age`` drive the freshness notices. They are
    kept apart from ``strict`` on purpose: the same files must get the same strict verdict
    tomorrow as today, so only ``fail_stale`` lets the calendar fail a check. The documents
    themselves never depend on the clock.

    ``read``, when given, receives the files the check read (the fact file, its previous edition,
    the brand file and logo, the configuration), each with the SHA-256 of the bytes it read when
    known, else None.
    """
    # Imported here: a check repeated from its memo (generator.commands.checkmemo) needs neither
    # pydantic, nor the models, nor YAML.
    from generator.facts.load import read_facts
    from generator.facts.yamlsource import display_path

    read = read if read is not None else {}
    shown = display_path(Path(facts_path) if facts_path else BUNDLED_FACTS)
    today = today or dt.date.today()
    loaded, problems = read_facts(facts_path)
    if loaded is not None:
        read[loaded.path] = loaded.sha256
        if loaded.previous is not None:
            read[loaded.previous.path] = loaded.previous.sha256
        problems = problems + freshness_problems(loaded, today, max_age)
        problems = problems + _check_templates(loaded, langs, templates_dir, brand, time_budget, read)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity == "warning"]
    stale = [p for p in problems if p.severity == "stale"]
    failed = bool(errors) or (strict and bool(warnings)) or (fail_stale and bool(stale))
    verdict = "FAILED" if failed else "OK"
    notes = []
    if strict and warnings:
        notes.append("--strict: warnings count as errors")
    if fail_stale and stale:
        notes.append("--fail-stale: stale figures count as errors")
    stale_count = f", {len(stale)} stale" if stale else ""
    echo(f"{verdict}: {len(errors)} error{'s' * (len(errors) != 1)}, "
         f"{len(warnings)} warning{'s' * (len(warnings) != 1)}{stale_count}"
         + (f" ({'; '.join(notes)})" if notes else ""))
    for problem in errors:
        echo(f"error: {problem}", err=True)
    for problem in warnings:
        echo(f"warning: {problem}", err=True)
    for problem in stale:
        echo(f"stale: {problem}", err=True)
    if loaded is not None:
        facts = loaded.facts
        sourced = sum(1 for _ in _sourced(facts))
        echo(f"{shown}: {len(facts.languages)} languages ({', '.join(facts.languages)}), "
             f"{len(facts.sources)} sources, {sourced} sourced facts, as of {facts.document.as_of.isoformat()}, "
             f"status {facts.document.status}")
        _report_translations(facts, echo)
        _report_discrepancies(facts, echo, verbose)
        _report_freshness(facts, today, max_age, echo)
    return not failed


def _sourced(facts):
    from generator.facts.models import Sourced, instances

    return (value for _, value in instances(facts, Sourced))


def _report_translations(facts, echo) -> None:
    from generator.facts.rules import missing_translations

    echo("Translations:")
    for lang, paths in missing_translations(facts).items():
        status = "complete" if not paths else f"{len(paths)} missing: {', '.join(paths[:8])}" + (" …" if len(paths) > 8 else "")
        echo(f"  {lang}: {status}")


def _report_discrepancies(facts, echo, verbose: bool) -> None:
    lang = facts.primary_language
    more = " (--verbose lists them)" if facts.discrepancies and not verbose else ""
    echo(f"Recorded discrepancies between sources: {len(facts.discrepancies)}{more}")
    for item in facts.discrepancies if verbose else ():
        about = f" about {item.concerns}" if item.concerns else ""
        echo(f"  {item.id} ({item.kind}{about}): {item.text.get(lang) or ''} [{', '.join(item.sources)}]")
        for claim in item.claims:
            echo(f"    - {claim.source} claims: {claim.text.get(lang) or ''}")


def _report_freshness(facts, today: dt.date, max_age: int, echo) -> None:
    """When the facts and each dated figure were last verified, against today and the limit."""
    from generator.facts.models import Count, instances
    from generator.facts.yamlsource import format_path

    as_of = facts.document.as_of
    echo(f"Freshness (today {today.isoformat()}, limit {max_age} days):")
    echo(f"  document.as_of: {as_of.isoformat()}, {_age(today, as_of)}")
    for path, value in instances(facts, Count):
        if value.as_of is not None:
            older = " (older than document.as_of)" if value.as_of < as_of else ""
            echo(f"  {format_path(path)}.as_of: {value.as_of.isoformat()}, {_age(today, value.as_of)}{older}")


def _age(today: dt.date, day: dt.date) -> str:
    days = (today - day).days
    return f"{days} day{'s' * (days != 1)} ago" if days >= 0 else f"{-days} day{'s' * (days != -1)} in the future"


def freshness_problems(loaded, today: dt.date, max_age: int) -> list[Problem]:
    """Stale notices for facts verified more than ``max_age`` days before ``today``.

    ``document.as_of`` first; then every figure (``Count``) that carries its own ``as_of``
    older than that, since a figure can lag behind the rest of the file.
    """
    from generator.facts.models import Count, instances
    from generator.facts.yamlsource import Problem, format_path

    facts, doc = loaded.facts, loaded.document
    problems: list[Problem] = []

    def warn(path: tuple, what: str, as_of: dt.date) -> None:
        age = (today - as_of).days
        if age > max_age:
            problems.append(Problem(doc.position(path), format_path(path),
                                    f"{what} {as_of.isoformat()}, {age} days before today ({today.isoformat()}), "
                                    f"more than the {max_age} days allowed (--max-age): verify again and update "
                                    f"the date", "stale"))

    warn(("document", "as_of"), "facts last verified on", facts.document.as_of)
    for path, value in instances(facts, Count):
        if value.as_of is not None:
            warn(path + ("as_of",), "figure last verified on", value.as_of)
    return problems


def _check_templates(loaded, langs: tuple[str, ...], templates_dir: Path | None,
                     brand_file: Path | None = None,
                     time_budget: float | None = DEFAULT_TIME_BUDGET,
                     read: dict[Path, str | None] | None = None) -> list[Problem]:
    """Labels of every language, customizations that would do nothing, then each kind's own template lint
    (the brand file, logo and configuration it reads are added to ``read``)."""
    from generator.templating.build_context import BuildContext
    from generator.pipeline.build import BuildOptions, select_languages
    from generator.commands.config import load_config
    from generator.templating.brand import load_brand
    from generator.templating.i18n import load_labels
    from generator.templating.noops import customization_problems
    from generator.facts.yamlsource import Problem
    from generator.renderers import kinds

    read = read if read is not None else {}
    problems: list[Problem] = []
    try:
        templates = BuildOptions(templates=templates_dir).template_path()
        selected = select_languages(langs, loaded)
    except GenerateError as exc:
        return [Problem(None, "", line) for line in exc.format_message().splitlines()]
    keys_by_lang: dict[str, set[str]] = {}
    labels = {}
    for lang in selected:
        try:
            labels[lang] = load_labels(list(templates.dirs), lang)
            keys_by_lang[lang] = set(labels[lang].text)
        except GenerateError as exc:
            problems += [Problem(None, "", line) for line in exc.format_message().splitlines()]
    if keys_by_lang:
        reference_lang = next(iter(keys_by_lang))
        for lang, keys in keys_by_lang.items():
            for key in sorted(keys_by_lang[reference_lang] - keys):
                problems.append(Problem(None, f"labels/{lang}.yaml", f"missing label {key!r} (present in {reference_lang})"))
    try:  # every kind renders with the brand: a broken one is reported once, not by each kind
        brand = load_brand(templates, brand_file)
    except GenerateError as exc:
        return problems + [Problem(None, "", line) for line in exc.format_message().splitlines()]
    read.update((path, None) for path in (brand.source, brand.logo_path) if path is not None)
    problems += customization_problems(templates, brand, loaded.facts.languages)
    # The kinds lint with what a build would use: the configured brand and settings, each language's labels.
    config = load_config()
    if config.file is not None:
        read[config.file] = None
    options = {"brand": brand_file, "slides": list(config.get("slides") or ())}
    build = BuildContext(loaded, templates, brand, options, _labels=labels)
    return problems + _lint_every_kind(kinds(), build, time_budget)


#: A share of the template lint: a kind, and the languages it checks (None: all, ``()``: none, only
#: what belongs to no language).
LintUnit = tuple[str, "tuple[str, ...] | None"]


def _lint_units(kinds: list[str], languages: list[str]) -> list[LintUnit]:
    """The lint in shares, in the order their problems are reported: a kind that can lint one
    language at a time gives one share for what belongs to no language and one per language
    (rendering a large fact file in one language can take seconds), any other kind one share."""
    from generator.renderers import get_renderer

    units: list[LintUnit] = []
    for kind in kinds:
        try:
            by_language = get_renderer(kind).lints_by_language
        except ImportError:
            by_language = False  # _lint_kind reports nothing for it
        units += [(kind, ()), *((kind, (lang,)) for lang in languages)] if by_language else [(kind, None)]
    return units


def _lint_kind(unit: LintUnit, build, time_budget: float | None, left: float | None = None) -> list[Problem]:
    """One share of a kind's template lint (it renders the kind's templates in its languages);
    ``left``: what remains of the kind's ``time_budget``, when its other shares started earlier."""
    from generator.facts.yamlsource import Problem
    from generator.pipeline.budget import TimeBudget
    from generator.renderers import get_renderer

    kind, languages = unit
    try:
        renderer = get_renderer(kind)
        budget = TimeBudget(time_budget, f"the {kind} templates", renderer.template, left)
        if left is not None and left < _LEAST_TIME:  # the kind's other shares used its time
            raise TemplateError(budget.message())
        with budget:
            return renderer.lint(build) if languages is None else renderer.lint(build, languages)
    except ImportError:
        return []  # that kind is not built yet in this checkout
    except GenerateError as exc:
        return [Problem(None, kind, line) for line in exc.format_message().splitlines()]


#: What the forked lint processes read: set just before the fork, inherited, never pickled.
_lint_input: tuple | None = None


def _lint_share() -> list[tuple[int, list[Problem]]]:
    """Lint shares, each the next one no process has taken yet, until none is left: ``(index, problems)``.

    A kind's shares together get one time budget, as the kind linted whole does: its first share
    to start sets the kind's deadline (in ``deadlines``, shared by the processes; the monotonic
    clock is the machine's), and a share that would start after it (or just before) reports the
    kind out of time instead of running.
    """
    units, build, time_budget, taken, deadlines = _lint_input
    kinds = list(dict.fromkeys(kind for kind, _ in units))
    done = []
    while True:
        with taken.get_lock():
            index = taken.value
            taken.value += 1
            if index >= len(units):
                return done
            left = None
            if time_budget:
                slot = kinds.index(units[index][0])
                if not deadlines[slot]:
                    deadlines[slot] = time.monotonic() + time_budget
                left = deadlines[slot] - time.monotonic()
        done.append((index, _lint_kind(units[index], build, time_budget, left)))


#: A share left less time than this is not started (its timer would fire before it began): it
#: reports its kind out of time.
_LEAST_TIME = 0.1


def _lint_every_kind(kinds: list[str], build, time_budget: float | None) -> list[Problem]:
    """Every kind's lint, reported in registry order; shared out among processes when CPUs allow.

    Linting renders every template in every language, so it grows with the fact file (a file
    citing 5,000 sources renders 5,000 entries per kind and language); forked processes share
    the loaded file without copying it. The shares are a kind's languages where the kind can
    lint them apart (:func:`_lint_units`), so a brief's two languages render side by side. This
    process lints too, taking the next share whenever it is free, as each forked one does: no
    CPU waits while a share is left. A process with threads (``serve``) or one CPU lints in
    order, in this process.
    """
    import multiprocessing

    from generator.pipeline.workers import default_jobs, start_method

    global _lint_input
    workers = default_jobs()
    if workers < 2 or start_method() != "fork":
        return [problem for kind in kinds for problem in _lint_kind((kind, None), build, time_budget)]
    units = _lint_units(kinds, list(build.facts.languages))
    workers = min(workers, len(units))
    context = multiprocessing.get_context("fork")
    _lint_input = (units, build, time_budget, context.Value("i", 0), context.Array("d", len(kinds)))
    try:
        with context.Pool(workers - 1) as pool:
            others = [pool.apply_async(_lint_share) for _ in range(workers - 1)]
            done = _lint_share() + [item for share in others for item in share.get()]
    finally:
        _lint_input = None
    found = dict(done)
    return _merge(units, [found[index] for index in range(len(units))])


def _merge(units: list[LintUnit], shares: list[list[Problem]]) -> list[Problem]:
    """The shares' problems in order; one a kind raised in several of its shares (a template that
    does not compile, a kind out of time) is reported once, as when the kind lints whole."""
    problems: list[Problem] = []
    seen: dict[str, set[tuple]] = {}
    for (kind, _languages), share in zip(units, shares):
        earlier = seen.setdefault(kind, set())
        keys = [(str(problem), problem.severity) for problem in share]
        problems += [problem for problem, key in zip(share, keys) if key not in earlier]
        earlier.update(keys)
    return problems
