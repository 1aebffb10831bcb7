"""Arabic and Chinese in the Word handout, the PowerPoint deck and the Markdown outline: direction,
per-script fonts and sizes, language tags per font slot, and the unreviewed-translation notice.

The fixture is the minimal fact file whose English labels are tagged ``ar`` (or ``zh-CN``):
direction and script come from the tag, not from the words, so the English labels stay, and a
few texts are Arabic or Chinese (the title, the full title with a Latin code inside, and an
Arabic common name in the Vietnamese document).
"""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import docx
import pptx
import pytest
import yaml
from lxml import etree

from generator.pipeline.build import BuildOptions, build
from generator.renderers.handout.scripts import direction_segments
from generator.templating.brand import Fonts
from tests.conftest import REPO, have
from tests.helpers import MARP, minimal_facts, shown

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
FONTS = Fonts()
ARABIC_FONT, CHINESE_FONT = FONTS.scripts["Arab"], FONTS.scripts["Hans"]
TEXTS = {
    "ar": {"title": "الاتفاقية النموذجية", "full": "اتفاقية الأمم المتحدة UNODC-2024 بشأن التعاون"},
    "zh-CN": {"title": "示范公约", "full": "联合国关于合作的示范公约（UNODC-2024）"},
}
ARABIC_NAME = "اتفاقية دالات"
UNREVIEWED = yaml.safe_load((REPO / "templates" / "labels" / "en.yaml").read_text(encoding="utf-8"))["text"][
    "unreviewed_translation"]


def build_tagged(directory: Path, tag: str) -> Path:
    """The handout and deck of the minimal facts, the English ones tagged ``tag``; returns the output folder."""
    labels = directory / "templates" / "labels"
    labels.mkdir(parents=True)
    english = (REPO / "templates" / "labels" / "en.yaml").read_text(encoding="utf-8")
    (labels / "en.yaml").write_text(english.replace("language_tag: en-US", f"language_tag: {tag}"), encoding="utf-8")

    def edit(data):
        data["document"]["title"]["en"] = TEXTS[tag]["title"]
        data["names"]["full_title"]["text"]["en"] = TEXTS[tag]["full"]
        data["names"]["common_name"]["text"]["vi"] = ARABIC_NAME  # an Arabic name opening a Vietnamese paragraph
        data["document"]["unreviewed_translations"] = ["en"]

    facts = minimal_facts(directory, edit)
    out = directory / "out"
    build(["handout", "slides"], BuildOptions(facts=facts, out=out, templates=directory / "templates"))
    return out


@pytest.fixture(scope="module")
def arabic(tmp_path_factory):
    return build_tagged(tmp_path_factory.mktemp("arabic"), "ar")


@pytest.fixture(scope="module")
def chinese(tmp_path_factory):
    return build_tagged(tmp_path_factory.mktemp("chinese"), "zh-CN")


def part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def text_of(paragraph: etree._Element, tag: str = f"{W}t") -> str:
    return "".join(t.text or "" for t in paragraph.iter(tag))


def flag(properties: etree._Element | None, name: str) -> bool | None:
    """An on/off property's value: None when absent."""
    node = None if properties is None else properties.find(f"{W}{name}")
    if node is None:
        return None
    return node.get(f"{W}val", "1") not in ("0", "false", "off")


def handout(out: Path, lang: str = "en") -> Path:
    return out / lang / "facts-handout.docx"


def deck(out: Path, lang: str = "en", suffix: str = "pptx") -> Path:
    return out / lang / f"facts-slides.{suffix}"


# ---------------------------------------------------------------- Word

