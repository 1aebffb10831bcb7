"""Shared test fixtures: scenario fact files, a CLI runner, the test roots built once per session,
the `slow` tier (tests/README.md) and the golden-text option."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.commands.cli import main

ROOTS = Path(__file__).parent / "roots"
REPO = Path(__file__).resolve().parent.parent
#: The bundled fact file as it is now: only the tests of the product itself read it (it passes
#: `generate check --strict`, it builds and verifies, its facts cite listed sources).
LIVE_FACTS = REPO / "facts" / "hanoi-convention.yaml"
#: A frozen copy of the bundled fact file (and, under editions/, the previous edition it names):
#: every test of the documents' structure and text builds this one, so that updating the facts
#: in facts/ breaks none of them. Refreshing it is a deliberate step (tests/README.md).
FROZEN_FACTS = ROOTS / "bundled" / "hanoi-convention.yaml"
MINIMAL = ROOTS / "minimal" / "facts.yaml"


def root(name: str) -> Path:
    """A scenario directory under tests/roots/."""
    return ROOTS / name


#: The "today" of every test: `generate check` measures freshness against it, never the clock, so
#: no result changes with the day the suite runs. Fixture facts are as of 2025-06-30 (fresh then).
TEST_TODAY = "2025-07-01"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("GENERATE_TODAY", TEST_TODAY)


@pytest.fixture(autouse=True)
def own_check_memo(tmp_path_factory, monkeypatch):
    """Each test keeps its passed checks in a memo of its own (generator.commands.checkmemo): a
    check repeated from another test's memo would not run what this test patches or looks at."""
    import generator.commands.checkmemo as checkmemo

    folder = tmp_path_factory.mktemp("check-memo")
    monkeypatch.setattr(checkmemo, "user_cache_folder", lambda name: folder)
    return folder


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cli(runner, monkeypatch, tmp_path):
    """Run ``generate ARGS`` in a temporary working directory; returns the click Result."""
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str):
        return runner.invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


_LIBRARY_REASON = re.compile(r"(invalid YAML: |Jinja syntax error: |template syntax error: )[^\n]+")


def without_library_wording(text: str) -> str:
    """``text`` with the reasons a library words (after "invalid YAML: ", say) replaced by "…".

    What PyYAML or Jinja says about a syntax error changes between their versions; the tests
    assert our part of each line (file, line, column, what kind of problem) and that a reason follows.
    """
    return _LIBRARY_REASON.sub(r"\1…", text)


#: The test roots that build, with what `generate all` needs besides the root's facts.yaml.
BUILDABLE_ROOTS: dict[str, dict] = {
    "bundled": {"facts": FROZEN_FACTS},
    "minimal": {},
    "editions": {},
    "hostile-text": {},
    "three-languages": {"templates": ROOTS / "three-languages" / "templates"},
    "untranslated": {"allow_missing": True},  # published with the missing-translation mark
    "asean-tip": {},  # a second real treaty, in force, of another shape (issue 17)
    # The six UN languages (issue 19), built without Arabic while its PDFs are laid out left to
    # right: the cross-format check cannot then read the Arabic key facts back from them.
    "six-languages": {},  # all six UN languages, Arabic right to left (issue 19)
}


def build_options(name: str, out: Path):
    """The options `generate all` runs with for test root ``name`` (see BUILDABLE_ROOTS)."""
    from generator.pipeline.build import BuildOptions

    settings = {"facts": ROOTS / name / "facts.yaml", **BUILDABLE_ROOTS[name]}
    return BuildOptions(out=out, use_cache=False, **settings)


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """``built(name)``: the OUT of `generate all` for test root ``name``, built once per session
    and shared by every module that reads it. Read it, never change it (copy it first)."""
    from generator.pipeline.build import build_all

    outs: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in outs:
            out = tmp_path_factory.mktemp(f"built-{name}") / "out"
            build_all(build_options(name, out))
            outs[name] = out
        return outs[name]

    return get


def records(out: Path, kind: str) -> list[dict]:
    """The manifest records of ``kind`` in OUT, languages in the fact file's order (as a build returns them)."""
    import json

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    order = manifest["facts"]["languages"]
    return sorted((d for d in manifest["documents"] if d["kind"] == kind), key=lambda d: order.index(d["lang"]))


@pytest.fixture
def synthetic_rendering(monkeypatch) -> list[tuple[str, str]]:
    """Every renderer returns made-up documents (tests.helpers.synthetic) at once, in this
    process; returns the (kind, lang) it was asked for. Rendering with ``jobs=1`` only: worker
    processes would render for real."""
    from generator.renderers import get_renderer, registry
    from tests.helpers import synthetic

    calls: list[tuple[str, str]] = []
    for kind in registry():
        def render(self, job, kind=kind):
            calls.append((kind, job.lang))
            title = job.loaded.facts.document.title.get(job.lang)
            return [synthetic(kind, job.lang, job.filename(kind, fmt), fmt, title)
                    for fmt in registry()[kind].formats]  # the formats the kind declares

        monkeypatch.setattr(type(get_renderer(kind)), "render", render)
    return calls


def pytest_collection_modifyitems(items):
    """A test that reads a built test root (the `built` fixture, directly or through a module's
    own fixture) is in the slow tier: the first such test in a session builds the root."""
    for item in items:
        if "built" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="write tests/golden/ from the current outputs instead of comparing (tests/README.md)")


def have(program: str) -> bool:
    return shutil.which(program) is not None


def _hypothesis_profiles() -> None:
    """The property tests are derandomized: the same examples every run, so the README's test
    command (and CI) never fails on a new random draw. GENERATE_PROPERTY_EXPLORE=1 draws new
    examples (with GENERATE_PROPERTY_EXAMPLES=300, say) to look for new failures."""
    import os

    from hypothesis import settings

    settings.register_profile("fixed", derandomize=True, print_blob=True)
    settings.register_profile("explore", derandomize=False, print_blob=True)
    settings.load_profile("explore" if os.environ.get("GENERATE_PROPERTY_EXPLORE") else "fixed")


_hypothesis_profiles()
