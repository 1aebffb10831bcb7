"""`--help`, `check` and `schema` never import the rendering libraries (their import alone costs seconds)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import click
import pytest

from generator.renderers import registry
from tests.conftest import REPO
from tests.helpers import IMPORT_PROBE

HEAVY = ("weasyprint", "docx", "docxtpl", "pptx")  # the libraries that cost seconds to import
PROBE = """
import json, sys
from generator.commands.cli import main
try:
    main({args!r})
except SystemExit:
    pass
print("@@" + json.dumps(sorted(m for m in sys.modules if m.split('.')[0] in {heavy!r})))
"""


@pytest.mark.parametrize("args", [["--help"], ["check"], ["check", "--strict"], ["schema"], ["brief", "--help"], ["all", "--help"],
                                  ["config"], ["templates", "list"]])
def test_light_commands_do_not_import_rendering_libraries(args, tmp_path):
    heavy_roots = sorted({name.split(".")[0] for name in HEAVY})
    code = PROBE.format(args=args, heavy=set(heavy_roots))
    # An empty user cache: `check` runs in full rather than repeating a passed check's report.
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)})
    marker = [line for line in result.stdout.splitlines() if line.startswith("@@")]
    assert marker, result.stdout + result.stderr
    imported = json.loads(marker[-1][2:])
    assert imported == [], f"generate {' '.join(args)} imported {imported}"


LISTING = """
import click
from click.testing import CliRunner
from generator.commands.cli import main
runner = CliRunner()
lazy = runner.invoke(main, ["--help"]).output
built_by_help = sorted(name for name, command in main.commands.items() if command.params)
ctx = click.Context(main)
for name in main.list_commands(ctx):
    main.get_command(ctx, name)
eager = runner.invoke(main, ["--help"]).output
print("@@" + repr((built_by_help, lazy == eager, len(main.commands))))
"""


def test_help_lists_every_command_without_building_one():
    # `generate --help` shows each command's first line of help from its recipe; building the
    # commands (a hundred-odd options) is left to the one that runs. The listing must not change.
    result = subprocess.run([sys.executable, "-c", LISTING], cwd=REPO, capture_output=True, text=True, timeout=120)
    marker = [line for line in result.stdout.splitlines() if line.startswith("@@")]
    assert marker, result.stdout + result.stderr
    built_by_help, same_listing, count = eval(marker[-1][2:])
    assert built_by_help == []
    assert same_listing
    assert count >= 13  # every command: the kinds, all, check, ... templates


def _probe(args, heavy, before=""):
    """Run ``generate ARGS`` in a fresh interpreter: its output and the modules of ``heavy`` it imported."""
    code = before + IMPORT_PROBE.format(args=args, heavy=set(heavy))
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    output, marker = result.stdout.rsplit("@@", 1)
    return output, json.loads(marker)[1]


def test_help_lists_the_kinds_without_importing_them():
    # The kinds' names and summaries are read from their packages' source (generator.commands.kindlist);
    # importing the registry for them cost a tenth of `generate --help`.
    output, imported = _probe(["--help"], {"generator"})
    assert [name for name in imported if name.startswith("generator.renderers")] == []
    for kind, declaration in registry().items():
        assert re.search(rf"^  {kind} +{re.escape(declaration.summary[:30])}", output, re.M), kind


def test_help_is_the_same_when_a_declaration_must_be_imported_to_be_read():
    # A summary made by code cannot be read from the source: the listing then comes from the registry.
    unreadable = "import generator.commands.kindlist as kindlist\nkindlist.declared_kinds = lambda: None\n"
    read, _ = _probe(["--help"], set())
    imported_output, imported = _probe(["--help"], {"generator"}, before=unreadable)
    assert "generator.renderers" in imported
    assert imported_output == read


@pytest.mark.parametrize("columns", [None, "120", "30", "0", "-5", "wide"])
def test_help_is_as_wide_as_click_would_make_it(monkeypatch, columns):
    # `generate --help` measures the terminal without importing shutil (generator.commands.terminal).
    import shutil

    from generator.commands.terminal import HelpFormatter, terminal_columns

    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    assert terminal_columns() == shutil.get_terminal_size().columns
    for max_width in (None, 100, 60):
        assert HelpFormatter(max_width=max_width).width == click.HelpFormatter(max_width=max_width).width
