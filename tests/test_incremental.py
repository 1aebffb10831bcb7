"""Incremental and parallel builds: what is rendered again after a change, and that it never shows.

Each test copies one finished build (OUT and its cache beside it), changes one input, and
rebuilds: the build's report says which documents were rendered, and the published bytes
must equal those of a build from scratch.
"""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pikepdf
import pytest
import yaml

from generator.pipeline.build import BuildOptions, BuildReport, build_all
from generator.pipeline.cache import cache_dir
from generator.output.workspace import Workspace
from generator.commands.cli import main
from generator.errors import ConfigError, FactFileError, GenerateError, RenderError, ResourceError, TemplateError
from generator.pipeline.workers import _portable
from generator.templating.paths import BUNDLED_TEMPLATES
from generator.renderers import kinds
from tests.conftest import MINIMAL, REPO
from tests.helpers import IMPORT_PROBE as PROBE

KINDS = tuple(kinds())  # every registered kind (brief, card, handout, slides, ...)
EVERY_DOCUMENT = {(kind, lang) for kind in KINDS for lang in ("vi", "en")}
# Copied into the user template directory before the first build, so that editing them is a
# change of content (adding a file to the search path is a change for every document).
OVERRIDDEN = ("slides/outline.md.jinja", "labels/vi.yaml", "brand.yaml")


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def first(tmp_path_factory) -> dict:
    """A finished build of the fictional treaty with a user template directory."""
    base = tmp_path_factory.mktemp("incremental")
    facts = base / "facts.yaml"
    shutil.copy(MINIMAL, facts)
    templates = base / "templates"
    for name in OVERRIDDEN:
        (templates / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(BUNDLED_TEMPLATES / name, templates / name)
    report = BuildReport()
    build_all(options(facts, templates, base / "out"), report=report)
    return {"base": base, "report": report, "tree": tree(base / "out")}


def options(facts: Path, templates: Path, out: Path) -> BuildOptions:
    """The options `generate all` passes for these paths (with its default PDF variant)."""
    return BuildOptions(facts=facts, templates=templates, out=out, kind_options={"pdf_variant": "pdf/ua-1"})


@pytest.fixture
def copy(first, tmp_path) -> dict:
    """A private copy of the first build (inputs, OUT and cache) to change and rebuild."""
    for name in ("facts.yaml", "templates", "out"):
        source = first["base"] / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, tmp_path / name)
    # the build folder itself cannot be copied (a copy is not the folder a build made): its cache can
    shutil.copytree(cache_dir(first["base"] / "out"), Workspace.beside(tmp_path / "out").cache)
    return {"facts": tmp_path / "facts.yaml", "templates": tmp_path / "templates", "out": tmp_path / "out",
            "options": options(tmp_path / "facts.yaml", tmp_path / "templates", tmp_path / "out")}


def rebuild(options: BuildOptions) -> BuildReport:
    report = BuildReport()
    build_all(options, report=report)
    return report


def clean_build(options: BuildOptions, out: Path) -> dict[str, bytes]:
    """The same inputs built from scratch, without the cache."""
    build_all(replace(options, out=out, use_cache=False))
    return tree(out)


def entries(out: Path) -> dict[tuple[str, str], dict]:
    folder = cache_dir(out) / "entries"
    return {tuple(p.stem.split("-", 1)): json.loads(p.read_text(encoding="utf-8")) for p in folder.glob("*.json")}


@pytest.mark.slow
def test_first_build_renders_everything_and_keeps_the_cache_outside_out(first):
    assert set(first["report"].rendered) == EVERY_DOCUMENT and first["report"].cached == []
    assert first["report"].published
    out = first["base"] / "out"
    assert cache_dir(out) == first["base"] / ".out.generate" / "cache" and cache_dir(out).is_dir()
    assert not any(".cache" in name for name in first["tree"])  # nothing of the cache is published


@pytest.mark.slow
def test_every_document_records_the_facts_and_files_it_read(first):
    recorded = entries(first["base"] / "out")
    assert set(recorded) == EVERY_DOCUMENT
    for (kind, lang), entry in recorded.items():
        # Every document states the instrument's common name (a key fact of `generate verify`).
        assert '["names", "common_name", "text"]' in entry["facts"], (kind, lang)
        assert f"1:labels/{lang}.yaml" in entry["files"], (kind, lang)  # index 1: the bundled directory
        # No template of another kind; a kind's own words (<kind>/labels/) are merged into every
        # language's labels, so every document reads them.
        others = tuple(k + "/" for k in KINDS if k != kind)
        assert not any(name.split(":")[1].startswith(others) and "/labels/" not in name
                       for name in entry["files"]), (kind, lang, entry["files"])
    assert "0:slides/outline.md.jinja" in recorded[("slides", "vi")]["files"]


