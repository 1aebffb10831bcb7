"""The one-page card (``generate card``), a kind added as one renderer module and one template folder."""

from __future__ import annotations

import re
import subprocess
import unicodedata
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from generator.pipeline.build import BuildOptions, BuildReport, build
from generator.templating.build_context import BuildContext
from tests.conftest import have, root

LANGS = ["vi", "en"]
TAGS = {"vi": "vi-VN", "en": "en-US"}
needs_poppler = pytest.mark.skipif(not have("pdftotext"), reason="poppler-utils not installed")


@pytest.fixture(scope="module")
def card(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("card") / "out"
    build(["card"], BuildOptions(out=out))
    return out


def card_pdf(out: Path, lang: str, stem: str = "hanoi-convention") -> Path:
    return out / lang / f"{stem}-card.pdf"


def text_of(path: Path) -> str:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return re.sub(r"\s+", " ", text)


@needs_poppler
@pytest.mark.parametrize("lang, phrases", [
    ("vi", ["Công ước Hà Nội", "ngày 24 tháng 12 năm 2024", "Nghị quyết 79/243", "68 điều, chia thành 9 chương",
            "72 (tính đến ngày 26 tháng 10 năm 2025)", "ngày 31 tháng 12 năm 2026", "Những điểm cần ghi nhớ",
            "Nguồn tham khảo", "DỰ THẢO", "Số liệu cập nhật đến ngày 23 tháng 2 năm 2026."]),
    ("en", ["Hanoi Convention", "24 December 2024", "resolution 79/243", "68 articles in 9 chapters",
            "72 (as of 26 October 2025)", "31 December 2026", "Points to remember", "Sources", "DRAFT",
            "Facts as of 23 February 2026."]),
])
def test_one_page_per_language_stating_the_key_facts(card, lang, phrases):
    path = card_pdf(card, lang)
    assert len(PdfReader(path).pages) == 1
    text = text_of(path)
    assert text == unicodedata.normalize("NFC", text)
    missing = [phrase for phrase in phrases if phrase not in text]
    assert missing == []


@needs_poppler
def test_the_three_points_are_the_short_forms_with_their_sources(card):
    text = text_of(card_pdf(card, "en"))
    points = text[text.index("Points to remember"):text.index("Sources")]
    assert "Article 6(2): nothing in the convention permits the suppression of human rights" in points
    assert "Viet Nam hosted the signing ceremony in Hanoi" in points
    assert "Signature in New York until 31 December 2026; after that, accession only (Article 64)." in points
    sources = text[text.index("Sources"):]
    assert "A/RES/79/243" in sources  # the resolution the first point cites


@pytest.mark.parametrize("lang", LANGS)
def test_tagged_accessible_pdf_in_its_language(card, lang):
    from pdfua import validate

    path = card_pdf(card, lang)
    with pikepdf.open(path) as pdf:
        assert str(pdf.Root.Lang) == TAGS[lang]
        assert bool(pdf.Root.MarkInfo.Marked)
        assert pdf.open_metadata().get("pdfuaid:part") == "1"
        assert "/StructTreeRoot" in pdf.Root
        # every citation link goes to a numbered source of the list on the same page
        destinations = {str(annot.get("/Contents", "")) for annot in pdf.pages[0].get("/Annots", [])}
        assert destinations
    report = validate(str(path))
    assert [(f.rule_id, f.message) for f in report.findings] == []
    info = PdfReader(path).metadata
    assert info.title == {"vi": "Công ước Hà Nội — Thẻ tóm tắt", "en": "Hanoi Convention — At-a-glance card"}[lang]
    assert info["/CreationDate"] == "D:20260223"  # the fact file's as_of, not the clock


def test_source_titles_in_another_language_carry_their_language(card):
    with pikepdf.open(card_pdf(card, "vi")) as pdf:
        languages = set()

        def walk(node):
            kids = node.get("/K")
            for kid in (kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []):
                if isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") == "/StructElem":
                    if "/Lang" in kid:
                        languages.add(str(kid.Lang))
                    walk(kid)

        walk(pdf.Root.StructTreeRoot)
    assert "en" in languages  # English titles of sources inside the Vietnamese card


def test_the_card_is_listed_on_the_download_page_and_verified(tmp_path):
    from generator.pipeline.build import build_all
    from generator.facts.load import load_facts
    from generator.output.verify import verify_output
    from generator.templating.paths import TemplatePath

    out = tmp_path / "out"
    build_all(BuildOptions(out=out, facts=root("minimal") / "facts.yaml", jobs=1))
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="en/facts-card.pdf"' in page and "At-a-glance card" in page
    assert verify_output(out, BuildContext.load(root("minimal") / "facts.yaml", TemplatePath())) == []


def test_verify_checks_the_facts_the_card_declares_and_only_those(tmp_path):
    """A card that leaves out the signatories fails ``verify``; the what-changed heading is not asked of it."""
    from generator.facts.load import load_facts
    from generator.output.verify import verify_output
    from generator.templating.paths import BUNDLED_TEMPLATES, TemplatePath

    out = tmp_path / "out"
    build(["card"], BuildOptions(out=out, langs=("en",), jobs=1))
    templates = TemplatePath()
    assert [p for p in verify_output(out, BuildContext.load(None, templates)) if "card" in p and "missing" in p] == []
    custom = tmp_path / "templates" / "card"
    custom.mkdir(parents=True)
    original = (BUNDLED_TEMPLATES / "card" / "card.html.jinja").read_text(encoding="utf-8")
    row = next(line for line in original.splitlines() if "L.signatories" in line)
    (custom / "card.html.jinja").write_text(original.replace(row, ""), encoding="utf-8")
    out2 = tmp_path / "out2"
    build(["card"], BuildOptions(out=out2, langs=("en",), jobs=1, templates=tmp_path / "templates"))
    problems = [p for p in verify_output(out2, BuildContext.load(None, templates)) if "card" in p]
    assert problems == ["en/hanoi-convention-card.pdf: missing signatories '72'"]


def test_a_card_that_runs_past_one_page_is_reported(tmp_path):
    custom = tmp_path / "templates" / "card" / "labels"
    custom.mkdir(parents=True)
    (custom / "en.yaml").write_text("text:\n  card_more: \"" + "A long closing remark. " * 200 + "\"\n",
                                    encoding="utf-8")
    report = BuildReport()
    build(["card"], BuildOptions(out=tmp_path / "out", langs=("en",), jobs=1, templates=tmp_path / "templates"),
          report=report)
    assert [w for w in report.warnings if "card (en)" in w] == [
        "card (en): runs to 2 pages, not one: shorten the texts it shows (the `short` forms) or the labels, "
        "or restyle card/card.html.jinja"]
