"""The PDF finisher's adjustments to WeasyPrint and pydyf (generator/renderers/pdf/tagging.py)."""

from __future__ import annotations

import pydyf
import pytest

from generator.renderers.pdf import tagging


def _formatted(pdf: pydyf.PDF) -> tuple:
    """What pydyf's own property gives: ``b"N 0 R"`` for each page, in order."""
    return tuple(f"{number} 0 R".encode("ascii") for number in pdf.pages["Kids"][::3])


def test_page_references_are_pydyfs_and_follow_the_pages_added():
    """Issue 18: WeasyPrint's tagger reads ``page_references`` once per structure element; the result
    is made once per set of pages and is what pydyf's property returns, before and after a page is added."""
    tagging._install_page_references_cache()
    cached = pydyf.PDF.page_references.fget
    tagging._install_page_references_cache()  # installed once: a second call changes nothing
    assert pydyf.PDF.page_references.fget is cached

    pdf = pydyf.PDF()
    assert pdf.page_references == ()
    for _ in range(3):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    first = pdf.page_references
    assert first == _formatted(pdf) and len(first) == 3
    assert pdf.page_references is first  # reused, not formatted again
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert pdf.page_references == _formatted(pdf) and len(pdf.page_references) == 4
    other = pydyf.PDF()  # per document: another PDF's pages are its own
    other.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert other.page_references == _formatted(other) != pdf.page_references


@pytest.mark.parametrize("enabled", [True, False])
def test_a_pdf_is_laid_out_and_written_with_the_collector_paused(monkeypatch, enabled):
    """Issue 18: the collector's passes over the layout's boxes cost a long brief 10-15 % of its time;
    it is off while WeasyPrint lays out and writes, and as the caller left it afterwards."""
    import gc

    from generator.renderers.pdf import html_to_pdf
    from generator.renderers.pdf.engine import weasyprint
    from generator.templating.paths import TemplatePath

    seen: list[bool] = []
    render, write = weasyprint.HTML.render, weasyprint.Document.write_pdf

    def spied(function):
        def call(*args, **kwargs):
            seen.append(gc.isenabled())
            return function(*args, **kwargs)
        return call

    monkeypatch.setattr(weasyprint.HTML, "render", spied(render))
    monkeypatch.setattr(weasyprint.Document, "write_pdf", spied(write))
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        pdf = html_to_pdf('<html lang="en"><title>t</title><p>Text.</p></html>', TemplatePath(), "brief")
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
    assert seen == [False, False]
    assert pdf.data.startswith(b"%PDF-") and pdf.pages == 1
