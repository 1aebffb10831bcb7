"""`generate serve` under hostile and heavy use: loopback by default, no way out of OUT (plain,
encoded, double-encoded, overlong, backslashes, symlinks), GET and HEAD only, foreign Host
names refused, idle connections closed, never a traceback, and a bounded load test
(3,000 requests over 30 concurrent connections; also while OUT is being rebuilt) with zero errors.

The load figures (requests, connections, errors, requests per second) are printed with
``pytest -s`` and quoted in docs/performance.md ("Reliability trials").
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from generator.pipeline.build import BuildOptions, build_all
from generator.commands.serve import run_server
from tests.conftest import REPO, root
from tests.helpers import minimal_facts

pytestmark = pytest.mark.slow  # every test here builds, serves or renders (tests/README.md)

MINIMAL = root("minimal") / "facts.yaml"
REQUESTS, CONNECTIONS = 3_000, 30
PASSWD = Path("/etc/passwd").read_text(encoding="utf-8").splitlines()[0].encode()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("serve") / "out"
    build_all(BuildOptions(facts=MINIMAL, out=out))
    # links inside OUT that point outside it: they must not be followed
    (out / "passwd.txt").symlink_to("/etc/passwd")
    (out / "vi" / "etc").symlink_to("/etc")
    return out


class Server:
    """``run_server`` in a thread of this process, on a free loopback port."""

    def __init__(self, out: Path) -> None:
        self.stop = threading.Event()
        ready: list[str] = []
        started = threading.Event()
        self.thread = threading.Thread(
            target=run_server, args=(out, "127.0.0.1", 0),
            kwargs={"ready": lambda url: (ready.append(url), started.set()), "stop": self.stop}, daemon=True)
        self.thread.start()
        assert started.wait(10)
        self.url = ready[0]
        self.port = int(self.url.rstrip("/").rsplit(":", 1)[1])

    def close(self) -> None:
        self.stop.set()
        self.thread.join(10)


@pytest.fixture(scope="module")
def server(site):
    running = Server(site)
    yield running
    running.close()


def raw_request(port: int, data: bytes, timeout: float = 10) -> tuple[int, bytes]:
    """Send bytes as they are (no client normalizes the path) and read one response: (status, body)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as connection:
        connection.sendall(data)
        response = http.client.HTTPResponse(connection, method=data.split(b" ", 1)[0].decode("latin-1"))
        response.begin()
        return response.status, response.read()


def get(port: int, path: str, method: str = "GET", host: str | None = "localhost:{port}") -> tuple[int, bytes]:
    host_line = "" if host is None else f"Host: {host.format(port=port)}\r\n"
    return raw_request(port, f"{method} {path} HTTP/1.1\r\n{host_line}Connection: close\r\n\r\n".encode("latin-1"))


