"""How each language is written (direction, script, digits, fonts), and what the PDF kinds and
the download page make of it, read from the HTML and CSS they render (fast: no PDF here; the
six-language fixture's documents are read back in test_six_languages.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from generator.templating.writing import writing
from tests.helpers import minimal_facts


@pytest.mark.parametrize("tag, script, direction, slot", [
    ("ar", "Arab", "rtl", "complex"), ("zh-CN", "Hans", "ltr", "east_asian"), ("zh-TW", "Hant", "ltr", "east_asian"),
    ("ru-RU", "Cyrl", "ltr", "latin"), ("fr-FR", "Latn", "ltr", "latin"), ("es-ES", "Latn", "ltr", "latin"),
    ("vi-VN", "Latn", "ltr", "latin"), ("en-US", "Latn", "ltr", "latin"), ("he", "Hebr", "rtl", "complex"),
])
def test_direction_script_and_font_slot_come_from_cldr(tag, script, direction, slot):
    found = writing(tag)
    assert (found.script, found.direction, found.font_slot) == (script, direction, slot)
    assert found.align_start == ("right" if direction == "rtl" else "left")


def test_digits_follow_the_locale_or_the_label_file():
    assert writing("ar").numbering == "latn"  # CLDR: Arabic as written in most of the world, 0–9
    assert writing("ar-EG").digits("24/12/2024") == "٢٤/١٢/٢٠٢٤"
    assert writing("ar", "arab").digits("1,234") == "١,٢٣٤"
    assert writing("en-US").digits("2024") == "2024"
    from generator.errors import TemplateError

    with pytest.raises(TemplateError, match="numbering system 'roman' of language tag 'ar' is not supported"):
        writing("ar", "roman")


def _labels(tag: str, numbering: str | None = None):
    from generator.templating.i18n import Labels

    return Labels(language_tag=tag, language_name="x", numbering_system=numbering, text={},
                  date_formats={"formal": "d MMMM y", "short": "dd/MM/y", "month_year": "MM/y",
                                "range_same_month": ["d", "d MMMM y"], "range_same_year": ["d MMMM", "d MMMM y"]})


def test_dates_and_numbers_use_the_language_s_digits():
    from generator.templating.i18n import Localizer

    eastern = Localizer("ar", "ar", _labels("ar", "arab"))
    assert eastern.date(dt.date(2024, 12, 24), "short") == "٢٤/١٢/٢٠٢٤"
    assert eastern.date_range(dt.date(2025, 10, 25), dt.date(2025, 10, 26)).startswith("٢٥–٢٦ ")
    assert eastern.number(1234567) == "١٬٢٣٤٬٥٦٧"  # CLDR's Arabic grouping sign with Arabic digits
    western = Localizer("ar", "ar", _labels("ar"))
    assert western.date(dt.date(2024, 12, 24), "short") == "24/12/2024"
    assert western.number(72) == "72"


def test_the_brand_s_font_for_the_document_s_script_comes_first():
    from generator.templating.brand import Brand, LoadedBrand

    brand = LoadedBrand(Brand(), None, None)
    assert brand.css_font_stack("Times New Roman", "Arab").startswith('"Noto Naskh Arabic", "Times New Roman"')
    assert brand.css_font_stack("Times New Roman", "Hans").startswith('"WenQuanYi Micro Hei", "Times New Roman"')
    latin = brand.css_font_stack("Times New Roman", "Latn")
    assert latin.startswith('"Times New Roman", ') and '"Noto Naskh Arabic"' in latin  # Arabic inside English
    assert brand.fonts.for_script("Cyrl", "Times New Roman") == "Times New Roman"


def test_a_brand_names_a_font_per_script_and_rejects_a_bad_script_code(tmp_path):
    from generator.errors import TemplateError
    from generator.templating.brand import load_brand
    from generator.templating.paths import TemplatePath

    good = tmp_path / "brand.yaml"
    good.write_text('fonts: {scripts: {Arab: "Amiri", Hans: "Noto Sans CJK SC"}}\n', encoding="utf-8")
    brand = load_brand(TemplatePath(), good)
    assert brand.css_font_stack("Times New Roman", "Arab").startswith('"Amiri", ')
    bad = tmp_path / "bad.yaml"
    bad.write_text('fonts: {scripts: {arabic: "Amiri"}}\n', encoding="utf-8")
    with pytest.raises(TemplateError, match=r"bad\.yaml:1:19: fonts\.scripts: expected .* as a key, found 'arabic'"):
        load_brand(TemplatePath(), bad)


def test_an_unreviewed_language_must_be_one_of_the_file_s(tmp_path, runner):
    from generator.commands.cli import main

    def edit(data):
        data["document"]["unreviewed_translations"] = ["en", "fr"]

    path = minimal_facts(tmp_path, edit)
    result = runner.invoke(main, ["check", "--facts", str(path)])
    assert result.exit_code == 1
    assert re.search(r"facts\.yaml:\d+:\d+: document\.unreviewed_translations\[1\]: expected one of the file's "
                     r"languages \(vi, en\), found 'fr'", result.stderr)


# --- what the PDF kinds and the page render, per language ------------------------------------

@pytest.fixture
def arabic_templates(tmp_path):
    """Template overrides that add Arabic ('ar') and Chinese ('zh') labels: the English words with
    the language's tag (direction, script and digits follow the tag, not the words)."""
    from pathlib import Path

    bundled = Path(__file__).parent.parent / "templates"
    for lang, tag in (("ar", "ar"), ("zh", "zh-CN")):
        for sub in ("labels", "card/labels"):
            text = (bundled / sub / "en.yaml").read_text(encoding="utf-8")
            if sub == "labels":
                text = text.replace("language_tag: en-US", f"language_tag: {tag}")
            (tmp_path / "tpl" / sub).mkdir(parents=True, exist_ok=True)
            (tmp_path / "tpl" / sub / f"{lang}.yaml").write_text(text, encoding="utf-8")
    return tmp_path / "tpl"