def test_an_arabic_handout_is_right_to_left_from_styles_to_section(arabic):
    path = handout(arabic)
    styles = part(path, "word/styles.xml")
    assert flag(styles.find(f"{W}docDefaults/{W}pPrDefault/{W}pPr"), "bidi") is True
    body = part(path, "word/document.xml")
    paragraphs = [p for p in body.iter(f"{W}p") if text_of(p).strip()]
    directions = {}
    for paragraph in paragraphs:
        properties = paragraph.find(f"{W}pPr")
        directions[text_of(paragraph)] = flag(properties, "bidi")
        # Word reads jc's left and right as start and end: "right" would push Arabic to the left edge.
        jc = None if properties is None else properties.find(f"{W}jc")
        assert jc is None or jc.get(f"{W}val") != "right"
    title = next(text for text in directions if TEXTS["ar"]["title"] in text)
    assert directions[title] is True
    # A paragraph opening with a Latin letter stays left to right; every paragraph says which it is.
    assert directions[next(text for text in directions if text.startswith("Human rights are respected."))] is False
    assert None not in directions.values()
    tables = list(body.iter(f"{W}tbl"))
    assert tables and all(flag(t.find(f"{W}tblPr"), "bidiVisual") for t in tables)
    sections = list(body.iter(f"{W}sectPr"))
    assert sections and all(flag(s, "bidi") for s in sections)
    # The binding margin (30 mm, Decree 30's left) is on the right, where Arabic documents are bound.
    margins = sections[-1].find(f"{W}pgMar")
    assert (margins.get(f"{W}left"), margins.get(f"{W}right")) == ("850", "1701")


def test_arabic_runs_are_marked_right_to_left_and_a_latin_code_inside_keeps_its_place(arabic):
    body = part(handout(arabic), "word/document.xml")
    row = next(p for p in body.iter(f"{W}p") if "UNODC" in text_of(p))
    runs = [(text_of(r), flag(r.find(f"{W}rPr"), "rtl")) for r in row.iter(f"{W}r") if text_of(r)]
    assert ("UNODC", None) in runs  # the Latin code is a left-to-right run of its own
    assert any("اتفاقية الأمم المتحدة" in text and rtl for text, rtl in runs)
    assert any("بشأن التعاون" in text and rtl for text, rtl in runs)
    assert not any(rtl for text, rtl in runs if text.startswith("[")), "the citation mark is not Arabic"
    # Read back, the text is in its order, the citation mark at the end of the Arabic sentence.
    cell = next(p for p in docx.Document(handout(arabic)).tables[0]._cells if "UNODC" in p.text)
    assert re.fullmatch(re.escape(TEXTS["ar"]["full"]) + r"\[\d+\]", shown(cell.text))


def test_an_arabic_name_opening_a_paragraph_of_a_left_to_right_handout_makes_it_right_to_left(arabic):
    body = part(handout(arabic, "vi"), "word/document.xml")
    named = [p for p in body.iter(f"{W}p") if text_of(p).startswith(ARABIC_NAME)]
    assert named and all(flag(p.find(f"{W}pPr"), "bidi") for p in named)
    assert all(flag(r.find(f"{W}rPr"), "rtl") for p in named for r in p.iter(f"{W}r") if ARABIC_NAME in text_of(r))
    others = [p for p in body.iter(f"{W}p") if text_of(p).strip() and p not in named]
    assert all(not flag(p.find(f"{W}pPr"), "bidi") for p in others)
    styles = part(handout(arabic, "vi"), "word/styles.xml")
    assert flag(styles.find(f"{W}docDefaults/{W}pPrDefault/{W}pPr"), "bidi") is None


@pytest.mark.parametrize("tag, languages", [("ar", ("vi-VN", "ar", "ar")), ("zh-CN", ("vi-VN", "zh-CN", "zh-CN"))])
def test_each_font_slot_gets_its_language_and_the_brands_font(arabic, chinese, tag, languages):
    """w:val tags Latin letters, w:eastAsia Han, w:bidi Arabic: the document's own slot gets its tag,
    another slot the file's language written in it (Vietnamese here), else the document's tag."""
    out = arabic if tag == "ar" else chinese
    styles = part(handout(out), "word/styles.xml")
    defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
    lang = defaults.find(f"{W}lang")
    assert (lang.get(f"{W}val"), lang.get(f"{W}eastAsia"), lang.get(f"{W}bidi")) == \
        (languages[0], languages[1] if tag == "zh-CN" else tag, tag if tag == "ar" else languages[2])
    fonts = defaults.find(f"{W}rFonts")
    assert (fonts.get(f"{W}cs"), fonts.get(f"{W}eastAsia")) == (ARABIC_FONT, CHINESE_FONT)
    assert fonts.get(f"{W}hint") == ("eastAsia" if tag == "zh-CN" else None)
    for rfonts in styles.iter(f"{W}rFonts"):
        assert (rfonts.get(f"{W}cs"), rfonts.get(f"{W}eastAsia")) == (ARABIC_FONT, CHINESE_FONT)
    settings = part(handout(out), "word/settings.xml").find(f"{W}themeFontLang")
    assert settings.get(f"{W}bidi") == lang.get(f"{W}bidi") and settings.get(f"{W}eastAsia") == lang.get(f"{W}eastAsia")


