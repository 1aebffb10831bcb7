"""The toolkit in daily use (issue 16): set-up, messages, settings and the seams a user crosses first."""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from generator.commands.cli import main
from generator.templating.contrast import contrast, failing_pairs
from generator.output.extract import extract_text
from tests.conftest import REPO, root, without_library_wording

MINIMAL = root("minimal") / "facts.yaml"


def lines(text: str) -> list[str]:
    return text.splitlines()


# ---------------------------------------------------------------- set-up

def test_setup_links_generate_where_nothing_is_and_never_over_another_file(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("the link is made as root only")
    script = REPO / "scripts" / "link-generate.sh"
    venv = REPO / ".venv"
    env = {**os.environ, "GENERATE_BIN_DIR": str(tmp_path)}
    first = subprocess.run(["bash", str(script), str(venv)], env=env, capture_output=True, text=True, check=True)
    target = venv.resolve() / "bin" / "generate"
    assert first.stdout == f"setup: generate is on the PATH: {tmp_path}/generate -> {target}\n"
    assert os.readlink(tmp_path / "generate") == str(target)
    again = subprocess.run(["bash", str(script), str(venv)], env=env, capture_output=True, text=True, check=True)
    assert again.stdout == first.stdout  # our own link: kept as it is
    # Someone else's file at that place is left alone, and the activation line is printed instead.
    (tmp_path / "generate").unlink()
    (tmp_path / "generate").write_text("#!/bin/sh\necho theirs\n")
    other = subprocess.run(["bash", str(script), str(venv)], env=env, capture_output=True, text=True, check=True)
    assert other.stdout == (f"setup: {tmp_path}/generate already exists and is not this checkout's; left alone\n"
                            f"setup: to run generate in this shell: source {venv.resolve()}/bin/activate   "
                            f"(or run {target})\n")
    assert (tmp_path / "generate").read_text() == "#!/bin/sh\necho theirs\n"


def test_the_readme_quick_start_shows_how_to_run_generate():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Commands", 1)[0]
    assert "source .venv/bin/activate" in quick_start and "/usr/local/bin/generate" in quick_start
    assert 'bash "$root/scripts/link-generate.sh" "$venv"' in (REPO / "scripts" / "setup.sh").read_text()


MARKDOWN_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")


def relative_links(page: Path) -> list[str]:
    """The relative link targets of a Markdown page, outside its code blocks, without #fragments."""
    text = re.sub(r"^```.*?^```", "", page.read_text(encoding="utf-8"), flags=re.S | re.M)
    targets = [target.split("#", 1)[0] for target in MARKDOWN_LINK.findall(text)]
    return [t for t in targets if t and not re.match(r"^[a-z][a-z0-9+.-]*:", t)]


def test_every_relative_link_of_the_readme_and_docs_points_to_a_file():
    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md")), *sorted((REPO / "templates").glob("*/README.md"))]
    checked = {page.relative_to(REPO).as_posix(): relative_links(page) for page in pages}
    assert len(checked["README.md"]) >= 10 and checked["docs/architecture.md"]  # the parser finds links at all
    broken = [f"{name}: {target}" for name, targets in checked.items() for target in targets
              if not ((REPO / name).parent / target).exists()]
    assert broken == []


def test_the_architecture_picture_is_an_accessible_svg():
    from xml.etree import ElementTree

    svg = ElementTree.parse(REPO / "docs" / "architecture.svg").getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.tag == f"{ns}svg" and svg.get("role") == "img"
    assert svg.find(f"{ns}title").text and len(svg.find(f"{ns}desc").text) > 100
    assert "architecture.svg" in (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")


def test_building_the_project_gives_no_packaging_warning():
    """pyproject.toml is read by setuptools without a deprecation warning (the license is an SPDX string)."""
    result = subprocess.run([str(REPO / ".venv" / "bin" / "python"), "-W", "error", "-c",
                             "from setuptools.config.pyprojecttoml import read_configuration as r; "
                             "print(r('pyproject.toml')['project']['license'])"],
                            cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "MIT"


# ---------------------------------------------------------------- page, manifest and files agree

@pytest.mark.slow
def test_every_build_command_leaves_page_and_manifest_listing_what_is_in_out(cli, tmp_path):
    out = tmp_path / "out"
    assert cli("handout", "--facts", MINIMAL, "--out", out).exit_code == 0
    result = cli("slides", "--facts", MINIMAL, "--out", out)
    assert result.exit_code == 0
    assert f"updated {out / 'index.html'} and {out / 'manifest.json'} to list every document in {out}" in result.stdout
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["documents"]) == 6  # 2 handouts, 2 decks, 2 outlines
    for page in ("index.html", "en.html"):
        html = (out / page).read_text(encoding="utf-8")
        for doc in manifest["documents"]:
            assert f'href="{doc["path"]}"' in html and doc["sha256"] in html
    verified = cli("verify", out, "--facts", MINIMAL)
    assert verified.exit_code == 0, verified.output


@pytest.mark.slow
def test_a_single_kind_build_after_a_full_one_changes_nothing(cli, tmp_path):
    """The page lists documents in one order whichever command built them last."""
    out = tmp_path / "out"
    assert cli("handout", "--facts", MINIMAL, "--out", out, "-q").exit_code == 0
    assert cli("slides", "--facts", MINIMAL, "--out", out, "-q").exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    again = cli("handout", "--facts", MINIMAL, "--out", out)
    assert again.exit_code == 0
    assert lines(again.stdout)[0].startswith("unchanged ")
    assert {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()} == before
    page = before["en.html"].decode()
    assert page.index("facts-handout.docx") < page.index("facts-slides.pptx") < page.index("facts-slides.md")


@pytest.mark.slow
def test_verify_fails_when_page_manifest_and_files_disagree(cli, tmp_path):
    out = tmp_path / "out"
    assert cli("handout", "--facts", MINIMAL, "--out", out).exit_code == 0
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    vi = next(d for d in manifest["documents"] if d["lang"] == "vi")
    page = (out / "index.html").read_text(encoding="utf-8")
    stale = "0" * 64
    (out / "index.html").write_text(page.replace(vi["sha256"], stale).replace(f'href="{vi["path"]}"', 'href="x"'),
                                    encoding="utf-8")
    (out / "vi" / "facts-slides.md").write_text("# stray\n", encoding="utf-8")
    result = cli("verify", out, "--facts", MINIMAL)
    assert result.exit_code == 1
    assert lines(result.stderr) == [
        f"error: vi/facts-slides.md: in {out} but not in manifest.json",
        f"error: index.html: does not link {vi['path']}, which manifest.json lists",
        f"error: index.html: shows SHA-256 {stale}, which is no document's in manifest.json (the page is stale)",
        "error: verification failed: 3 problems",
    ]


# ---------------------------------------------------------------- missing translations

@pytest.fixture
def untranslated(tmp_path) -> Path:
    """The minimal fact file without the Vietnamese subtitle."""
    text = MINIMAL.read_text(encoding="utf-8").replace(
        "  subtitle: {vi: Tài liệu thử nghiệm, en: Test briefing}", "  subtitle: {en: Test briefing}")
    path = tmp_path / "facts.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_missing_translation_fails_the_build_with_its_field_path(cli, untranslated, tmp_path):
    result = cli("handout", "--facts", untranslated, "--out", tmp_path / "out")
    assert result.exit_code == 1
    assert lines(result.stderr) == [
        "error: facts.yaml:6:13: document.subtitle: missing translation: no 'vi' text",
        "error: 1 missing translation in facts.yaml; nothing was generated (add the text, or build with "
        "--allow-missing to publish with a mark where each is missing)",
    ]
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_allow_missing_publishes_with_a_mark_in_the_documents_language(cli, untranslated, tmp_path):
    out = tmp_path / "out"
    result = cli("handout", "--facts", untranslated, "--out", out, "--allow-missing")
    assert result.exit_code == 0
    assert "warning: facts.yaml:6:13: document.subtitle: missing translation: no 'vi' text" in result.stderr
    assert ("warning: published with 1 missing translation, each marked in the document (see the warnings above)"
            in result.stderr)
    vi = extract_text(out / "vi" / "facts-handout.docx", "docx")
    en = extract_text(out / "en" / "facts-handout.docx", "docx")
    assert "[chưa có bản dịch]" in vi and "Test briefing" not in vi
    assert "Test briefing" in en and "[translation missing]" not in en


# ---------------------------------------------------------------- silent no-ops, fonts, contrast

@pytest.fixture
def mistaken(tmp_path) -> Path:
    """A template directory with every mistake that used to do nothing."""
    directory = tmp_path / "mine"
    (directory / "labels").mkdir(parents=True)
    (directory / "brief").mkdir()
    (directory / "labels" / "en.yaml").write_text("text:\n  timelin: Key dates\n", encoding="utf-8")
    (directory / "labels" / "vi.yml").write_text("text:\n  timeline: Các mốc\n", encoding="utf-8")
    (directory / "brief" / "brief.html").write_text("<p>mine</p>\n", encoding="utf-8")
    (directory / "brand.yaml").write_text('colours: {primary: "#ffff00"}\nfonts: {body: No Such Font Sans}\n',
                                          encoding="utf-8")
    return directory


@pytest.mark.slow
def test_customizations_that_do_nothing_are_warnings_with_did_you_mean(cli, mistaken):
    from generator.templating.glyphs import font_substitute

    result = cli("check", "--facts", MINIMAL, "--templates", mistaken)
    assert result.exit_code == 0
    assert lines(result.stdout)[0] == "OK: 0 errors, 7 warnings"
    warnings = lines(result.stderr)
    assert warnings[:3] == [
        "warning: mine/brief/brief.html: not used by any document (did you mean brief/brief.html.jinja?)",
        "warning: mine/labels/vi.yml: not used by any document (did you mean labels/vi.yaml?)",
        "warning: mine/labels/en.yaml:2:3: text.timelin: label 'timelin' is not used by any template "
        "(did you mean 'timeline'?)",
    ]
    substitute = font_substitute("No Such Font Sans")
    assert substitute  # fontconfig always draws with something
    assert warnings[3].startswith(f"warning: mine/brand.yaml:2:15: fonts.body: font 'No Such Font Sans' is not "
                                  f"installed: the PDF and the download page would use {substitute!r} instead")
    assert warnings[4:] == [
        "warning: mine/brand.yaml:1:20: colours.primary: links and headings on the page (primary #ffff00 on "
        "#ffffff) has a contrast of 1.07:1; WCAG AA needs at least 4.5:1",
        "warning: mine/brand.yaml:1:20: colours.primary: Download button text (#ffffff on primary #ffff00) "
        "has a contrast of 1.07:1; WCAG AA needs at least 4.5:1",
        "warning: mine/brand.yaml:1:20: colours.primary: headings in boxes and cards (primary #ffff00 on "
        "light #eef2f8) has a contrast of 1.05:1; WCAG AA needs at least 3:1",
    ]
    assert cli("check", "--facts", MINIMAL, "--templates", mistaken, "--strict").exit_code == 1


@pytest.mark.slow
def test_with_strict_a_build_refuses_on_those_warnings_and_writes_nothing(cli, mistaken, tmp_path):
    result = cli("handout", "--facts", MINIMAL, "--templates", mistaken, "--out", tmp_path / "out", "--strict")
    assert result.exit_code == 1
    assert lines(result.stderr)[-1] == "error: --strict: 7 warnings count as errors; nothing was generated"
    assert not (tmp_path / "out").exists()
    plain = cli("handout", "--facts", MINIMAL, "--templates", mistaken, "--out", tmp_path / "out")
    assert plain.exit_code == 0 and plain.stderr.count("warning: ") == 7


@pytest.mark.slow
def test_a_used_label_and_an_installed_font_are_no_warning(cli, tmp_path):
    directory = tmp_path / "mine"
    (directory / "labels").mkdir(parents=True)
    (directory / "labels" / "en.yaml").write_text("text:\n  timeline: Key dates\n", encoding="utf-8")
    (directory / "brand.yaml").write_text('colours: {primary: "#0b5d3b"}\nfonts: {body: DejaVu Sans}\n',
                                          encoding="utf-8")
    result = cli("check", "--facts", MINIMAL, "--templates", directory, "--strict")
    assert result.exit_code == 0, result.output
    assert lines(result.stdout)[0] == "OK: 0 errors, 0 warnings"


def test_contrast_is_computed_as_wcag_defines_it():
    from generator.templating.brand import Colours

    assert round(contrast("#000000", "#ffffff"), 2) == 21.0
    assert round(contrast("#767676", "#ffffff"), 2) == 4.54  # the lightest grey that passes on white
    assert failing_pairs(Colours()) == []  # the bundled brand passes
    assert [(p.use, round(r, 2)) for p, r in failing_pairs(Colours(muted="#999999"))] == [
        ("captions, headers and footers", 2.85)]


# ---------------------------------------------------------------- slides: blocks and the slide list

def slide_titles(markdown: str) -> list[str]:
    return re.findall(r"^#{1,2} (.+)$", markdown.split("\n---\n", 1)[1], re.M)


@pytest.mark.slow
def test_the_slides_setting_drops_reorders_and_adds_slides(cli, tmp_path):
    mine = tmp_path / "mine" / "slides"
    mine.mkdir(parents=True)
    (mine / "contact.md.jinja").write_text(
        "<!-- _class: Title and Content -->\n\n## {{ L.contact_heading }}\n\n- {{ L.contact_text }}\n", encoding="utf-8")
    labels = tmp_path / "mine" / "labels"
    labels.mkdir()
    (labels / "en.yaml").write_text("text:\n  contact_heading: Contact\n  contact_text: Extension 2041.\n",
                                    encoding="utf-8")
    (labels / "vi.yaml").write_text("text:\n  contact_heading: Liên hệ\n  contact_text: Số máy lẻ 2041.\n",
                                    encoding="utf-8")
    (tmp_path / "generate.toml").write_text(
        f'facts = "{MINIMAL}"\ntemplates = "mine"\nlanguages = "en"\n'
        'slides = ["title", "next_steps", "at_a_glance", "contact", "sources"]\n', encoding="utf-8")
    result = cli("slides")
    assert result.exit_code == 0, result.output
    outline = (tmp_path / "output" / "en" / "facts-slides.md").read_text(encoding="utf-8")
    assert slide_titles(outline) == ["The Model Convention", "What comes next", "At a glance", "Contact", "Sources"]
    from pptx import Presentation

    deck = Presentation(str(tmp_path / "output" / "en" / "facts-slides.pptx"))
    assert [s.shapes.title.text for s in deck.slides][1:] == ["What comes next", "At a glance", "Contact", "Sources"]


def test_an_unknown_slide_id_is_an_error_with_did_you_mean(cli, tmp_path):
    (tmp_path / "generate.toml").write_text(f'facts = "{MINIMAL}"\nslides = ["title", "timline"]\n', encoding="utf-8")
    result = cli("slides", "--lang", "en")
    assert result.exit_code == 1
    assert lines(result.stderr)[-1] == (
        "error: slides setting: expected the id of a slide (at_a_glance, ceremony, country_role, edition, next_steps, "
        "offences, safeguards, sources, structure, timeline, title) or a template slides/<id>.md.jinja, found "
        "unknown slide 'timline' (did you mean 'timeline'?)")


@pytest.mark.slow
def test_an_empty_block_drops_one_slide(tmp_path):
    from generator.pipeline.build import BuildOptions, build

    templates, out = tmp_path / "templates", tmp_path / "out"
    (templates / "slides").mkdir(parents=True)
    (templates / "slides" / "outline.md.jinja").write_text(
        '{% extends "builtin:slides/outline.md.jinja" %}\n{% block slide_timeline %}{% endblock %}\n', encoding="utf-8")
    records = build(["slides"], BuildOptions(facts=MINIMAL, templates=templates, langs=("en",), out=out))
    markdown = next((out / r["path"]).read_text(encoding="utf-8") for r in records if r["format"] == "md")
    assert "Timeline" not in slide_titles(markdown) and "At a glance" in slide_titles(markdown)


def test_an_unclosed_tag_is_reported_where_it_was_opened(cli, tmp_path):
    (tmp_path / "mine" / "slides").mkdir(parents=True)
    (tmp_path / "mine" / "slides" / "outline.md.jinja").write_text(
        '{% extends "builtin:slides/outline.md.jinja" %}\n{% block slide_country_role %}\n'
        "{% if facts.country_role %}\n## Role\n{% endblock %}\n", encoding="utf-8")
    result = cli("check", "--facts", MINIMAL, "--templates", tmp_path / "mine", "--lang", "en")
    assert result.exit_code == 1
    assert ("error: slides outline (vi): mine/slides/outline.md.jinja:3: "
            "{% if %} opened here is never closed (expected {% endif %} before line 5)") in lines(result.stderr)


@pytest.mark.slow
def test_the_download_page_has_blocks(tmp_path):
    from generator.pipeline.build import BuildOptions, build

    (tmp_path / "mine" / "site").mkdir(parents=True)
    (tmp_path / "mine" / "site" / "index.html.jinja").write_text(
        '{% extends "builtin:site/index.html.jinja" %}\n{% block checksum %}{% endblock %}\n'
        "{% block intro %}<p>Only for the delegation.</p>{% endblock %}\n", encoding="utf-8")
    build(["handout"], BuildOptions(facts=MINIMAL, templates=tmp_path / "mine", out=tmp_path / "out"))
    page = (tmp_path / "out" / "en.html").read_text(encoding="utf-8")
    assert "<p>Only for the delegation.</p>" in page and 'id="checksum-heading"' not in page
    assert 'id="documents-heading"' in page and 'class="colophon"' in page


# ---------------------------------------------------------------- YAML mistakes

def test_an_unclosed_bracket_is_reported_where_it_was_opened(cli, tmp_path):
    text = MINIMAL.read_text(encoding="utf-8").replace("languages: [vi, en]", "languages: [vi, en")
    facts = tmp_path / "facts.yaml"
    facts.write_text(text, encoding="utf-8")
    result = cli("check", "--facts", facts)
    assert without_library_wording(lines(result.stderr)[0]) == (
        "error: facts.yaml:3:12: the '[' of this list opened here is never closed (the parser gave up at 4:9); "
        "invalid YAML: …")


def test_a_day_first_date_gets_its_own_line_field_and_a_hint(cli, tmp_path):
    text = MINIMAL.read_text(encoding="utf-8").replace("  date: 2024-03-05\n", "  date: 05/03/2024\n", 1)
    facts = tmp_path / "facts.yaml"
    facts.write_text(text, encoding="utf-8")
    result = cli("check", "--facts", facts)
    assert result.exit_code == 1
    assert lines(result.stderr) == [
        "error: facts.yaml:19:9: adoption.date: expected a date (YYYY-MM-DD), found '05/03/2024'; write 2024-03-05"]


# ---------------------------------------------------------------- feedback and settings

@pytest.mark.slow
def test_progress_shows_each_document_as_it_starts_with_the_elapsed_time(cli, tmp_path):
    result = cli("handout", "--facts", MINIMAL, "--out", tmp_path / "out", "--jobs", "1", "--no-cache")
    assert result.exit_code == 0
    patterns = [r"rendering handout \(vi\)…  \[\d+\.\d s\]",
                r"\[1/2\] handout \(vi\): rendered in \d+\.\d s  \[\d+\.\d s\]",
                r"rendering handout \(en\)…  \[\d+\.\d s\]",
                r"\[2/2\] handout \(en\): rendered in \d+\.\d s  \[\d+\.\d s\]"]
    assert len(lines(result.stderr)) == 4
    for pattern, line in zip(patterns, lines(result.stderr)):
        assert re.fullmatch(pattern, line), line


@pytest.mark.slow
def test_quiet_prints_nothing_on_success_and_verbose_names_the_configuration(cli, tmp_path):
    quiet = cli("handout", "--facts", MINIMAL, "--out", tmp_path / "out", "-q")
    assert quiet.exit_code == 0 and quiet.stdout == "" and quiet.stderr == ""
    verbose = cli("handout", "--facts", MINIMAL, "--out", tmp_path / "out", "-v")
    assert lines(verbose.stderr)[0] == "configuration file: none"


def test_check_prints_its_verdict_first_and_discrepancies_only_when_verbose(cli):
    result = cli("check", "--facts", MINIMAL)
    assert lines(result.stdout)[0] == "OK: 0 errors, 0 warnings"
    assert "Recorded discrepancies between sources: 1 (--verbose lists them)" in result.stdout
    assert "article-count" not in result.stdout
    assert "  article-count (contradicted about structure.article_count)" in cli("check", "--facts", MINIMAL, "-v").stdout


@pytest.mark.slow
def test_configuration_is_found_in_a_parent_directory_with_every_setting(cli, tmp_path):
    (tmp_path / "generate.toml").write_text(
        f'facts = "{MINIMAL}"\nlanguages = "en"\njobs = 1\npdf_variant = "pdf/a-3b"\nname = "model"\n',
        encoding="utf-8")
    (tmp_path / "deep" / "er").mkdir(parents=True)
    os.chdir(tmp_path / "deep" / "er")
    shown = cli("config")
    assert lines(shown.stdout)[0] == f"configuration file: {tmp_path / 'generate.toml'}"
    assert re.search(r"^jobs +1 +generate\.toml:3$", shown.stdout, re.M)
    assert re.search(r"^pdf_variant +pdf/a-3b +generate\.toml:4$", shown.stdout, re.M)
    result = cli("handout")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "deep" / "er" / "output" / "en").iterdir()) == ["model-handout.docx"]
    assert not (tmp_path / "deep" / "er" / "output" / "vi").exists()


