"""Shared test fixtures: scenario fact files, a CLI runner, and output builders."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.commands.cli import main

ROOTS = Path(__file__).parent / "roots"
REPO = Path(__file__).resolve().parent.parent
BUNDLED_FACTS = REPO / "facts" / "hanoi-convention.yaml"


def root(name: str) -> Path:
    """A scenario directory under tests/roots/."""
    return ROOTS / name


#: The "today" of every test: `generate check` measures freshness against it, never the clock, so
#: no result changes with the day the suite runs. Fixture facts are as of 2025-06-30 (fresh then).
TEST_TODAY = "2025-07-01"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("GENERATE_TODAY", TEST_TODAY)


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
