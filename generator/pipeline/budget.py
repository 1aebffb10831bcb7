"""A time budget for rendering one document: past it, the rendering stops with one line.

Bounds in the sandbox (:mod:`generator.templating.sandbox`) stop any single expression from asking
for unbounded work; loops inside loops, or layout of an enormous page, can still take
hours. A timer thread interrupts the rendering thread when its budget is spent, by raising
:class:`OverBudget` in it (``PyThreadState_SetAsyncExc``): it works in the main thread,
in worker processes and in ``serve``'s watcher thread alike, where signals would not.
The exception arrives between two Python instructions; every single C-level operation a
template can start is bounded by the sandbox, so it arrives soon.
"""

from __future__ import annotations

import ctypes
import threading
import traceback
from types import TracebackType

from generator.errors import OverBudget, TemplateError


def _raise_in(thread_id: int, exception: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               ctypes.py_object(exception) if exception else None)


class TimeBudget:
    """``with TimeBudget(120, "brief (en)", "brief/brief.html.jinja"):`` — a :class:`TemplateError`
    naming the document and the template line that was running when the time ran out.

    ``seconds`` of None or 0 means no budget. ``left``: the time still allowed when part of the
    budget was spent elsewhere (another process linting the same kind); the message names ``seconds``.
    """

    def __init__(self, seconds: float | None, document: str, template: str, left: float | None = None) -> None:
        self.seconds = seconds
        self.left = seconds if left is None else left
        self.document = document
        self.template = template
        self._lock = threading.Lock()
        self._done = False
        self._fired = False
        self._timer: threading.Timer | None = None

    def __enter__(self) -> "TimeBudget":
        if self.seconds:
            thread_id = threading.get_ident()

            def expire() -> None:
                with self._lock:
                    if not self._done:
                        self._fired = True
                        _raise_in(thread_id, OverBudget)

            self._timer = threading.Timer(max(self.left, 0), expire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> bool:
        with self._lock:
            self._done = True
        if self._timer is not None:
            self._timer.cancel()
        if self._fired:
            _raise_in(threading.get_ident(), None)  # one still pending is dropped
        if kind is not None and issubclass(kind, OverBudget):
            raise TemplateError(self.message(trace)) from None
        return False

    def message(self, trace: TracebackType | None = None) -> str:
        from generator.templating.environment import _shown

        where = self.template
        # Jinja maps lines of its compiled code back to template lines only for the exceptions it
        # handles; OverBudget passes through it, so the innermost template frame is mapped here.
        for frame, line in traceback.walk_tb(trace):
            template = frame.f_globals.get("__jinja_template__")
            if template is not None and template.filename:
                where = f"{_shown(template.filename)}:{template.get_corresponding_lineno(line)}"
        return (f"{where}: rendering {self.document} took longer than its time budget of {self.seconds:g} s "
                f"and was stopped (a loop without end?); if the document needs longer, raise the budget "
                f"with --time-budget SECONDS or time_budget in generate.toml")
