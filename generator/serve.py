"""``generate serve``: serve OUT on loopback, rebuild when facts or templates change, reload the browser.

Only GET and HEAD are answered; paths are decoded exactly once and must stay inside OUT;
documents are sent as downloads named after their title (RFC 6266 ``filename*``). On
loopback, requests must name a loopback host (a web page cannot reach the server through a
DNS-rebinding name), and a connection idle for :data:`IDLE_TIMEOUT` seconds is closed.
Whatever a client sends, it gets a status line back, never a traceback in the terminal.
"""

from __future__ import annotations

import json
import mimetypes
import posixpath
import re
import threading
import unicodedata
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import quote, unquote, urlsplit

from generator.writer import read_manifest

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".svg": "image/svg+xml",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".png": "image/png",
}
STATUS_PATH = "/__generate__/status"
#: Seconds a connection may stay silent before it is closed (a stalled client holds a thread).
IDLE_TIMEOUT = 20.0
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}
# Injected into HTML pages while serving (never into the published files): polls the
# build counter and reloads when a rebuild has published new output.
RELOAD_SCRIPT = (
    "<script>(function(){var seen=null;function poll(){fetch('%s',{cache:'no-store'})"
    ".then(function(r){return r.json()}).then(function(s){if(seen!==null&&s.build!==seen){location.reload()}"
    "seen=s.build}).catch(function(){}).finally(function(){setTimeout(poll,1000)})}poll()})();</script>"
) % STATUS_PATH


class BuildState:
    """What the server tells the page about rebuilds."""

    def __init__(self) -> None:
        self.build = 0
        self.error: str | None = None
        self.lock = threading.Lock()

    def published(self) -> None:
        with self.lock:
            self.build += 1
            self.error = None

    def failed(self, message: str) -> None:
        with self.lock:
            self.error = message

    def as_json(self) -> bytes:
        with self.lock:
            return json.dumps({"build": self.build, "error": self.error}).encode("utf-8")


