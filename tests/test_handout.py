"""`generate handout`: the Word handout, checked by opening the .docx files it writes."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm
from lxml import etree

from generator.pipeline.build import BuildOptions, build
from generator.templating.context import template_context
from generator.errors import GenerateError
from generator.facts.load import load_facts
from generator.templating.i18n import Localizer, load_labels
from generator.output.keyfacts import key_facts
from generator.renderers.handout import HandoutRenderer
from generator.templating.context import citation_mark
from generator.templating.paths import TemplatePath
from generator.templating.build_context import BuildContext
from tests.conftest import FROZEN_FACTS, MINIMAL, REPO, have, records, without_library_wording

TAGS = {"vi": "vi-VN", "en": "en-US"}
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
AS_OF = dt.datetime(2026, 2, 23)


def handout(out: Path, lang: str, stem: str = "hanoi-convention") -> Path:
    return out / lang / f"{stem}-handout.docx"


def all_text(document: docx.document.Document) -> str:
    """Body (tables included), header and footer text, as a reader sees it."""
    section = document.sections[0]
    parts = [p.text for p in section.header.paragraphs]
    parts += [p.text for p in _paragraphs(document)]
    parts += [p.text for p in section.footer.paragraphs]
    return unicodedata.normalize("NFC", "\n".join(parts))


def _paragraphs(document):
    """Every body paragraph in reading order, those in table cells included."""
    from docx.text.paragraph import Paragraph

    return [Paragraph(p, document._body) for p in document.element.body.iter(qn("w:p"))]


def part_xml(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def expand(mark: str) -> list[int]:
    """``[1,4–6]`` -> ``[1, 4, 5, 6]``."""
    numbers: list[int] = []
    for part in filter(None, mark.strip("[]").split(",")):
        first, _, last = part.partition("–")
        numbers += range(int(first), int(last or first) + 1)
    return numbers


@pytest.fixture(scope="module")
def bundled(built):
    """The frozen copy of the bundled facts, built once per session, and its handouts' records."""
    out = built("bundled")
    return out, records(out, "handout")


@pytest.fixture(scope="module")
def minimal(built):
    out = built("minimal")
    return out, records(out, "handout")


@pytest.fixture(scope="module")
def loaded():
    return load_facts(FROZEN_FACTS)


# ---------------------------------------------------------------- what the handout says

