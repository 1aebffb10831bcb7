"""Editions, status, marking, reliability, discrepancy kinds and freshness, on small fixtures.

tests/roots/editions holds a fact file (facts.yaml) and its previous edition (previous.yaml,
written for the older schema: issuer and classification, sources without reliability).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from pathlib import Path

import pytest
import yaml

from generator.commands.check import run_check
from generator.commands.cli import main
from generator.facts.diff import Change, ItemId, diff_data
from generator.output.extract import extract_text
from tests.conftest import root
from tests.helpers import minimal_facts

EDITIONS = root("editions")
MINIMAL = root("minimal") / "facts.yaml"


# ------------------------------------------------------------------ generate diff

DIFF_TEXT = """\
generate diff: previous.yaml (as of 2025-06-30) → facts.yaml (as of 2025-09-30)
7 changed, 8 added, 2 removed
document.marking: added (vi, en)
document.as_of: 2025-06-30 → 2025-09-30
document.previous_edition: added (previous.yaml)
document.changes: added
document.classification: removed (vi, en)
signature.signatories.value: 12 → 15
signature.signatories.as_of: 2025-06-30 → 2025-09-30
entry_into_force.ratifications: added (value: 2, as_of: 2025-09-30, sources: [spec])
criticisms[0].text.vi: changed
timeline[2].date: 2025-12-31 → 2025-08-01
timeline[2].title.vi: changed
timeline[2].title.en: changed
timeline[2].upcoming: removed (true)
timeline[3]: added (date: 2025-12-31, upcoming: true, sources: [spec])
discrepancies[signatory-count]: added
sources[spec].reliability: added (primary)
sources[news].reliability: added (secondary)
"""

DIFF_MARKDOWN_HEAD = """\
<!-- generate diff -->
# Changes between two fact files

- Old: previous.yaml (as of 2025-06-30)
- New: facts.yaml (as of 2025-09-30)
- 7 changed, 8 added, 2 removed

## `document`

- `document.marking`: added (vi, en)
  - vi: Tài liệu tham khảo
  - en: For reference
- `document.as_of`: 2025-06-30 → 2025-09-30
- `document.previous_edition`: added (previous.yaml)
- `document.changes`: added
  - vi: Hai quốc gia đã phê chuẩn Công ước.
  - en: Two States have ratified the convention.
- `document.classification`: removed (vi, en)
  - vi: Không mật
  - en: Unclassified

## `signature`

- `signature.signatories.value`: 12 → 15
- `signature.signatories.as_of`: 2025-06-30 → 2025-09-30

## `entry_into_force`

- `entry_into_force.ratifications`: added (value: 2, as\\_of: 2025-09-30, sources: \\[spec\\])

## `criticisms`

- `criticisms[0].text.vi`: changed
  - before: Phạm vi quá rộng.
  - after: Phạm vi quá rộng, bảo đảm còn yếu.
