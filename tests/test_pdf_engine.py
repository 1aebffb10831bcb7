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


LIBRARY_NAMES = ["gobject-2.0-0", "gobject-2.0", "pango-1.0-0", "pango-1.0", "pangoft2-1.0-0", "pangoft2-1.0",
                 "harfbuzz", "harfbuzz-0.0", "harfbuzz-subset", "harfbuzz-subset-0.0", "fontconfig-1", "fontconfig",
                 "libpango-1.0-0", "c", "m", "z", "no-such-library-anywhere"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the quicker lookup applies on Linux only")
@pytest.mark.parametrize("name", LIBRARY_NAMES)
def test_one_listing_answers_as_the_standard_library_s_lookup(name):
    import ctypes.util

    from generator.renderers.pdf import engine

    listing = engine._linker_cache_listing()
    assert listing and b"libc.so" in listing
    assert engine.soname(listing, name) == ctypes.util._findSoname_ldconfig(name)


COUNT_LDCONFIG = """
import subprocess
runs = []
original = subprocess.Popen.__init__
def counting(self, args, *rest, **options):
    runs.append(list(args) if not isinstance(args, str) else [args])
    original(self, args, *rest, **options)
subprocess.Popen.__init__ = counting
import generator.renderers.pdf.engine
print("@@", sum("ldconfig" in " ".join(map(str, run)) for run in runs), len(runs))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the quicker lookup applies on Linux only")
def test_weasyprint_s_import_reads_the_linker_cache_once():
    result = subprocess.run([sys.executable, "-c", COUNT_LDCONFIG], cwd=REPO, capture_output=True, text=True, timeout=120)
    marker = [line for line in result.stdout.splitlines() if line.startswith("@@")]
    assert marker, result.stdout + result.stderr
    ldconfig_runs, all_runs = map(int, marker[-1].split()[1:])
    assert ldconfig_runs == 1
    assert all_runs == 1  # no gcc, no ld either
