"""Rendering documents one (kind, language) at a time, in this process or in worker processes.

Documents are independent, so ``generate all`` renders them in a pool of processes
(``--jobs``). The renderers and their heavy libraries (WeasyPrint, python-docx, python-pptx)
are imported once, before the first document: by this process before it forks the workers,
which inherit them (by each worker where processes are not forked); each worker gets the
loaded facts once, not per document. Every rendering records what it read (see
:mod:`generator.pipeline.recording`) so that the build cache can tell when to render it again.
"""

from __future__ import annotations

import gc
import importlib
import multiprocessing
import os
import pickle
import signal
import tempfile
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable

from generator.pipeline.budget import TimeBudget
from generator.errors import GenerateError, RenderError
from generator.limits import DEFAULT_TIME_BUDGET
from generator.pipeline.recording import RecordedOptions, fact_dependencies, install_audit_hook, recording
from generator.renderers import Output, RenderJob, get_renderer, renderer_type

if TYPE_CHECKING:
    from generator.templating.build_context import BuildContext

@dataclass(frozen=True)
class RenderSetup:
    """What every document of a build shares; sent once to each worker."""

    build: "BuildContext"
    """The facts, templates, brand, options and labels, loaded once (see :mod:`generator.templating.build_context`)."""
    verify: bool = False
    """Also check each document's key facts where it was rendered (see :func:`verify_ahead`)."""
    time_budget: float | None = DEFAULT_TIME_BUDGET
    """Seconds one document may take to render (None or 0: no limit); see :mod:`generator.pipeline.budget`."""


@dataclass
class Rendered:
    """One rendered (kind, language) and what its rendering read."""

    kind: str
    lang: str
    outputs: list[Output]
    files: list[str]
    """Absolute paths of the template files it opened."""
    facts: dict[str, str]
    """Fact paths it read -> digests of their values (see :func:`generator.pipeline.recording.fact_dependencies`)."""
    options: dict[str, object]
    """The kind options it read, with their values (``pdf_variant`` for the brief, say)."""
    warnings: list[str]
    """The renderer's warnings (:meth:`generator.renderers.RenderJob.warn`), kept to be shown again when the
    document comes from the cache."""
    seconds: float
    verified: list[str] = field(default_factory=list)
    """Keys of the verification checks the documents passed (see :class:`generator.pipeline.cache.VerifiedMemo`)."""


@dataclass(frozen=True, order=True)
class Task:
    """One document to render: a kind in a language."""

    kind: str
    lang: str


Done = Callable[[Rendered], None]
"""Called in the parent as each document is ready."""
Started = Callable[[Task], None]
"""Called in the parent as each document starts rendering (in a pool: as a worker takes it)."""


def render_one(setup: RenderSetup, task: Task) -> Rendered:
    """Render one (kind, language) in this process, recording what it reads."""
    start = time.perf_counter()
    build = setup.build
    options = RecordedOptions(build.options)
    job = RenderJob(build, task.lang, options)
    renderer = get_renderer(task.kind)
    budget = TimeBudget(setup.time_budget, f"{task.kind} ({task.lang})", renderer.template)
    with recording(build.templates.dirs) as reads, budget:
        outputs = renderer.render(job)
    seconds = time.perf_counter() - start
    return Rendered(task.kind, task.lang, outputs, sorted(reads.files), fact_dependencies(build.facts, reads),
                    dict(sorted(options.read.items())), list(job.warnings), seconds,
                    verify_ahead(setup, outputs) if setup.verify else [])


def verify_ahead(setup: RenderSetup, outputs: list[Output]) -> list[str]:
    """Run ``generate verify``'s checks on freshly rendered documents, where they were rendered.

    Reading documents back costs a little; done here, in parallel, the build's
    final verification of the staged tree finds every result in its memo. A document that
    fails is simply not in the returned keys: the final verification reports it.
    """
    from generator.pipeline.cache import VerifiedMemo
    from generator.output.verify import verify_output
    from generator.output.writer import document_record, manifest_bytes

    memo = VerifiedMemo("", set())
    try:
        with tempfile.TemporaryDirectory(prefix="generate-verify-") as folder:
            root = Path(folder)
            for output in outputs:
                (root / output.path).parent.mkdir(parents=True, exist_ok=True)
                (root / output.path).write_bytes(output.data)
            (root / "manifest.json").write_bytes(manifest_bytes(setup.build.loaded,
                                                                [document_record(o) for o in outputs]))
            verify_output(root, setup.build, memo)
    except OSError:  # no room for a temporary copy, say: the final verification still checks everything
        return []
    return sorted(memo.used)