@pytest.mark.slow
def test_second_build_renders_nothing_and_writes_nothing(first, copy):
    before = {p: p.stat().st_ino for p in copy["out"].rglob("*")}
    report = rebuild(copy["options"])
    assert report.rendered == [] and set(report.cached) == EVERY_DOCUMENT
    assert not report.published
    assert tree(copy["out"]) == first["tree"]
    assert {p: p.stat().st_ino for p in copy["out"].rglob("*")} == before  # not even replaced by equal files


@pytest.mark.slow
def test_a_hand_edited_output_is_published_again_from_the_cache(first, copy):
    edited = copy["out"] / "en" / "facts-handout.docx"
    edited.write_bytes(b"edited by hand")
    report = rebuild(copy["options"])
    assert report.rendered == [] and report.published  # nothing rendered, OUT restored
    assert tree(copy["out"]) == first["tree"]




@pytest.mark.slow
def test_no_op_rebuild_imports_no_rendering_library_and_reads_no_pdf(copy):
    args = ["all", "--facts", str(copy["facts"]), "--templates", str(copy["templates"]), "--out", str(copy["out"])]
    code = PROBE.format(args=args, heavy={"weasyprint", "docx", "docxtpl", "pptx", "pypdf"})
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300)
    marker = [line for line in result.stdout.splitlines() if line.startswith("@@")]
    assert marker, result.stdout + result.stderr
    exit_code, imported = json.loads(marker[-1][2:])
    assert exit_code in (0, None), result.stderr
    assert imported == []
    assert "already held exactly these files: nothing written (verified)" in result.stdout
    assert result.stderr.count("unchanged, from the cache") == len(EVERY_DOCUMENT)


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _at(data, path):
    for step in path:
        data = data[step]
    return data


@pytest.mark.slow
def test_a_one_fact_change_rebuilds_exactly_the_documents_that_show_it(copy, tmp_path):
    recorded = entries(copy["out"])
    # A text only some kinds show (which one depends on the templates; the record says).
    readers: dict[str, set] = {}
    for document, entry in recorded.items():
        for key in entry["facts"]:
            readers.setdefault(key, set()).add(document)
    candidates = sorted(key for key, users in readers.items()
                        if json.loads(key)[-1] == "text" and 0 < len(users) < len(EVERY_DOCUMENT)
                        and isinstance(_at(_yaml(copy["facts"]), json.loads(key)), dict))
    assert candidates, "no fact is shown by some documents only"
    key = candidates[0]
    data = _yaml(copy["facts"])
    text = _at(data, json.loads(key))
    for lang in text:
        text[lang] += " (revised)"
    copy["facts"].write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    report = rebuild(copy["options"])
    assert set(report.rendered) == readers[key], key
    assert set(report.cached) == EVERY_DOCUMENT - readers[key]
    assert report.published
    assert tree(copy["out"]) == clean_build(copy["options"], tmp_path / "clean")


@pytest.mark.slow
def test_a_template_change_rebuilds_only_that_kind(copy):
    outline = copy["templates"] / "slides" / "outline.md.jinja"
    outline.write_text(outline.read_text(encoding="utf-8") + "{# edited #}\n", encoding="utf-8")
    report = rebuild(copy["options"])
    assert set(report.rendered) == {("slides", "vi"), ("slides", "en")}
    assert set(report.cached) == EVERY_DOCUMENT - set(report.rendered)


