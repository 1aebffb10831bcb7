"""The `generate` script ends without the interpreter's teardown, and loses nothing by it."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO


def _python(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(("code", "status", "stderr"), [
    ("None", 0, ""), ("0", 0, ""), ("3", 3, ""), ("-1", 255, ""), ("True", 1, ""),
    ("'no such fact file'", 1, "no such fact file\n"),
])
def test_exit_status_is_the_one_sys_exit_gives(code, status, stderr):
    result = _python(f"from generator.commands.script import leave\nleave({code})")
    assert (result.returncode, result.stderr) == (status, stderr)


def test_atexit_handlers_run_and_buffered_output_is_written(tmp_path):
    marker = tmp_path / "atexit-ran"
    result = _python(
        "import atexit, sys\n"
        f"atexit.register(lambda: open({str(marker)!r}, 'w').write('yes'))\n"
        "sys.stdout.write('no newline, still buffered')\n"
        "sys.stderr.write('and on stderr')\n"
        "from generator.commands.script import leave\nleave(0)")
    assert result.returncode == 0
    assert result.stdout == "no newline, still buffered"
    assert result.stderr == "and on stderr"
    assert marker.read_text() == "yes"


def test_teardown_is_skipped(tmp_path):
    # An object's finalizer that runs only when the interpreter tears down: the quick exit skips it.
    marker = tmp_path / "finalized"
    result = _python(
        "class Kept:\n"
        f"    def __del__(self): open({str(marker)!r}, 'w').write('torn down')\n"
        "kept = Kept()\n"
        "from generator.commands.script import leave\nleave(0)")
    assert result.returncode == 0, result.stderr
    assert not marker.exists()


def test_a_running_thread_is_waited_for(tmp_path):
    # Another thread still working: Python's own exit waits for it, so the script keeps that exit.
    marker = tmp_path / "thread-finished"
    result = _python(
        "import threading, time\n"
        f"threading.Thread(target=lambda: (time.sleep(0.3), open({str(marker)!r}, 'w').write('done'))).start()\n"
        "from generator.commands.script import leave\nleave(4)")
    assert result.returncode == 4
    assert marker.read_text() == "done"


def test_the_installed_script_and_python_m_give_click_s_statuses(tmp_path):
    script = REPO / ".venv" / "bin" / "generate"
    if not script.exists():
        pytest.skip("no installed `generate` script (run scripts/setup.sh)")
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("generate, version ")
    usage = subprocess.run([sys.executable, "-m", "generator", "brief", "--no-such-option"], cwd=REPO,
                           capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2
    assert "--no-such-option" in usage.stderr and "Traceback" not in usage.stderr
    missing = subprocess.run([str(script), "check", "--facts", str(tmp_path / "absent.yaml")],
                             capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0 and "absent.yaml" in missing.stderr
    assert "Traceback" not in missing.stderr
