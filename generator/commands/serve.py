"""``generate serve``: serve OUT on loopback, rebuild when facts or templates change, reload the browser.

Only GET and HEAD are answered; paths are decoded exactly once and must stay inside OUT;
documents are sent as downloads named after their title (RFC 6266 ``filename*``). On
loopback, requests must name a loopback host (a web page cannot reach the server through a
DNS-rebinding name), and a connection idle for :data:`IDLE_TIMEOUT` seconds is closed.
Whatever a client sends, it gets a status line back, never a traceback in the terminal.
Files are streamed from one open descriptor (a rebuild that replaces a file mid-download
does not mix two builds); a HEAD request reads nothing.

Watching survives the way editors save (write a new file, rename it over the old one): the
folders holding the watched files are watched, and changes are filtered to those files and
the template folders. A rebuild that fails, for any reason, is reported in the terminal and
on the page, and the last good output keeps being served.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import mimetypes
import os
import posixpath
import re
import shutil
import socket
import threading
import unicodedata
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import quote, unquote, urlsplit

from generator.errors import GenerateError, ManifestError, ServeError
from generator.output.manifest import read_manifest

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
# Appended to HTML pages while serving (never to the published files; after the page, so
# that its length is known without reading the page): polls the build counter, reloads when a
# rebuild has published new output, and shows a failed rebuild's message in a banner.
RELOAD_SCRIPT = (
    "<script>(function(){var seen=null,bar=null;function show(e){if(!e){if(bar){bar.remove();bar=null}return}"
    "if(!bar){bar=document.createElement('div');bar.setAttribute('role','alert');bar.id='generate-rebuild-error';"
    "bar.style.cssText='position:fixed;top:0;left:0;right:0;z-index:99999;padding:.75em 1em;background:#8b0000;"
    "color:#fff;font:14px/1.4 sans-serif;white-space:pre-wrap';document.body.appendChild(bar)}"
    "bar.textContent='Rebuild failed; showing the last good output.\\n'+e}"
    "function poll(){fetch('%s',{cache:'no-store'})"
    ".then(function(r){return r.json()}).then(function(s){if(seen!==null&&s.build!==seen){location.reload()}"
    "seen=s.build;show(s.error)}).catch(function(){}).finally(function(){setTimeout(poll,1000)})}poll()})();</script>"
) % STATUS_PATH
#: Bytes sent per write when streaming a file.
CHUNK = 64 * 1024


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
            body = None
            try:
                if file is None:
                    raise FileNotFoundError(raw_path)
                body = open(file, "rb") if send_body else None  # noqa: SIM115 - closed below, after streaming
                info = os.fstat(body.fileno()) if body else file.stat()  # HEAD: nothing is read
            except OSError:  # missing, or gone between lookup and open (a rebuild replaced it)
                self._plain(HTTPStatus.NOT_FOUND, "not found\n", send_body=send_body)
                return
            try:
                suffix = file.suffix.lower()
                headers = {
                    "Content-Type": CONTENT_TYPES.get(suffix) or mimetypes.guess_type(file.name)[0]
                    or "application/octet-stream",
                    "Last-Modified": formatdate(info.st_mtime, usegmt=True),
                    "Cache-Control": "no-cache",
                    "X-Content-Type-Options": "nosniff",
                }
                disposition = download_disposition(root, file)
                if disposition:
                    headers["Content-Disposition"] = disposition
                extra = RELOAD_SCRIPT.encode() if suffix == ".html" and live_reload else b""
                self._start(HTTPStatus.OK, headers, info.st_size + len(extra))
                if body:
                    shutil.copyfileobj(body, self.wfile, CHUNK)
                    self.wfile.write(extra)
            finally:
                if body:
                    body.close()

        def _plain(self, status: HTTPStatus, text: str, headers: dict | None = None, send_body: bool = True) -> None:
            self._send(status, text.encode(), {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}, send_body)

        def _send(self, status: HTTPStatus, body: bytes, headers: dict, send_body: bool) -> None:
            self._start(status, headers, len(body))
            if send_body:
                self.wfile.write(body)

        def _start(self, status: HTTPStatus, headers: dict, length: int) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(length))
            self.end_headers()

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
    try:
        manifest = read_manifest(root) or {}
    except ManifestError:
        return None  # a plain download then; the terminal reported the manifest when serving began
    relative = file.relative_to(root).as_posix()
    for doc in manifest.get("documents", []):
        if doc.get("path") == relative:
            title = unicodedata.normalize("NFC", str(doc.get("title") or file.stem))
            kind = str(doc.get("kind", ""))
            name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', " ", f"{title} ({kind}, {doc.get('lang')}){file.suffix}").strip()
            fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", file.name)
            return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
    return None


def listening_address(host: str, port: int) -> tuple[socket.AddressFamily, tuple]:
    """The socket family and address for ``--host``/``--port``; a host this machine cannot listen on is one line."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError, ValueError):
        raise ServeError(f"--host {host}: not an address or host name of this machine") from None
    family, _, _, _, address = found[0]
    return family, address


