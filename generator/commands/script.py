"""The ``generate`` script (and ``python -m generator``): the command line, then a quick exit.

When a command has finished, Python's own exit tears the interpreter down object by object:
after a full build, with WeasyPrint, python-docx, python-pptx and the fact model loaded, that
took 0.5 s (measured with strace between the last ``atexit`` handler and ``exit_group``), time
in which the user waits and nothing is written. So once the command has returned, and every
``atexit`` handler has run and the output streams are flushed, the process ends with
:func:`os._exit` and the exit status the command chose. Every file the commands write is
closed before they return (atomic replacements, ``with`` blocks), so nothing is lost.

The normal exit is kept whenever skipping it could lose something: when another thread is
still running (Python would wait for it), and when the command raised an unexpected error
(Python prints its traceback and cleans up as usual).
"""

from __future__ import annotations

import os
import sys


def run() -> None:
    """Run the command line from ``sys.argv``, then leave without the interpreter's teardown."""
    from generator.commands.cli import main

    try:
        main()  # click's standalone mode: reports usage errors and always ends in SystemExit
    except SystemExit as done:
        leave(done.code)
    raise AssertionError("click's standalone mode always ends in SystemExit")  # pragma: no cover


def leave(code: object) -> None:
    """End the process with ``code`` as :func:`sys.exit` would, skipping the interpreter's teardown."""
    status = _status(code)
    threading = sys.modules.get("threading")  # not imported: no other thread can exist
    if threading is not None and threading.active_count() > 1:
        sys.exit(code)  # Python waits for the other threads: keep its way out
    import atexit

    run_exitfuncs = getattr(atexit, "_run_exitfuncs", None)  # CPython's: what sys.exit would run
    if run_exitfuncs is None:
        sys.exit(code)
    run_exitfuncs()  # logging's flush, multiprocessing's clean-up…
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`generate … | head`) or stream: nothing to keep
            pass
    os._exit(status)


def _status(code: object) -> int:
    """The exit status :func:`sys.exit` gives ``code``: None is 0, an int itself, else printed and 1."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1