def test_complex_script_size_bold_and_italic_follow_the_latin_ones(arabic):
    """Word sizes and bolds Arabic with szCs and bCs: a 14 pt bold title must not set its Arabic at 26 pt, unbolded;
    italics (iCs) are off, Arabic having none."""
    styles = part(handout(arabic), "word/styles.xml")
    checked = 0
    for rpr in styles.iter(f"{W}rPr"):
        for latin, complex_ in (("sz", "szCs"), ("b", "bCs"), ("i", "iCs")):
            source = rpr.find(f"{W}{latin}")
            if source is not None:
                twin = rpr.find(f"{W}{complex_}")
                # Arabic has no italics: an italic style's Arabic stays upright (w:iCs off).
                expected = {f"{W}val": "0"} if latin == "i" else dict(source.attrib)
                assert twin is not None and dict(twin.attrib) == expected, (latin, etree.tostring(rpr))
                checked += 1
    assert checked > 20
    title = next(s for s in styles.iter(f"{W}style") if s.get(f"{W}styleId") == "Title")
    assert title.find(f"{W}rPr/{W}szCs").get(f"{W}val") == title.find(f"{W}rPr/{W}sz").get(f"{W}val") == "28"


def test_a_chinese_handout_stays_left_to_right_and_tags_han_as_chinese(chinese):
    body = part(handout(chinese), "word/document.xml")
    assert not any(flag(p.find(f"{W}pPr"), "bidi") for p in body.iter(f"{W}p"))
    assert not any(flag(t.find(f"{W}tblPr"), "bidiVisual") for t in body.iter(f"{W}tbl"))
    runs = [r for r in body.iter(f"{W}r") if TEXTS["zh-CN"]["title"] in text_of(r)]
    assert runs and all(r.find(f"{W}rPr/{W}lang").get(f"{W}eastAsia") == "zh-CN" for r in runs)


def test_the_unreviewed_notice_is_on_the_listed_languages_handout_only(arabic):
    listed, other = handout(arabic), handout(arabic, "vi")
    body = [text_of(p) for p in part(listed, "word/document.xml").iter(f"{W}p")]
    title_at = next(i for i, text in enumerate(body) if TEXTS["ar"]["title"] in text)
    notice_at = body.index(UNREVIEWED)
    assert title_at < notice_at <= title_at + 4  # in the title block, on the first page
    assert UNREVIEWED in [text_of(p) for p in part(listed, "word/header1.xml").iter(f"{W}p")]
    vietnamese = yaml.safe_load((REPO / "templates" / "labels" / "vi.yaml").read_text(encoding="utf-8"))["text"]
    for name in ("word/document.xml", "word/header1.xml"):
        texts = " ".join(text_of(p) for p in part(other, name).iter(f"{W}p"))
        assert vietnamese["unreviewed_translation"] not in texts and UNREVIEWED not in texts


def test_direction_segments_cut_where_letters_change_direction():
    assert direction_segments("اتفاقية UNODC لعام 2024", True) == [
        (True, "اتفاقية "), (False, "UNODC"), (True, " لعام 2024")]
    assert direction_segments("اتفاقية UNODC لعام", False) == [(True, "اتفاقية"), (False, " UNODC "), (True, "لعام")]
    assert direction_segments("[12]", True) == [(True, "[12]")] and direction_segments("", False) == []
    assert "".join(piece for _, piece in direction_segments("a ب c د. ", True)) == "a ب c د. "


# ---------------------------------------------------------------- PowerPoint and the outline