def test_a_bad_setting_is_one_line_with_an_example(cli, tmp_path):
    (tmp_path / "generate.toml").write_text('jobs = 0\nname = "a b"\n', encoding="utf-8")
    result = cli("config")
    assert result.exit_code == 1
    assert lines(result.stderr) == [
        f"error: {tmp_path / 'generate.toml'}:1: jobs: expected a number of processes of at least 1, such as 2, found 0",
        f"error: {tmp_path / 'generate.toml'}:2: name: expected a file name of letters, digits, '.', '_' or '-', "
        "such as \"treaty-x\", found 'a b'"]


@pytest.mark.slow
def test_lang_takes_a_comma_separated_list(cli, tmp_path):
    result = cli("handout", "--facts", MINIMAL, "--out", tmp_path / "out", "--lang", "en,vi", "-q")
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir()) == ["assets", "en", "vi"]
    assert cli("check", "--facts", MINIMAL, "--lang", "vi, en").exit_code == 0


def test_eject_copies_one_file_or_the_brand_and_never_overwrites(cli, tmp_path):
    assert lines(cli("templates", "eject", "brief/style.css.jinja").stdout) == [
        "copied templates-custom/brief/style.css.jinja", "now build with --templates templates-custom"]
    assert lines(cli("templates", "eject", "brand").stdout)[0] == "copied templates-custom/brand.yaml"
    assert (tmp_path / "templates-custom" / "brand.yaml").read_bytes() == (REPO / "templates" / "brand.yaml").read_bytes()
    again = cli("templates", "eject", "brand")
    assert again.exit_code == 1
    assert lines(again.stderr) == [
        "error: refusing to copy into templates-custom: templates-custom/brand.yaml exists (nothing was copied)"]
    typo = cli("templates", "eject", "brnd")
    assert lines(typo.stderr) == ["error: unknown template 'brnd' (did you mean brand?); expected a kind (brief, card, "
                                  "handout, labels, site, slides), brand, or a file that `generate templates list` shows"]