def _mixed_facts(tmp_path):
    def edit(data):
        data["languages"] = ["vi", "en", "ar", "zh"]

        def add(node):
            if isinstance(node, dict):
                if set(node) == {"vi", "en"}:
                    en = node["en"]
                    node["ar"] = [f"نص {e}" for e in en] if isinstance(en, list) else f"نص عربي {en}"
                    node["zh"] = [f"中文{e}" for e in en] if isinstance(en, list) else f"中文{en}"
                    return
                for value in node.values():
                    add(value)
            elif isinstance(node, list):
                for value in node:
                    add(value)
        add(data)
        data["document"]["unreviewed_translations"] = ["ar", "zh"]

    return minimal_facts(tmp_path, edit)


def _context(tmp_path, templates, lang):
    from generator.facts.load import load_facts
    from generator.templating.brand import load_brand
    from generator.templating.context import template_context
    from generator.templating.paths import TemplatePath

    paths = TemplatePath(overrides=(templates,))
    return paths, template_context(load_facts(_mixed_facts(tmp_path)), lang, paths, brand=load_brand(paths))


def test_the_brief_of_a_right_to_left_language_is_mirrored(tmp_path, arabic_templates):
    from generator.renderers.brief.html import render_html
    from generator.templating.environment import create_environment

    paths, context = _context(tmp_path, arabic_templates, "ar")
    html = render_html(create_environment(paths), context, paths)
    assert re.search(r'<html lang="ar" dir="rtl">', html)
    css = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "margin: 20mm 30mm 20mm 15mm" in css  # the binding margin on the right
    assert "@top-right {" in css and "@bottom-right {" in css  # running title and draft mark at the start
    assert "ul { margin: 0 0 4pt; padding-right: 5.5mm; }" in css  # list markers on the right
    assert "border-left" not in css and "border-right: 3pt solid" in css  # the boxes' rule at the start
    assert re.search(r"h1, h2, h3 \{[^}]*text-align: right; \}", css)  # headings start on the right
    assert "float: left" in css  # the chapter chart beside its table, at the end of the line
    assert "font-style: italic" not in css and "letter-spacing: 0.08em" not in css
    assert re.search(r'html \{\s*font-family: "Noto Naskh Arabic", ', css)
    assert 'transform="translate(465' in html  # the timeline drawing mirrored
    chart = html.split('aria-label="Articles per chapter"', 1)[1].split("</svg>", 1)[0]
    assert 'text-anchor="start" font-weight="bold"' in chart  # chapter numerals right of the axis
    assert re.search(r'class="timeline-label"[^>]*style="right: ', html)
    assert '<p class="unreviewed-mark">Unreviewed translation' in html


def test_the_brief_of_a_left_to_right_language_keeps_its_sides(tmp_path, arabic_templates):
    from generator.renderers.brief.html import render_html
    from generator.templating.environment import create_environment

    paths, context = _context(tmp_path, arabic_templates, "en")
    html = render_html(create_environment(paths), context, paths)
    assert '<html lang="en-US" dir="ltr">' in html
    css = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "margin: 20mm 15mm 20mm 30mm" in css and "font-style: italic" in css
    assert 'transform="translate(' not in html and '<p class="unreviewed-mark"' not in html


def test_the_chinese_brief_is_set_in_the_brand_s_han_font(tmp_path, arabic_templates):
    from generator.renderers.brief.html import render_html
    from generator.templating.environment import create_environment

    paths, context = _context(tmp_path, arabic_templates, "zh")
    html = render_html(create_environment(paths), context, paths)
    css = html.split("<style>", 1)[1].split("</style>", 1)[0]
    assert '<html lang="zh-CN" dir="ltr">' in html
    assert re.search(r'html \{\s*font-family: "WenQuanYi Micro Hei", ', css)
    assert "font-style: italic" not in css


