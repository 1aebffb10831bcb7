"""The build stamp: a rebuild that changed nothing knows it before loading anything, and any
change to any input (or to OUT, or to the build folder) sends the build down its normal path.

Documents are made up (``synthetic_rendering``, in this process) and verification is taken as
passed, so that each test builds in well under a second: what is under test is the decision,
not the rendering. One test at the end builds for real and checks what a no-op imports.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from generator.output.workspace import Workspace, workspace_dir
from generator.pipeline import stamp
from generator.pipeline.build import BuildOptions, BuildReport, build, build_all
from generator.renderers import kinds
from generator.templating.paths import BUNDLED_TEMPLATES
from tests.conftest import REPO, root
from tests.helpers import IMPORT_PROBE as PROBE

EVERY_DOCUMENT = [(kind, lang) for kind in kinds() for lang in ("vi", "en")]


@pytest.fixture
def project(tmp_path, monkeypatch, synthetic_rendering) -> dict:
    """A fact file with a previous edition, a user template folder, and a first build of them."""
    import generator.output.verify as verify

    monkeypatch.setattr(verify, "require_verified", lambda *args, **kwargs: None)  # made-up documents
    monkeypatch.chdir(tmp_path)
    for name in ("facts.yaml", "previous.yaml"):
        shutil.copy(root("editions") / name, tmp_path / name)
    templates = tmp_path / "templates"
    for name in ("slides/outline.md.jinja", "labels/vi.yaml", "brand.yaml"):
        (templates / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(BUNDLED_TEMPLATES / name, templates / name)
    options = BuildOptions(facts=tmp_path / "facts.yaml", templates=templates, out=tmp_path / "out", jobs=1,
                           kind_options={"pdf_variant": "pdf/ua-1"})
    first = rebuild(options)
    assert not first.stamped and sorted(first.rendered) == sorted(EVERY_DOCUMENT)
    return {"dir": tmp_path, "options": options, "templates": templates, "out": tmp_path / "out",
            "renders": synthetic_rendering}


def rebuild(options: BuildOptions, kinds_only: list[str] | None = None) -> BuildReport:
    report = BuildReport()
    report.records = build(kinds_only, options, report=report) if kinds_only else build_all(options, report=report)
    return report


def state(*folders: Path) -> dict[str, tuple]:
    """Every file and folder under ``folders`` with its inode, size and modification time."""
    found = {}
    for folder in folders:
        for path in [folder, *sorted(folder.rglob("*"))]:
            info = os.lstat(path)
            found[str(path)] = (info.st_ino, info.st_size, info.st_mtime_ns)
    return found


def normal_path(options: BuildOptions, kinds_only: list[str] | None = None) -> BuildReport:
    """The report of the same rebuild without its stamp (what a rebuild made before stamps)."""
    stamp_file = workspace_dir(options.out) / "stamp.json"
    kept = stamp_file.read_bytes()
    stamp_file.unlink()
    try:
        report = rebuild(options, kinds_only)
    finally:
        stamp_file.write_bytes(kept)
    assert not report.stamped
    return report


def same_report(first: BuildReport, second: BuildReport) -> None:
    assert (first.records, first.rendered, first.cached, first.published, first.warnings,
            first.missing_translations) == \
           (second.records, second.rendered, second.cached, second.published, second.warnings,
            second.missing_translations)


def test_a_rebuild_that_changed_nothing_is_told_by_the_stamp_and_writes_nothing(project, monkeypatch):
    options, out = project["options"], project["out"]
    slow = normal_path(options)  # also leaves everything as a no-op rebuild leaves it
    before = state(out, workspace_dir(out))
    import generator.facts.load as load

    monkeypatch.setattr(load, "load_facts", lambda *a: pytest.fail("the facts were loaded"))
    renders = len(project["renders"])
    fast = rebuild(replace(options, jobs=3))  # the number of jobs is no input
    assert fast.stamped and len(project["renders"]) == renders
    same_report(fast, slow)
    assert fast.cached == EVERY_DOCUMENT and fast.rendered == [] and not fast.published
    assert state(out, workspace_dir(out)) == before  # not a file, not a modification time, not the lock


def test_the_stamp_replays_the_warnings_and_the_missing_translations(tmp_path, monkeypatch, synthetic_rendering):
    import generator.output.verify as verify

    monkeypatch.setattr(verify, "require_verified", lambda *args, **kwargs: None)
    monkeypatch.chdir(tmp_path)
    options = BuildOptions(facts=root("untranslated") / "facts.yaml", out=tmp_path / "out", jobs=1,
                           allow_missing=True)
    first = rebuild(options)
    assert first.warnings and first.missing_translations
    slow = normal_path(options)
    fast = rebuild(options)
    assert fast.stamped
    same_report(fast, slow)


def test_the_command_line_prints_the_same_with_and_without_the_stamp(project, runner):
    from generator.commands.cli import main

    options = project["options"]
    args = ["all", "--facts", str(options.facts), "--templates", str(options.templates), "--out", str(options.out),
            "--jobs", "1", "--verbose"]
    stamp_file = workspace_dir(options.out) / "stamp.json"
    kept = stamp_file.read_bytes()
    stamp_file.unlink()
    slow = runner.invoke(main, args)
    assert stamp_file.read_bytes() == kept  # the normal path writes the same stamp again
    fast = runner.invoke(main, args)
    assert slow.exit_code == fast.exit_code == 0, slow.output + fast.output
    elapsed = re.compile(r"\[\d+\.\d s\]")
    assert elapsed.sub("", fast.stdout) == elapsed.sub("", slow.stdout)
    assert elapsed.sub("", fast.stderr) == elapsed.sub("", slow.stderr)
    assert "nothing written (verified)" in fast.stdout and "unchanged, from the cache" in fast.stderr


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _png(path: Path, colour: tuple[int, int, int]) -> None:
    from PIL import Image

    Image.new("RGB", (120, 40), colour).save(path)


CHANGES = {
    # inputs read outside the template path
    "a fact": lambda p: _edit(p["dir"] / "facts.yaml", "Test team", "Test team B"),
    "the previous edition": lambda p: _edit(p["dir"] / "previous.yaml", "signatories: {value: 12",
                                            "signatories: {value: 11"),
    # the template path: contents, and which files exist
    "a template file": lambda p: _edit(p["templates"] / "slides" / "outline.md.jinja", "\n", "\n{# edited #}\n"),
    "a label": lambda p: (p["templates"] / "labels" / "vi.yaml").write_text(
        (p["templates"] / "labels" / "vi.yaml").read_text(encoding="utf-8") + "# edited\n", encoding="utf-8"),
    "the brand": lambda p: _edit(p["templates"] / "brand.yaml", '"#1f3864"', '"#7a1f1f"'),
    "a file added to a template folder": lambda p: (p["templates"] / "brief").mkdir() or
        (p["templates"] / "brief" / "notes.txt").write_text("new\n", encoding="utf-8"),
    "a file removed from a template folder": lambda p: (p["templates"] / "slides" / "outline.md.jinja").unlink(),
    # OUT and the build folder
    "a published file edited by hand": lambda p: (p["out"] / "en" / "facts-handout.docx").write_bytes(b"edited"),
    "a published file deleted": lambda p: (p["out"] / "vi" / "facts-card.pdf").unlink(),
    "the download page deleted": lambda p: (p["out"] / "index.html").unlink(),
    "a cache entry deleted": lambda p: next((workspace_dir(p["out"]) / "cache" / "entries").glob("*.json")).unlink(),
    "a cached document deleted": lambda p: next((workspace_dir(p["out"]) / "cache" / "blobs").iterdir()).unlink(),
    "the record of the fact file deleted": lambda p: (workspace_dir(p["out"]) / "facts.json").unlink(),
    "a journal left by a killed build": lambda p: (workspace_dir(p["out"]) / "journal.json").write_text(
        '{"state": "staging", "moves": [], "remove": []}', encoding="utf-8"),
    # the stamp itself
    "the stamp damaged": lambda p: (workspace_dir(p["out"]) / "stamp.json").write_text("{", encoding="utf-8"),
    "the stamp of another version": lambda p: _edit(workspace_dir(p["out"]) / "stamp.json",
                                                    '"version": "', '"version": "0.0.0-'),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_any_change_sends_the_rebuild_down_its_normal_path(project, change):
    CHANGES[change](project)
    report = rebuild(project["options"])
    assert not report.stamped, change
    assert len(report.rendered) + len(report.cached) == len(EVERY_DOCUMENT)
    assert rebuild(project["options"]).stamped, change  # the normal path stamped the new state


def test_a_hand_edited_output_is_restored_by_the_normal_path(project):
    out = project["out"]
    kept = (out / "en" / "facts-handout.docx").read_bytes()
    CHANGES["a published file edited by hand"](project)
    report = rebuild(project["options"])
    assert not report.stamped and report.published and report.rendered == []
    assert (out / "en" / "facts-handout.docx").read_bytes() == kept


def test_a_deleted_manifest_or_a_file_replaced_by_a_link_is_refused_as_before(project):
    from generator.errors import OutputFolderError

    card = project["out"] / "vi" / "facts-card.pdf"
    card.unlink()
    card.symlink_to(project["out"] / "en" / "facts-card.pdf")
    with pytest.raises(OutputFolderError, match="is in the way"):
        rebuild(project["options"])
    card.unlink()
    (project["out"] / "manifest.json").unlink()
    with pytest.raises(OutputFolderError, match="did not write"):
        rebuild(project["options"])


OPTIONS = {
    "pdf variant": {"kind_options": {"pdf_variant": "pdf/a-3b"}},
    "languages": {"langs": ("vi",)},
    "output names": {"name": "renamed"},
    "strict": {"strict": True},
    "allow missing": {"allow_missing": True},
    "time budget": {"time_budget": 30.0},
    "brand file": {"brand": "BRAND"},
}


@pytest.mark.parametrize("option", list(OPTIONS))
def test_another_option_is_another_build(project, option):
    changed = dict(OPTIONS[option])
    if changed.get("brand") == "BRAND":
        changed["brand"] = project["templates"] / "brand.yaml"  # the same file, named explicitly
    report = rebuild(replace(project["options"], **changed))
    assert not report.stamped, option


def test_the_code_the_libraries_and_the_environment_are_inputs(project, monkeypatch):
    with monkeypatch.context() as patched:
        patched.setattr(stamp, "environment_digest", lambda: "other code")
        assert not rebuild(project["options"]).stamped
    assert not rebuild(project["options"]).stamped  # the stamp above was of the other code
    assert rebuild(project["options"]).stamped
    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    assert not rebuild(project["options"]).stamped


def test_another_working_folder_is_another_build(project, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert not rebuild(project["options"]).stamped


def test_a_logo_changed_beside_an_explicit_brand_file(project, tmp_path):
    brand = tmp_path / "branding" / "brand.yaml"
    brand.parent.mkdir()
    shutil.copy(project["templates"] / "brand.yaml", brand)
    with brand.open("a", encoding="utf-8") as stream:
        stream.write("\nlogo: logo.png\n")
    _png(brand.parent / "logo.png", (122, 31, 31))
    options = replace(project["options"], brand=brand)
    rebuild(options)
    assert rebuild(options).stamped
    _png(brand.parent / "logo.png", (31, 31, 122))
    assert not rebuild(options).stamped


def test_no_cache_and_a_busy_build_folder_take_the_normal_path(project):
    from generator.errors import OutputBusyError

    options = project["options"]
    assert not rebuild(replace(options, use_cache=False)).stamped
    with Workspace.beside(options.out).lock():  # another build is publishing
        with pytest.raises(OutputBusyError):
            rebuild(options)
    assert rebuild(options).stamped


def test_an_input_changed_while_the_build_ran_leaves_no_stamp(project, monkeypatch):
    from generator.renderers import get_renderer

    renderer = type(get_renderer("slides"))
    render = renderer.render

    def edit_while_rendering(self, job):
        _edit(project["templates"] / "slides" / "outline.md.jinja", "\n", "\n{# during #}\n")
        return render(self, job)

    monkeypatch.setattr(renderer, "render", edit_while_rendering)
    # the made-up documents show the title: every one is rendered, and the hook edits a template meanwhile
    _edit(project["dir"] / "facts.yaml", "title: {vi: Công ước Mẫu", "title: {vi: Công ước Mẫu B")
    report = rebuild(project["options"])
    assert ("slides", "vi") in report.rendered
    assert not (workspace_dir(project["out"]) / "stamp.json").exists()
    monkeypatch.setattr(renderer, "render", render)
    assert not rebuild(project["options"]).stamped  # the template edited during the build counts
    assert rebuild(project["options"]).stamped


def test_a_single_kind_command_has_a_stamp_of_its_own(project):
    options = project["options"]
    first = rebuild(options, ["slides"])
    assert not first.stamped  # the stamp of `all` is not the stamp of `slides`
    slow = normal_path(options, ["slides"])
    fast = rebuild(options, ["slides"])
    assert fast.stamped
    same_report(fast, slow)
    assert fast.cached == [("slides", "vi"), ("slides", "en")]
    assert not rebuild(options).stamped  # and the other way round
    _edit(project["templates"] / "slides" / "outline.md.jinja", "\n", "\n{# edited #}\n")
    assert not rebuild(options, ["slides"]).stamped


def test_the_stamp_lists_every_file_the_build_read_outside_the_template_path(project):
    recorded = json.loads((workspace_dir(project["out"]) / "stamp.json").read_text(encoding="utf-8"))
    assert recorded["files"] == sorted([str(project["dir"] / "facts.yaml"), str(project["dir"] / "previous.yaml"),
                                        str(project["templates"] / "brand.yaml")])
    manifest = json.loads((project["out"] / "manifest.json").read_text(encoding="utf-8"))
    assert set(recorded["out"]) == {"manifest.json", *manifest["files"]}


# ------------------------------------------------------------------- for real, as users run it

HEAVY = {"pydantic", "jinja2", "babel", "yaml", "weasyprint", "docx", "docxtpl", "pptx", "pypdf", "fontTools"}


@pytest.mark.slow
def test_a_real_no_op_imports_nothing_heavy_and_touches_nothing(tmp_path):
    out = tmp_path / "out"
    args = ["all", "--facts", str(root("editions") / "facts.yaml"), "--out", str(out)]

    def run():
        code = PROBE.format(args=args, heavy=HEAVY)
        result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                                timeout=600, env={**os.environ, "PYTHONPATH": str(REPO)})
        marker = [line for line in result.stdout.splitlines() if line.startswith("@@")]
        assert marker, result.stdout + result.stderr
        exit_code, imported = json.loads(marker[-1][2:])
        assert exit_code in (0, None), result.stderr
        return result, imported

    run()  # the first build
    (workspace_dir(out) / "stamp.json").unlink()
    slow, imported = run()  # a no-op rebuild down the normal path: it stamps again
    assert "pydantic" in imported
    before = state(out, workspace_dir(out))
    fast, imported = run()
    assert imported == []
    assert state(out, workspace_dir(out)) == before
    elapsed = re.compile(r"\[\d+\.\d s\]|^@@.*$", re.M)  # the clock, and the probe's own line
    assert elapsed.sub("", fast.stdout) == elapsed.sub("", slow.stdout)
    assert elapsed.sub("", fast.stderr) == elapsed.sub("", slow.stderr)
    assert "nothing written (verified)" in fast.stdout


AUDIT = """
import json, os, sys
opened = set()

