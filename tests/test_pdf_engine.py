"""WeasyPrint imported through generator.renderers.pdf.engine loads the same C libraries as a
plain import, and leaves the standard library's library lookup as it found it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import REPO

LOADED = """
import ctypes.util, json
before = ctypes.util.find_library
{statement}
libraries = sorted({{line.split()[-1] for line in open("/proc/self/maps") if ".so" in line}})
print("@@" + json.dumps({{"libraries": libraries, "restored": ctypes.util.find_library is before}}))
"""


def _loaded(statement: str) -> dict:
    result = subprocess.run([sys.executable, "-c", LOADED.format(statement=statement)], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    marker = [line for line in result.stdout.splitlines() if line.startswith("@@")]
    assert marker, result.stdout + result.stderr
    return json.loads(marker[-1][2:])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the quicker lookup applies on Linux only")
def test_engine_loads_the_libraries_a_plain_import_loads():
    plain = _loaded("import weasyprint")
    quick = _loaded("import generator.renderers.pdf.engine")
    assert quick["libraries"] == plain["libraries"]
    assert any("libpango-1.0.so" in library for library in quick["libraries"])
    assert quick["restored"] and plain["restored"]
