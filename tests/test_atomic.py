"""Nothing lost: a failed, interrupted or killed build leaves the previous OUT exactly as it was,
and two builds on one OUT never mix (the second is told to wait).

Faults are injected at every stage: a renderer raising midway (a clear error, an unexpected
exception, Ctrl-C), the download page, the verification, a full disk while staging, a failed
rename while swapping, and SIGKILL of a real `generate all` process while it renders and while
it publishes. What it tries: docs/reliability.md; the counts of 2026-11-22: docs/performance.md
("Reliability trials").
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from generator.pipeline.build import BuildOptions, build_all
from generator.errors import GenerateError, RenderError
from generator.output.workspace import workspace_dir
from generator.output.writer import output_lock, publish_changes, read_manifest
from generator.renderers import registry
from tests.conftest import MINIMAL, REPO
from tests.helpers import minimal_facts, synthetic
PYTHON = sys.executable


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` (relative path -> bytes)."""
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def leftovers(out: Path) -> list[str]:
    """Staging or retired trees a build left in its folder beside OUT, and anything else beside OUT
    that is not OUT or that folder."""
    space = workspace_dir(out)
    beside = [p.name for p in out.parent.iterdir() if p.name not in (out.name, space.name, "changed.yaml", "hooks")]
    inside = [p.name for p in space.iterdir() if p.name.startswith(("staging-", "previous-"))] if space.is_dir() else []
    return sorted(beside + inside)


@pytest.fixture(scope="module")
def published(built) -> Path:
    """A good, verified OUT built from the minimal fixture (copied by each test)."""
    return built("minimal")


@pytest.fixture
def out(published, tmp_path) -> Path:
    """A private copy of the published OUT; the test must leave it byte for byte as it is."""
    copy = tmp_path / "out"
    shutil.copytree(published, copy)
    return copy


def other_facts(tmp_path: Path) -> Path:
    """The minimal fixture with a different title: a build of it would change every file."""
    return minimal_facts(tmp_path, lambda data: data["document"]["title"].update(en="A Changed Convention"),
                         name="changed.yaml")


def assert_untouched(out: Path, before: dict[str, bytes]) -> None:
    assert snapshot(out) == before
    assert leftovers(out) == []
    with output_lock(out):  # released: a next build could start at once
        pass


# --- made-up documents: the writer and the build's fault handling, nothing rendered -------------
#
# What is under test here is what happens around the documents (staging, checking, swapping,
# the lock, an exception from a renderer), not the documents: they are a few bytes each, so
# these tests take milliseconds. The tests below with real processes render for real.

def synthetic_outputs(title: str) -> list:
    """A whole build's documents (every kind, both languages), made up: nobody opens them."""
    return [synthetic(kind, lang, f"{lang}/facts-{kind}.{fmt}", fmt, title)
            for kind, declaration in registry().items() for lang in ("vi", "en") for fmt in declaration.formats]


def download_page(staging: Path, documents: list[dict]) -> dict[str, bytes]:
    """Stands in for the download page: one more file computed from the final document list."""
    return {"index.html": "".join(f'<a href="{d["path"]}">{d["title"]}</a>\n' for d in documents).encode()}


@pytest.fixture(scope="module")
def loaded():
    from generator.facts.load import load_facts

    return load_facts(MINIMAL)


@pytest.fixture
def written(loaded, tmp_path) -> Path:
    """An OUT the writer published from made-up documents: the previous build."""
    out = tmp_path / "out"
    publish_changes(out, synthetic_outputs("First edition"), loaded, extra_files=download_page)
    return out


def publish_next(out: Path, loaded, *, extra_files=download_page, check=None) -> None:
    """Publish the next build's made-up documents over OUT, as `generate all` does (every file replaced)."""
    publish_changes(out, synthetic_outputs("Second edition"), loaded, replace_all=True, extra_files=extra_files,
                    check=check)


def test_the_writer_publishes_made_up_documents_with_their_manifest(written):
    """What the tests below start from: the writer's OUT, complete, with nothing left beside it."""
    assert_complete(written)
    assert sorted(snapshot(written)) == sorted([o.path for o in synthetic_outputs("x")] + ["index.html", "manifest.json"])
    assert leftovers(written) == []


class Midway(Exception):
    """An unexpected failure inside a renderer (a bug, not a user's mistake)."""


FAULTS = {
    "render-error": lambda: RenderError("the slide deck could not be laid out"),
    "unexpected-exception": lambda: Midway("renderer bug"),
    "memory-error": lambda: MemoryError(),
    "ctrl-c": lambda: KeyboardInterrupt(),
}