def is_loopback(host: str) -> bool:
    """``localhost``, ``127.x.y.z`` and ``::1``."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def url_of(address: tuple) -> str:
    host, port = address[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def make_server(out_dir: Path, host: str, port: int, state: BuildState) -> ThreadingHTTPServer:
    """A server bound to ``host``:``port`` (IPv4 or IPv6); a port in use or an address not here is one line."""
    family, address = listening_address(host, port)
    allowed = LOOPBACK_NAMES | {host.lower()} if is_loopback(host) else None

    class Server(ThreadingHTTPServer):
        address_family = family
        daemon_threads = True

    try:
        return Server(address, make_handler(out_dir, state, allowed_hosts=allowed))
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise ServeError(f"--port {port}: already in use on {host}; stop what uses it, choose another port, "
                             "or --port 0 for any free port") from None
        if exc.errno == errno.EACCES:
            raise ServeError(f"--port {port}: this user may not listen on it; choose a port above 1023, "
                             "or --port 0 for any free port") from None
        if exc.errno in (errno.EADDRNOTAVAIL, errno.EAFNOSUPPORT):
            raise ServeError(f"--host {host}: not an address of this machine") from None
        raise ServeError(f"cannot listen on {host} port {port}: {exc.strerror or exc}") from None


def run_server(out_dir: Path, host: str, port: int, *, rebuild: Callable[[], None] | None = None,
               watch: list[Path] | None = None, ready: Callable[[str], None] | None = None,
               stop: threading.Event | None = None, report: Callable[[str], None] | None = None,
               initial: Callable[[], None] | None = None) -> None:
    """Serve until ``stop`` is set (or Ctrl-C); rebuild on changes to the files and folders in ``watch``.

    ``initial()`` runs once the port is bound and before serving (the first build, when OUT
    has none); ``report(message)`` is told of every failed rebuild (default: ``error: …``).
    """
    state = BuildState()
    server = make_server(out_dir, host, port, state)
    if initial:
        try:
            initial()
        except BaseException:
            server.server_close()
            raise
    stop = stop or threading.Event()
    threads = [threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)]
    if rebuild and watch:
        threads.append(threading.Thread(target=watch_and_rebuild, args=(watch, rebuild, state, stop, report),
                                        daemon=True))
    for thread in threads:
        thread.start()
    if ready:
        ready(url_of(server.server_address))
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


def watch_targets(paths: list[Path]) -> tuple[list[Path], Callable[[object, str], bool]]:
    """Folders to watch and a filter keeping changes to ``paths`` (files) or anything under them (folders).

    A file is watched through its folder: an editor that saves by renaming a new file over
    the old one replaces the inode a watch on the file itself would follow.
    """
    files = {Path(p).resolve() for p in paths if not Path(p).is_dir()}
    folders = {Path(p).resolve() for p in paths if Path(p).is_dir()}
    roots = sorted({f.parent for f in files if f.parent.is_dir()} | folders)

    def relevant(_change, path: str) -> bool:
        changed = Path(path)
        return changed in files or any(changed.is_relative_to(folder) for folder in folders)

    return roots, relevant


def watch_and_rebuild(paths: list[Path], rebuild: Callable[[], None], state: BuildState, stop: threading.Event,
                      report: Callable[[str], None] | None = None) -> None:
    """Rebuild after each batch of relevant changes; any failure is reported and the watching goes on."""
    from watchfiles import watch

    roots, relevant = watch_targets(paths)
    report = report or (lambda message: GenerateError(message).show())
    while not stop.is_set():
        try:
            for _changes in watch(*roots, watch_filter=relevant, stop_event=stop, debounce=300, rust_timeout=500):
                rebuild_once(rebuild, state, report)
        except Exception as exc:  # the watcher itself failed (a watched folder vanished): watch again
            report(f"watching stopped ({type(exc).__name__}: {exc}); watching again")
            stop.wait(1.0)


def rebuild_once(rebuild: Callable[[], None], state: BuildState, report: Callable[[str], None]) -> None:
    """One rebuild; a failure of any kind keeps the last good output and says why, here and on the page."""
    try:
        rebuild()
    except GenerateError as exc:
        message = exc.format_message()
    except Exception as exc:  # a bug in generate or a template: the server must outlive it
        message = f"rebuild failed with an unexpected error ({type(exc).__name__}: {exc}); please report it"
    else:
        state.published()
        return
    state.failed(message)
    report(message)