def make_handler(out_dir: Path, state: BuildState, live_reload: bool = True, *,
                 allowed_hosts: set[str] | None = None, idle_timeout: float = IDLE_TIMEOUT) -> type[BaseHTTPRequestHandler]:
    """A request handler class serving ``out_dir``.

    ``allowed_hosts``: host names a request's ``Host`` header may name (None: any).
    """
    root = Path(out_dir).resolve()

    class Handler(BaseHTTPRequestHandler):
        server_version = "generate-serve"
        sys_version = ""
        timeout = idle_timeout

        def version_string(self) -> str:
            return self.server_version
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            self._respond(send_body=True)

        def do_HEAD(self) -> None:
            self._respond(send_body=False)

        def _refuse_method(self) -> None:
            self._plain(HTTPStatus.METHOD_NOT_ALLOWED, "only GET and HEAD are allowed\n", {"Allow": "GET, HEAD"})

        do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_TRACE = do_CONNECT = _refuse_method

        def log_message(self, format: str, *args) -> None:  # noqa: A002 - http.server API
            pass  # quiet: the terminal shows build progress instead

        def _respond(self, send_body: bool) -> None:
            if allowed_hosts is not None and not host_allowed(self.headers.get("Host"), allowed_hosts):
                self._plain(HTTPStatus.MISDIRECTED_REQUEST, "this server answers requests for localhost only\n",
                            send_body=send_body)
                return
            raw_path = urlsplit(self.path).path
            if raw_path == STATUS_PATH:
                self._send(HTTPStatus.OK, state.as_json(), {"Content-Type": CONTENT_TYPES[".json"]}, send_body)
                return
            file = resolve_request(root, raw_path)
            try:
                if file is None:
                    raise FileNotFoundError(raw_path)
                data = file.read_bytes()
                modified = file.stat().st_mtime
            except OSError:  # missing, or gone between lookup and read (a rebuild swapped OUT)
                self._plain(HTTPStatus.NOT_FOUND, "not found\n", send_body=send_body)
                return
            suffix = file.suffix.lower()
            headers = {
                "Content-Type": CONTENT_TYPES.get(suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream",
                "Last-Modified": formatdate(modified, usegmt=True),
                "Cache-Control": "no-cache",
                "X-Content-Type-Options": "nosniff",
            }
            disposition = download_disposition(root, file)
            if disposition:
                headers["Content-Disposition"] = disposition
            if suffix == ".html" and live_reload:
                data = data.replace(b"</body>", RELOAD_SCRIPT.encode() + b"</body>", 1)
            self._send(HTTPStatus.OK, data, headers, send_body)

        def _plain(self, status: HTTPStatus, text: str, headers: dict | None = None, send_body: bool = True) -> None:
            self._send(status, text.encode(), {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}, send_body)

        def _send(self, status: HTTPStatus, body: bytes, headers: dict, send_body: bool) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if send_body:
                self.wfile.write(body)

    return Handler


def resolve_request(root: Path, raw_path: str) -> Path | None:
    """The file under ``root`` a URL path names, or None (missing, hidden, or outside ``root``).

    The path is percent-decoded exactly once, so ``%252e%252e`` stays a literal name; bytes
    that are not UTF-8 (``%ff``, the overlong ``%c0%ae``) and names the file system refuses
    (too long) are simply not found.
    """
    try:
        path = unquote(raw_path, errors="strict") if "%" in raw_path else raw_path
    except UnicodeDecodeError:
        return None
    if "\x00" in path or "\\" in path:
        return None
    normalized = posixpath.normpath("/" + path.lstrip("/"))
    parts = [p for p in normalized.split("/") if p]
    if any(p.startswith(".") for p in parts):
        return None  # hidden files, and anything that normpath could not make innocent
    candidate = root.joinpath(*parts) if parts else root
    try:
        if candidate.is_dir():
            candidate = candidate / "index.html"
        resolved = candidate.resolve(strict=True)
        if not resolved.is_relative_to(root) or not resolved.is_file():
            return None
    except (OSError, RuntimeError, ValueError):  # ENAMETOOLONG, a symlink loop
        return None
    return resolved


def host_allowed(host_header: str | None, allowed: set[str]) -> bool:
    """True when the ``Host`` header (``name:port``, ``[v6]:port``) names an allowed host, or is absent (HTTP/1.0)."""
    if host_header is None:
        return True
    host = host_header.strip().lower()
    if host.startswith("["):
        host = host[1:host.find("]")] if "]" in host else host
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host in allowed


def download_disposition(root: Path, file: Path) -> str | None:
    """``attachment`` with an ASCII fallback and the document's title as a UTF-8 file name."""
    manifest = read_manifest(root) or {}
    relative = file.relative_to(root).as_posix()
    for doc in manifest.get("documents", []):
        if doc.get("path") == relative:
            title = unicodedata.normalize("NFC", str(doc.get("title") or file.stem))
            kind = str(doc.get("kind", ""))
            name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", f"{title} ({kind}, {doc.get('lang')}){file.suffix}").strip()
            fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", file.name)
            return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
    return None


def run_server(out_dir: Path, host: str, port: int, *, rebuild: Callable[[], None] | None = None,
               watch: list[Path] | None = None, ready: Callable[[str], None] | None = None,
               stop: threading.Event | None = None) -> None:
    """Serve until ``stop`` is set (or Ctrl-C); rebuild on changes under ``watch``."""
    state = BuildState()
    loopback = host in LOOPBACK_NAMES or host.startswith("127.")
    allowed = LOOPBACK_NAMES | {host} if loopback else None
    server = ThreadingHTTPServer((host, port), make_handler(out_dir, state, allowed_hosts=allowed))
    server.daemon_threads = True
    stop = stop or threading.Event()
    threads = [threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)]
    if rebuild and watch:
        threads.append(threading.Thread(target=_watch_and_rebuild, args=(watch, rebuild, state, stop), daemon=True))
    for thread in threads:
        thread.start()
    bound_host, bound_port = server.server_address[:2]
    if ready:
        ready(f"http://{bound_host}:{bound_port}/")
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def _watch_and_rebuild(paths: list[Path], rebuild: Callable[[], None], state: BuildState, stop: threading.Event) -> None:
    from watchfiles import watch

    from generator.errors import GenerateError

    for _changes in watch(*[p for p in paths if p.exists()], stop_event=stop, debounce=300, rust_timeout=500):
        try:
            rebuild()
            state.published()
        except GenerateError as exc:  # keep serving the last good output
            state.failed(exc.format_message())
            exc.show()
