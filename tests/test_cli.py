"""The command line: help, version, shared options and user errors without tracebacks."""

from __future__ import annotations

import pytest

from generator import __version__
from tests.conftest import REPO


def test_help_lists_the_commands(cli):
    result = cli("--help")
    assert result.exit_code == 0
    for command in ("brief", "handout", "slides", "check", "schema"):
        assert f"  {command} " in result.stdout


def test_version(cli):
    result = cli("--version")
    assert result.stdout.strip() == f"generate, version {__version__}"


def test_document_commands_share_the_same_options(cli):
    for command in ("brief", "handout", "slides"):
        text = cli(command, "--help").stdout
        for option in ("--facts PATH", "--lang CODE", "--out DIR", "--templates DIR"):
            assert option in text, (command, option)


def test_missing_fact_file_is_one_clear_line(cli):
    result = cli("brief", "--facts", "nowhere.yaml")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == "error: nowhere.yaml: cannot read the file: no such file"
    assert "Traceback" not in result.output


def test_unknown_language_lists_the_valid_ones(cli, tmp_path):
    result = cli("check", "--lang", "de")
    assert result.exit_code == 1
    assert "--lang 'de' is not a language of" in result.stderr
    assert "expected one of vi, en" in result.stderr


@pytest.mark.slow
def test_broken_facts_leave_previous_output_untouched(cli, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("previous good output")
    result = cli("handout", "--facts", REPO / "tests/roots/bad-values/facts.yaml", "--out", out)
    assert result.exit_code == 1
    facts = REPO / "tests/roots/bad-values/facts.yaml"
    assert result.stderr.splitlines()[-1] == f"error: 9 problems in {facts}; nothing was generated."
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]
