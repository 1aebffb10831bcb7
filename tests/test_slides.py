"""`generate slides`: the .pptx deck and its Markdown outline, checked by opening what is written."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE
from pptx.enum.shapes import MSO_SHAPE_TYPE
from pptx.oxml.ns import qn

from generator.pipeline.build import BuildOptions, build
from generator.errors import TemplateError
from generator.facts.load import load_facts
from generator.renderers import get_renderer
from generator.renderers.slides.fit import fit_size, line_count, TextLine
from generator.templating.context import compress_numbers
from generator.renderers.slides.markdown import escape_markdown, escape_note
from generator.errors import OutlineError
from generator.renderers.slides.outline import MAX_BULLET_CHARS, parse_inline, parse_outline
from generator.templating.environment import to_roman
from generator.templating.paths import TemplatePath
from generator.templating.build_context import BuildContext
from tests.conftest import FROZEN_FACTS, MINIMAL, REPO, have, records
from tests.helpers import MARP, minimal_facts

LANGS = ("vi", "en")
TAGS = {"vi": "vi-VN", "en": "en-US"}
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
P = "http://schemas.openxmlformats.org/presentationml/2006/main"
EMU_PER_INCH = 914400
# What LibreOffice must show of each language's deck (the text as the deck stores it is compared
# in full with its golden copy: tests/test_golden.py).
LIBREOFFICE_READS = {
    "vi": ["Công ước của Liên hợp quốc về chống tội phạm mạng (Công ước Hà Nội)", "Thông tin chính", "ngày 24 tháng 12 năm 2024",
           "Đại hội đồng Liên hợp quốc", "68 điều, chia thành 9 chương", "Các tội phạm theo Chương II",
           "Vai trò của Việt Nam", "Đặng Hoàng Giang", "Truy cập trái phép"],
    "en": ["United Nations Convention against Cybercrime (“Hanoi Convention”)", "At a glance", "24 December 2024",
           "United Nations General Assembly", "68 articles in 9 chapters", "Offences under Chapter II",
           "The role of Viet Nam", "Illegal access"],
}


def deck_path(out: Path, lang: str, stem: str = "hanoi-convention", suffix: str = "pptx") -> Path:
    return out / lang / f"{stem}-slides.{suffix}"


@pytest.fixture(scope="module")
def bundled(built) -> tuple[Path, list[dict]]:
    """The decks of the frozen copy of the bundled facts, both languages, built once per session."""
    out = built("bundled")
    return out, records(out, "slides")


@pytest.fixture(scope="module")
def minimal(built) -> Path:
    return built("minimal")


def titles(prs) -> list[str]:
    return [slide.shapes.title.text_frame.text.strip() if slide.shapes.title is not None else "" for slide in prs.slides]


def shape_texts(shapes) -> list[str]:
    """Texts of shapes, including those inside groups (figures are groups)."""
    texts = []
    for shape in shapes:
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            texts += shape_texts(shape.shapes)
        elif shape.has_text_frame:
            texts.append(shape.text_frame.text)
    return texts


def slide_xml_parts(path: Path) -> dict[str, bytes]:
    """Slides, notes and charts of a deck, by part name."""
    with zipfile.ZipFile(path) as package:
        return {name: package.read(name) for name in package.namelist()
                if re.match(r"ppt/(slides|notesSlides|charts)/[^/]+\.xml$", name)}


# --- The files written ------------------------------------------------------------------

def test_two_outputs_per_language_with_slide_counts(bundled):
    out, records = bundled
    formats = sorted((r["lang"], r["format"]) for r in records)
    assert formats == [("en", "md"), ("en", "pptx"), ("vi", "md"), ("vi", "pptx")]
    for record in records:
        assert (out / record["path"]).is_file()
        assert 8 <= record["slides"] <= 11  # 10 + the editions slide ("What changed since …")
    counts = {r["lang"]: len(Presentation(out / r["path"]).slides) for r in records if r["format"] == "pptx"}
    assert {r["lang"]: r["slides"] for r in records if r["format"] == "md"} == counts


@pytest.mark.parametrize("lang", LANGS)
def test_every_slide_has_a_title_and_the_expected_layout(bundled, lang):
    prs = Presentation(deck_path(bundled[0], lang))
    assert 8 <= len(prs.slides) <= 11
    assert all(titles(prs)), titles(prs)
    layouts = [slide.slide_layout.name for slide in prs.slides]
    assert layouts[0] == "Title Slide"
    assert {"Title and Content", "Two Content"} <= set(layouts)
    assert set(layouts) <= {layout.name for layout in prs.slide_layouts}


@pytest.mark.parametrize("lang", LANGS)
def test_slides_are_16_by_9(bundled, lang):
    prs = Presentation(deck_path(bundled[0], lang))
    assert (prs.slide_width, prs.slide_height) == (12192000, 6858000)  # 13.333 × 7.5 in


@pytest.mark.parametrize("lang", LANGS)
def test_speaker_notes_on_every_slide_list_that_slides_sources(bundled, lang):
    prs = Presentation(deck_path(bundled[0], lang))
    facts = load_facts(FROZEN_FACTS).facts
    # A title as published is plain text; a descriptive one is written per language.
    source_titles = {source.title if isinstance(source.title, str) else source.title.get(lang) for source in facts.sources}
    for number, slide in enumerate(prs.slides, start=1):
        assert slide.has_notes_slide, f"slide {number} has no notes"
        notes = slide.notes_slide.notes_text_frame.text
        listed = re.findall(r"^\[(\d+)\] (.+?) — ", notes, flags=re.M)
        assert listed, f"slide {number}: no numbered sources in the notes"
        assert all(title in source_titles for _, title in listed)
        shown = " ".join(shape_texts(slide.shapes))
        for mark in re.findall(r"\[([\d,–\s\u00a0]+)\]", shown):  # each number on the slide is listed
            for part in re.split(r",\s*|\u00a0", mark.replace("\u00a0", " ")):
                bounds = [int(n) for n in part.strip().split("–") if n.strip()]
                for cited in range(bounds[0], bounds[-1] + 1) if bounds else []:
                    assert str(cited) in {n for n, _ in listed}, f"slide {number}: [{cited}] not in its notes"


@pytest.mark.parametrize("lang", LANGS)
def test_chapter_chart_is_native_and_matches_the_fact_file(bundled, lang):
    prs = Presentation(deck_path(bundled[0], lang))
    charts = [(slide, shape) for slide in prs.slides for shape in slide.shapes if shape.has_chart]
    assert len(charts) == 1
    slide, frame = charts[0]
    chart = frame.chart
    assert chart.chart_type == XL_CHART_TYPE.COLUMN_CLUSTERED
    chapters = load_facts(FROZEN_FACTS).facts.structure.chapters
    assert list(chart.plots[0].categories) == [to_roman(c.number) for c in chapters]
    assert list(chart.plots[0].series[0].values) == [float(c.article_count) for c in chapters]
    assert chart.has_title and chart.chart_title.text_frame.text
    assert slide.shapes.title.text_frame.text  # the chart slide has a slide title too
    description = frame._element.find(f".//{{{P}}}cNvPr").get("descr")
    assert description and "V: 18" in description


@pytest.mark.parametrize("lang", LANGS)
def test_language_is_set_on_every_run(bundled, lang):
    parts = slide_xml_parts(deck_path(bundled[0], lang))
    assert any(name.startswith("ppt/charts/") for name in parts)
    assert any(name.startswith("ppt/notesSlides/") for name in parts)
    for name, xml in parts.items():
        root_element = etree.fromstring(xml)
        runs = root_element.findall(f".//{{{A}}}r") + root_element.findall(f".//{{{A}}}fld")
        assert runs, name
        for run in runs:
            properties = run.find(f"{{{A}}}rPr")
            assert properties is not None and properties.get("lang") == TAGS[lang], (name, etree.tostring(run)[:200])
        if name.startswith("ppt/charts/"):
            assert f'<c:lang val="{TAGS[lang]}"/>'.encode() in xml


@pytest.mark.parametrize("lang", LANGS)
def test_core_properties_come_from_the_fact_file(bundled, lang):
    path = deck_path(bundled[0], lang)
    core = Presentation(path).core_properties
    document = load_facts(FROZEN_FACTS).facts.document
    midnight = dt.datetime(document.as_of.year, document.as_of.month, document.as_of.day)
    assert core.title == document.title.get(lang)
    assert core.subject == document.subject.get(lang)
    # The issuing organisation only when one is given: never the toolkit.
    assert core.author == core.last_modified_by == (document.issuer.get(lang) if document.issuer else "")
    assert core.keywords == "; ".join(document.keywords.get(lang))
    assert core.language == TAGS[lang]
    assert core.created == core.modified == midnight
    assert core.revision == 1
    with zipfile.ZipFile(path) as package:
        metadata = package.read("docProps/core.xml") + package.read("docProps/app.xml")
        names = package.namelist()
    for leak in (b"python-pptx", b"Steve Canny", b"2013-", b"Microsoft Macintosh"):
        assert leak not in metadata
    assert not any("thumbnail" in name for name in names)
    assert b"<Slides>" + str(len(Presentation(path).slides)).encode() + b"</Slides>" in metadata


def test_output_is_byte_identical_across_runs(bundled, tmp_path):
    for record in build(["slides"], BuildOptions(facts=FROZEN_FACTS, out=tmp_path)):
        assert (tmp_path / record["path"]).read_bytes() == (bundled[0] / record["path"]).read_bytes(), record["path"]


def test_text_fits_and_limits_hold_for_both_fact_files():
    templates = TemplatePath()
    renderer = get_renderer("slides")
    for facts in (FROZEN_FACTS, MINIMAL):
        assert renderer.lint(BuildContext.load(facts, templates)) == []


@pytest.mark.parametrize("lang", LANGS)
def test_long_statements_show_their_short_version_and_the_notes_keep_the_full_text(bundled, lang):
    """Safeguards, criticisms (with who holds them), the country's role and next steps are too long
    for a bullet: the slide shows their `short` version, the speaker notes the full statement."""
    facts = load_facts(FROZEN_FACTS).facts
    prs = Presentation(deck_path(bundled[0], lang))
    shown = [unicodedata.normalize("NFC", " ".join(shape_texts(slide.shapes))) for slide in prs.slides]
    notes = [slide.notes_slide.notes_text_frame.text for slide in prs.slides]
    article_6, critics = facts.safeguards[0], facts.criticisms[0]
    for statement in (article_6, critics, facts.country_role.points[1], facts.next_steps[1]):
        short, full = statement.short.get(lang), statement.text.get(lang)
        assert len(full) > MAX_BULLET_CHARS  # without its short version it would not be on a slide
        on = [number for number, text in enumerate(shown) if short in text]
        assert len(on) == 1, (short, on)
        assert full in notes[on[0]]
        assert not any(full in text for text in shown)
    assert shown.index(next(t for t in shown if article_6.short.get(lang) in t)) == \
        shown.index(next(t for t in shown if critics.short.get(lang) in t))  # side by side


@pytest.mark.parametrize("lang", LANGS)
def test_signing_ceremony_has_its_slide_and_institutions_go_to_the_next_steps_notes(bundled, lang):
    """The deck stays within 10 slides plus the editions slide: the ceremony gets a slide, the
    institutions' roles are talking points of the next-steps slide."""
    facts = load_facts(FROZEN_FACTS).facts
    prs = Presentation(deck_path(bundled[0], lang))
    labels = yaml.safe_load((REPO / "templates" / "labels" / f"{lang}.yaml").read_text(encoding="utf-8"))["text"]
    names = titles(prs)
    assert len(names) == 11
    assert labels["signing_ceremony"] in names and labels["institutions"] not in names
    ceremony = prs.slides[names.index(labels["signing_ceremony"])]
    text = unicodedata.normalize("NFC", " ".join(shape_texts(ceremony.shapes)))
    assert facts.signature.ceremony.theme.get(lang) in text and facts.signature.ceremony.venue.get(lang) in text
    notes = prs.slides[names.index(labels["next_steps"])].notes_slide.notes_text_frame.text
    for institution in facts.institutions:
        for role in institution.roles:
            assert role.text.get(lang) in notes