@pytest.mark.parametrize("kind", ["brief", "handout", "slides"])
@pytest.mark.parametrize("fault", FAULTS)
def test_a_renderer_failing_after_its_first_document_changes_nothing(kind, fault, written, synthetic_rendering,
                                                                    tmp_path, monkeypatch):
    from generator.renderers import get_renderer

    renderer_type = type(get_renderer(kind))
    made_up = renderer_type.render
    calls = []

    def render_then_fail(self, job):
        calls.append(job.lang)
        if len(calls) == 2:  # the first language rendered fine, the second fails
            raise FAULTS[fault]()
        return made_up(self, job)

    monkeypatch.setattr(renderer_type, "render", render_then_fail)
    before = snapshot(written)
    expected = (GenerateError, Midway, MemoryError, KeyboardInterrupt)
    with pytest.raises(expected):
        build_all(BuildOptions(facts=other_facts(tmp_path), out=written, jobs=1, use_cache=False))
    assert calls == ["vi", "en"]
    assert_untouched(written, before)


@pytest.mark.parametrize("stage", ["download-page", "verification", "manifest"])
def test_a_failure_while_publishing_changes_nothing(stage, written, loaded, monkeypatch):
    import generator.output.writer

    def fail(*args, **kwargs):
        raise GenerateError(f"injected failure in the {stage}")

    steps = {"extra_files": download_page, "check": None}
    if stage == "download-page":
        steps["extra_files"] = fail
    elif stage == "verification":
        steps["check"] = fail
    else:
        monkeypatch.setattr(generator.output.writer, "manifest_bytes", fail)
    before = snapshot(written)
    with pytest.raises(GenerateError, match=f"injected failure in the {stage}"):
        publish_next(written, loaded, **steps)
    assert_untouched(written, before)


@pytest.mark.slow
def test_a_real_build_that_fails_verification_changes_nothing(out, tmp_path, monkeypatch):
    """End to end, with real documents: `generate all`'s verification of the staged tree fails."""
    import generator.output.verify

    def fail(*args, **kwargs):
        raise GenerateError("injected failure in the verification")

    monkeypatch.setattr(generator.output.verify, "verify_output", fail)
    before = snapshot(out)
    with pytest.raises(GenerateError, match="injected failure in the verification"):
        build_all(BuildOptions(facts=other_facts(tmp_path), out=out, jobs=1, use_cache=False))
    assert_untouched(out, before)


@pytest.mark.parametrize("failing_write", [1, 4, 9])
def test_a_full_disk_while_staging_is_one_clear_error_and_changes_nothing(failing_write, written, loaded, monkeypatch):
    real_write_bytes = Path.write_bytes
    writes = []

    def write_bytes(self, data):
        if "/staging-" in str(self):
            writes.append(self.name)
            if len(writes) == failing_write:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write_bytes(self, data)

    monkeypatch.setattr(Path, "write_bytes", write_bytes)
    before = snapshot(written)
    with pytest.raises(GenerateError) as caught:
        publish_next(written, loaded)
    assert caught.value.format_message() == f"cannot write to {written}: {os.strerror(errno.ENOSPC)}"  # the system's words
    assert len(writes) == failing_write
    monkeypatch.undo()
    assert_untouched(written, before)


def test_a_failed_swap_puts_the_previous_output_back(written, loaded, monkeypatch):
    """Fallback swap (no atomic exchange): the rename of the staged tree onto OUT fails and the
    retired previous OUT is renamed back."""
    import generator.output.writer as writer

    monkeypatch.setattr(writer, "_exchange", lambda first, second: False)
    real_rename = os.rename
    renames = []

    def rename(source, target):
        renames.append((Path(source).name, Path(target).name))
        if "/staging-" in str(source):
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
        return real_rename(source, target)

    monkeypatch.setattr(os, "rename", rename)
    before = snapshot(written)
    with pytest.raises(GenerateError, match="cannot write to"):
        publish_next(written, loaded)
    monkeypatch.undo()
    assert [target for _, target in renames][-1] == "out"  # the last rename put OUT back
    assert_untouched(written, before)


def test_a_failed_exchange_leaves_the_previous_output(written, loaded, monkeypatch):
    import generator.output.writer as writer

    def exchange(first, second):
        raise OSError(errno.EIO, os.strerror(errno.EIO), str(second))

    monkeypatch.setattr(writer, "_exchange", exchange)
    before = snapshot(written)
    with pytest.raises(GenerateError, match=f"cannot write to {written}: Input/output error"):
        publish_next(written, loaded)
    monkeypatch.undo()
    assert_untouched(written, before)