def test_one_docx_per_language_without_a_claimed_page_count(bundled):
    out, records = bundled
    assert [(r["lang"], r["format"], r["path"]) for r in records] == [
        ("vi", "docx", "vi/hanoi-convention-handout.docx"), ("en", "docx", "en/hanoi-convention-handout.docx")]
    assert all(r["pages"] is None and r["slides"] is None for r in records)
    assert [r["title"] for r in records] == ["Công ước của Liên hợp quốc về chống tội phạm mạng (Công ước Hà Nội)",
                                             "United Nations Convention against Cybercrime (“Hanoi Convention”)"]
    for record in records:
        assert docx.Document(out / record["path"]).paragraphs[0].text == record["title"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_key_facts_verify_checks_are_in_each_language(bundled, loaded, lang):
    """The facts `generate verify` requires of every document are in the handout, and its text is
    stored NFC. (What the whole text says is compared with its golden copy: tests/test_golden.py.)"""
    document = docx.Document(handout(bundled[0], lang))
    text = all_text(document)
    i18n = Localizer(lang, "vi", load_labels([REPO / "templates"], lang))
    for fact in key_facts(loaded.facts, i18n):  # the cross-format gate of `generate verify`
        assert fact.text in " ".join(text.split()), fact.name
    assert unicodedata.is_normalized("NFC", "".join(p.text for p in document.paragraphs))


def test_every_milestone_and_offence_is_listed(bundled, loaded):
    document = docx.Document(handout(bundled[0], "en"))
    timeline = document.tables[1]
    assert len(timeline.rows) == len(loaded.facts.timeline) + 1  # plus the header row
    assert [row.cells[1].text.split("[")[0] for row in timeline.rows[1:]][-1] == \
        "Signature closes in New York (upcoming)"
    text = all_text(document)
    for offence in loaded.facts.offences:
        assert offence.title.get("en") in text
    for step in loaded.facts.next_steps:  # in their short form, for a two-page handout
        assert (step.short or step.text).get("en") in text


def test_a_fictional_treaty_gets_its_own_handout(minimal):
    out, records = minimal
    assert len(records) == 2
    vi = all_text(docx.Document(handout(out, "vi", "facts")))
    en = all_text(docx.Document(handout(out, "en", "facts")))
    for expected in ("Công ước Mẫu", "Công ước Đà Lạt", "ngày 5 tháng 3 năm 2024", "5 điều, chia thành 2 chương",
                     "Truy cập trái phép (Điều 2)", "Hết hạn ký (sắp tới)"):
        assert expected in vi, expected
    for expected in ("The Model Convention", "Da Lat Convention", "5 March 2024", "5 articles in 2 chapters",
                     "Illegal access (Art. 2)", "Signature closes (upcoming)"):
        assert expected in en, expected
    # Nothing about the Hanoi Convention leaks in from the template.
    assert "Hà Nội" not in vi and "Hanoi" not in en and "Cybercrime" not in en and "68" not in en


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_citation_marks_match_the_numbered_sources(bundled, loaded, lang):
    document = docx.Document(handout(bundled[0], lang))
    cited: list[int] = []
    listed: list[int] = []
    for paragraph in _paragraphs(document):
        for run in paragraph.runs:
            if run.style.name == "Citation":
                cited += expand(run.text)
    # One entry per number, in order: the sources are a Word numbered list (1., 2., …).
    listed = list(range(1, sum(1 for p in document.paragraphs if p.style.name == "Source") + 1))
    assert set(cited) == set(listed)  # every mark has its source, every source is cited
    first_seen = list(dict.fromkeys(cited))
    assert first_seen == sorted(first_seen)  # numbered in order of first citation
    assert 20 < len(listed) < len(loaded.facts.sources)  # only what the handout cites
    # Each entry links to its source's full address.
    rels = document.part.rels.values()
    links = {rel.target_ref for rel in rels if rel.reltype.endswith("/hyperlink")}
    assert links and links <= {s.url for s in loaded.facts.sources}
    # Short form: title and publisher (the link) cut at a word boundary, date, and reliability
    # unless secondary; the briefing lists full titles. Every entry reads differently.
    from generator.renderers.handout.document import shorten

    entries = [p.text for p in document.paragraphs if p.style.name == "Source"]
    assert len(set(entries)) == len(entries)
    untc = loaded.facts.source("untc")
    primary = {"vi": "nguồn chính thức", "en": "primary source"}[lang]
    assert entries[0] == f"{shorten(untc.title, 27)} {shorten(untc.publisher, 31)} ({primary})."
    assert not any(text.endswith("..") or "…." in text or ":…" in text for text in entries)
    assert {"vi": "nguồn thứ cấp", "en": "secondary"}[lang] in all_text(document)  # the note under the heading


def test_compact_citation_marks():
    assert citation_mark([6, 12, 24, 25, 26], separator=",") == "[6,12,24–26]"  # Word's marks never wrap
    assert citation_mark([3, 1, 2, 2], separator=",") == "[1–3]"
    assert citation_mark([4, 5], separator=",") == "[4–5]"  # the same compression as every other format
    assert citation_mark([6, 12, 24, 25, 26]) == "[6, 12, 24–26]" and citation_mark([]) == ""
    assert citation_mark([]) == ""


@pytest.mark.slow
def test_facts_are_printed_literally_never_evaluated(tmp_path):
    text = MINIMAL.read_text(encoding="utf-8")
    text = text.replace("title: {vi: Công ước Mẫu, en: The Model Convention}",
                        'title: {vi: "Mẫu <b> & {{ 7*7 }}", en: "Model <b> & {{ 7*7 }} {% raw %}"}')
    text = text.replace("publisher: Model Conference,", 'publisher: "Text </w:t> &amp; {{ x }}",')
    facts = tmp_path / "evil.yaml"
    facts.write_text(text, encoding="utf-8")
    for record in build(["handout"], BuildOptions(facts=facts, out=tmp_path / "out")):
        document = docx.Document(str(tmp_path / "out" / record["path"]))  # opens: the XML stayed valid
        title = {"vi": "Mẫu <b> & {{ 7*7 }}", "en": "Model <b> & {{ 7*7 }} {% raw %}"}[record["lang"]]
        assert document.paragraphs[0].text == title
        assert "Text </w:t> &amp; {{ x }}, " in all_text(document)
        assert document.core_properties.title == title


# ---------------------------------------------------------------- Word-native structure

def test_named_styles_real_lists_and_a_table_style(bundled):
    document = docx.Document(handout(bundled[0], "en"))
    used = {p.style.name for p in _paragraphs(document)}
    assert {"Title", "Subtitle", "Document Info", "Heading 1", "List Bullet", "Table Text", "Note",
            "Source"} <= used
    bullet = document.styles["List Bullet"]
    num_id = bullet.element.pPr.numPr.numId.val  # the style itself carries the numbering: a real list
    numbering = document.part.numbering_part.element
    abstract = numbering.num_having_numId(num_id).abstractNumId.val
    level = numbering.xpath(f'./w:abstractNum[@w:abstractNumId="{abstract}"]/w:lvl[@w:ilvl="0"]')[0]
    assert level.find(qn("w:numFmt")).get(qn("w:val")) == "bullet"
    assert not any(re.match(r"\s*[•\-·▪–]\s", p.text) for p in _paragraphs(document))  # no typed bullets
    assert [t.style.name for t in document.tables] == ["Handout Table", "Handout Table"]
    key_facts_look, timeline_look = (t._tbl.tblPr.find(qn("w:tblLook")) for t in document.tables)
    assert key_facts_look.get(qn("w:firstColumn")) == "1" and timeline_look.get(qn("w:firstRow")) == "1"
    for name in ("Heading 1", "Heading 2"):
        assert document.styles[name].paragraph_format.keep_with_next


def test_a4_times_new_roman_13pt_and_decree_30_margins(bundled):
    document = docx.Document(handout(bundled[0], "vi"))
    section = document.sections[0]
    close = lambda length, mm: abs(length - Mm(mm)) < Mm(0.1)  # noqa: E731 - twips round-trip
    assert close(section.page_width, 210) and close(section.page_height, 297)
    assert close(section.top_margin, 20) and close(section.bottom_margin, 20)
    assert close(section.left_margin, 30) and close(section.right_margin, 15)
    styles = part_xml(handout(bundled[0], "vi"), "word/styles.xml")
    defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    assert defaults.find(f"{W}rFonts").get(f"{W}ascii") == "Times New Roman"
    assert defaults.find(f"{W}sz").get(f"{W}val") == "26"  # half-points
    # No style falls back to a theme font (Calibri, Cambria).
    assert not [f for f in styles.iter(f"{W}rFonts") if any(a.endswith("Theme") for a in map(str, f.attrib))]


@pytest.mark.parametrize("lang, page_label", [("vi", "Trang"), ("en", "Page")])
def test_header_short_title_and_footer_page_x_of_y(bundled, loaded, lang, page_label):
    path = handout(bundled[0], lang)
    section = docx.Document(path).sections[0]
    assert section.header.paragraphs[0].text.startswith(loaded.facts.names.short_title.text.get(lang))
    footer = part_xml(path, "word/footer1.xml")
    codes = [node.text.strip() for node in footer.iter(f"{W}instrText")]
    assert codes == ["PAGE", "NUMPAGES"]
    assert [f.get(f"{W}fldCharType") for f in footer.iter(f"{W}fldChar")] == ["begin", "separate", "end"] * 2
    assert page_label in section.footer.paragraphs[0].text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_language_tagged_in_styles_settings_and_every_run(bundled, lang):
    path, tag = handout(bundled[0], lang), TAGS[lang]
    styles = part_xml(path, "word/styles.xml")
    default = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert [default.get(f"{W}{a}") for a in ("val", "eastAsia", "bidi")] == [tag, tag, tag]
    for style in styles.iter(f"{W}style"):
        if style.get(f"{W}type") in ("paragraph", "character"):
            assert style.find(f"{W}rPr/{W}lang").get(f"{W}val") == tag, style.get(f"{W}styleId")
    settings = part_xml(path, "word/settings.xml")
    assert settings.find(f"{W}themeFontLang").get(f"{W}val") == tag
    assert settings.find(f"{W}proofState") is None  # Word spell-checks it afresh, in this language
    other = {"vi": "en-US", "en": "vi-VN"}[lang]
    # A title kept in its source's own language (a Portuguese article, say) carries that tag.
    source_tags = {source.lang for source in load_facts(FROZEN_FACTS).facts.sources if source.lang}
    foreign: list[str] = []
    for name in ("word/document.xml", "word/header1.xml", "word/footer1.xml"):
        for run in part_xml(path, name).iter(f"{W}r"):
            run_tag = run.find(f"{W}rPr/{W}lang").get(f"{W}val")
            assert run_tag in (tag, other) or run_tag in source_tags, run_tag
            if run_tag == other:
                foreign.append("".join(t.text or "" for t in run.iter(f"{W}t")))
    # Only sources written in the other language are tagged with it.
    source_text = " ".join(p.text for p in docx.Document(path).paragraphs if p.style.name == "Source")
    assert foreign and all(piece in source_text for piece in foreign)


def test_described_publishers_are_in_the_handouts_language(bundled, loaded):
    """A publisher the fact file describes per language is printed in the handout's language and
    not tagged as foreign; a publisher as published keeps its source's language. (The two-page
    handout cuts titles and publishers at a word boundary; the briefing lists them in full.)"""
    path = handout(bundled[0], "vi")
    runs = {"".join(t.text or "" for t in run.iter(f"{W}t")): run.find(f"{W}rPr/{W}lang").get(f"{W}val")
            for run in part_xml(path, "word/document.xml").iter(f"{W}r")}
    from generator.renderers.handout.document import shorten

    described_publisher = loaded.facts.source("hanoiconv").publisher  # linked to its page
    assert runs[shorten(described_publisher.get("vi"), 31)] == "vi-VN"
    assert runs[shorten(loaded.facts.source("untc").publisher, 31)] == "en-US"  # as published, in English
    assert runs[shorten(loaded.facts.source("untc").title, 27)] == "en-US"  # the title too
    text = all_text(docx.Document(path))
    assert described_publisher.get("en") not in text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_core_properties_come_from_the_fact_file(bundled, loaded, lang):
    path = handout(bundled[0], lang)
    info = loaded.facts.document
    props = docx.Document(path).core_properties
    assert props.title == info.title.get(lang)
    assert props.subject == info.subject.get(lang)
    # The issuing organisation only when one is given: never the toolkit.
    assert props.author == props.last_modified_by == (info.issuer.get(lang) if info.issuer else "")
    assert props.keywords == "; ".join(info.keywords.get(lang))
    assert props.language == TAGS[lang]
    assert props.revision == 1
    assert props.created.replace(tzinfo=None) == props.modified.replace(tzinfo=None) == AS_OF
    assert props.category == {"vi": "Tờ thông tin", "en": "Handout"}[lang]
    with zipfile.ZipFile(path) as archive:
        core, app = archive.read("docProps/core.xml").decode(), archive.read("docProps/app.xml").decode()
        assert "thumbnail" not in " ".join(archive.namelist())
    for leak in ("python-docx", "2013", "Microsoft", "Normal.dotm", "scanny"):
        assert leak not in core + app, leak
    assert re.search(r"<Application>generate \d", app)


# ---------------------------------------------------------------- reproducible

@pytest.mark.slow
def test_two_renders_are_byte_identical_with_fixed_zip_entries(tmp_path):
    first = build(["handout"], BuildOptions(facts=FROZEN_FACTS, out=tmp_path / "a", use_cache=False))
    second = build(["handout"], BuildOptions(facts=FROZEN_FACTS, out=tmp_path / "b", use_cache=False))
    assert [(tmp_path / "a" / r["path"]).read_bytes() for r in first] == [(tmp_path / "b" / r["path"]).read_bytes() for r in second]
    with zipfile.ZipFile(tmp_path / "a" / first[0]["path"]) as archive:
        infos = archive.infolist()
    assert infos[0].filename == "[Content_Types].xml"
    assert {i.date_time for i in infos} == {(2026, 2, 23, 0, 0, 0)}


def test_committed_template_matches_its_build_script():
    """templates/handout/handout.docx is exactly what scripts/build_handout_template.py writes."""
    spec = importlib.util.spec_from_file_location("build_handout_template", REPO / "scripts" / "build_handout_template.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    built = script.build()
    assert built == (REPO / "templates" / "handout" / "handout.docx").read_bytes(), \
        "run: .venv/bin/python scripts/build_handout_template.py"


# ---------------------------------------------------------------- brand

@pytest.mark.slow
def test_a_users_brand_restyles_the_handout(tmp_path):
    data = handout_with_brand(tmp_path, 'colours: {primary: "#8B1A1A", accent: "#B8860B"}\n'
                                        "fonts: {body: Liberation Sans, heading: Liberation Sans}\n")
    document = docx.Document(io.BytesIO(data))
    assert document.styles["Heading 1"].font.color.rgb == docx.shared.RGBColor(0x8B, 0x1A, 0x1A)
    styles = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/styles.xml"))
    assert styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts").get(f"{W}ascii") == "Liberation Sans"
    header = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/header1.xml"))
    assert header.find(f".//{W}drawing") is not None  # the logo
    assert document.core_properties.author == "Ministry of Tests"
    assert "Ministry of Tests" in all_text(document)


def handout_with_brand(directory: Path, settings: str) -> bytes:
    """The English handout of the minimal facts, built into ``directory/out`` with ``directory/templates``
    as the template directory and a brand naming an organization, a logo and ``settings`` (YAML lines)."""
    from PIL import Image

    templates = directory / "templates"
    templates.mkdir(exist_ok=True)
    Image.new("RGB", (60, 30), (139, 26, 26)).save(templates / "logo.png")
    (templates / "brand.yaml").write_text('organization: {vi: "Bộ Thử nghiệm", en: "Ministry of Tests"}\n'
                                          + settings + "logo: logo.png\n", encoding="utf-8")
    [record] = build(["handout"], BuildOptions(facts=MINIMAL, out=directory / "out", templates=templates, langs=("en",)))
    return (directory / "out" / record["path"]).read_bytes()


def restyled_handout(directory: Path) -> None:
    """An officer's copy of the bundled handout in ``directory/templates``, restyled in Word: purple
    Heading 1, DejaVu Sans body."""
    document = docx.Document(str(REPO / "templates" / "handout" / "handout.docx"))
    document.styles["Heading 1"].font.color.rgb = docx.shared.RGBColor(0x6A, 0x1B, 0x9A)
    document.styles["Normal"].font.name = "DejaVu Sans"
    (directory / "templates" / "handout").mkdir(parents=True, exist_ok=True)
    document.save(str(directory / "templates" / "handout" / "handout.docx"))


@pytest.mark.slow
def test_a_logo_only_brand_keeps_the_styles_edited_in_word(tmp_path):
    restyled_handout(tmp_path)
    data = handout_with_brand(tmp_path, "")
    document = docx.Document(io.BytesIO(data))
    assert document.styles["Heading 1"].font.color.rgb == docx.shared.RGBColor(0x6A, 0x1B, 0x9A)
    assert document.styles["Normal"].font.name == "DejaVu Sans"
    header = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/header1.xml"))
    assert header.find(f".//{W}drawing") is not None  # the logo still comes from the brand
    assert document.core_properties.author == "Ministry of Tests"


@pytest.mark.slow
def test_a_brand_naming_one_colour_changes_only_that_property(tmp_path):
    restyled_handout(tmp_path)
    (tmp_path / "templates" / "brand.yaml").write_text('colours: {primary: "#0B5D3B"}\n', encoding="utf-8")
    [record] = build(["handout"], BuildOptions(facts=MINIMAL, out=tmp_path / "out", templates=tmp_path / "templates",
                                               langs=("en",)))
    document = docx.Document(str(tmp_path / "out" / record["path"]))
    assert document.styles["Heading 1"].font.color.rgb == docx.shared.RGBColor(0x0B, 0x5D, 0x3B)
    assert document.styles["Normal"].font.name == "DejaVu Sans"  # fonts: not named, not touched


@pytest.mark.slow
def test_without_a_brand_of_ones_own_the_template_styles_stay(tmp_path):
    """The bundled brand.yaml is not the user's: a template restyled in Word keeps its styles.
    (Purple and DejaVu Sans are in no bundled brand setting, so applying that brand would show.)"""
    restyled_handout(tmp_path)
    assert not (tmp_path / "templates" / "brand.yaml").exists()  # the brand found is the bundled one
    out = tmp_path / "out"  # beside the template folder: never inside it
    [record] = build(["handout"], BuildOptions(facts=MINIMAL, out=out, templates=tmp_path / "templates", langs=("en",)))
    document = docx.Document(out / record["path"])
    assert document.styles["Heading 1"].font.color.rgb == docx.shared.RGBColor(0x6A, 0x1B, 0x9A)
    assert document.styles["Normal"].font.name == "DejaVu Sans"


# ---------------------------------------------------------------- template lint

def crafted_template(directory: Path, build_body) -> Path:
    """A .docx template made with python-docx at ``directory/handout/handout.docx``."""
    document = docx.Document()
    build_body(document)
    path = directory / "handout" / "handout.docx"
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(path)
    return path


def split_runs(paragraph, *pieces: str) -> None:
    """Type a tag as Word stores it after spell-checking and a bookmark: in pieces across runs."""
    for index, piece in enumerate(pieces):
        paragraph.add_run(piece)
        marker = OxmlElement("w:proofErr" if index % 2 == 0 else "w:bookmarkStart")
        marker.set(qn("w:type" if index % 2 == 0 else "w:name"), "spellStart" if index % 2 == 0 else "mark")
        if index % 2:
            marker.set(qn("w:id"), str(index))
        paragraph._p.append(marker)


def test_bundled_template_lints_clean_for_both_fact_files(loaded):
    assert HandoutRenderer().lint(BuildContext.load(loaded, TemplatePath())) == []
    assert HandoutRenderer().lint(BuildContext.load(MINIMAL, TemplatePath())) == []


def test_lint_finds_bad_tags_split_across_runs_in_body_table_header_and_footer(tmp_path, loaded):
    def body(document):
        document.add_paragraph("Intro")
        split_runs(document.add_paragraph(), "Adopted {{ facts.ado", "ption.da", "t|date }}")
        table = document.add_table(rows=2, cols=2)
        split_runs(table.cell(1, 1).paragraphs[0], "{{ L.at_a_gl", "anc }}")
        document.add_paragraph("{%p for number, src in citations.notes() %}")
        document.add_paragraph("[{{ number }}] {{ src.publsher }}")
        document.add_paragraph("{%p endfor %}")
        split_runs(document.sections[0].header.paragraphs[0], "{{ facts.names.short_tit", "el|tr }}")
        split_runs(document.sections[0].footer.paragraphs[0], "{{ as_of|dat", "e }} {{ fact.document }}")

    crafted_template(tmp_path, body)
    problems = HandoutRenderer().lint(BuildContext.load(loaded, TemplatePath(overrides=(tmp_path,))))
    found = [(p.path.split("handout.docx ")[1], p.message) for p in problems]
    assert found == [
        ("body paragraph 2", "unknown name 'facts.adoption.dat' (did you mean 'date'?)"),
        ("body table 1 row 2 cell 2", "unknown label 'L.at_a_glanc' (did you mean 'at_a_glance'?)"),
        ("body paragraph 4", "unknown name 'src.publsher' (did you mean 'publisher'?)"),
        ("header paragraph 1", "unknown name 'facts.names.short_titel' (did you mean 'short_title'?)"),
        ("footer paragraph 1", "unknown name 'fact' (did you mean 'facts'?)"),
    ]
    assert all(p.severity == "error" and str(tmp_path) in p.path for p in problems)  # the override was read


def test_lint_reports_syntax_errors_and_unknown_filters_where_they_are(tmp_path, loaded):
    def body(document):
        document.add_paragraph("{{ facts.document.title|trr }}")
        split_runs(document.sections[0].footer.paragraphs[0], "{{ L.page }", "}} {% if %}")

    crafted_template(tmp_path, body)
    problems = HandoutRenderer().lint(BuildContext.load(loaded, TemplatePath(overrides=(tmp_path,))))
    assert [(p.path.split("handout.docx ")[1], without_library_wording(p.message)) for p in problems] == [
        ("body paragraph 1", "unknown filter 'trr' (did you mean 'tr'?)"),
        ("footer paragraph 1", "Jinja syntax error: …"),  # what follows is Jinja's wording: not asserted
    ]


@pytest.mark.slow
def test_generate_check_and_generate_handout_report_template_problems(cli, tmp_path):
    crafted_template(tmp_path / "tpl", lambda d: split_runs(d.add_paragraph(), "{{ facts.adoption.dat", "e|date }}",
                                                              " {{ facts.names.titel }}"))
    checked = cli("check", "--facts", FROZEN_FACTS, "--templates", tmp_path / "tpl")
    assert checked.exit_code == 1
    assert "handout.docx body paragraph 1: unknown name 'facts.names.titel'" in checked.output
    rendered = cli("handout", "--facts", FROZEN_FACTS, "--templates", tmp_path / "tpl", "--out", tmp_path / "out")
    assert rendered.exit_code == 1
    assert "body paragraph 1: unknown name 'facts.names.titel'" in rendered.output
    assert "Traceback" not in rendered.output and not (tmp_path / "out").exists()


@pytest.mark.slow
def test_render_errors_name_the_template_part_and_paragraph(tmp_path):
    def body(document):
        document.add_paragraph("{{ facts.document.title|tr }}")
        document.add_paragraph("Role: {{ facts.country_role.points|length }}")  # the minimal file has none

    crafted_template(tmp_path / "templates", body)
    with pytest.raises(GenerateError) as caught:
        build(["handout"], BuildOptions(facts=MINIMAL, out=tmp_path / "out", templates=tmp_path / "templates"))
    message = caught.value.format_message()
    assert message.startswith(str(tmp_path / "templates" / "handout" / "handout.docx"))
    assert "(body, near “Role: {{ facts.country_role.points|length }}”): undefined name:" in message
    assert message.endswith("undefined name: None has no attribute or key 'points' (the facts or labels do not provide it)")


def test_lint_imports_no_office_library():
    """`generate check` runs the lint: it must not load python-docx or docxtpl (see the performance rule)."""
    code = ("import sys\n"
            "from generator.facts.load import load_facts\n"
            "from generator.renderers.handout import HandoutRenderer\n"
            "from generator.templating.environment import TemplatePath\n"
            "from generator.templating.build_context import BuildContext\n"
            f"assert HandoutRenderer().lint(BuildContext.load(load_facts({str(FROZEN_FACTS)!r}), TemplatePath())) == []\n"
            "print(sorted(m for m in ('docx', 'docxtpl', 'pptx', 'weasyprint') if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert result.stdout.strip() == "[]"


def test_lint_checks_names_against_the_model_not_one_files_values(loaded):
    """An optional field that is empty in this fact file is still a valid name."""
    from generator.renderers.handout.lint import Checker, TemplateText, context_types
    import jinja2

    contexts = [template_context(loaded, "en", TemplatePath())]
    env = jinja2.Environment()
    env.filters["tr"] = lambda value: value
    text = TemplateText("body", ["{% for s in facts.negotiation.sessions %}{{ s.note.get('en') }}{{ s.nots }}"
                                 "{% endfor %}{{ facts.entry_into_force.ratifications.value }}"],
                        [])
    checker = Checker(env, context_types(contexts), text, "t.docx")
    checker.body(env.parse(text.source).body, {})
    assert [p.message for p in checker.problems] == ["unknown name 's.nots' (did you mean 'note'?)"]


# ---------------------------------------------------------------- opened in a real office suite

@pytest.mark.skipif(not have("soffice"), reason="LibreOffice (soffice) is not installed; scripts/setup.sh test installs it")
def test_libreoffice_opens_both_handouts_and_they_fit_on_three_pages(bundled, minimal, tmp_path):
    from pypdf import PdfReader

    sources = {"bundled-vi": handout(bundled[0], "vi"), "bundled-en": handout(bundled[0], "en"),
               "minimal-vi": handout(minimal[0], "vi", "facts")}
    for name, path in sources.items():  # distinct names: the PDFs would overwrite each other
        shutil.copy(path, tmp_path / f"{name}.docx")
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), *sorted(str(p) for p in tmp_path.glob("*.docx"))],
                   check=True, capture_output=True, timeout=180)
    for name in sources:
        reader = PdfReader(tmp_path / f"{name}.pdf")
        text = unicodedata.normalize("NFC", " ".join(page.extract_text() for page in reader.pages))
        text = " ".join(text.split())
        assert 1 <= len(reader.pages) <= 2, (name, len(reader.pages))
        pages = len(reader.pages)
        if name.startswith("bundled"):
            assert pages == 2, name
            for number, sizes in enumerate(letter_sizes(reader), 1):
                assert len(sizes) <= 3, (name, number, sorted(sizes))  # at most three type sizes a page
                assert min(sizes) >= 9, (name, number, sorted(sizes))
        if name == "bundled-vi":
            for expected in ("ngày 24 tháng 12 năm 2024", "68 điều, chia thành 9 chương", "Hà Nội", f"Trang 1 / {pages}"):
                assert expected in text, expected
        if name == "bundled-en":
            for expected in ("24 December 2024", "68 articles in 9 chapters", "Hanoi", f"Page 2 of {pages}"):
                assert expected in text, expected
        if name == "minimal-vi":
            assert len(reader.pages) == 1 and "Công ước Đà Lạt" in text
    # No heading is left alone at the foot of a page.
    for name in ("bundled-vi", "bundled-en"):
        document = docx.Document(sources[name])
        headings = {p.text for p in document.paragraphs if p.style.name.startswith("Heading")}
        footer = document.sections[0].footer.paragraphs[0].text.split("\t")[0]
        pages = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / f"{name}.pdf"), "-"],
                               capture_output=True, text=True, check=True).stdout.split("\f")[:-1]
        for page in pages[:-1]:
            lines = [line.strip() for line in unicodedata.normalize("NFC", page).splitlines() if line.strip()]
            body = [line for line in lines if not line.startswith(footer[:20]) and not re.match(r"^(Trang|Page) \d", line)]
            assert body[-1] not in headings, f"{name}: heading {body[-1]!r} ends a page"


