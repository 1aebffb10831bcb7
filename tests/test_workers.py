"""Rendering in worker processes: the Office documents start ahead, in a process of their own
forked before this one imports WeasyPrint, and everything else behaves as in one pool."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import generator.pipeline.workers as workers
from generator.errors import GenerateError, RenderError
from generator.pipeline.build import BuildOptions, build
from generator.pipeline.workers import Task, _by_libraries
from generator.templating.paths import BUNDLED_TEMPLATES
from tests.conftest import MINIMAL, REPO

needs_fork = pytest.mark.skipif(workers.start_method() != "fork", reason="the ahead process is forked")
EVERY = [Task(kind, lang) for kind in ("brief", "card", "handout", "slides") for lang in ("vi", "en")]


def test_tasks_split_by_the_libraries_the_first_one_needs():
    first, early = _by_libraries(EVERY)
    assert first == [t for t in EVERY if t.kind in ("brief", "card")]
    assert early == [t for t in EVERY if t.kind in ("handout", "slides")]
    slides = [Task("slides", "vi"), Task("slides", "en")]
    assert _by_libraries(slides) == (slides, [])
    office = [Task("handout", "vi"), Task("slides", "vi")]
    assert _by_libraries(office) == ([Task("handout", "vi")], [Task("slides", "vi")])


WHERE_RENDERED = """
import json, os, sys
from pathlib import Path
import generator.pipeline.workers as workers
from generator.pipeline.build import BuildOptions, build

log, out = Path(sys.argv[1]), Path(sys.argv[2])
render_one = workers.render_one

def recorded(setup, task):  # forked processes inherit it
    with log.open("a", encoding="utf-8") as file:
        file.write(json.dumps({"kind": task.kind, "lang": task.lang, "pid": os.getpid(),
                               "weasyprint": "weasyprint" in sys.modules}) + "\\n")
    return render_one(setup, task)

workers.render_one = recorded
build(["card", "slides", "handout"], BuildOptions(facts=Path(sys.argv[3]), out=out, jobs=2, use_cache=False))
print("@@", os.getpid())
"""


@needs_fork
def test_office_documents_render_ahead_before_weasyprint_is_imported(tmp_path):
    # A fresh interpreter: in this one, earlier tests may have imported WeasyPrint already.
    log, out = tmp_path / "where.jsonl", tmp_path / "out"
    result = subprocess.run([sys.executable, "-c", WHERE_RENDERED, str(log), str(out), str(MINIMAL)], cwd=REPO,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    parent = int(result.stdout.split("@@")[-1])
    where = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    office = {r["pid"] for r in where if r["kind"] != "card"}
    cards = {r["pid"] for r in where if r["kind"] == "card"}
    assert len(office) == 1 and not office & cards and parent not in office | cards
    assert all(r["weasyprint"] == (r["kind"] == "card") for r in where), where
    assert sorted((r["kind"], r["lang"]) for r in where if r["kind"] != "card") == [
        ("handout", "en"), ("handout", "vi"), ("slides", "en"), ("slides", "vi")]
    assert {p.name for p in (out / "vi").iterdir()} == {
        "facts-card.pdf", "facts-slides.pptx", "facts-slides.md", "facts-handout.docx"}


@needs_fork
def test_output_is_the_same_with_the_ahead_process(tmp_path):
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    build(["card", "slides"], BuildOptions(facts=MINIMAL, out=serial, jobs=1, use_cache=False))
    build(["card", "slides"], BuildOptions(facts=MINIMAL, out=parallel, jobs=2, use_cache=False))
    files = sorted(p.relative_to(serial) for p in serial.rglob("*") if p.is_file())
    assert files and files == sorted(p.relative_to(parallel) for p in parallel.rglob("*") if p.is_file())
    assert all((serial / f).read_bytes() == (parallel / f).read_bytes() for f in files)


@needs_fork
def test_an_error_in_an_ahead_document_is_the_same_one_line_error(tmp_path):
    templates = tmp_path / "templates"
    (templates / "slides").mkdir(parents=True)
    outline = (BUNDLED_TEMPLATES / "slides" / "outline.md.jinja").read_text(encoding="utf-8")
    (templates / "slides" / "outline.md.jinja").write_text("{{ facts.no_such_field }}\n" + outline, encoding="utf-8")
    messages = {}
    for jobs in (1, 2):
        with pytest.raises(GenerateError) as raised:
            build(["card", "slides"], BuildOptions(facts=MINIMAL, templates=templates, out=tmp_path / f"out{jobs}",
                                                   jobs=jobs, use_cache=False))
        messages[jobs] = raised.value.format_message()
        assert not (tmp_path / f"out{jobs}").exists()
    assert messages[1] == messages[2]
    assert "outline.md.jinja:1: undefined name:" in messages[2] and "no_such_field" in messages[2]


@needs_fork
def test_an_ahead_process_that_dies_is_reported_in_one_line(tmp_path, monkeypatch, synthetic_rendering):
    render_one = workers.render_one

    def dying(setup, task):
        if task.kind == "slides":
            os._exit(9)  # as if killed (out of memory, say)
        return render_one(setup, task)

    monkeypatch.setattr(workers, "render_one", dying)
    with pytest.raises(RenderError, match="a rendering process stopped unexpectedly"):
        build(["card", "slides"], BuildOptions(facts=MINIMAL, out=tmp_path / "out", jobs=2, use_cache=False))
    assert not (tmp_path / "out").exists()


@needs_fork
def test_a_failure_elsewhere_stops_the_ahead_process(tmp_path, monkeypatch, synthetic_rendering):
    pids = tmp_path / "ahead.pid"
    render_one = workers.render_one

    def slow_slides(setup, task):
        if task.kind == "slides":
            pids.write_text(str(os.getpid()), encoding="utf-8")
            import time

            time.sleep(600)  # stopped by the parent long before
        if task.kind == "card":
            while not pids.exists():  # fail only once the ahead process is rendering
                pass
            raise RenderError("card: made to fail")
        return render_one(setup, task)

    monkeypatch.setattr(workers, "render_one", slow_slides)
    with pytest.raises(RenderError, match="card: made to fail"):
        build(["card", "slides"], BuildOptions(facts=MINIMAL, out=tmp_path / "out", jobs=2, use_cache=False))
    with pytest.raises(ProcessLookupError):  # stopped and reaped, not left rendering
        os.kill(int(pids.read_text(encoding="utf-8")), 0)
