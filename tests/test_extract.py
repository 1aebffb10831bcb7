"""Reading a PDF's language back (generator/output/extract.py), as `generate verify` does."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from generator.output import extract
from generator.output.extract import language_tags

needs_qpdf = pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed")


def _pdf(catalog: int, lang: bytes | None) -> bytes:
    """A valid PDF with no pages whose catalog is object ``catalog`` (the objects before it are
    unused dictionaries), with ``/Lang lang`` when given (a PDF string, with its delimiters)."""
    bodies = {number: b"<< /Unused true >>" for number in range(1, catalog)}
    bodies[catalog] = b"<< /Type /Catalog /Pages %d 0 R%s >>" % (catalog + 1, b" /Lang " + lang if lang else b"")
    bodies[catalog + 1] = b"<< /Type /Pages /Kids [] /Count 0 >>"
    out = bytearray(b"%PDF-1.7\n")
    offsets = {}
    for number in sorted(bodies):
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, bodies[number])
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offsets[number] for number in sorted(bodies))
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, catalog, xref)
    return bytes(out)


@pytest.fixture
def qpdf_runs(monkeypatch):
    """The qpdf command lines run while the test reads PDFs."""
    runs: list[list[str]] = []
    run = subprocess.run

    def counting(args, *rest, **options):
        if args and args[0].endswith("qpdf"):
            runs.append(list(args))
        return run(args, *rest, **options)

    monkeypatch.setattr(extract.subprocess, "run", counting)
    return runs


@needs_qpdf
@pytest.mark.parametrize("catalog", [1, 2])
def test_a_catalog_where_weasyprint_puts_it_is_read_in_one_run(tmp_path, qpdf_runs, catalog):
    path = tmp_path / "doc.pdf"
    path.write_bytes(_pdf(catalog, b"(vi-VN)"))
    assert language_tags(path, "pdf") == {"vi-VN"}
    assert len(qpdf_runs) == 1


@needs_qpdf
def test_a_catalog_elsewhere_is_read_with_a_second_run(tmp_path, qpdf_runs):
    path = tmp_path / "doc.pdf"
    path.write_bytes(_pdf(7, b"(en-GB)"))
    assert language_tags(path, "pdf") == {"en-GB"}
    assert len(qpdf_runs) == 2 and "--json-object=7,0" in qpdf_runs[1]


@needs_qpdf
@pytest.mark.parametrize("catalog", [2, 7])
@pytest.mark.parametrize(("lang", "expected"), [
    (b"(zh-Hans-CN)", {"zh-Hans-CN"}),
    (b"<FEFF00610072002D00450047>", {"ar-EG"}),  # UTF-16, as a hexadecimal string
    (b"<66722D4652>", {"fr-FR"}),  # PDFDocEncoding, hexadecimal
    (None, set()),
])
def test_qpdf_and_pypdf_read_the_same_language(tmp_path, monkeypatch, catalog, lang, expected):
    path = tmp_path / "doc.pdf"
    path.write_bytes(_pdf(catalog, lang))
    with_qpdf = language_tags(path, "pdf")
    which = shutil.which
    monkeypatch.setattr(extract.shutil, "which", lambda name: None if name == "qpdf" else which(name))
    assert with_qpdf == language_tags(path, "pdf") == expected


@needs_qpdf
def test_a_file_without_a_catalog_is_an_error(tmp_path):
    path = tmp_path / "doc.pdf"
    path.write_bytes(_pdf(2, b"(en)").replace(b"/Root 2 0 R", b"/Info 1 0 R"))
    with pytest.raises(ValueError, match="qpdf could not read it"):
        language_tags(path, "pdf")