"""


@pytest.fixture
def in_editions(monkeypatch):
    monkeypatch.chdir(EDITIONS)


def test_diff_lists_changes_by_path_in_the_terminal(in_editions, runner):
    """OLD follows the older schema: the files are compared as data, not as models."""
    result = runner.invoke(main, ["diff", "previous.yaml", "facts.yaml"])
    assert result.exit_code == 0, result.output
    assert result.stdout == DIFF_TEXT


def test_diff_as_markdown_shows_old_and_new_texts(in_editions, runner):
    result = runner.invoke(main, ["diff", "previous.yaml", "facts.yaml", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(DIFF_MARKDOWN_HEAD)
    assert ("- `discrepancies[signatory-count]`: added\n"
            "  - vi: Có 15 bên ký.\n  - en: There are 15 signatories.\n") in result.stdout


def test_diff_writes_its_own_file_and_leaves_any_other_alone(in_editions, runner, tmp_path):
    target = tmp_path / "changes.md"
    args = ["diff", "previous.yaml", "facts.yaml", "--format", "markdown", "-o", str(target)]
    assert runner.invoke(main, args).exit_code == 0
    first = target.read_text(encoding="utf-8")
    assert first.startswith("<!-- generate diff -->\n")
    assert runner.invoke(main, args).exit_code == 0  # its own report: replaced
    assert target.read_text(encoding="utf-8") == first
    foreign = tmp_path / "notes.md"
    foreign.write_text("my notes\n", encoding="utf-8")
    result = runner.invoke(main, ["diff", "previous.yaml", "facts.yaml", "-o", str(foreign)])
    assert result.exit_code == 1
    assert result.stderr == (f"error: {foreign}: exists and was not written by generate diff; "
                             "not overwriting it (choose another file name)\n")
    assert foreign.read_text(encoding="utf-8") == "my notes\n"


def test_diff_of_unreadable_files_is_one_line(in_editions, runner, tmp_path):
    missing = runner.invoke(main, ["diff", "nowhere.yaml", "facts.yaml"])
    assert missing.exit_code == 1
    assert missing.stderr == "error: nowhere.yaml: cannot read the file: no such file\n"
    broken = tmp_path / "broken.yaml"
    broken.write_text("document: [unclosed\n", encoding="utf-8")
    result = runner.invoke(main, ["diff", "facts.yaml", str(broken)])
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"error: {broken}:1:11: the '[' of this list opened here is never closed "
                                    f"(the parser gave up at 2:1); invalid YAML") and "Traceback" not in result.output


def test_diff_matches_items_by_id_else_by_position():
    old = {"sources": [{"id": "a", "url": "x"}, {"id": "b"}], "steps": [{"text": {"en": "one"}}],
           "ids": ["a", "b"], "flag": 1}
    new = {"sources": [{"id": "b"}, {"id": "a", "url": "y"}], "steps": [{"text": {"en": "uno"}}, {"text": {"en": "two"}}],
           "ids": ["b", "a"], "flag": True}
    assert diff_data(old, new) == [
        Change(("sources", ItemId("a"), "url"), "changed", "x", "y"),  # reordered, matched by id
        Change(("steps", 0, "text", "en"), "changed", "one", "uno", text=True),
        Change(("steps", 1), "added", new={"text": {"en": "two"}}),
        Change(("ids",), "changed", ["a", "b"], ["b", "a"]),  # a list of plain values is one value
        Change(("flag",), "changed", 1, True),  # 1 == True in Python, not in a fact file
    ]


# ------------------------------------------------------------------ documents of the editions fixture

@pytest.fixture(scope="module")
def published(built):
    """`generate all` of the editions fixture (a draft with a marking and a previous edition),
    built once per session (read only)."""
    return built("editions")


HEADINGS = {"vi": "Những điểm thay đổi so với ấn bản ngày 30 tháng 6 năm 2025",
            "en": "What changed since the edition of 30 June 2025"}
FIGURES = {"vi": ("Số bên ký: 12 → 15", "Số văn kiện phê chuẩn: 2 (ấn bản trước chưa có số liệu này)"),
           "en": ("Signatories: 12 → 15", "Ratifications: 2 (not given in the previous edition)")}
CHANGE = {"vi": "Hai quốc gia đã phê chuẩn Công ước.", "en": "Two States have ratified the convention."}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_brief_carries_a_what_changed_box_on_page_one(published, lang):
    from pypdf import PdfReader

    first_page = " ".join((PdfReader(published / lang / "facts-brief.pdf").pages[0].extract_text() or "").split())
    assert HEADINGS[lang] in first_page
    assert CHANGE[lang] in first_page
    for figure in FIGURES[lang]:
        assert figure.split(" (")[0] in first_page


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_handout_has_a_what_changed_paragraph_and_the_deck_a_slide(published, lang):
    handout = extract_text(published / lang / "facts-handout.docx", "docx")
    assert f"{HEADINGS[lang]}: {CHANGE[lang]}" in handout
    assert all(figure in handout for figure in FIGURES[lang])
    from pptx import Presentation

    deck = Presentation(str(published / lang / "facts-slides.pptx"))
    titles = [slide.shapes.title.text_frame.text for slide in deck.slides]
    assert titles[2] == HEADINGS[lang]  # after the title slide and the summary
    bullets = " ".join(shape.text_frame.text for shape in deck.slides[2].placeholders if shape.has_text_frame)
    assert CHANGE[lang] in bullets and FIGURES[lang][0] in bullets
    outline = (published / lang / "facts-slides.md").read_text(encoding="utf-8")
    assert f"\n## {HEADINGS[lang]}\n\n- {CHANGE[lang]} [1]\n" in outline


DRAFT = {"vi": "DỰ THẢO", "en": "DRAFT"}


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_draft_is_marked_on_every_page_slide_header_and_the_download_page(published, lang):
    from pypdf import PdfReader
    from pptx import Presentation

    pages = PdfReader(published / lang / "facts-brief.pdf").pages
    assert len(pages) > 1
    assert all(DRAFT[lang] in (page.extract_text() or "") for page in pages)
    deck = Presentation(str(published / lang / "facts-slides.pptx"))
    marks = [[shape.text_frame.text for shape in slide.shapes if shape.name == "Header mark"] for slide in deck.slides]
    assert marks == [[DRAFT[lang]]] * len(deck.slides)
    assert deck.core_properties.content_status == DRAFT[lang]
    outline = (published / lang / "facts-slides.md").read_text(encoding="utf-8")
    front_matter = yaml.safe_load(outline.split("\n---\n", 1)[0].lstrip("-\n"))
    assert front_matter["header"] == DRAFT[lang]  # Marp shows the header on every slide
    with zipfile.ZipFile(published / lang / "facts-handout.docx") as docx:
        headers = [name for name in docx.namelist() if name.startswith("word/header")]
        header_text = extract_text_of(docx, headers)
    assert headers and DRAFT[lang] in header_text  # the header repeats on every page
    assert {"vi": "Tài liệu tham khảo", "en": "For reference"}[lang] in header_text
    page = (published / ("index.html" if lang == "vi" else "en.html")).read_text(encoding="utf-8")
    assert f'<p class="draft-mark" role="note">{DRAFT[lang]}</p>' in page
    assert json.loads((published / "manifest.json").read_text(encoding="utf-8"))["facts"]["status"] == "draft"


def extract_text_of(archive: zipfile.ZipFile, names: list[str]) -> str:
    import re

    return " ".join(re.sub(r"<[^>]+>", "", archive.read(name).decode("utf-8")) for name in names)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_discrepancy_kinds_are_worded_apart_in_every_format(published, lang):
    wording = {
        "vi": ("Số liệu công bố trước, nay đã được cập nhật (không phải sai sót):", "Trái với các nguồn đã kiểm chứng:",
               "Một số nguồn trước đây nêu số liệu khác, nay đã được cập nhật"),
        "en": ("Earlier figures, since superseded by later ones (not errors):", "The verified sources contradict:",
               "Earlier reports gave other figures, since superseded"),
    }[lang]
    superseded, contradicted, handout_note = wording
    brief = extract_text(published / lang / "facts-brief.pdf", "pdf")
    outline = extract_text(published / lang / "facts-slides.md", "md")
    for text in (brief, outline):
        assert superseded in text and contradicted in text
    assert handout_note in extract_text(published / lang / "facts-handout.docx", "docx")


def test_source_lists_show_reliability(published):
    brief = extract_text(published / "en" / "facts-brief.pdf", "pdf")
    assert "(primary source)" in brief and "(secondary source)" in brief
    outline = extract_text(published / "vi" / "facts-slides.md", "md")
    assert "(nguồn chính thức)" in outline and "(nguồn thứ cấp)" in outline


@pytest.mark.slow
def test_cleared_documents_without_issuer_or_marking_name_neither(tmp_path):
    """Nothing names the toolkit as issuer; no marking and no draft mark unless given."""
    from generator.pipeline.build import BuildOptions, build

    def cleared(data):
        for key in ("issuer", "marking"):
            data["document"].pop(key)
        data["document"]["status"] = "cleared"

    facts = minimal_facts(tmp_path, cleared)
    out = tmp_path / "out"
    for record in build(["brief", "handout", "slides"], BuildOptions(facts=facts, langs=("en",), out=out, jobs=1)):
        text = extract_text(out / record["path"], record["format"])
        for absent in ("DRAFT", "Test team", "For reference", "Prepared by", "toolkit briefing"):
            assert absent not in text, (record["path"], absent)


@pytest.mark.slow
def test_a_brand_organization_is_named_as_issuer(tmp_path):
    from generator.pipeline.build import BuildOptions, build

    brand = tmp_path / "brand.yaml"
    brand.write_text('organization: {vi: "Vụ Pháp luật", en: "Legal Department"}\n', encoding="utf-8")
    out = tmp_path / "out"
    [record] = build(["handout"], BuildOptions(facts=MINIMAL, langs=("en",), brand=brand, out=out, jobs=1))
    assert "Prepared by: Legal Department" in extract_text(out / record["path"], "docx")


# ------------------------------------------------------------------ check: reliability, editions, freshness

def check(path: Path, *args: str, env: dict | None = None):
    from click.testing import CliRunner

    return CliRunner().invoke(main, ["check", "--facts", str(path), *args], env=env)


def test_an_advocacy_source_may_not_support_a_fact(tmp_path, monkeypatch):
    text = MINIMAL.read_text(encoding="utf-8")
    marked = text.replace("    kind: press\n    reliability: secondary\n", "    kind: press\n    reliability: advocacy\n")
    assert marked != text  # 'news' now an advocacy source; it supports the common name and the ceremony
    (tmp_path / "facts.yaml").write_text(marked, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = check(tmp_path / "facts.yaml")
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if "advocacy" in line]
    assert lines == [
        "error: facts.yaml:15:79: names.common_name.sources[0]: expected a primary or secondary source, found "
        "advocacy source 'news': an advocacy source may support only a statement of its own position: a criticism "
        "or response attributed to it, or a claim under 'discrepancies'",
        "error: facts.yaml:38:93: signature.ceremony.sources[0]: expected a primary or secondary source, found "
        "advocacy source 'news': an advocacy source may support only a statement of its own position: a criticism "
        "or response attributed to it, or a claim under 'discrepancies'",
    ]


def test_an_advocacy_source_may_state_its_own_position(tmp_path, monkeypatch):
    def change(data):
        data["sources"].append({"id": "ngo", "title": "Our view", "publisher": "An organization", "kind": "analysis",
                                "reliability": "advocacy", "url": "https://example.org/ngo"})
        data["criticisms"][0]["sources"] = ["news", "ngo"]  # a criticism attributed to it
        data["discrepancies"][0]["claims"].append({"source": "ngo", "text": {"vi": "Có 6 điều.", "en": "Six articles."}})

    monkeypatch.chdir(tmp_path)
    result = check(minimal_facts(tmp_path, change))
    assert result.exit_code == 0, result.output


def test_previous_edition_must_be_readable_and_changes_need_one(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    missing = check(minimal_facts(tmp_path, lambda d: d["document"].update(previous_edition="old/gone.yaml")))
    assert missing.exit_code == 1
    assert missing.stderr.splitlines()[0] == (
        "error: facts.yaml:28:21: document.previous_edition: expected the previous edition's fact file, relative to "
        "this file, found 'old/gone.yaml' (cannot read the file: no such file)")
    orphan = check(minimal_facts(tmp_path, lambda d: d["document"].update(
        changes=[{"text": {"vi": "Mới.", "en": "New."}, "sources": ["spec"]}])))
    assert orphan.exit_code == 0
    assert ("document.changes: the documents show 'changes' only with a 'previous_edition' to compare with; "
            "name the previous edition's fact file or remove them") in orphan.stderr


def test_freshness_reports_old_facts_and_old_figures(tmp_path):
    messages: list[str] = []
    # --strict alone: the calendar never fails a check (same files, same verdict tomorrow) …
    assert run_check(MINIMAL, (), None, strict=True, echo=lambda text="", err=False: messages.append(text),
                     max_age=90, today=dt.date(2025, 12, 1))
    assert messages[0] == "OK: 0 errors, 0 warnings, 2 stale"  # the verdict first, the details after
    # … --fail-stale does.
    failing: list[str] = []
    assert not run_check(MINIMAL, (), None, strict=False, echo=lambda text="", err=False: failing.append(text),
                         max_age=90, today=dt.date(2025, 12, 1), fail_stale=True)
    assert failing[0] == "FAILED: 0 errors, 0 warnings, 2 stale (--fail-stale: stale figures count as errors)"
    warnings = [m for m in messages if m.startswith("stale:")]
    assert [w.split(": ", 2)[2] for w in warnings] == [
        "document.as_of: facts last verified on 2025-06-30, 154 days before today (2025-12-01), more than the 90 days "
        "allowed (--max-age): verify again and update the date",
        "signature.signatories.as_of: figure last verified on 2025-06-30, 154 days before today (2025-12-01), more "
        "than the 90 days allowed (--max-age): verify again and update the date",
    ]
    assert "  signature.signatories.as_of: 2025-06-30, 154 days ago" in messages
    fresh: list[str] = []
    assert run_check(MINIMAL, (), None, strict=True, echo=lambda text="", err=False: fresh.append(text),
                     max_age=200, today=dt.date(2025, 12, 1))


def test_freshness_date_and_limit_come_from_the_environment_option_and_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    stale = check(MINIMAL, env={"GENERATE_TODAY": "2025-12-01"})
    assert stale.exit_code == 0 and stale.stderr.count("more than the 90 days allowed") == 2
    assert check(MINIMAL, "--fail-stale", env={"GENERATE_TODAY": "2025-12-01"}).exit_code == 1
    assert check(MINIMAL, "--fail-stale", "--max-age", "200", env={"GENERATE_TODAY": "2025-12-01"}).exit_code == 0
    (tmp_path / "generate.toml").write_text("max_age = 200\n", encoding="utf-8")
    assert check(MINIMAL, "--fail-stale", env={"GENERATE_TODAY": "2025-12-01"}).exit_code == 0
    (tmp_path / "generate.toml").write_text("max_age = -1\n", encoding="utf-8")
    bad = check(MINIMAL)
    assert bad.exit_code == 1 and "max_age: expected a whole number of days (0 or more), found -1" in bad.stderr
    (tmp_path / "generate.toml").unlink()
    wrong = check(MINIMAL, env={"GENERATE_TODAY": "tomorrow"})
    assert wrong.exit_code == 1 and wrong.stderr == "error: GENERATE_TODAY: expected a date (YYYY-MM-DD), found 'tomorrow'\n"


@pytest.mark.slow
def test_more_changes_than_a_slide_holds_are_counted_on_it_and_listed_in_the_notes(tmp_path):
    """The edition slide shows what fits and says how many more the speaker notes hold, in the
    deck's language (the label it needs exists in every bundled language)."""
    from generator.output.extract import extract_text
    from generator.pipeline.build import BuildOptions, build

    data = yaml.safe_load((EDITIONS / "facts.yaml").read_text(encoding="utf-8"))
    extra = [{"text": {"vi": f"Thay đổi thứ {n}.", "en": f"Change number {n}."}, "sources": ["spec"]}
             for n in range(2, 10)]
    data["document"]["changes"] += extra
    facts = tmp_path / "facts.yaml"
    facts.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (tmp_path / "previous.yaml").write_bytes((EDITIONS / "previous.yaml").read_bytes())
    out = tmp_path / "out"
    records = build(["slides"], BuildOptions(facts=facts, out=out, jobs=1))
    outline = {r["lang"]: (out / r["path"]).read_text(encoding="utf-8") for r in records if r["format"] == "md"}
    assert re.search(r"\*\d+ more in the speaker notes\*", outline["en"])
    assert re.search(r"\*Còn \d+ nội dung khác trong phần ghi chú của người trình bày\*", outline["vi"])
    assert "Change number 9." in extract_text(out / "en" / "facts-slides.pptx", "pptx")  # in the notes