TRAVERSALS = [
    "/../../etc/passwd", "/../../../../../../etc/passwd", "/vi/../../etc/passwd", "//etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd", "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "/..%2f..%2fetc%2fpasswd",
    "/%252e%252e/%252e%252e/etc/passwd", "/%25252e%25252e/etc/passwd",             # double and triple encoding
    "/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd", "/%e0%80%ae%e0%80%ae/etc/passwd",      # overlong UTF-8 dots
    "/..\\..\\etc\\passwd", "/..%5c..%5cetc%5cpasswd", "/%5c%5cetc%5cpasswd",        # backslashes
    "/index.html%00.pdf", "/%00/etc/passwd", "/%ff%fe", "/.out.lock", "/.hidden",
    "/passwd.txt", "/vi/etc/passwd", "/vi/etc/hostname",                             # symlinks out of OUT
    "/" + "a" * 300, "/" + "a/" * 3000, "/vi/" + "%2e%2e/" * 50 + "etc/passwd",
    "http://evil.example/../../etc/passwd", "/?../../etc/passwd",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_path_leaves_out(path, server):
    status, body = raw_request(server.port, f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
    if path.startswith("/?"):  # the query is ignored: that is the page itself
        assert status == 200 and b"<html" in body
    else:
        assert status == 404, path
    assert PASSWD not in body


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT"])
def test_only_get_and_head_are_answered(method, server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
        connection.sendall(f"{method} /index.html HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n"
                           "Connection: close\r\n\r\n".encode())
        response = http.client.HTTPResponse(connection, method=method)
        response.begin()
        assert response.status == 405 and response.getheader("Allow") == "GET, HEAD"


def test_head_sends_headers_only_and_unknown_methods_are_refused(server, site):
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    document = manifest["documents"][0]
    status, body = get(server.port, "/" + document["path"], method="HEAD")
    assert status == 200 and body == b""
    assert get(server.port, "/index.html", method="BREW")[0] == 501


@pytest.mark.parametrize("host, status", [
    ("localhost:{port}", 200), ("127.0.0.1:{port}", 200), ("[::1]:{port}", 200), ("LOCALHOST", 200),
    ("evil.example:{port}", 421), ("127.0.0.1.evil.example", 421), ("localhost.evil.example:{port}", 421),
    ("", 421), (":{port}", 421),
])
def test_only_loopback_host_names_are_answered(host, status, server):
    """A web page cannot reach the preview through a DNS-rebinding name (Host: evil.example)."""
    assert get(server.port, "/index.html", host=host)[0] == status


def test_a_request_without_host_is_answered(server):
    assert raw_request(server.port, b"GET /index.html HTTP/1.0\r\n\r\n")[0] == 200


GARBAGE = [b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + os.urandom(40) + b"\r\n\r\n",  # a TLS hello
           b"GET / HTTP/9.9\r\n\r\n", b"GET\r\n\r\n", b"\r\n\r\n", b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 200 + b"\r\n",
           b"GET /" + b"q" * 70_000 + b" HTTP/1.1\r\n\r\n", b"GET /%ff HTTP/1.1\r\nHost: localhost\r\n\r\n",
           b"GET / HTTP/1.1\r\nHost: localhost\r\nContent-Length: -5\r\n\r\n"]


def test_nothing_a_client_sends_prints_a_traceback(server, capfd):
    for data in GARBAGE:
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as connection:
            connection.sendall(data)
            connection.shutdown(socket.SHUT_WR)
            reply = b""
            while chunk := connection.recv(65536):
                reply += chunk
            # a status line, or for what looks like HTTP/0.9 the standard error page alone
            assert reply == b"" or reply.startswith(b"HTTP/1.") or b"<title>Error response</title>" in reply, data[:40]
    assert get(server.port, "/index.html")[0] == 200  # still serving
    assert "Traceback" not in capfd.readouterr().err


def test_an_idle_connection_is_closed(site):
    """A client that connects and says nothing (or speaks TLS and waits) does not hold a thread forever."""
    from http.server import ThreadingHTTPServer

    from generator.commands.serve import BuildState, make_handler

    quick = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(site, BuildState(), idle_timeout=0.5))
    thread = threading.Thread(target=quick.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        with socket.create_connection(("127.0.0.1", quick.server_address[1]), timeout=10) as connection:
            assert connection.recv(1) == b""  # closed by the server, not by our 10 s timeout
    finally:
        quick.shutdown()
        quick.server_close()
        thread.join(10)


def outward_address() -> str | None:
    """This machine's address on its default route (no packet is sent), if it has one besides loopback."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: connect() on UDP only picks a route
        except OSError:
            return None
        address = probe.getsockname()[0]
    return None if address.startswith("127.") else address


def test_generate_serve_listens_on_loopback_by_default(site):
    process = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--out", str(site), "--port", "0",
                                "--no-watch"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert " at http://127.0.0.1:" in line, line + process.stderr.read()
        port = int(line.split("http://127.0.0.1:", 1)[1].split("/", 1)[0])
        assert get(port, "/index.html")[0] == 200
        address = outward_address()
        if address is not None:
            with pytest.raises(ConnectionRefusedError):
                socket.create_connection((address, port), timeout=5).close()
    finally:
        process.terminate()  # the server this test started
        process.wait(10)


# --- load ------------------------------------------------------------------------------------

def request_plan(out: Path) -> list[tuple[str, str, int, str | None]]:
    """``(method, path, expected status, expected sha256 or None)`` cycled through by every connection."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    plan = [("GET", "/", 200, None), ("GET", "/en.html", 200, None), ("GET", "/manifest.json", 200, None),
            ("GET", "/__generate__/status", 200, None), ("GET", "/no-such-file.pdf", 404, None),
            ("GET", "/%2e%2e/%2e%2e/etc/passwd", 404, None), ("GET", "/assets/site.css", 200, None)]
    for document in manifest["documents"]:
        plan.append(("GET", "/" + document["path"], 200, document["sha256"]))
        plan.append(("HEAD", "/" + document["path"], 200, None))
    return plan


def hammer(port: int, plan, requests: int, connections: int, accept=None) -> dict:
    """``requests`` requests over ``connections`` keep-alive connections at once; every failure is recorded."""
    per_connection = requests // connections
    errors: list[str] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def client(offset: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            for index in range(per_connection):
                method, path, status, digest = plan[(offset + index) % len(plan)]
                connection.request(method, path, headers={"Host": f"localhost:{port}"})
                response = connection.getresponse()
                body = response.read()
                problem = None
                if accept is not None:
                    problem = accept(method, path, response, body)
                elif response.status != status:
                    problem = f"{method} {path}: {response.status}, expected {status}"
                elif digest and hashlib.sha256(body).hexdigest() != digest:
                    problem = f"{method} {path}: body differs from the manifest"
                elif method == "GET" and int(response.getheader("Content-Length")) != len(body):
                    problem = f"{method} {path}: truncated body"
                with lock:
                    statuses[response.status] = statuses.get(response.status, 0) + 1
                    if problem:
                        errors.append(problem)
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        except Exception as error:  # a reset, a timeout: an error of the test run, not a crash of it
            with lock:
                errors.append(f"connection {offset}: {error!r}")
        finally:
            connection.close()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    elapsed = time.perf_counter() - started
    assert not any(thread.is_alive() for thread in threads), "clients still running: the load test did not stop"
    return {"requests": sum(statuses.values()), "connections": connections, "errors": errors,
            "statuses": statuses, "seconds": elapsed, "per_second": sum(statuses.values()) / elapsed}


def test_load_3000_requests_over_30_connections_without_an_error(server, site):
    result = hammer(server.port, request_plan(site), REQUESTS, CONNECTIONS)
    print(f"\nload: {result['requests']} requests over {result['connections']} connections in {result['seconds']:.1f} s "
          f"({result['per_second']:.0f}/s), errors: {len(result['errors'])}, statuses: {result['statuses']}")
    assert result["errors"] == []
    assert result["requests"] == REQUESTS


def test_load_while_out_is_rebuilt_never_serves_a_partial_or_mixed_file(site, tmp_path):
    """Three rebuilds (alternating fact files) swap OUT while 30 clients keep reading: every
    document served is whole and is one build's exact file; a request that falls into the
    swap gets a 404 (counted), never a broken body."""
    out = tmp_path / "out"
    shutil.copytree(site, out, symlinks=True)
    (tmp_path / "changed").mkdir()
    # Same stem: same document paths as the site's.
    changed = minimal_facts(tmp_path / "changed", lambda data: data["document"]["title"].update(en="A Changed Convention"))
    other = tmp_path / "other"
    build_all(BuildOptions(facts=changed, out=other))
    known = {d["sha256"] for o in (site, other) for d in json.loads((o / "manifest.json").read_text())["documents"]}
    plan = [entry for entry in request_plan(site) if entry[3]]  # the documents

    def accept(method, path, response, body):
        if response.status == 404:
            return None  # fell between the two renames of the swap (see test_atomic's xfail)
        if response.status != 200 or int(response.getheader("Content-Length")) != len(body):
            return f"{path}: {response.status}, {len(body)} bytes"
        return None if hashlib.sha256(body).hexdigest() in known else f"{path}: a body neither build wrote"

    for facts in (changed, MINIMAL):  # warm OUT's cache: the rebuilds below then take about a second each
        build_all(BuildOptions(facts=facts, out=out))
    swaps: list[str] = []
    running = Server(out)
    rebuilds = threading.Thread(target=lambda: [(build_all(BuildOptions(facts=f, out=out)), swaps.append(f.parent.name))
                                                for f in (changed, MINIMAL, changed)], daemon=True)
    results = []
    try:
        rebuilds.start()
        while not results or (rebuilds.is_alive() and len(results) < 5):  # read until the last swap (bounded)
            results.append(hammer(running.port, plan, REQUESTS, CONNECTIONS, accept=accept))
        rebuilds.join(300)
    finally:
        running.close()
    requests = sum(r["requests"] for r in results)
    not_found = sum(r["statuses"].get(404, 0) for r in results)
    print(f"\nload during {len(swaps)} rebuilds: {requests} requests over {CONNECTIONS} connections, "
          f"{requests / sum(r['seconds'] for r in results):.0f}/s, errors: {sum(len(r['errors']) for r in results)}, "
          f"404 while OUT was being swapped: {not_found}")
    assert not rebuilds.is_alive() and len(swaps) == 3
    assert all(r["errors"] == [] and r["requests"] == REQUESTS for r in results)
