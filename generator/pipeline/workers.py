"""Rendering documents one (kind, language) at a time, in this process or in worker processes.

Documents are independent, so ``generate all`` renders them in a pool of processes
(``--jobs``). The renderers and their heavy libraries (WeasyPrint, python-docx, python-pptx)
are imported once, before the first document: by this process before it forks the workers,
which inherit them (by each worker where processes are not forked); each worker gets the
loaded facts once, not per document. The documents whose libraries the first document does
not use (the Word and PowerPoint files beside the PDFs) render ahead, in one more process
forked before this one imports the PDFs' libraries, which imports its own meanwhile. Every
rendering records what it read (see :mod:`generator.pipeline.recording`) so that the build
cache can tell when to render it again.
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
    context = multiprocessing.get_context(start_method())
    first, early = tasks, []
    ahead: _Ahead | None = None
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["generator.pipeline.workers", *_heavy_modules(_kinds(tasks))])
    elif context.get_start_method() == "fork":
        setup.build.environment()  # compiled templates then serve every worker
        first, early = _by_libraries(tasks)
        if early:
            # The documents that need none of the first document's libraries (the Office files
            # beside the PDFs) start at once, in a process of their own that imports its own
            # libraries, while this process imports the PDFs' (WeasyPrint, 0.6 s): the second
            # CPU works from the start rather than waiting for the whole import.
            ahead = _Ahead(context, setup, early)
        # Imported once here, inherited by every worker: each import costs the same CPU time
        # (about 1.5 s for WeasyPrint, fontTools, python-docx and python-pptx), and the workers
        # would otherwise import in parallel but all of them, for no shorter a wait.
        try:
            _prepare(setup, _kinds(first))
        except BaseException:  # Ctrl-C during the import, say: the ahead process must not go on alone
            if ahead is not None:
                ahead.stop()
            raise
        # Objects made so far are the workers' too: out of the collector's sight, its passes
        # in the workers skip them and leave their memory shared (about 0.4 s less CPU per
        # worker, and 4,000 fewer copied pages). Python's gc.freeze documents this use.
        gc.freeze()
    futures: dict[Future, Task] = {}
    workers = min(workers, len(first))
    executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                                   initargs=(setup, _kinds(first)))
    try:
        try:
            futures = {executor.submit(_render_in_worker, task): task for task in first}
        finally:
            gc.unfreeze()  # the workers are forked by now: this process collects as before
        if ahead is not None:
            ahead.listen()  # a thread: started only now that every process is forked
            futures.update(ahead.futures)
        # Workers take tasks in submission order, one each; as one finishes, the next task starts.
        queues = [list(first)] + ([list(early)] if ahead is not None else [])
        for queue, count in zip(queues, (workers, 1)):
            for _ in range(count):
                if started and queue:
                    started(queue.pop(0))
        pending = set(futures)
        while pending:
            # Each document as it finishes, so that progress is reported as it happens.
            finished, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: futures[f]):
                if future.cancelled() or future.exception() is not None:
                    continue
                if done:
                    done(future.result())
                queue = queues[0] if futures[future] in first else queues[-1]
                if started and queue:
                    started(queue.pop(0))
            if any(not f.cancelled() and f.exception() is not None for f in finished):
                for future in pending:
                    future.cancel()
                if ahead is not None:
                    ahead.stop()
                wait(pending)
                break
    except BaseException:
        executor.shutdown(wait=True, cancel_futures=True)
        if ahead is not None:
            ahead.stop()
        raise
    executor.shutdown(wait=True)
    if ahead is not None:
        ahead.stop()
    order = {task: index for index, task in enumerate(tasks)}
    in_order = sorted(futures, key=lambda f: order[futures[f]])
    failed = [f for f in in_order if f.done() and not f.cancelled() and f.exception() is not None]
    if failed:
        error = failed[0].exception()
        if isinstance(error, BrokenProcessPool):
            raise RenderError("a rendering process stopped unexpectedly (out of memory?); "
                              "run again with --jobs 1 to render in one process") from None
        raise error
    return [future.result() for future in in_order]


def _kinds(tasks: list[Task]) -> list[str]:
    """The kinds of ``tasks``, sorted: what a process imports before rendering them."""
    return sorted({task.kind for task in tasks})


def _by_libraries(tasks: list[Task]) -> tuple[list[Task], list[Task]]:
    """``tasks`` in two lists, each in the given order: those whose kind shares a heavy library
    with the first task's kind (or needs none), and those that need only other libraries."""
    libraries = set(renderer_type(tasks[0].kind).heavy_imports)

    def shares(task: Task) -> bool:
        needs = set(renderer_type(task.kind).heavy_imports)
        return not needs or bool(needs & libraries)

    return [t for t in tasks if shares(t)], [t for t in tasks if not shares(t)]


