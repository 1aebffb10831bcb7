"""`--help`, `check` and `schema` never import the rendering libraries (their import alone costs seconds)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

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