@pytest.mark.parametrize("lang", LANGS)
def test_sources_described_per_language_follow_the_deck_and_files_stay_internal(bundled, lang):
    facts = load_facts(FROZEN_FACTS).facts
    seed = facts.source("seed-000")
    other = "en" if lang == "vi" else "vi"
    outline = deck_path(bundled[0], lang, suffix="md").read_text(encoding="utf-8")
    notes = " ".join(slide.notes_slide.notes_text_frame.text for slide in Presentation(deck_path(bundled[0], lang)).slides)
    for text in (outline, notes):
        for described in (seed.title, seed.publisher, seed.document):
            assert described.get(lang) in text and described.get(other) not in text
        assert "seeds/" not in text


# --- The Markdown outline ---------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_outline_is_marp_markdown_with_the_decks_titles_and_notes(bundled, lang):
    text = deck_path(bundled[0], lang, suffix="md").read_text(encoding="utf-8")
    assert text == unicodedata.normalize("NFC", text)
    assert text.startswith("---\n")
    front_matter = yaml.safe_load(text.split("\n---\n", 1)[0][4:])
    assert front_matter["marp"] is True and front_matter["paginate"] is True
    assert front_matter["lang"] == TAGS[lang]
    assert front_matter["title"] == load_facts(FROZEN_FACTS).facts.document.title.get(lang)
    body = text.split("\n---\n", 1)[1]
    slides = body.split("\n\n---\n\n")
    prs = Presentation(deck_path(bundled[0], lang))
    assert len(slides) == len(prs.slides)
    md_titles = [re.search(r"^#{1,2} (.+)$", slide, flags=re.M).group(1) for slide in slides]
    assert [t.replace("\\", "") for t in md_titles] == titles(prs)
    for slide in slides:
        assert re.search(r"<!--\n.*\[\d+\] .+\n.*-->", slide, flags=re.S), slide[:80]


