"""`generate serve` survives (issue 12, items 4 and 5): a rename-save of the fact file, a rebuild
that fails (a user error or an unexpected exception), IPv6 loopback, a port in use, an address
that is not this machine's; files are streamed and HEAD reads nothing."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import generator.commands.serve as serve_module
from generator.errors import GenerateError
from generator.facts.load import load_facts
from generator.renderers import Output
from generator.commands.serve import BuildState, run_server
from generator.output.writer import publish_changes
from tests.conftest import REPO, root

pytestmark = pytest.mark.slow  # every test here builds, serves or renders (tests/README.md)

MINIMAL = root("minimal") / "facts.yaml"


@pytest.fixture
def site(tmp_path) -> Path:
    """A published OUT with a 3 MB document (no rendering needed)."""
    out = tmp_path / "site"
    big = bytes(range(256)) * 12_000
    publish_changes(out, [Output("brief", "en", "pdf", "en/facts-brief.pdf", big, "Big", pages=1)], load_facts(MINIMAL),
                    extra_files=lambda staging, docs: {"index.html": b"<!doctype html><html><body>page</body></html>"})
    return out


class Running:
    def __init__(self, out: Path, host: str = "127.0.0.1", **kwargs) -> None:
        self.stop, started, urls = threading.Event(), threading.Event(), []
        self.thread = threading.Thread(target=run_server, args=(out, host, 0), daemon=True,
                                       kwargs={"ready": lambda url: (urls.append(url), started.set()),
                                               "stop": self.stop, **kwargs})
        self.thread.start()
        assert started.wait(10)
        self.url = urls[0]
        self.port = int(self.url.rstrip("/").rsplit(":", 1)[1])

    def get(self, path: str, method: str = "GET", host: str = "127.0.0.1"):
        connection = http.client.HTTPConnection(host, self.port, timeout=10)
        connection.request(method, path, headers={"Host": f"localhost:{self.port}"})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response, body

    def close(self) -> None:
        self.stop.set()
        self.thread.join(10)


def wait_for(condition, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def save_by_rename(path: Path, text: str) -> None:
    """How editors and `sed -i` save: a new file renamed over the old one."""
    temporary = path.with_name(f".{path.name}.swp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def test_rebuilds_after_every_rename_save_and_reports_failures_on_the_page(site, tmp_path):
    facts = tmp_path / "facts.yaml"
    facts.write_text("v0\n", encoding="utf-8")
    (tmp_path / "unrelated.txt").write_text("x")
    calls, reported = [], []
    outcomes = iter([None, GenerateError("facts.yaml:3:1: title: expected text"), RuntimeError("a template bug"), None])

    def rebuild():
        calls.append(facts.read_text(encoding="utf-8"))
        outcome = next(outcomes)
        if outcome is not None:
            raise outcome

    running = Running(site, rebuild=rebuild, watch=[facts], report=reported.append)
    try:
        time.sleep(0.5)  # the watcher starts
        status = lambda: json.loads(running.get("/__generate__/status")[1])  # noqa: E731
        for version in range(1, 5):
            save_by_rename(facts, f"v{version}\n")
            assert wait_for(lambda: len(calls) >= version), (version, calls)
            time.sleep(0.4)
            if version == 2:
                assert status() == {"build": 1, "error": "facts.yaml:3:1: title: expected text"}
            if version == 3:
                message = "rebuild failed with an unexpected error (RuntimeError: a template bug); please report it"
                assert status() == {"build": 1, "error": message} and reported[-1] == message
                assert running.get("/en/facts-brief.pdf")[0].status == 200  # the last good output is served
        (tmp_path / "unrelated.txt").write_text("y")  # beside the fact file, not watched
        time.sleep(1.0)
        assert calls == ["v1\n", "v2\n", "v3\n", "v4\n"]
        assert status() == {"build": 2, "error": None}
        assert reported == ["facts.yaml:3:1: title: expected text",
                            "rebuild failed with an unexpected error (RuntimeError: a template bug); please report it"]
        page = running.get("/")[1]
        assert page.startswith(b"<!doctype html><html><body>page</body></html><script>")
        assert b"Rebuild failed; showing the last good output." in page
    finally:
        running.close()


def test_files_are_streamed_and_head_reads_nothing(site, monkeypatch):
    running = Running(site)
    try:
        response, body = running.get("/en/facts-brief.pdf")
        assert response.status == 200 and body == (site / "en" / "facts-brief.pdf").read_bytes()
        assert int(response.getheader("Content-Length")) == len(body) == 3_072_000

        def no_reading(*args, **kwargs):
            raise AssertionError("a HEAD request opened a file")

        monkeypatch.setattr(serve_module, "open", no_reading, raising=False)
        response, body = running.get("/en/facts-brief.pdf", method="HEAD")
        assert response.status == 200 and body == b"" and int(response.getheader("Content-Length")) == 3_072_000
        response, _ = running.get("/", method="HEAD")
        assert int(response.getheader("Content-Length")) == \
            (site / "index.html").stat().st_size + len(serve_module.RELOAD_SCRIPT.encode())
    finally:
        running.close()


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not ipv6_loopback(), reason="no IPv6 loopback on this machine")
@pytest.mark.parametrize("host", ["::1", "::"])
def test_ipv6_hosts_are_served(host, site):
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--out", str(site), "--facts", str(MINIMAL),
                                "--host", host, "--port", "0", "--no-watch"], cwd=REPO, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith(f"serving {site} at http://[{host}]:"), line + process.stderr.read()
        port = int(line.split("]:", 1)[1].split("/", 1)[0])
        connection = http.client.HTTPConnection("::1", port, timeout=10)
        connection.request("GET", "/en/facts-brief.pdf", headers={"Host": f"[::1]:{port}"})
        assert connection.getresponse().status == 200
        connection.close()
    finally:
        process.terminate()  # the server this test started
        process.wait(10)
    stderr = process.stderr.read()
    assert "Traceback" not in stderr
    if host == "::":
        assert stderr.splitlines()[0] == "warning: listening on ::: other machines can reach this server"


def test_a_port_in_use_is_one_line(site, cli, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = cli("serve", "--out", site, "--facts", MINIMAL, "--port", port, "--no-watch")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"error: --port {port}: already in use on 127.0.0.1; stop what uses it, "
                                          "choose another port, or --port 0 for any free port"]


@pytest.mark.parametrize("host, message", [
    ("no such host", "--host no such host: not an address or host name of this machine"),
    ("999.1.1.1", "--host 999.1.1.1: not an address or host name of this machine"),
    ("192.0.2.77", "--host 192.0.2.77: not an address of this machine"),  # TEST-NET-1: never this machine's
])
def test_an_address_that_is_not_this_machines_is_one_line(host, message, tmp_path, cli):
    before = sorted(p.name for p in tmp_path.iterdir())
    result = cli("serve", "--out", "site", "--facts", MINIMAL, "--host", host, "--port", "0", "--no-watch")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [f"error: {message}"]
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing built


def test_build_state_reports_errors_until_the_next_success():
    state = BuildState()
    state.failed("x")
    assert json.loads(state.as_json()) == {"build": 0, "error": "x"}
    state.published()
    assert json.loads(state.as_json()) == {"build": 1, "error": None}