def test_readers_always_find_a_complete_out_during_the_swap(written, loaded, monkeypatch):
    """OUT is exchanged with the staged tree in one step (renameat2): no moment without an OUT."""
    import generator.output.writer as writer

    real_rename, real_exchange = os.rename, writer._exchange
    seen = []

    def rename(source, target):
        result = real_rename(source, target)
        seen.append(("rename", read_manifest(written) is not None))  # what a reader finds right after each step
        return result

    def exchange(first, second):
        result = real_exchange(first, second)
        seen.append(("exchange", read_manifest(written) is not None))
        return result

    monkeypatch.setattr(os, "rename", rename)
    monkeypatch.setattr(writer, "_exchange", exchange)
    publish_next(written, loaded)
    monkeypatch.undo()
    assert seen == [("exchange", True)]
    assert_complete(written)
    assert b"Second edition" in (written / "en" / "facts-brief.pdf").read_bytes()


def test_a_build_killed_between_the_fallback_renames_is_repaired_by_the_next(written, loaded, monkeypatch):
    """Where the system cannot exchange directories, OUT is moved aside, then replaced; a crash in
    between leaves no OUT, and the next build puts the previous one back before anything else."""
    import generator.output.writer as writer

    before = snapshot(written)
    real_rename = os.rename

    def crash_after_moving_out_aside(source, target):
        real_rename(source, target)
        if "/previous-" in str(target):
            raise KeyboardInterrupt  # the process dies here

    monkeypatch.setattr(writer, "_exchange", lambda first, second: False)
    monkeypatch.setattr(os, "rename", crash_after_moving_out_aside)
    with pytest.raises(KeyboardInterrupt):
        publish_next(written, loaded)
    monkeypatch.undo()
    assert not written.exists() and any(name.startswith("previous-") for name in leftovers(written))
    writer.recover(written)  # what the next build does first, with the lock held
    assert snapshot(written) == before
    assert leftovers(written) == []


def test_a_second_build_while_one_publishes_is_told_to_wait(written, synthetic_rendering, tmp_path):
    from click.testing import CliRunner

    from generator.commands.cli import main

    before = snapshot(written)
    with output_lock(written):  # another build is publishing
        result = CliRunner().invoke(main, ["all", "--facts", str(other_facts(tmp_path)), "--out", str(written),
                                           "--jobs", "1"], catch_exceptions=False)
    assert synthetic_rendering  # it got as far as rendering: the lock is taken to publish
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == (f"error: another build is writing to {written} (pid {os.getpid()}); "
                                              "wait for it to finish and run the command again")
    assert_untouched(written, before)


# --- real processes: SIGKILL, and two builds at once ------------------------------------------

def generate(*args: str, **kwargs) -> subprocess.Popen:
    """``python -m generator ARGS`` in its own process group (its render workers die with it)."""
    return subprocess.Popen([PYTHON, "-m", "generator", *args], cwd=REPO, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, **kwargs)


def kill_group(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)  # the group this test started, by its id
    process.wait(30)


@pytest.mark.slow
def test_kill_minus_nine_while_rendering_changes_nothing_and_the_next_build_works(out, tmp_path):
    before = snapshot(out)
    process = generate("all", "--facts", str(other_facts(tmp_path)), "--out", str(out))
    first = process.stderr.readline()  # "rendering brief (vi)… [0.0 s]", then "[1/6] brief (vi): rendered in …"
    while first.startswith("rendering "):
        first = process.stderr.readline()
    assert first.startswith("[1/"), first  # mid-render: one document done, others still rendering
    kill_group(process)
    assert process.returncode == -signal.SIGKILL
    assert_untouched(out, before)
    # The killed build held the lock and filled part of the cache: neither may get in the way.
    result = subprocess.run([PYTHON, "-m", "generator", "all", "--facts", str(other_facts(tmp_path)), "--out", str(out)],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert snapshot(out) != before and "A Changed Convention" in (out / "en.html").read_text(encoding="utf-8")
    assert subprocess.run([PYTHON, "-m", "generator", "verify", str(out), "--facts", str(other_facts(tmp_path))],
                          cwd=REPO, capture_output=True, timeout=300).returncode == 0


def killing_at(tmp_path: Path, code: str) -> dict:
    """Environment whose ``sitecustomize`` runs ``code`` in the build process (fault injection)."""
    hooks = tmp_path / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "sitecustomize.py").write_text(textwrap.dedent(code), encoding="utf-8")
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(hooks), str(REPO)])}