# --- LibreOffice reads the decks ---------------------------------------------------------

@pytest.mark.skipif(not have("soffice") or not have("pdftotext"), reason="LibreOffice or poppler missing")
def test_libreoffice_opens_both_decks_with_correct_text(bundled, tmp_path):
    for lang in LANGS:
        shutil.copy(deck_path(bundled[0], lang), tmp_path / f"deck-{lang}.pptx")
    subprocess.run(["soffice", "-env:UserInstallation=file:///tmp/lo-slides-test", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(tmp_path / "deck-vi.pptx"), str(tmp_path / "deck-en.pptx")],
                   check=True, capture_output=True, timeout=180)
    for lang in LANGS:
        pdf = tmp_path / f"deck-{lang}.pdf"
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                              text=True, check=True).stdout
        pages = text.split("\f")[:-1]
        assert len(pages) == len(Presentation(deck_path(bundled[0], lang)).slides)
        flat = unicodedata.normalize("NFC", re.sub(r"\s+", " ", text))
        for phrase in LIBREOFFICE_READS[lang]:
            assert phrase in flat, (lang, phrase)


# --- Another treaty -----------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_fictional_treaty_deck(minimal, lang):
    prs = Presentation(deck_path(minimal, lang, stem="facts"))
    names = titles(prs)
    assert len(prs.slides) == 8  # no country_role: that slide is left out
    assert ("Offences under Chapter I" if lang == "en" else "Các tội phạm theo Chương I") in names
    assert not any("Viet" in name or "Việt" in name for name in names)
    shown = " ".join(text for slide in prs.slides for text in shape_texts(slide.shapes))
    assert {"en": "An organization: the scope is too broad.", "vi": "Một tổ chức: phạm vi quá rộng."}[lang] in shown
    chart = next(shape.chart for slide in prs.slides for shape in slide.shapes if shape.has_chart)
    assert list(chart.plots[0].series[0].values) == [2.0, 3.0]


