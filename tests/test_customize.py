"""The README's "Customize the templates" example, followed step by step from its own text."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from generator.commands.cli import main
from generator.output.extract import extract_text
from tests.conftest import REPO

pytestmark = pytest.mark.slow  # every test here builds, serves or renders (tests/README.md)

PRIMARY = "7a1f1f"


def readme_example() -> tuple[dict[str, str], list[list[str]]]:
    """The files (path -> text) and the commands of the worked example in README.md."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Worked example", 1)[1].split("\n### ", 1)[0]
    files, commands = {}, []
    for lang, body in re.findall(r"```(\w+)\n(.*?)```", section, re.S):
        first, _, rest = body.partition("\n")
        name = re.match(r"^(?:#|\{#)\s*(my-templates/\S+?)\s*(?:#\})?$", first)
        if name:
            files[name.group(1)] = rest
        elif lang == "sh":
            commands += [line.split() for line in body.splitlines() if line.startswith("generate ")]
    return files, commands


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    from PIL import Image

    work = tmp_path_factory.mktemp("customize")
    files, commands = readme_example()
    assert set(files) == {"my-templates/brand.yaml", "my-templates/labels/en.yaml",
                          "my-templates/labels/vi.yaml", "my-templates/brief/brief.html.jinja"}
    for name, text in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_text(text, encoding="utf-8")
    Image.new("RGB", (120, 40), (122, 31, 31)).save(work / "my-templates" / "logo.png")
    runner = CliRunner()
    results = []
    import os

    previous = Path.cwd()
    os.chdir(work)
    try:
        for command in commands:
            result = runner.invoke(main, command[1:], catch_exceptions=False)
            assert result.exit_code == 0, (command, result.output)
            assert "warning" not in result.stderr, (command, result.stderr)  # its colours pass WCAG AA, say
            results.append(result)
    finally:
        os.chdir(previous)
    return work, commands, results


def test_the_example_lists_its_overrides(example):
    work, commands, results = example
    assert commands[0][:3] == ["generate", "templates", "list"]
    listing = results[0].stdout
    assert re.search(r"^brand\.yaml\s+overridden", listing, re.M)
    assert re.search(r"^brief/brief\.html\.jinja\s+overridden", listing, re.M)
    assert re.search(r"^labels/en\.yaml\s+overridden", listing, re.M)
    assert re.search(r"^logo\.png\s+added", listing, re.M)
    assert re.search(r"^brief/base\.html\.jinja\s+bundled", listing, re.M)


def test_the_heading_and_the_added_section_reach_every_language(example):
    out = example[0] / "output"
    en = extract_text(out / "en" / "hanoi-convention-brief.pdf", "pdf")
    vi = extract_text(out / "vi" / "hanoi-convention-brief.pdf", "pdf")
    assert "Key facts" in en and "At a glance" not in en
    assert "Contact Questions about this briefing: the external relations desk, extension 2041." in en
    assert "Những điểm chính" in vi and "Thông tin chính" not in vi
    assert "Liên hệ" in vi and "số máy lẻ 2041" in vi
    # The heading is a label, so the handout and the slides changed too.
    assert "Key facts" in extract_text(out / "en" / "hanoi-convention-handout.docx", "docx")
    # Everything else is still there: the bundled sections and the next steps before the contact box.
    assert en.index("What comes next") < en.index("Contact Questions")
    assert "Sources" in en


def test_colours_and_logo_reach_every_format(example):
    out = example[0] / "output"
    with pikepdf.open(out / "en" / "hanoi-convention-brief.pdf") as pdf:
        images = [(int(o.Width), int(o.Height)) for o in pdf.objects
                  if isinstance(o, pikepdf.Stream) and o.get("/Subtype") == "/Image"]
        assert (120, 40) in images
        assert b"0.478431 0.121569 0.121569" in pdf.pages[0].Contents.read_bytes()
    with zipfile.ZipFile(out / "en" / "hanoi-convention-handout.docx") as docx:
        styles = docx.read("word/styles.xml").decode()
        assert f'w:val="{PRIMARY.upper()}"' in styles
        assert any(name.startswith("word/media/") for name in docx.namelist())
        assert "Department of External Relations" in docx.read("docProps/core.xml").decode()
    with zipfile.ZipFile(out / "en" / "hanoi-convention-slides.pptx") as pptx:
        theme = next(n for n in pptx.namelist() if re.fullmatch(r"ppt/theme/theme\d+\.xml", n))
        assert PRIMARY.upper() in pptx.read(theme).decode().upper()
        assert any(name.startswith("ppt/media/") for name in pptx.namelist())
    css = (out / "assets" / "site.css").read_text(encoding="utf-8")
    assert f"--brand: #{PRIMARY};" in css
    page = (out / "index.html").read_text(encoding="utf-8")
    assert 'class="logo" src="data:image/png;base64,' in page and "Sở Ngoại vụ" in page


def test_a_template_mistake_names_the_file_and_line(example, tmp_path, monkeypatch):
    work = example[0]
    broken = (work / "my-templates/brief/brief.html.jinja").read_text(encoding="utf-8")
    copy = tmp_path / "my-templates"
    import shutil

    shutil.copytree(work / "my-templates", copy)
    (copy / "brief/brief.html.jinja").write_text(broken.replace("L.contact_heading", "L.contact_heding"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["brief", "--templates", "my-templates", "--lang", "en", "--out", "o"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    # The label the template no longer uses is a warning before the build starts...
    assert lines[0] == ("warning: my-templates/labels/en.yaml:3:3: text.contact_heading: label 'contact_heading' "
                        "is not used by any template")
    # ...and the template's mistake is the error.
    assert lines[-1] == (
        "error: my-templates/brief/brief.html.jinja:5: undefined name: a dict value has no attribute or key "
        "'contact_heding' (the facts or labels do not provide it)")
    assert "Traceback" not in result.output