def test_shell_completion_is_documented_and_works():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert 'eval "$(_GENERATE_COMPLETE=bash_source generate)"' in readme
    result = subprocess.run([str(REPO / ".venv" / "bin" / "generate")], env={**os.environ, "_GENERATE_COMPLETE": "bash_source"},
                            capture_output=True, text=True)
    assert "complete -o nosort -F _generate_completion generate" in result.stdout


# ---------------------------------------------------------------- your own treaty

def readme_treaty_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Your own treaty", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [line for line in block.splitlines() if line.strip()]


def test_new_refuses_to_overwrite(cli, tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "generate.toml").write_text("# mine\n")
    result = cli("new", "t")
    assert result.exit_code == 1
    assert lines(result.stderr) == ["error: refusing to overwrite existing files (nothing was written): t/generate.toml"]
    assert (tmp_path / "t" / "generate.toml").read_text() == "# mine\n" and not (tmp_path / "t" / "facts").exists()


@pytest.mark.slow
def test_the_readme_walkthrough_for_your_own_treaty(runner, tmp_path, monkeypatch):
    """`generate new`, then check, build and verify, exactly as README "Your own treaty" says."""
    commands = readme_treaty_commands()
    assert commands[0] == "generate new mekong-treaty"
    monkeypatch.chdir(tmp_path)
    for command in commands:
        words = shlex.split(command)
        if words[0] == "cd":
            os.chdir(words[1])
            continue
        result = runner.invoke(main, words[1:], catch_exceptions=False)
        assert result.exit_code == 0, (command, result.output)
    project = tmp_path / "mekong-treaty"
    output = project / "output"
    assert sorted(p.name for p in (output / "vi").iterdir()) == [
        "mekong-treaty-brief.pdf", "mekong-treaty-card.pdf", "mekong-treaty-handout.docx", "mekong-treaty-slides.md",
        "mekong-treaty-slides.pptx"]
    assert "[Tên ngắn của điều ước]" in extract_text(output / "vi" / "mekong-treaty-brief.pdf", "pdf")
    assert "[Short name of the treaty]" in (output / "en.html").read_text(encoding="utf-8")
    skeleton = (project / "facts" / "mekong-treaty.yaml").read_text(encoding="utf-8")
    assert skeleton.startswith("# yaml-language-server: $schema=fact-file.schema.json")
    assert (project / "facts" / "fact-file.schema.json").is_file()