def test_hostile_fact_text_does_not_change_the_structure(minimal, tmp_path):
    def hostile(facts):
        facts["offences"][0]["title"]["en"] = "# heading\n\n---\n\n- {{ 7*7 }} <!-- x --> | a | **b** [1]"
        facts["safeguards"][0]["text"]["en"] = "--> ## not a title\n---"
        facts["document"]["subtitle"]["en"] = "---\n# Injected slide"
        facts["names"]["full_title"]["text"]["en"] = "-->\n---\n## after notes"
        facts["timeline"][0]["title"]["en"] = 'Start --> "quoted"\n---'  # also in the figure's alt text

    path = minimal_facts(tmp_path, hostile)
    build(["slides"], BuildOptions(facts=path, out=tmp_path / "out", langs=("en",)))
    plain = Presentation(deck_path(minimal, "en", stem="facts"))
    attacked = Presentation(deck_path(tmp_path / "out", "en", stem="facts"))
    assert titles(attacked) == titles(plain)
    shown = [" ".join(shape_texts(slide.shapes)) for slide in attacked.slides]
    assert any("# heading --- - {{ 7*7 }} <!-- x --> | a | **b** [1]" in text for text in shown)
    assert any("--> ## not a title ---" in text for text in shown)
    assert any('Start --> "quoted" ---' in text for text in shown)


@pytest.mark.slow
def test_a_corporate_master_with_the_same_layout_names_is_used_as_is(tmp_path):
    """python-pptx's own default deck (4:3, Calibri, centred titles) stands in for a ministry's master."""
    import pptx

    override = tmp_path / "corporate" / "slides"
    override.mkdir(parents=True)
    shutil.copy(Path(pptx.__file__).parent / "templates" / "default.pptx", override / "master.pptx")
    options = BuildOptions(facts=MINIMAL, templates=override.parent, out=tmp_path / "out", langs=("en",))
    assert get_renderer("slides").lint(BuildContext.load(MINIMAL, options.template_path())) == []
    build(["slides"], options)
    prs = Presentation(deck_path(tmp_path / "out", "en", stem="facts"))
    assert (prs.slide_width, prs.slide_height) == (9144000, 6858000)  # the master's size, not ours
    assert all(titles(prs))
    assert prs.slides[0].slide_layout.name == "Title Slide"
    theme = prs.slide_master.part.part_related_by(
        "http://schemas.openxmlformats.org/officeDocument/2006/relationships/theme").blob
    assert b"Calibri" in theme


