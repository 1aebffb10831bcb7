"""`generate check` lints a kind's languages side by side (generator/commands/check.py): the
shares together report what the kind linted whole reports, in the same order, and a kind's
shares keep one time budget between them."""

from __future__ import annotations

import time

import pytest

import generator.commands.check as check
import generator.pipeline.workers as workers
from generator.facts.load import load_facts
from generator.renderers import get_renderer, kinds
from generator.templating.build_context import BuildContext
from generator.templating.paths import TemplatePath
from tests.conftest import MINIMAL

#: A brief whose English rendering fails and whose Vietnamese one loads an image from outside the
#: template directories: one problem of each language, different ones.
BRIEF = ('<!DOCTYPE html><html lang="{{ language_tag }}"><body>{% if lang == "en" %}{{ no_such_name.attribute }}'
         '{% endif %}<img src="https://example.org/outside.png" alt=""></body></html>\n')


@pytest.fixture
def build(tmp_path, monkeypatch):
    """The minimal facts (vi, en) with that brief, and slide bullets limited to 30 characters (so
    the fact file's over-long short texts are the deck's problems of no language)."""
    import generator.renderers.slides.deck  # noqa: F401 (imported before the limit is patched: modules copy it)

    monkeypatch.setattr("generator.renderers.slides.outline.MAX_BULLET_CHARS", 30)
    (tmp_path / "brief").mkdir()
    (tmp_path / "brief" / "brief.html.jinja").write_text(BRIEF, encoding="utf-8")
    return BuildContext.load(load_facts(MINIMAL), TemplatePath(overrides=(tmp_path,)))


def lines(problems) -> list[tuple[str, str]]:
    return [(str(problem), problem.severity) for problem in problems]


def test_kinds_that_lint_by_language_give_a_share_per_language_and_one_for_none():
    assert check._lint_units(["brief", "handout", "slides"], ["vi", "en"]) == [
        ("brief", ()), ("brief", ("vi",)), ("brief", ("en",)),
        ("handout", None),
        ("slides", ()), ("slides", ("vi",)), ("slides", ("en",)),
    ]


@pytest.mark.parametrize("kind", [kind for kind in kinds() if get_renderer(kind).lints_by_language])
def test_a_kinds_shares_add_up_to_its_whole_lint(build, kind):
    renderer = get_renderer(kind)
    whole = lines(renderer.lint(build))
    shares = [lines(renderer.lint(build, ()))] + [lines(renderer.lint(build, (lang,))) for lang in build.facts.languages]
    assert whole == [line for share in shares for line in share]
    if kind == "brief":  # the fixture gives each language a problem of its own
        assert [len(share) for share in shares] == [0, 1, 1]
        assert "brief (vi)" in shares[1][0][0] and "outside.png" in shares[1][0][0]
        assert "brief (en)" in shares[2][0][0] and "no_such_name" in shares[2][0][0]
    if kind == "slides":  # the over-long short texts belong to no language
        assert shares[0] and all(severity == "warning" and "short" in text for text, severity in shares[0])
        assert not any("short text" in text for share in shares[1:] for text, _ in share)


def test_lint_in_processes_reports_what_lint_in_one_process_reports(build, monkeypatch):
    monkeypatch.setattr(workers, "default_jobs", lambda: 1)
    alone = lines(check._lint_every_kind(kinds(), build, 60))
    monkeypatch.setattr(workers, "default_jobs", lambda: 2)
    shared = lines(check._lint_every_kind(kinds(), build, 60))
    assert shared == alone
    assert any("brief (vi)" in text for text, _ in shared) and any("brief (en)" in text for text, _ in shared)


def test_a_problem_a_kind_raises_in_several_shares_is_reported_once():
    from generator.facts.yamlsource import Problem

    raised = Problem(None, "brief", "t/brief/brief.html.jinja:2: rendering the brief templates took longer …")
    units = [("brief", ()), ("brief", ("vi",)), ("brief", ("en",)), ("card", ("vi",))]
    shares = [[], [raised], [Problem(None, "brief", raised.message), Problem(None, "brief (en)", "other")],
              [Problem(None, "brief", raised.message)]]
    assert [str(p) for p in check._merge(units, shares)] == [
        str(raised), "brief (en): other", str(raised)]  # the card's is its own


def test_a_kinds_shares_share_one_time_budget(build, monkeypatch):
    """A share that would start after its kind's deadline reports the kind out of time instead."""
    import multiprocessing

    started = []
    lint_kind = check._lint_kind

    def recorded(unit, build, budget, left=None):
        started.append((unit, left))
        return lint_kind(unit, build, budget, left)

    monkeypatch.setattr(check, "_lint_kind", recorded)
    context = multiprocessing.get_context("fork")
    units = [("brief", ()), ("brief", ("vi",)), ("card", ("vi",))]
    deadlines = context.Array("d", 2)
    deadlines[0] = time.monotonic() - 1  # the brief's budget ran out in another process
    monkeypatch.setattr(check, "_lint_input", (units, build, 30.0, context.Value("i", 0), deadlines))
    done = check._lint_share()
    assert [unit for unit, _ in started] == units
    assert all(left < 0 for _, left in started[:2])
    assert 29 < started[2][1] <= 30 and deadlines[1] > time.monotonic() + 29  # the card's first share sets its deadline
    assert [index for index, _ in done] == [0, 1, 2] and done[2][1] == []
    for _index, problems in done[:2]:  # each brief share says why it did not run
        assert [str(problem) for problem in problems] == [
            "brief: brief/brief.html.jinja: rendering the brief templates took longer than its time budget of 30 s "
            "and was stopped (a loop without end?); if the document needs longer, raise the budget with "
            "--time-budget SECONDS or time_budget in generate.toml"]
    merged = check._merge(units, [problems for _, problems in done])
    assert len(merged) == 1  # and the kind says it once