def slide_paragraphs(path: Path, index: int) -> list[etree._Element]:
    return list(part(path, f"ppt/slides/slide{index}.xml").iter(f"{A}p"))


def test_an_arabic_deck_is_right_to_left_and_tagged_arabic(arabic):
    path = deck(arabic)
    title = next(p for p in slide_paragraphs(path, 1) if TEXTS["ar"]["title"] in text_of(p, f"{A}t"))
    assert (title.find(f"{A}pPr").get("rtl"), title.find(f"{A}pPr").get("algn")) == ("1", "r")
    # (closed by LEFT-TO-RIGHT MARK + RIGHT-TO-LEFT MARK: a Latin text in a right-to-left deck)
    latin = next(p for p in slide_paragraphs(path, 1) if text_of(p, f"{A}t") == "Test team\u200e\u200f")
    assert latin.find(f"{A}pPr").get("rtl") == "0"  # opens with a Latin letter
    langs = {r.get("lang") for r in part(path, "ppt/slides/slide1.xml").iter(f"{A}rPr")}
    assert langs == {"ar"}
    master = part(path, "ppt/slideMasters/slideMaster1.xml")
    levels = [e for e in master.iter() if isinstance(e.tag, str) and re.fullmatch(rf"{re.escape(A)}lvl\dpPr", e.tag)]
    assert levels and all(level.get("rtl") == "1" for level in levels)
    theme = part(path, "ppt/theme/theme1.xml")
    for group in ("majorFont", "minorFont"):
        node = theme.find(f".//{A}{group}")
        assert (node.find(f"{A}cs").get("typeface"), node.find(f"{A}ea").get("typeface")) == (ARABIC_FONT, CHINESE_FONT)
        scripts = {f.get("script"): f.get("typeface") for f in node.findall(f"{A}font")}
        assert scripts["Arab"] == ARABIC_FONT and scripts["Hans"] == CHINESE_FONT
    # The Arabic sentence with a Latin code inside reads in its order, its citation mark after it
    # (in the title slide's notes).
    notes = shown(pptx.Presentation(str(path)).slides[0].notes_slide.notes_text_frame.text)
    assert re.search(re.escape(TEXTS["ar"]["full"]) + r" \[\d+\]", notes), notes


def test_a_chinese_deck_is_left_to_right_with_chinese_and_latin_languages(chinese):
    path = deck(chinese)
    paragraphs = [p for index in range(1, 4) for p in slide_paragraphs(path, index)]
    assert not any(p.find(f"{A}pPr") is not None and p.find(f"{A}pPr").get("rtl") == "1" for p in paragraphs)
    properties = list(part(path, "ppt/slides/slide1.xml").iter(f"{A}rPr"))
    assert {(r.get("lang"), r.get("altLang")) for r in properties} == {("zh-CN", "vi-VN")}
    # A Latin-script deck names no alternative language.
    assert {r.get("altLang") for r in part(deck(chinese, "vi"), "ppt/slides/slide1.xml").iter(f"{A}rPr")} == {None}


def test_the_outline_of_an_arabic_deck_is_right_to_left_and_the_chinese_not(arabic, chinese):
    for out, tag, rtl in ((arabic, "ar", True), (chinese, "zh-CN", False)):
        text = deck(out, suffix="md").read_text(encoding="utf-8")
        front = yaml.safe_load(text.split("---\n")[1])
        assert front["lang"] == tag
        assert ("direction: rtl" in front["style"]) is rtl


def test_the_unreviewed_notice_opens_the_listed_languages_deck_and_outline_only(arabic):
    title_slide = " ".join(text_of(p, f"{A}t") for p in slide_paragraphs(deck(arabic), 1))
    assert UNREVIEWED in title_slide
    outline = deck(arabic, suffix="md").read_text(encoding="utf-8")
    front_matter, first_slide = outline.split("\n---\n")[:2]
    assert UNREVIEWED in first_slide and UNREVIEWED not in front_matter
    assert UNREVIEWED not in " ".join(text_of(p, f"{A}t") for p in slide_paragraphs(deck(arabic, "vi"), 1))
    vietnamese = yaml.safe_load((REPO / "templates" / "labels" / "vi.yaml").read_text(encoding="utf-8"))["text"]
    assert vietnamese["unreviewed_translation"] not in deck(arabic, "vi", "md").read_text(encoding="utf-8")


