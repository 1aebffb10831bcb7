"""The six UN languages from the same templates (issue 19): the six-language fixture built by
`generate all`, every document of every language read back — its text in reading order, its
direction, its language tags and, for the PDFs, the fonts embedded."""

from __future__ import annotations

import json
import re
import subprocess
import zipfile

import pytest
import yaml
from lxml import etree

from tests.conftest import ROOTS, have
from tests.helpers import shown

pytestmark = pytest.mark.slow

FACTS = yaml.safe_load((ROOTS / "six-languages" / "facts.yaml").read_text(encoding="utf-8"))
LANGUAGES = FACTS["languages"]
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
#: What each language's documents are tagged with and set in (the bundled labels and brand).
TAGS = {"en": "en-US", "fr": "fr-FR", "es": "es-ES", "ru": "ru-RU", "zh": "zh-CN", "ar": "ar"}
SCRIPT_FONT = {"zh": "WenQuanYi", "ar": "NotoNaskhArabic"}


@pytest.fixture(scope="module")
def out(built):
    return built("six-languages")


def documents(out, lang):
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return {(d["kind"], d["format"]): out / d["path"] for d in manifest["documents"] if d["lang"] == lang}


def test_every_kind_is_published_verified_in_all_six_languages(out):
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    found = {(d["lang"], d["kind"], d["format"]) for d in manifest["documents"]}
    kinds = {("brief", "pdf"), ("card", "pdf"), ("handout", "docx"), ("slides", "pptx"), ("slides", "md")}
    assert found == {(lang, kind, fmt) for lang in LANGUAGES for kind, fmt in kinds}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_format_reads_back_the_key_facts_in_reading_order(out, lang):
    """The common name, the full title's opening and the unreviewed notice, read from every format
    as a reader's tools read it: pdftotext (Arabic in logical order), the Word and PowerPoint XML,
    the Markdown."""
    from generator.output.extract import extract_text

    labels = yaml.safe_load((ROOTS.parent.parent / "templates" / "labels" / f"{lang}.yaml").read_text(encoding="utf-8"))
    common = FACTS["names"]["common_name"]["text"][lang]
    opening = " ".join(FACTS["names"]["full_title"]["text"][lang].split()[:4])
    notice = labels["text"]["unreviewed_translation"]
    for (kind, fmt), path in documents(out, lang).items():
        text = shown(extract_text(path, fmt))
        assert shown(common) in text, f"{kind}.{fmt} ({lang})"
        assert shown(opening) in text, f"{kind}.{fmt} ({lang}): {opening!r}"
        assert (shown(notice) in text) == (lang in FACTS["document"]["unreviewed_translations"]), f"{kind}.{fmt} ({lang})"


def test_an_arabic_text_with_a_latin_code_inside_reads_in_order_in_every_format(out):
    """The fixture's Arabic timeline entry with "A/RES/79/243" inside: the code stays where the
    sentence has it, in the PDF's text layer as in Word, PowerPoint and Markdown."""
    from generator.output.extract import extract_text

    mixed = next(e["title"]["ar"] for e in FACTS["timeline"] if "A/RES/" in e["title"]["ar"])
    for (kind, fmt), path in documents(out, "ar").items():
        if kind == "card":
            continue  # the card has no timeline
        text = shown(extract_text(path, fmt))
        assert shown(mixed) in text, f"{kind}.{fmt}: {mixed!r}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_format_is_tagged_with_the_language(out, lang):
    from generator.output.extract import language_tags

    tag = TAGS[lang]
    for (kind, fmt), path in documents(out, lang).items():
        assert tag in language_tags(path, fmt), f"{kind}.{fmt}"
    page = (out / ("index.html" if lang == LANGUAGES[0] else f"{lang}.html")).read_text(encoding="utf-8")
    direction = "rtl" if lang == "ar" else "ltr"
    assert re.search(rf'<html lang="{tag}" dir="{direction}"', page)


def test_the_download_page_switches_between_all_six_languages(out):
    page = (out / "ar.html").read_text(encoding="utf-8")
    switch = page.split('<nav class="languages"', 1)[1].split("</nav>", 1)[0]
    names = re.findall(r'lang="([^"]+)" dir="(ltr|rtl)">([^<]+)</a>', switch)
    assert [(tag, direction) for tag, direction, _ in names] == [(TAGS[lang], "ltr") for lang in LANGUAGES if lang != "ar"]
    assert 'aria-current="page">العربية<' in switch


def test_right_to_left_in_word_and_powerpoint_only_in_arabic(out):
    for lang in LANGUAGES:
        docs = documents(out, lang)
        with zipfile.ZipFile(docs[("handout", "docx")]) as archive:
            body = etree.fromstring(archive.read("word/document.xml"))
        paragraphs = [p for p in body.iter(f"{W}p") if "".join(p.itertext()).strip()]
        bidi = [p for p in paragraphs if p.find(f"{W}pPr/{W}bidi") is not None]
        with zipfile.ZipFile(docs[("slides", "pptx")]) as archive:
            slide = etree.fromstring(archive.read("ppt/slides/slide1.xml"))
        rtl = [p for p in slide.iter(f"{A}pPr") if p.get("rtl") == "1"]
        if lang == "ar":
            assert len(bidi) > len(paragraphs) / 2, "most of an Arabic handout's paragraphs run right to left"
            assert rtl
        else:
            assert not bidi and not rtl, lang


@pytest.mark.skipif(not have("pdffonts"), reason="poppler-utils not installed")
@pytest.mark.parametrize("lang", LANGUAGES)
def test_pdfs_embed_subsets_of_the_script_s_font(out, lang):
    for kind in ("brief", "card"):
        listing = subprocess.run(["pdffonts", str(documents(out, lang)[(kind, "pdf")])], capture_output=True,
                                 text=True, check=True).stdout.splitlines()[2:]
        fonts = [line.split()[0] for line in listing]
        assert fonts and all(re.fullmatch(r"[A-Z]{6}\+\S+", name) for name in fonts), fonts  # subsets only
        assert all(" yes yes " in line for line in listing)  # embedded, subset
        if lang in SCRIPT_FONT:
            assert any(SCRIPT_FONT[lang] in name.replace("-", "") for name in fonts), fonts
        else:
            assert not any(name.split("+")[1].startswith(("WenQuanYi", "Noto-Naskh")) for name in fonts), fonts


def test_arabic_pdf_structure_tree_carries_its_language(out):
    """PDF/UA: the catalog's /Lang is the Arabic tag; a source title in English inside it gets its own /Lang."""
    import pikepdf

    from tests.test_brief import struct_elements

    with pikepdf.open(documents(out, "ar")[("brief", "pdf")]) as pdf:
        assert str(pdf.Root.Lang) == "ar"
        marked = {str(e.Lang) for e in struct_elements(pdf) if "/Lang" in e}
    english = {s["lang"] for s in FACTS["sources"] if s.get("lang") == "en" and isinstance(s["title"], str)}
    assert english and english <= marked