@pytest.mark.slow
def test_open_opens_the_download_page_when_the_build_is_done(cli, tmp_path, monkeypatch):
    import click

    opened = []
    monkeypatch.setattr(click, "launch", lambda url, **kw: opened.append(url) or 0)
    result = cli("handout", "--facts", MINIMAL, "--out", tmp_path / "out", "--open", "-q")
    assert result.exit_code == 0
    assert opened == [str((tmp_path / "out" / "index.html").resolve())]


@pytest.mark.slow
def test_watch_builds_again_after_a_change(tmp_path):
    facts = tmp_path / "facts.yaml"
    shutil.copy(MINIMAL, facts)
    process = subprocess.Popen([str(REPO / ".venv" / "bin" / "generate"), "handout", "--facts", str(facts), "--out",
                                str(tmp_path / "out"), "--watch", "--lang", "en"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               start_new_session=True)
    import threading

    guard = threading.Timer(180, lambda: os.killpg(process.pid, 9))  # never hang the suite
    guard.start()
    changed = MINIMAL.read_text(encoding="utf-8").replace("Test briefing", "Changed briefing")
    done = threading.Event()

    def edit() -> None:  # the watcher starts just after it says so: save again until it notices
        while not done.wait(2):
            facts.write_text(changed, encoding="utf-8")

    editor = threading.Thread(target=edit, daemon=True)
    try:
        seen = []
        for line in process.stdout:
            seen.append(line.rstrip("\n"))
            if line.startswith("watching "):
                editor.start()
            if line.startswith("updated ") and any(s.startswith("changed: ") for s in seen):
                break
        done.set()
        assert "changed: facts.yaml; building again" in seen
        assert "Changed briefing" in extract_text(tmp_path / "out" / "en" / "facts-handout.docx", "docx")
    finally:
        done.set()
        guard.cancel()
        if process.poll() is None:
            os.killpg(process.pid, 9)  # the group this test started, by its id
        process.wait(30)