@pytest.mark.slow
def test_a_label_change_rebuilds_the_documents_that_read_that_label_file(copy):
    labels = copy["templates"] / "labels" / "vi.yaml"
    labels.write_text(labels.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    report = rebuild(copy["options"])
    rendered = set(report.rendered)
    # Every Vietnamese document; English ones only where they read Vietnamese labels (the
    # handout checks its template against every language's labels before rendering; the handout
    # and the deck tag Word's and PowerPoint's font slots with the other languages' tags).
    assert {(kind, "vi") for kind in KINDS} <= rendered
    assert ("brief", "en") not in rendered and ("card", "en") not in rendered
    assert rendered == {d for d, entry in entries(copy["out"]).items() if "0:labels/vi.yaml" in entry["files"]}


def primary_colours(out: Path, lang: str) -> dict[str, str]:
    """Where each format shows the brand's primary colour: the brief's first page (its fill
    colours), the handout's Heading 1, the deck's theme (dk2), the download page's stylesheet."""
    import re
    import zipfile

    import docx

    with pikepdf.open(out / lang / "facts-brief.pdf") as pdf:
        page = pdf.pages[0].Contents.read_bytes().decode("latin-1")
    with zipfile.ZipFile(out / lang / "facts-slides.pptx") as deck:
        theme = deck.read("ppt/theme/theme1.xml").decode("utf-8")
    css = "".join(p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.css")))
    return {"pdf": " ".join(sorted(set(re.findall(r"(\d\.\d+ \d\.\d+ \d\.\d+) rg", page)))),
            "docx": str(docx.Document(str(out / lang / "facts-handout.docx")).styles["Heading 1"].font.color.rgb),
            "pptx": re.search(r'<a:dk2>\s*<a:srgbClr val="(\w+)"', theme).group(1).upper(),
            "css": " ".join(re.findall(r"--brand: *([^;]+);", css)).upper()}


@pytest.mark.slow
def test_a_brand_change_rebuilds_every_kind_in_the_new_colour(copy):
    before = {lang: primary_colours(copy["out"], lang) for lang in ("vi", "en")}
    brand = copy["templates"] / "brand.yaml"
    brand.write_text(brand.read_text(encoding="utf-8").replace('"#1f3864"', '"#7a1f1f"'), encoding="utf-8")
    report = rebuild(copy["options"])
    assert set(report.rendered) == EVERY_DOCUMENT and report.published
    for lang in ("vi", "en"):
        after = primary_colours(copy["out"], lang)
        assert "0.121569 0.219608 0.392157" in before[lang]["pdf"]  # #1f3864, the copied brand's primary
        assert "0.478431 0.121569 0.121569" in after["pdf"] and "0.121569 0.219608 0.392157" not in after["pdf"]
        assert (before[lang]["docx"], after["docx"]) == ("1F3864", "7A1F1F")
        assert (before[lang]["pptx"], after["pptx"]) == ("1F3864", "7A1F1F")
        assert (before[lang]["css"], after["css"]) == ("#1F3864", "#7A1F1F")


@pytest.mark.slow
def test_an_option_change_rebuilds_only_the_kinds_that_read_it(copy):
    report = rebuild(replace(copy["options"], kind_options={"pdf_variant": "pdf/a-3b"}))
    # the PDF kinds (brief, card) read the variant; the handout and the slides do not
    assert set(report.rendered) == {(kind, lang) for kind in ("brief", "card") for lang in ("vi", "en")}
    for kind in ("brief", "card"):
        with pikepdf.open(copy["out"] / "en" / f"facts-{kind}.pdf") as pdf:
            assert pdf.open_metadata().get("pdfaid:part") == "3"  # the archival variant was rendered


@pytest.mark.slow
def test_a_damaged_cache_is_a_miss_never_a_wrong_document(first, copy):
    entry = entries(copy["out"])[("handout", "en")]
    blob = cache_dir(copy["out"]) / "blobs" / entry["outputs"][0]["sha256"]
    blob.write_bytes(b"not a docx")
    (cache_dir(copy["out"]) / "entries" / "slides-vi.json").write_text("{", encoding="utf-8")
    report = rebuild(copy["options"])
    assert set(report.rendered) == {("handout", "en"), ("slides", "vi")}
    assert tree(copy["out"]) == first["tree"]


@pytest.mark.slow
def test_no_cache_renders_everything_again(copy):
    report = rebuild(replace(copy["options"], use_cache=False, jobs=2))
    assert set(report.rendered) == EVERY_DOCUMENT and not report.published  # same bytes: OUT left alone


@pytest.mark.slow
def test_output_is_byte_identical_whatever_the_number_of_jobs(first, tmp_path):
    same = options(first["base"] / "facts.yaml", first["base"] / "templates", tmp_path / "unused")
    serial = clean_build(replace(same, jobs=1), tmp_path / "serial")
    parallel = clean_build(replace(same, jobs=3), tmp_path / "parallel")
    assert serial == parallel == first["tree"]


@pytest.mark.slow
def test_an_error_in_a_worker_is_the_same_one_line_error(tmp_path, runner, monkeypatch):
    templates = tmp_path / "templates"
    (templates / "slides").mkdir(parents=True)
    outline = (BUNDLED_TEMPLATES / "slides" / "outline.md.jinja").read_text(encoding="utf-8")
    (templates / "slides" / "outline.md.jinja").write_text("{{ facts.no_such_field }}\n" + outline, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    messages = {}
    for jobs in ("1", "2"):
        result = runner.invoke(main, ["slides", "--facts", str(MINIMAL), "--templates", str(templates),
                                      "--out", str(tmp_path / "out"), "--jobs", jobs])
        assert result.exit_code == 1
        assert "Traceback" not in result.output + result.stderr
        messages[jobs] = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert messages["1"] == messages["2"]
    assert len(messages["2"]) == 1
    assert "outline.md.jinja:1: undefined name:" in messages["2"][0] and "no_such_field" in messages["2"][0]
    assert not (tmp_path / "out").exists()


def test_errors_cross_the_process_boundary_as_user_errors():
    for error in (TemplateError("t.jinja:3: boom"), RenderError("r"), ResourceError("x"), ConfigError("c")):
        carried = pickle.loads(pickle.dumps(_portable(error)))
        assert type(carried) is type(error) and carried.format_message() == error.format_message()
    unpicklable = FactFileError("facts.yaml", ["facts.yaml:1:1: bad"])
    carried = pickle.loads(pickle.dumps(_portable(unpicklable)))
    assert isinstance(carried, GenerateError) and carried.format_message() == unpicklable.format_message()


def test_jobs_sets_how_many_processes_render(cli, tmp_path, monkeypatch, synthetic_rendering):
    """--jobs N renders in a pool of N processes (never more than there are documents), --jobs 1
    in this process, and generate.toml's `jobs` is the default; 0 is refused before anything is
    rendered or written."""
    import generator.pipeline.workers as workers

    pools = []

    def pool(setup, tasks, count, done, started=None):  # records the pool, renders here (made-up documents)
        pools.append((count, len(tasks)))
        return workers.render_all(setup, tasks, 1, done, started)

    monkeypatch.setattr(workers, "_render_in_pool", pool)

    def slides(*args):
        result = cli("slides", "--facts", MINIMAL, "--no-cache", *args)
        assert result.exit_code == 0, result.output
        found, pools[:] = list(pools), []
        return found

    monkeypatch.setattr(workers, "default_jobs", lambda: 4)  # as on a 4-CPU machine
    assert slides("--out", "default") == [(2, 2)]  # two documents: two processes
    assert slides("--jobs", "1", "--out", "one") == []
    assert slides("--jobs", "2", "--out", "two") == [(2, 2)]
    (tmp_path / "generate.toml").write_text("jobs = 1\n", encoding="utf-8")
    assert slides("--out", "configured") == []
    assert slides("--jobs", "2", "--out", "overridden") == [(2, 2)]
    assert len(synthetic_rendering) == 10
    refused = cli("all", "--facts", MINIMAL, "--jobs", "0", "--out", "zero")
    assert refused.exit_code == 2 and "--jobs" in refused.stderr
    assert pools == [] and not (tmp_path / "zero").exists() and len(synthetic_rendering) == 10


@pytest.mark.parametrize("expression", ["facts.sources[1]", "facts.sources[1] | string", "facts.sources[1] | pprint",
                                        "facts.sources[1] | list"])
@pytest.mark.slow
def test_a_template_that_prints_a_whole_fact_object_is_rebuilt_when_any_field_of_it_changes(copy, tmp_path, expression):
    # Printing an object reads every field at once (str, repr, iteration, comparison), not one
    # attribute at a time: the record must cover the whole object, or the old text is published.
    outline = copy["templates"] / "slides" / "outline.md.jinja"
    outline.write_text(outline.read_text(encoding="utf-8") + "<!-- {{ " + expression + " }} -->\n", encoding="utf-8")
    rebuild(copy["options"])
    data = _yaml(copy["facts"])
    assert data["sources"][1]["internal_copy"] == "news-2024.txt"  # a field no bundled template shows
    data["sources"][1]["internal_copy"] = "news-2025.txt"
    copy["facts"].write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    report = rebuild(copy["options"])
    assert {("slides", "vi"), ("slides", "en")} <= set(report.rendered)
    assert all("news-2025.txt" in p.read_text(encoding="utf-8") for p in copy["out"].rglob("*.md"))
    assert tree(copy["out"]) == clean_build(copy["options"], tmp_path / "clean")


def test_every_pydantic_method_that_can_read_field_values_reports_a_whole_read():
    """The record is complete by construction: each method pydantic gives a fact object either
    reports a read of the whole object or is listed as reading no field value. A pydantic upgrade
    that adds a method fails here instead of publishing stale documents."""
    import inspect

    from pydantic import BaseModel

    from generator.facts import models

    classes = [value for value in vars(models).values()
               if isinstance(value, type) and issubclass(value, models.Model)]
    assert len(classes) > 20
    for cls in classes:
        unreported = sorted(name for name in models.pydantic_methods(cls) - models.READS_NO_FIELD
                            if not getattr(getattr(cls, name), "reads_whole", False))
        assert unreported == [], cls.__name__
    # the exemptions are real pydantic/object methods, each named for a reason
    assert models.READS_NO_FIELD <= models.pydantic_methods(BaseModel) | {"__class_getitem__"}
    assert "__hash__" in models.pydantic_methods(models.Source) and inspect.isfunction(models.Source.__hash__)


def test_reading_the_dict_of_a_fact_object_counts_as_reading_all_of_it():
    from generator.facts.load import load_facts
    from generator.facts.models import WHOLE_OBJECT, reading_fields

    source = load_facts().facts.sources[0]
    for use in (lambda s: s.__dict__, hash, format, lambda s: f"{s}"):
        seen = set()
        with reading_fields(lambda owner, name: seen.add((owner is source, name))):
            use(source)
        assert seen == {(True, WHOLE_OBJECT)}
