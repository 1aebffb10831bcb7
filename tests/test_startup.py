"""`--help`, `check` and `schema` never import the rendering libraries (their import alone costs seconds)."""

from __future__ import annotations

import json
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
def test_light_commands_do_not_import_rendering_libraries(args):
    heavy_roots = sorted({name.split(".")[0] for name in HEAVY})
    code = PROBE.format(args=args, heavy=set(heavy_roots))
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    marker = [line for line in result.stdout.splitlines() if line.startswith("@@")]
    assert marker, result.stdout + result.stderr
    imported = json.loads(marker[-1][2:])
    assert imported == [], f"generate {' '.join(args)} imported {imported}"