def render_all(setup: RenderSetup, tasks: list[Task], jobs: int, done: Done | None = None,
               started: Started | None = None) -> list[Rendered]:
    """Render ``tasks`` (slowest first, as given) with up to ``jobs`` processes; results in task order.

    With one job or one task everything runs in this process. A user error in any document
    (a broken template, say) is raised as the same :class:`GenerateError` either way; when
    several fail, the first in task order is reported.
    """
    if jobs <= 1 or len(tasks) <= 1:
        results = []
        for task in tasks:
            if started:
                started(task)
            results.append(render_one(setup, task))
            if done:
                done(results[-1])
        return results
    return _render_in_pool(setup, tasks, min(jobs, len(tasks)), done, started)


def _render_in_pool(setup: RenderSetup, tasks: list[Task], workers: int, done: Done | None,
                    started: Started | None = None) -> list[Rendered]:
    kinds = sorted({task.kind for task in tasks})
    context = multiprocessing.get_context(start_method())
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["generator.pipeline.workers", *_heavy_modules(kinds)])
    elif context.get_start_method() == "fork":
        # Imported once here, inherited by every worker: each import costs the same CPU time
        # (about 1.5 s for WeasyPrint, fontTools, python-docx and python-pptx), and the workers
        # would otherwise import in parallel but all of them, for no shorter a wait.
        _prepare(setup, kinds)
        # Objects made so far are the workers' too: out of the collector's sight, its passes
        # in the workers skip them and leave their memory shared (about 0.4 s less CPU per
        # worker, and 4,000 fewer copied pages). Python's gc.freeze documents this use.
        gc.freeze()
    futures: dict[Future, Task] = {}
    executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(setup, kinds))
    try:
        try:
            futures = {executor.submit(_render_in_worker, task): task for task in tasks}
        finally:
            gc.unfreeze()  # the workers are forked by now: this process collects as before
        # Workers take tasks in submission order, one each; as one finishes, the next task starts.
        waiting = list(tasks)
        for _ in range(workers):
            if started and waiting:
                started(waiting.pop(0))
        pending = set(futures)
        while pending:
            # Each document as it finishes, so that progress is reported as it happens.
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: futures[f]):
                if future.exception() is None and done:
                    done(future.result())
                if started and waiting and future.exception() is None:
                    started(waiting.pop(0))
            if any(f.exception() is not None for f in finished):
                for future in pending:
                    future.cancel()
                wait(pending)
                break
    except BaseException:
        executor.shutdown(wait=True, cancel_futures=True)
        raise
    executor.shutdown(wait=True)
    failed = [f for f in sorted(futures, key=lambda f: tasks.index(futures[f]))
              if f.done() and not f.cancelled() and f.exception() is not None]
    if failed:
        error = failed[0].exception()
        if isinstance(error, BrokenProcessPool):
            raise RenderError("a rendering process stopped unexpectedly (out of memory?); "
                              "run again with --jobs 1 to render in one process") from None
        raise error
    return [future.result() for future in futures]


def start_method() -> str:
    """``fork`` from a single-threaded process, else ``forkserver``.

    Forking is the quickest start (measured: about 2 s less than a fork server for the bundled
    documents on 2 CPUs, as the workers import the heavy libraries in parallel instead of a
    server importing them first), but a fork copies only the calling thread, so locks held
    by other threads would stay locked forever in the child: ``generate serve`` builds from
    a watcher thread while its HTTP server runs, and gets a fork server instead.
    """
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


def _heavy_modules(kinds: Iterable[str]) -> list[str]:
    return [module for kind in kinds for module in renderer_type(kind).heavy_imports]


_setup: RenderSetup | None = None


def _start_worker(setup: RenderSetup, kinds: list[str]) -> None:
    """Worker initializer: keep the build's shared data, import what rendering needs, leave Ctrl-C to the parent."""
    global _setup
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _setup = setup
    install_audit_hook()
    _prepare(setup, kinds)


def _prepare(setup: RenderSetup, kinds: list[str]) -> None:
    """Compile the templates and import what rendering ``kinds`` needs (a no-op where already done)."""
    setup.build.environment()  # compiled templates then serve every document of this worker
    for module in _heavy_modules(kinds):
        try:
            importlib.import_module(module)
        except ImportError:  # rendering will report it properly
            pass
    for kind in kinds:
        get_renderer(kind)


def _render_in_worker(task: Task) -> Rendered:
    assert _setup is not None, "worker not initialized"
    try:
        return render_one(_setup, task)
    except GenerateError as error:
        raise _portable(error) from None


def _portable(error: GenerateError) -> GenerateError:
    """The error itself if it survives pickling (the way back to the parent), else its message."""
    try:
        pickle.loads(pickle.dumps(error))
        return error
    except Exception:
        return GenerateError(error.format_message())


def default_jobs() -> int:
    """One rendering process per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