@pytest.mark.slow
def test_a_users_brand_file_recolours_the_theme_and_adds_the_logo(tmp_path):
    """--brand FILE: theme colours and fonts from the brand, its logo and organization on the title slide."""
    from PIL import Image

    brand_dir = tmp_path / "brand"
    brand_dir.mkdir()
    Image.new("RGB", (200, 100), "#0a5c36").save(brand_dir / "logo.png")
    (brand_dir / "brand.yaml").write_text(
        'organization: {vi: "Bộ Mẫu", en: "Ministry of Models"}\n'
        'colours: {primary: "#0A5C36", accent: "#C8102E", light: "#EAF4EE"}\n'
        "fonts: {body: Times New Roman, heading: Times New Roman}\nlogo: logo.png\n", encoding="utf-8")
    build(["slides"], BuildOptions(facts=MINIMAL, brand=brand_dir / "brand.yaml", out=tmp_path / "out"))
    for lang, organization in (("vi", "Bộ Mẫu"), ("en", "Ministry of Models")):
        path = deck_path(tmp_path / "out", lang, stem="facts")
        with zipfile.ZipFile(path) as package:
            theme = package.read("ppt/theme/theme1.xml")
        assert b'<a:dk2><a:srgbClr val="0A5C36"/>' in theme and b'<a:accent2><a:srgbClr val="C8102E"/>' in theme
        assert b'<a:latin typeface="Times New Roman"/>' in theme
        first = Presentation(path).slides[0]
        logos = [shape for shape in first.shapes if shape.shape_type == MSO_SHAPE_TYPE.PICTURE]
        assert len(logos) == 1 and logos[0]._element.find(f".//{{{P}}}cNvPr").get("descr")
        assert organization in " ".join(shape_texts(first.shapes))


@pytest.mark.slow
def test_a_logo_only_brand_keeps_the_masters_colours_and_fonts(tmp_path):
    """A brand naming only a logo adds the logo; the theme (as edited in PowerPoint) stays."""
    from PIL import Image

    Image.new("RGB", (200, 100), "#0a5c36").save(tmp_path / "logo.png")
    (tmp_path / "brand.yaml").write_text("logo: logo.png\n", encoding="utf-8")
    build(["slides"], BuildOptions(facts=MINIMAL, brand=tmp_path / "brand.yaml", out=tmp_path / "out", langs=("en",)))
    path = deck_path(tmp_path / "out", "en", stem="facts")
    with zipfile.ZipFile(path) as package:
        theme = package.read("ppt/theme/theme1.xml")
    assert b'<a:latin typeface="Arial"/>' in theme and b'<a:dk2><a:srgbClr val="1F3864"/>' in theme
    logos = [s for s in Presentation(path).slides[0].shapes if s.shape_type == MSO_SHAPE_TYPE.PICTURE]
    assert len(logos) == 1


def test_without_a_brand_file_the_deck_keeps_the_masters_theme(bundled):
    with zipfile.ZipFile(deck_path(bundled[0], "en")) as package:
        theme = package.read("ppt/theme/theme1.xml")
        pictures = [name for name in package.namelist() if name.startswith("ppt/media/")]
    assert b'<a:latin typeface="Arial"/>' in theme and b'<a:dk2><a:srgbClr val="1F3864"/>' in theme
    assert pictures == []


# --- generate check -----------------------------------------------------------------------

def write_override(directory: Path, body: str) -> Path:
    """A template directory whose outline is ``body`` after the bundled front matter."""
    (directory / "slides").mkdir(parents=True, exist_ok=True)
    front = ('---\ntitle: {{ facts.document.title | tr | yaml }}\nlang: {{ language_tag }}\n---\n\n')
    (directory / "slides" / "outline.md.jinja").write_text(front + body, encoding="utf-8")
    return directory


def test_check_reports_a_slide_over_the_limits(cli, tmp_path):
    bullets = "".join(f"- {{{{ offence.title | tr }}}} number {n}\n" for n in range(7))
    long = "- " + "x" * 140 + "\n"
    body = ("# Title\n\n---\n\n## Offences\n\n{% set offence = facts.offences[0] %}\n" + bullets + long
            + "\n<!--\nNotes\n-->\n")
    templates = write_override(tmp_path / "override", body)
    result = cli("check", "--facts", MINIMAL, "--templates", templates)
    # One rule, one severity: a limit is a warning in check as in a build, an error with --strict in both.
    assert result.exit_code == 0
    assert 'warning: slides outline (en): slide 2 "Offences": 8 bullets, expected at most 6' in result.output
    assert re.search(r'warning: slides outline \(vi\): slide 2 "Offences" bullet 8: 140 characters, expected at most 110',
                     result.output)
    assert cli("check", "--facts", MINIMAL, "--templates", templates, "--strict").exit_code == 1
    build = cli("slides", "--facts", MINIMAL, "--templates", templates, "--out", tmp_path / "out", "--lang", "en")
    assert build.exit_code == 0
    assert 'warning: slides outline (en): slide 2 "Offences": 8 bullets, expected at most 6' in build.stderr
    strict = cli("slides", "--facts", MINIMAL, "--templates", templates, "--out", tmp_path / "strict", "--lang", "en",
                 "--strict")
    assert strict.exit_code == 1
    assert strict.stderr.splitlines()[-1] == "error: --strict: 2 warnings (above) count as errors; nothing was published"
    assert not (tmp_path / "strict").exists()