KILL_WHILE_STAGING = """
    import os, signal, pathlib
    _write_bytes = pathlib.Path.write_bytes
    def write_bytes(self, data, _count=[0]):
        if "/staging-" in str(self):
            _count[0] += 1
            if _count[0] == 3:
                os.kill(os.getpid(), signal.SIGKILL)
        return _write_bytes(self, data)
    pathlib.Path.write_bytes = write_bytes
"""

KILL_INSIDE_THE_SWAP = """
    import os, shutil, signal
    _rmtree = shutil.rmtree
    def rmtree(path, *args, **kwargs):
        if "/staging-" in str(path):  # the trees were just exchanged; the old one is not removed yet
            os.kill(os.getpid(), signal.SIGKILL)
        return _rmtree(path, *args, **kwargs)
    shutil.rmtree = rmtree
"""


@pytest.mark.slow
def test_kill_minus_nine_while_staging_changes_nothing(out, tmp_path):
    before = snapshot(out)
    result = subprocess.run([PYTHON, "-m", "generator", "all", "--facts", str(other_facts(tmp_path)), "--out", str(out),
                             "--jobs", "1"], cwd=REPO, capture_output=True, text=True, timeout=300,
                            env=killing_at(tmp_path, KILL_WHILE_STAGING))
    assert result.returncode == -signal.SIGKILL
    assert snapshot(out) == before


@pytest.mark.slow
def test_kill_minus_nine_inside_the_swap_keeps_an_out(out, tmp_path):
    result = subprocess.run([PYTHON, "-m", "generator", "all", "--facts", str(other_facts(tmp_path)), "--out", str(out),
                             "--jobs", "1"], cwd=REPO, capture_output=True, text=True, timeout=300,
                            env=killing_at(tmp_path, KILL_INSIDE_THE_SWAP))
    assert result.returncode == -signal.SIGKILL
    assert_complete(out)  # the previous build or the new one, whole


def assert_complete(out: Path) -> None:
    """OUT has a manifest and every document it lists, with the listed digest."""
    import hashlib

    manifest = read_manifest(out)
    assert manifest is not None, "no OUT (or no manifest in it)"
    for document in manifest["documents"]:
        assert hashlib.sha256((out / document["path"]).read_bytes()).hexdigest() == document["sha256"]


@pytest.mark.slow
def test_the_next_build_clears_what_a_killed_build_left(out, tmp_path):
    subprocess.run([PYTHON, "-m", "generator", "all", "--facts", str(other_facts(tmp_path)), "--out", str(out),
                    "--jobs", "1"], cwd=REPO, capture_output=True, timeout=300, env=killing_at(tmp_path, KILL_WHILE_STAGING))
    assert leftovers(out)  # the killed build's staging directory
    subprocess.run([PYTHON, "-m", "generator", "all", "--facts", str(MINIMAL), "--out", str(out)],
                   cwd=REPO, capture_output=True, timeout=300, check=True)
    assert leftovers(out) == []


LOCK_MESSAGE = "error: another build is writing to {out} (pid {pid}); wait for it to finish and run the command again"


@pytest.mark.slow
@pytest.mark.parametrize("round_", range(2))
def test_two_builds_started_at_once_never_mix(round_, out, tmp_path):
    """Two `generate all` on one OUT, different facts: each finishes or is told to wait; OUT is
    then one complete build (verified), never parts of both."""
    facts = [MINIMAL, other_facts(tmp_path)]
    processes = [generate("all", "--facts", str(f), "--out", str(out), "--no-cache") for f in facts]
    results = [(p.wait(300), p.stdout.read(), p.stderr.read()) for p in processes]
    succeeded = [i for i, (code, _, _) in enumerate(results) if code == 0]
    assert succeeded, results
    for index, (code, _, stderr) in enumerate(results):
        if code != 0:
            other = processes[1 - index].pid
            assert code == 1 and stderr.splitlines()[-1] == LOCK_MESSAGE.format(out=out, pid=other), stderr
    manifest = read_manifest(out)
    winner = [f for f in facts if manifest["facts"]["sha256"] == __import__("hashlib").sha256(f.read_bytes()).hexdigest()]
    assert len(winner) == 1
    verify = subprocess.run([PYTHON, "-m", "generator", "verify", str(out), "--facts", str(winner[0])],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert verify.returncode == 0, verify.stderr
    assert leftovers(out) == []