def hook(event, args):
    if event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path = os.fsdecode(args[0])
        if os.path.isabs(path) or os.path.exists(path):  # not a name relative to a folder's descriptor (rmtree's)
            opened.add(os.path.abspath(path))

sys.addaudithook(hook)
from generator.commands.cli import main
try:
    main({args!r})
except SystemExit as exit:
    assert not exit.code, exit.code
print("@@" + json.dumps(sorted(opened)))
"""
#: What a build may open besides its inputs: Python and the libraries, the system's fonts, time
#: zones and MIME types (all part of the environment digest or read by libraries as data), the
#: user's cache of compiled templates and font coverage, its own temporary files.
SYSTEM = ("/proc/", "/dev/", "/sys/", "/etc/mime.types", "/usr/share/zoneinfo/", "/etc/localtime",
          "/usr/share/fonts/", "/etc/fonts/", "/usr/local/share/fonts/")


@pytest.mark.slow
def test_every_file_a_build_opens_is_an_input_the_stamp_covers(tmp_path):
    """Run a real build in one process with an audit hook on every file opened: each one must be
    on the template path, in the stamp's list of files, OUT or the build folder, or the
    environment (code, libraries, fonts). A new kind of input that the stamp does not cover fails here."""
    import tempfile

    from generator import PACKAGE_DIR

    facts = tmp_path / "project" / "facts.yaml"
    facts.parent.mkdir()
    for name in ("facts.yaml", "previous.yaml"):
        shutil.copy(root("editions") / name, facts.parent / name)
    out = tmp_path / "project" / "out"
    args = ["all", "--facts", str(facts), "--out", str(out), "--jobs", "1", "--no-cache"]
    result = subprocess.run([sys.executable, "-c", AUDIT.format(args=args)], cwd=facts.parent, capture_output=True,
                            text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(REPO)})
    marker = [line for line in result.stdout.splitlines() if line.startswith("@@")]
    assert marker, result.stdout + result.stderr
    recorded = json.loads((workspace_dir(out) / "stamp.json").read_text(encoding="utf-8"))
    user_cache = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "generate")
    covered = [str(BUNDLED_TEMPLATES) + "/", str(out) + "/", str(workspace_dir(out)) + "/", str(PACKAGE_DIR) + "/",
               *(prefix + "/" for prefix in {sys.prefix, sys.base_prefix, sys.exec_prefix}), user_cache + "/",
               *SYSTEM]
    temporary = Path(tempfile.gettempdir())

    def own_temporary(path: Path) -> bool:  # tempfile's folders (the verification's among them), its probes
        return path == temporary or path.parent == temporary or path.is_relative_to(temporary) and \
            path.relative_to(temporary).parts[0].startswith(("tmp", "generate-"))

    strays = [path for path in json.loads(marker[-1][2:])
              if path not in recorded["files"] and not path.startswith(tuple(covered))
              and not own_temporary(Path(path))]
    assert strays == []