def test_the_download_page_switches_between_languages_with_their_direction(tmp_path, arabic_templates):
    from generator.facts.load import load_facts
    from generator.output.site import site_files
    from generator.templating.build_context import BuildContext
    from generator.templating.paths import TemplatePath

    build = BuildContext.load(load_facts(_mixed_facts(tmp_path)), TemplatePath(overrides=(arabic_templates,)))
    documents = [{"kind": "brief", "lang": lang, "format": "pdf", "path": f"{lang}/facts-brief.pdf", "bytes": 1000,
                  "sha256": "0" * 64, "pages": 1, "slides": None, "title": f"T {lang}"} for lang in ("vi", "en", "ar", "zh")]
    files = site_files(build, documents)
    arabic = files["ar.html"].decode()
    assert '<html lang="ar" dir="rtl" data-script="Arab">' in arabic
    assert '<a href="zh.html" hreflang="zh" lang="zh-CN" dir="ltr">' in arabic
    assert '<p class="unreviewed-mark" role="note">Unreviewed translation' in arabic
    english = files["en.html"].decode()
    assert '<a href="ar.html" hreflang="ar" lang="ar" dir="rtl">' in english and "unreviewed-mark" not in english
    css = files["assets/site.css"].decode()
    assert re.search(r':root\[data-script="Arab"\] \{\s*--font: "Noto Naskh Arabic", ', css)
    assert re.search(r':root\[data-script="Hans"\] \{\s*--font: "WenQuanYi Micro Hei", ', css)
    assert "border-left" not in css and "text-align: left" not in css


# --- reading right-to-left text back from a PDF --------------------------------------------

LRE, RLE, PDF = "\u202a", "\u202b", "\u202c"


@pytest.mark.parametrize("drawn, read", [
    # What pdftotext gives for a line of the Arabic brief: numbers drawn left to right inside it,
    # with the spaces and commas of the Arabic around them.
    (f"{RLE}{LRE} 24{PDF}ديسمبر {LRE} ،2024{PDF}الجمعية العامة{LRE} ،{PDF}القرار {LRE}4 ,1 79/243{PDF}{PDF}",
     "24 ديسمبر 2024، الجمعية العامة، القرار 79/243 1, 4"),
    (f"{RLE}الفصول {LRE}2–1{PDF}{PDF}", "الفصول 1–2"),  # a dash joins two numbers read right to left
    (f"{RLE}القرار{LRE}A/RES/79/243 {PDF}{PDF}", "القرار A/RES/79/243"),  # the space drawn on its right comes first
    (f"{RLE}مكتب {LRE}United Nations 2024{PDF}{PDF}", "مكتب United Nations 2024"),
    (f"{RLE}جرائم ُترتكب{PDF}", "جرائم تُرتكب"),  # a vowel mark read before its letter
    ("Plain text 1–2", "Plain text 1–2"),
    (f"Name {RLE}هانوي{PDF} here", "Name هانوي here"),
])
def test_pdf_text_is_read_back_in_logical_order(drawn, read):
    from generator.output.extract import logical_order

    assert logical_order(drawn) == read


def test_check_warns_about_arabic_vowel_marks(tmp_path, runner):
    """A vowel mark reads apart from its letter in the PDFs' text: `check` says so, as a warning."""
    from generator.commands.cli import main

    def edit(data):
        data["languages"] = ["vi", "en", "ar"]
        for node in (data["document"]["title"], data["document"]["subtitle"], data["document"]["subject"]):
            node["ar"] = "وثيقة"
        data["document"]["keywords"]["ar"] = ["وثيقة"]
        data["document"]["title"]["ar"] = "وثيقةٌ"  # with a dammatan

    path = minimal_facts(tmp_path, edit)
    result = runner.invoke(main, ["check", "--facts", str(path)])
    assert re.search(r"warning: .*facts\.yaml:\d+:\d+: document\.title\.ar: Arabic vowel mark U\+064C "
                     r"\(ARABIC DAMMATAN\) at character 6: the PDFs show it", result.stderr), result.stderr


@pytest.mark.parametrize("text, direction, closed", [
    ("هانوي", "ltr", "هانوي\u200f\u200e"),      # Arabic in an English document
    ("Hanoi", "ltr", "Hanoi"),
    ("Hanoi", "rtl", "Hanoi\u200e\u200f"),      # Latin in an Arabic document
    ("الفصل V – التعاون الدولي", "rtl", "الفصل V – التعاون الدولي\u200e\u200f"),
    ("هانوي", "rtl", "هانوي"),
    ("2024", "rtl", "2024"),                     # digits run with either
])
def test_text_against_the_document_s_direction_is_closed(text, direction, closed):
    """So that ": 18 مادة" after "التعاون الدولي" stays on its side in an Arabic deck."""
    from generator.templating.environment import close_direction, isolate

    assert close_direction(text, direction) == closed
    assert (isolate(text, direction) != text) == (closed != text)
