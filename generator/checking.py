"""``generate check``: the fact file, its translations and sources, labels and templates."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from generator.budget import TimeBudget
from generator.checks import missing_translations
from generator.errors import GenerateError
from generator.facts import BUNDLED_FACTS, read_facts
from generator.limits import DEFAULT_TIME_BUDGET
from generator.yamlsource import Problem, display_path


def run_check(facts_path: Path | None, langs: tuple[str, ...], templates_dir: Path | None,
              *, strict: bool, echo: Callable[..., None], brand: Path | None = None, verbose: bool = False,
              time_budget: float | None = DEFAULT_TIME_BUDGET) -> bool:
    """Print a report, verdict first; True when the check passes (no errors; no warnings either if ``strict``).

    Then each error and warning (standard error), a summary of the fact file and its
    translations; the recorded discrepancies between sources only with ``verbose``.
    """
    shown = display_path(Path(facts_path) if facts_path else BUNDLED_FACTS)
    loaded, problems = read_facts(facts_path)
    if loaded is not None:
        problems = problems + _check_templates(loaded, langs, templates_dir, brand, time_budget)
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    failed = bool(errors) or (strict and bool(warnings))
    verdict = "FAILED" if failed else "OK"
    strict_note = " (--strict: warnings count as errors)" if strict and warnings else ""
    echo(f"{verdict}: {len(errors)} error{'s' * (len(errors) != 1)}, "
         f"{len(warnings)} warning{'s' * (len(warnings) != 1)}{strict_note}")
    for problem in errors:
        echo(f"error: {problem}", err=True)
    for problem in warnings:
        echo(f"warning: {problem}", err=True)
    if loaded is not None:
        facts = loaded.facts
        sourced = sum(1 for _ in _sourced(facts))
        echo(f"{shown}: {len(facts.languages)} languages ({', '.join(facts.languages)}), "
             f"{len(facts.sources)} sources, {sourced} sourced facts, as of {facts.document.as_of.isoformat()}")
        _report_translations(facts, echo)
        _report_discrepancies(facts, echo, verbose)
    return not failed


def _sourced(facts):
    from generator.models import Sourced, walk

    return (value for _, value in walk(facts) if isinstance(value, Sourced))


def _report_translations(facts, echo) -> None:
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


def _check_templates(loaded, langs: tuple[str, ...], templates_dir: Path | None,
                     brand_file: Path | None = None,
                     time_budget: float | None = DEFAULT_TIME_BUDGET) -> list[Problem]:
    """Labels of every language, customizations that would do nothing, then each kind's own template lint."""
    from generator.brand import load_brand
    from generator.build import BuildOptions, select_languages
    from generator.i18n import load_labels
    from generator.noops import customization_problems
    from generator.renderers import REGISTRY, get_renderer

    problems: list[Problem] = []
    try:
        templates = BuildOptions(templates=templates_dir).template_path()
        selected = select_languages(langs, loaded)
    except GenerateError as exc:
        return [Problem(None, "", line) for line in exc.format_message().splitlines()]
    keys_by_lang: dict[str, set[str]] = {}
    for lang in selected:
        try:
            keys_by_lang[lang] = set(load_labels(list(templates.dirs), lang).text)
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
    problems += customization_problems(templates, brand, loaded.facts.languages)
    for kind in REGISTRY:
        try:
            renderer = get_renderer(kind)
            with TimeBudget(time_budget, f"the {kind} templates", renderer.template):
                problems += renderer.lint(loaded, templates)
        except ImportError:
            continue  # that kind is not built yet in this checkout
        except GenerateError as exc:
            problems += [Problem(None, kind, line) for line in exc.format_message().splitlines()]
    return problems