@pytest.mark.slow
def test_unknown_layout_is_a_clear_error(cli, tmp_path):
    templates = write_override(tmp_path / "override", "<!-- _class: Comparison -->\n\n# Title\n")
    result = cli("check", "--facts", MINIMAL, "--templates", templates)
    assert result.exit_code == 1
    assert 'layout "Comparison" is not in the slide master; available layouts: "Title Slide", ' in result.output
    with pytest.raises(TemplateError, match='available layouts: "Title Slide"'):
        build(["slides"], BuildOptions(facts=MINIMAL, templates=templates, out=tmp_path / "out"))


def test_lint_does_not_import_python_pptx():
    code = ("import sys; from generator.facts.load import load_facts; from generator.templating.paths import TemplatePath; "
            "from generator.renderers import get_renderer; from generator.templating.build_context import BuildContext; "
            f"assert get_renderer('slides').lint(BuildContext.load(load_facts({str(FROZEN_FACTS)!r}), TemplatePath())) == []; "
            "print(sorted(m for m in ('pptx', 'docx', 'docxtpl', 'weasyprint') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == "[]"


# --- The parser and the escaping ------------------------------------------------------------

OUTLINE_HEAD = "---\ntitle: T\nlang: en-US\n---\n\n"


@pytest.mark.parametrize("body, message", [
    ("Intro\n\n# Title\n", "text before the slide title"),
    ("# Title\n\n## Second\n", "a second '#'/'##' heading"),
    ("# Title\n\n---\n\n##\n", "every slide needs a title"),
    ("# Title\n\n---\n\n- bullet\n", "text before the slide title"),
    ("# Title\nText\n---\n\n# Next\n", "needs a blank line before it"),
    ("# Title\n\n* star\n", "bullets start with '- '"),
    ("# Title\n\n1. first\n", "numbered lists are not supported"),
    ("# Title\n\n- **open\n", "unclosed **"),
    ("<!-- _class: X\nshape: round -->\n# Title\n", "unknown key 'shape'"),
    ("<!-- _class: X\nfigure: pie -->\n# Title\n", "unknown figure 'pie'"),
    ("<!-- _class: X\nfigure: column-chart -->\n# Title\n\n- a\n", "needs a table"),
    ("# Title\n\n<!-- never closed\n", "never closed"),
    ("# Title\n\n- point <!-- aside -->\n", "a comment inside a line"),
])
def test_parser_rejects_what_it_does_not_know(body, message):
    with pytest.raises(OutlineError, match=re.escape(message)):
        parse_outline(OUTLINE_HEAD + body, "outline")


def test_parser_reads_layout_columns_table_and_notes():
    text = OUTLINE_HEAD + (
        "<!-- _class: Two Content\nfigure: column-chart\nalt: \"Bars\" -->\n\n## Chart [1]\n\n"
        "| Cat | Value |\n|---|---:|\n| I | 3 |\n| II | 4 |\n\n- point **bold** \\*literal\\* [2, 3]\n"
        "  - detail\n\n<!--\nSay this.\n\n\n[2] Source — Pub\n-->\n")
    slide = parse_outline(text, "outline").slides[0]
    assert (slide.layout, slide.figure, slide.alt) == ("Two Content", "column-chart", "Bars")
    assert slide.blocks[0].table.rows == [["I", "3"], ["II", "4"]]
    bullet, detail = slide.blocks[1].paragraphs
    assert [(r.text, r.bold, r.cite) for r in bullet.runs] == [
        ("point ", False, False), ("bold", True, False), (" *literal* ", False, False), ("[2, 3]", False, True)]
    assert (detail.level, bullet.words) == (1, "point bold *literal*")
    assert slide.notes == ["Say this.", "", "[2] Source — Pub"]


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=80)
       .filter(lambda text: text.strip()))
@settings(max_examples=300, deadline=None)
def test_escaped_text_reads_back_as_itself_and_adds_no_structure(text):
    escaped = escape_markdown(text)
    assert "\n" not in escaped
    assert "".join(run.text for run in parse_inline(escaped, "t")) == " ".join(text.split())
    outline = parse_outline(OUTLINE_HEAD + f"# {escaped}\n\n- {escaped}\n\n{escaped}\n", "outline")
    assert len(outline.slides) == 1
    assert outline.slides[0].title_text == " ".join(text.split()).strip()
    note = escape_note(text)
    assert "-->" not in note and "\n" not in note


