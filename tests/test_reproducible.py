"""Reproducible builds: `generate all` run twice in separate processes, with everything that must
not matter changed between them, writes byte-identical files (sha256 of every file in OUT).

What differs between the two runs: the hash seed, the time zone, the locale, the working
directory, where OUT is (its absolute path and name), the number of render processes, the
clock (the second run starts seconds later, so a leaked time stamp would differ), and a
third run that takes every document from the build cache.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FROZEN_FACTS, REPO, root

pytestmark = pytest.mark.slow  # every test here builds, serves or renders (tests/README.md)

VARIANTS = {
    "a": {"PYTHONHASHSEED": "1", "TZ": "UTC", "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "jobs": "1"},
    "b": {"PYTHONHASHSEED": "4242", "TZ": "Asia/Ho_Chi_Minh", "LANG": "POSIX", "LC_ALL": "C", "jobs": "2"},
}


def digests(out: Path) -> dict[str, str]:
    """sha256 of every file under ``out`` by relative path (hidden files included)."""
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def run_build(facts: Path, out: Path, variant: dict, cwd: Path, templates: Path | None, *extra: str) -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONHASHSEED", "TZ", "LANG", "LC_ALL")}
    env.update({key: value for key, value in variant.items() if key != "jobs" and value})
    env["PYTHONPATH"] = str(REPO)
    args = [sys.executable, "-m", "generator", "all", "--facts", str(facts), "--out", str(out), "--jobs", variant["jobs"],
            *(["--templates", str(templates)] if templates else []), *extra]
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("facts, templates", [
    (FROZEN_FACTS, None),
    (root("minimal") / "facts.yaml", None),
    (root("three-languages") / "facts.yaml", root("three-languages") / "templates"),
], ids=["bundled", "minimal", "three-languages"])
def test_two_processes_write_identical_bytes(facts, templates, tmp_path):
    first_dir, second_dir = tmp_path / "one", tmp_path / "elsewhere" / "deeper"
    first_dir.mkdir()
    second_dir.mkdir(parents=True)
    first, second = first_dir / "out", second_dir / "published-copy"
    run_build(facts, first, VARIANTS["a"], first_dir, templates, "--no-cache")
    run_build(facts, second, VARIANTS["b"], second_dir, templates, "--no-cache")
    one, two = digests(first), digests(second)
    assert sorted(one) == sorted(two)
    differing = sorted(path for path in one if one[path] != two[path])
    assert differing == [], f"files that differ between the two processes: {differing}"
    assert len(one) >= 10  # every document, the pages, the stylesheet and the manifest
    # A third run reuses every document from the cache: still the same bytes.
    run_build(facts, first, VARIANTS["b"], second_dir, templates)
    assert digests(first) == one