# ---------------------------------------------------------------- as a reader sees them

@pytest.mark.slow
@pytest.mark.skipif(not have("soffice") or not have("pdftotext"), reason="LibreOffice or poppler not installed")
def test_libreoffice_sets_the_arabic_and_chinese_texts(arabic, chinese, tmp_path):
    for out, tag in ((arabic, "ar"), (chinese, "zh-CN")):
        for source in (handout(out), deck(out)):
            target = tmp_path / tag
            subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(target), str(source)],
                           check=True, capture_output=True, timeout=180)
            pdf = target / (source.stem + ".pdf")
            text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
            fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
            assert TEXTS[tag]["title"] in shown(text) or TEXTS[tag]["title"][::-1] in shown(text), (tag, source.name)
            wanted = ARABIC_FONT if tag == "ar" else CHINESE_FONT
            assert wanted.replace(" ", "") in fonts.replace(" ", ""), (tag, source.name, fonts)


@pytest.mark.slow
@pytest.mark.skipif(not have("chromium"), reason="Debian's chromium is not installed")
@pytest.mark.skipif(not MARP.exists(), reason="Marp CLI not installed (bash scripts/setup.sh test runs npm ci)")
def test_marp_renders_the_arabic_outline_right_to_left(arabic, tmp_path):
    from tests.helpers import marp_sections

    sections = marp_sections(deck(arabic, suffix="md"), tmp_path,
                             "sections => sections.map(s => [s.getAttribute('lang'), getComputedStyle(s).direction])")
    assert sections and all(section == ["ar", "rtl"] for section in sections)


def test_an_arabic_deck_reads_its_figures_from_the_right():
    """The six-language fixture's Arabic deck: the timeline's earliest event, the first chapter's
    column and the first tile on the right (the English deck: on the left)."""
    from generator.pipeline.build import BuildOptions, build
    from tests.conftest import ROOTS

    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out"
        build(["slides"], BuildOptions(out=out, facts=ROOTS / "six-languages" / "facts.yaml", langs=("ar", "en"),
                                       use_cache=False, jobs=1))
        for lang, from_right in (("ar", True), ("en", False)):
            prs = pptx.Presentation(str(out / lang / "facts-slides.pptx"))
            seen = {"figures": 0, "charts": 0}
            for slide in prs.slides:
                groups = [s for s in slide.shapes if s.shape_type == 6]  # MSO_SHAPE_TYPE.GROUP
                charts = [s for s in slide.shapes if s.has_chart]
                for group in groups:
                    boxes = [s for s in group.shapes if s.has_text_frame and s.text_frame.text.strip()]
                    if len(boxes) >= 2:
                        first, last = boxes[0], boxes[-1]
                        assert (first.left > last.left) == from_right, (lang, [b.text_frame.text for b in boxes])
                        seen["figures"] += 1
                for chart in charts:
                    assert chart.chart.category_axis.reverse_order == from_right
                    seen["charts"] += 1
            assert seen == {"figures": 2, "charts": 1}, (lang, seen)  # the timeline and the tiles; the chapters


def test_no_italics_in_the_script_of_an_arabic_or_chinese_document(arabic, chinese):
    """Arabic and Chinese have no italics: the handout's own script stays upright (w:iCs in
    Arabic, w:i and w:iCs in Chinese) and the deck slants no run; English keeps its italics."""
    for out, names in ((arabic, ("iCs",)), (chinese, ("i", "iCs"))):
        for part_name in ("word/styles.xml", "word/document.xml"):
            root = part(handout(out), part_name)
            slanted = [n for name in names for n in root.iter(f"{W}{name}")
                       if n.get(f"{W}val", "true") not in ("0", "false")]
            assert not slanted, (out, part_name)
        for index in range(1, 4):
            deck_root = part(deck(out), f"ppt/slides/slide{index}.xml")
            assert not [r for r in deck_root.iter(f"{A}rPr") if r.get("i") == "1"]