def test_escape_examples():
    assert escape_markdown("# Title") == "\\# Title"
    assert escape_markdown("- item") == "\\- item"
    assert escape_markdown("2024. Year") == "2024\\. Year"
    assert escape_markdown("a_b *c* [1] {{ 7*7 }}") == "a\\_b \\*c\\* \\[1\\] \\{\\{ 7\\*7 \\}\\}"
    assert escape_note("end --> here") == "end -- > here"
    assert compress_numbers([9, 3, 4, 5, 1]) == "1, 3–5, 9"
    assert compress_numbers([11, 21, 38, 39]) == "11, 21, 38–39"  # one helper for every format
    assert compress_numbers([]) == ""


def test_fit_estimate_wraps_and_shrinks():
    assert line_count("word " * 10, width=1000, size=20, family="Arial") == 1
    assert line_count("word " * 40, width=200, size=20, family="Arial") > 5
    lines = [TextLine("a fairly long bullet of text that needs several lines " * 3, "Arial")] * 6
    size, fits = fit_size(lines, width=400, height=300, start=24, minimum=12)
    assert fits and 12 <= size < 24
    assert fit_size(lines, width=100, height=50, start=24, minimum=16) == (16.0, False)


def test_text_is_fitted_in_the_font_the_deck_is_set_in():
    """The master's theme fonts (Arial) are measured, or the brand's when it names others: a
    font wider than Arial gets the same text smaller, so it still fits when the deck is opened."""
    from generator.renderers.metrics import text_width
    from generator.renderers.slides.master import ThemeFonts, read_master
    from generator.renderers.slides.plan import plan_outline

    master = read_master(REPO / "templates" / "slides" / "master.pptx")
    assert {layout.fonts for layout in master.layouts.values()} == {ThemeFonts("Arial", "Arial")}
    layout = master.layout("Title and Content")
    assert layout.title.levels[0].font == "+mj-lt" and layout.content[0].levels[0].font == "+mn-lt"
    bullet = "Viet Nam hosted the signing ceremony in Hanoi on 25 and 26 October"  # one line in Arial at 26 pt
    outline = parse_outline(OUTLINE_HEAD + "# Wide\n\n" + f"- {bullet}\n" * 6, "outline")
    wide = master.with_fonts(heading="DejaVu Sans", body="DejaVu Sans")
    assert text_width(bullet, 20, family="DejaVu Sans") > 1.1 * text_width(bullet, 20, family="Arial")
    arial_scale = plan_outline(outline, master).slides[0].texts[0].scale
    assert plan_outline(outline, wide).slides[0].texts[0].scale < arial_scale
    assert master.with_fonts(heading="DejaVu Sans").layout("Title and Content").fonts == ThemeFonts("DejaVu Sans", "Arial")


def test_master_build_script_reproduces_the_committed_master(tmp_path):
    built = tmp_path / "master.pptx"
    subprocess.run([sys.executable, str(REPO / "scripts" / "build_slides_master.py"), str(built)],
                   check=True, capture_output=True, cwd=REPO)
    assert built.read_bytes() == (REPO / "templates" / "slides" / "master.pptx").read_bytes()


# ---------------------------------------------------------------- reader-grade slides (issue 15)

def all_shapes(shapes):
    for shape in shapes:
        yield shape
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from all_shapes(shape.shapes)


def is_decorative(shape) -> bool:
    properties = shape._element.find(".//" + qn("p:cNvPr"))
    return properties.find(f"{qn('a:extLst')}/{qn('a:ext')}/{{http://schemas.microsoft.com/office/drawing/2017/decorative}}decorative") is not None


