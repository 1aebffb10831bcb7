"""Golden text: what a reader reads in each document, per test root, language and format.

Each test root that builds (conftest.BUILDABLE_ROOTS) is built once per session; the text of
every document is extracted as `generate verify` extracts it (generator/output/extract.py:
NFC, whitespace folded) and compared with tests/golden/ROOT/LANG/KIND.FORMAT.txt, stored one
sentence a line so that a change reads as a short diff. Any change of wording, order,
numbering or language shows here, in every format at once.

When a change of the text is intended, regenerate and review the diff before committing:

    .venv/bin/python -m pytest tests/test_golden.py --update-golden

(tests/README.md says when that is legitimate.)
"""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path

import pytest
import yaml

from generator.output.extract import extract_text
from tests.conftest import BUILDABLE_ROOTS, ROOTS, build_options, have

pytestmark = pytest.mark.slow

GOLDEN = Path(__file__).parent / "golden"
UPDATE = ".venv/bin/python -m pytest tests/test_golden.py --update-golden"
SHOWN_DIFF_LINES = 40


def languages(name: str) -> list[str]:
    """The languages test root ``name`` is built in: its BUILDABLE_ROOTS ``langs``, else all of its fact file's."""
    options = build_options(name, Path("unused"))
    return list(options.langs) or yaml.safe_load(Path(options.facts).read_text(encoding="utf-8"))["languages"]


CASES = [(name, lang) for name in BUILDABLE_ROOTS for lang in languages(name)]


def as_lines(text: str) -> list[str]:
    """One sentence a line (a break after . ! ? … followed by a space): the stored form of a text."""
    return re.split(r"(?<=[.!?…])\s+", text) if text else []


def golden_path(name: str, document: dict) -> Path:
    return GOLDEN / name / document["lang"] / f"{document['kind']}.{document['format']}.txt"


def documents(out: Path) -> list[dict]:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))["documents"]


def differences(name: str, expected: list[str], actual: list[str]) -> str:
    """The first differing lines, as a unified diff, after where the text first differs."""
    diff = list(difflib.unified_diff(expected, actual, f"golden/{name}", f"{name} as built now", n=1, lineterm=""))
    more = len(diff) - SHOWN_DIFF_LINES
    old, new = " ".join(expected), " ".join(actual)
    at = next((i for i, (a, b) in enumerate(zip(old, new)) if a != b), min(len(old), len(new)))
    first = f"first difference: golden «…{old[max(0, at - 30):at + 30]}…», now «…{new[max(0, at - 30):at + 30]}…»"
    return "\n".join([first] + diff[:SHOWN_DIFF_LINES] + ([f"… and {more} more diff lines"] if more > 0 else []))


@pytest.mark.parametrize("name, lang", CASES, ids=[f"{name}-{lang}" for name, lang in CASES])
def test_every_document_reads_as_its_golden_text(name, lang, built, request):
    update = request.config.getoption("--update-golden")
    out = built(name)
    mine = [d for d in documents(out) if d["lang"] == lang]
    assert mine, f"{name} built no document in {lang}"
    failures = []
    for document in mine:
        if document["format"] == "pdf" and not have("pdftotext"):
            continue  # the golden text is poppler's reading; pypdf's differs (README: What gets installed)
        path = golden_path(name, document)
        actual = as_lines(extract_text(out / document["path"], document["format"]))
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join(f"{line}\n" for line in actual), encoding="utf-8")
            continue
        if not path.is_file():
            failures.append(f"{path.relative_to(GOLDEN.parent)}: no golden text for {document['path']}; run: {UPDATE}")
            continue
        expected = path.read_text(encoding="utf-8").splitlines()
        if expected != actual:
            failures.append(f"{document['path']} reads differently from {path.relative_to(GOLDEN.parent)}:\n"
                            + differences(path.relative_to(GOLDEN).as_posix(), expected, actual))
    if failures:
        pytest.fail("\n\n".join(failures) + f"\n\nIf the change is intended, regenerate and review: {UPDATE}",
                    pytrace=False)


def test_no_golden_text_without_a_document(built, request):
    """Every file under tests/golden/ belongs to a document a test root builds (none left behind)."""
    expected = {golden_path(name, d) for name in BUILDABLE_ROOTS for d in documents(built(name))}
    stale = sorted(p for p in GOLDEN.rglob("*") if p.is_file() and p not in expected)
    if request.config.getoption("--update-golden"):
        for path in stale:
            path.unlink()
        return
    assert stale == [], f"golden texts of documents no test root builds: {stale}; run: {UPDATE}"


def test_the_golden_roots_are_the_roots_that_build():
    """A new test root either builds (listed in conftest.BUILDABLE_ROOTS, so it gets golden text)
    or has an expected.txt (its `generate check` report)."""
    roots = {p.name for p in ROOTS.iterdir() if p.is_dir()}
    failing = {name for name in roots if (ROOTS / name / "expected.txt").is_file()}
    assert roots - failing - set(BUILDABLE_ROOTS) == set()