class _Ahead:
    """One forked process that renders ``tasks`` in order, started before this process imports
    the other documents' libraries; its results arrive as futures, like the pool's.

    A plain process and a pipe, not a second pool: a pool starts a thread in this process, and
    the pool forked after it must not copy a process with threads. The thread that hands the
    results to the futures starts in :meth:`listen`, once every process is forked.
    """

    def __init__(self, context, setup: RenderSetup, tasks: list[Task]) -> None:
        self.futures: dict[Future, Task] = {Future(): task for task in tasks}
        self._results, sender = context.Pipe(duplex=False)
        gc.freeze()  # as for the pool's workers: what is shared stays shared
        try:
            self._process = context.Process(target=_render_ahead, args=(setup, tasks, sender), daemon=True,
                                            name="generate-ahead")
            self._process.start()
        finally:
            gc.unfreeze()
        sender.close()
        self._listener: threading.Thread | None = None
        self._complete = threading.Event()  # set once no more results will come

    def listen(self) -> None:
        self._listener = threading.Thread(target=self._receive, name="generate-ahead-results", daemon=True)
        self._listener.start()

    def _receive(self) -> None:
        waiting = list(self.futures)
        try:
            while waiting:
                rendered, value = self._results.recv()
                future = waiting.pop(0)
                if future.set_running_or_notify_cancel():
                    future.set_result(value) if rendered else future.set_exception(value)
                if not rendered:
                    break
        except (EOFError, OSError):  # the process stopped without a word: as a pool's broken process
            broken = BrokenProcessPool("the rendering process stopped unexpectedly")
            for future in waiting:
                if future.set_running_or_notify_cancel():
                    future.set_exception(broken)
            waiting = []
        self._complete.set()
        for future in waiting:  # after a failure the process renders nothing more
            future.cancel()
            future.set_running_or_notify_cancel()  # what tells wait() that a cancelled future is done

    def stop(self) -> None:
        """End the process (at once if it still renders: the build has failed) and the listener."""
        if not self._complete.is_set():
            self._process.terminate()
        self._process.join()
        if self._listener is not None:
            self._listener.join()  # the process has ended: its pipe gives the listener an end
        self._results.close()


def _render_ahead(setup: RenderSetup, tasks: list[Task], results) -> None:
    """The ahead process: import what ``tasks`` need, then render them in order, sending each result."""
    _start_worker(setup, _kinds(tasks))
    for task in tasks:
        try:
            outcome = (True, render_one(setup, task))
        except GenerateError as error:
            outcome = (False, _portable(error))
        except Exception as error:  # a bug: reported as the pool reports one
            outcome = (False, error if _picklable(error) else RenderError(f"{type(error).__name__}: {error}"))
        results.send(outcome)
        if not outcome[0]:
            break
    results.close()


def _picklable(error: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(error))
        return True
    except Exception:
        return False


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
    return error if _picklable(error) else GenerateError(error.format_message())


def default_jobs() -> int:
    """One rendering process per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