def letter_sizes(reader) -> list[set[float]]:
    """The font sizes (pt) of text with letters on each page: what a reader reads, leaving out
    the superscript citation marks ("[1,4–6]"), which Word sets smaller by itself."""
    import math

    pages = []
    for page in reader.pages:
        sizes: set[float] = set()

        def visit(text, cm, tm, font, size):
            if any(char.isalpha() for char in text):
                sizes.add(round(size * math.hypot(tm[0], tm[1]) * math.hypot(cm[0], cm[1]), 1))

        page.extract_text(visitor_text=visit)
        pages.append(sizes)
    return pages


def test_sources_are_a_numbered_list_offences_bullets_and_cells_padded(bundled, loaded):
    """One paragraph per source in a real Word numbered list (1., 2., …), one bullet per offence,
    in the brief's order; table text kept off the rules."""
    for lang in ("vi", "en"):
        document = docx.Document(handout(bundled[0], lang))
        style = document.styles["Source"].element
        assert style.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is not None
        sources = [p for p in document.paragraphs if p.style.name == "Source"]
        cited = {n for p in document.paragraphs for n in map(int, re.findall(r"\d+", " ".join(
            r.text for r in p.runs if r.style is not None and r.style.name == "Citation")))}
        assert len(sources) == max(cited) and all(p.text.strip().endswith((".", "…")) for p in sources)  # "…": a cut name ends it
        bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
        for offence in loaded.facts.offences:
            assert any(text.startswith(offence.title.get(lang)) for text in bullets), offence.title.get(lang)
        headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
        order = [h for h in headings if h]
        assert order.index(order[-1]) == len(order) - 1  # sources close the handout, as in the brief
    margins = docx.Document(handout(bundled[0], "en")).styles["Handout Table"].element.find(
        f".//{qn('w:tblCellMar')}")
    assert all(int(margins.find(qn(f"w:{side}")).get(qn("w:w"))) >= 30 for side in ("top", "bottom", "left", "right"))


@pytest.mark.slow
def test_cli_renders_one_language(cli, tmp_path):
    result = cli("handout", "--facts", FROZEN_FACTS, "--lang", "en", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert re.search(r"wrote .*en/hanoi-convention-handout\.docx +\(en, docx, [\d,]+ bytes\)", result.output)
    assert not (tmp_path / "out" / "vi").exists()
