"""Run a command and measure it: wall time, the largest process's peak RSS, and the peak memory of the whole process tree."""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Run:
    """One measured command."""

    seconds: float
    cpu_seconds: float
    """User plus system time of the command and all its descendants: less sensitive than wall time to
    other programs competing for the CPUs."""
    max_rss_kb: int
    """Peak resident set of the largest single process (``wait4``'s rusage, as ``RUSAGE_CHILDREN`` reports it)."""
    peak_pss_kb: int
    """Peak of the summed proportional set sizes of the command and all its descendants, sampled every 50 ms;
    pages that forked workers share with their parent are counted once. 0 where /proc is not available."""
    returncode: int
    stdout: str = ""
    stderr: str = ""


def run(args: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 1800) -> Run:
    """Run ``args`` to completion and measure it; the output is captured, not shown."""
    with open(os.devnull, "rb") as stdin:
        start = time.perf_counter()
        process = subprocess.Popen(args, cwd=cwd, env=env, stdin=stdin, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        sampler = _TreeSampler(process.pid)
        sampler.start()
        output: dict[str, bytes] = {}
        readers = [threading.Thread(target=lambda name, stream: output.__setitem__(name, stream.read()),
                                    args=(name, stream), daemon=True)
                   for name, stream in (("stdout", process.stdout), ("stderr", process.stderr))]
        for reader in readers:
            reader.start()
        _, status, usage = _wait4(process.pid, timeout)
        seconds = time.perf_counter() - start
        sampler.stop()
        for reader in readers:
            reader.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    return Run(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss, sampler.peak_kb, process.returncode,
               output.get("stdout", b"").decode("utf-8", "replace"), output.get("stderr", b"").decode("utf-8", "replace"))


def _wait4(pid: int, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        found, status, usage = os.wait4(pid, os.WNOHANG)
        if found:
            return found, status, usage
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            return os.wait4(pid, 0)
        time.sleep(0.005)


class _TreeSampler(threading.Thread):
    """Samples the summed PSS of a process and its descendants until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_kb = max(self.peak_kb, sum(_pss_kb(pid) for pid in _tree(self.pid)))
            self._stop_event.wait(0.05)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def _tree(root: int) -> list[int]:
    pids, queue = [], [root]
    while queue:
        pid = queue.pop()
        pids.append(pid)
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    queue += [int(child) for child in handle.read().split()]
        except OSError:
            continue
    return pids


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


@dataclass
class Series:
    """Several runs of one scenario."""

    name: str
    runs: list[Run] = field(default_factory=list)
    note: str = ""

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def spread(self) -> tuple[float, float]:
        return min(r.seconds for r in self.runs), max(r.seconds for r in self.runs)

    @property
    def cpu_seconds(self) -> float:
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def max_rss_mb(self) -> float:
        return statistics.median(r.max_rss_kb for r in self.runs) / 1024

    @property
    def peak_pss_mb(self) -> float:
        return statistics.median(r.peak_pss_kb for r in self.runs) / 1024

    def as_dict(self) -> dict:
        return {"name": self.name, "note": self.note, "runs": len(self.runs), "median_seconds": round(self.seconds, 3),
                "min_seconds": round(self.spread[0], 3), "max_seconds": round(self.spread[1], 3),
                "median_cpu_seconds": round(self.cpu_seconds, 3),
                "median_max_rss_mb": round(self.max_rss_mb, 1), "median_peak_pss_mb": round(self.peak_pss_mb, 1),
                "seconds": [round(r.seconds, 3) for r in self.runs]}