@pytest.mark.parametrize("lang", LANGS)
def test_every_shape_is_described_or_decorative_and_read_in_visual_order(bundled, lang):
    prs = Presentation(str(deck_path(bundled[0], lang)))
    decorative = 0
    for number, slide in enumerate(prs.slides, 1):
        for shape in all_shapes(slide.shapes):
            properties = shape._element.find(".//" + qn("p:cNvPr"))
            if is_decorative(shape):
                decorative += 1
            elif shape.shape_type in (MSO_SHAPE_TYPE.PICTURE, MSO_SHAPE_TYPE.CHART, MSO_SHAPE_TYPE.GROUP) or getattr(shape, "has_chart", False):
                assert properties.get("descr"), (number, shape.name)  # pictures, charts, figures: alt text
            elif not shape.is_placeholder:
                assert shape.has_text_frame and shape.text_frame.text.strip(), (number, shape.name)
        # Reading order (the shape tree) is the visual order: title first, then top to bottom, left to right.
        body = [s for s in slide.shapes if s != slide.shapes.title]
        band = int(0.5 * EMU_PER_INCH)
        positions = [(int(s.top) // band, int(s.left)) for s in body]
        assert positions == sorted(positions), number
        assert slide.shapes[0] == slide.shapes.title
    # The timeline's rules, dots and labels (read once, from the figure's description) and the tiles' bars.
    assert decorative >= 29
    chart_slide = next(s for s in prs.slides if any(getattr(x, "has_chart", False) for x in s.shapes))
    names = [x.name for x in chart_slide.shapes]
    chart = [getattr(x, "has_chart", False) for x in chart_slide.shapes].index(True)
    # The chart, on the left, is read right after the title (and the draft mark beside it, in the
    # same top band), before the text to its right.
    assert [n for n in names[1:chart] if n != "Header mark"] == []
    shapes = list(chart_slide.shapes)
    beside = [i for i, x in enumerate(shapes) if x.name != "Header mark" and x.has_text_frame and x.text_frame.text.strip()
              and x.left > shapes[chart].left and x.top < shapes[chart].top + shapes[chart].height]
    assert beside and min(beside) > chart


@pytest.mark.parametrize("lang", LANGS)
def test_no_slide_points_to_more_in_the_notes_and_sources_slide_lists_references(bundled, lang):
    from generator.facts.load import load_facts

    facts = load_facts(FROZEN_FACTS).facts
    prs = Presentation(str(deck_path(bundled[0], lang)))
    outline = deck_path(bundled[0], lang, suffix="md").read_text(encoding="utf-8")
    for slide in prs.slides:
        text = " ".join(shape_texts(slide.shapes))
        assert not re.search(r"\+\d+ (more|ý khác)", text)
    assert not re.search(r"^\*?\\?\+\d", outline, re.MULTILINE)
    lines = [line for shape in prs.slides[-1].shapes if shape.has_text_frame for line in shape.text_frame.text.splitlines()]
    sources = " ".join(lines)
    # Each reference ends with its number, which the slide's speaker notes resolve to the full
    # "[n] title — publisher" (several official pages share the title "United Nations Convention
    # against Cybercrime": the number, not the title, names the source).
    notes = prs.slides[-1].notes_slide.notes_text_frame.text
    full = {int(number): rest for number, rest in re.findall(r"^\[(\d+)\] (.+)$", notes, re.MULTILINE)}

    def text(value) -> str:
        return value if isinstance(value, str) else value.get(lang)

    def source_of(number: int):
        return next(s for s in facts.sources if full[number].startswith(f"{text(s.title)} — {text(s.publisher)}"))

    references = [(line, source_of(int(number))) for line in lines for number in re.findall(r"\[(\d+)\]$", line)]
    assert len([source for _, source in references if source.kind == "official"]) >= 2  # key official references…
    for line, source in references:
        assert text(source.title)[:30] in line and text(source.publisher)[:20] in line, line  # …by title, with their publisher
    assert len({line.rsplit("[", 1)[0] for line, _ in references}) == len(references)  # no two read alike
    assert not re.search(r"(Press|báo chí)[^.]*: \d+", sources)  # references, not counts



@pytest.mark.skipif(not have("chromium"), reason="Debian's chromium is not installed")
@pytest.mark.skipif(not MARP.exists(), reason="Marp CLI not installed (bash scripts/setup.sh test runs npm ci)")
@pytest.mark.parametrize("lang", LANGS)
def test_marp_renders_the_outline_with_its_theme_and_no_slide_overflows(bundled, lang, tmp_path):
    """Marp CLI (pinned in package-lock.json) renders the outline; in Chromium, every slide's
    content ends above its footer and inside its width, with the theme's classes applied."""
    from tests.helpers import marp_sections

    slides = marp_sections(deck_path(bundled[0], lang, suffix="md"), tmp_path, """sections => sections.map(s => {
            const box = s.getBoundingClientRect(), scale = box.height / s.offsetHeight;
            const footer = s.querySelector(':scope > footer');
            const limit = footer ? footer.getBoundingClientRect().top : box.bottom;
            let bottom = box.top, right = box.left;
            for (const el of s.querySelectorAll(':scope > :not(footer):not(header)'))
                for (const r of el.getClientRects()) { bottom = Math.max(bottom, r.bottom); right = Math.max(right, r.right); }
            return {cls: s.className, height: s.offsetHeight, width: s.offsetWidth,
                    content: (bottom - box.top) / scale, available: (limit - box.top) / scale,
                    right: (right - box.left) / scale, columns: getComputedStyle(s).columnCount};
        })""")
    assert len(slides) == 11  # ten, and the "what changed" slide of an edition
    for number, slide in enumerate(slides, 1):
        assert (slide["width"], slide["height"]) == (1280, 720)
        assert slide["content"] <= slide["available"], (number, slide)
        assert slide["right"] <= slide["width"], (number, slide)
        if slide["cls"] == "Two Content":
            assert slide["columns"] == "2", number  # the theme defines the outline's classes
