"""`duban serve`: build the site, serve it on 127.0.0.1, and build again whenever a registry file changes.

Three parts, each on its own thread so that tests can start and stop the whole in-process:

- the HTTP server (`http.server.ThreadingHTTPServer`) serves the output folder. `duban build` swaps a finished
  site into that folder by renames, so a reader gets the previous site or the next one, never half of one;
- the watcher (watchfiles) waits for changes to duban.yaml, org/, calendar/ and tasks/ and rebuilds;
- the caller's thread, which waits (`wait`) until `stop` is called or Ctrl-C.

A failed rebuild prints its problems and keeps serving the last good site.
"""

from __future__ import annotations

import datetime as dt
import functools
import ipaddress
import shutil
import socket
import tempfile
import threading
from collections.abc import Callable, Iterable
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import watchfiles

from duban.site.build import build_site

WATCHED = ("org", "calendar", "tasks")  # folders whose files make the site, with duban.yaml
SETTINGS_FILE = "duban.yaml"
DEBOUNCE_MS = 400  # editors write a file in several steps: wait for the burst to end
LOOPBACK = "127.0.0.1"


class QuietHandler(SimpleHTTPRequestHandler):
    """Serves the site without logging each request, and tells the browser not to cache the pages."""

    def log_message(self, format: str, *args: Any) -> None:
        return

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()


Notice = Callable[[str, str], None]


def _print_notice(event: str, files: str) -> None:
    print(f"{event}: {files}")


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a browser's open connection must not keep the process alive


class _Server6(_Server):
    address_family = socket.AF_INET6


def is_loopback(host: str) -> bool:
    """Whether only this computer can reach `host` (127.0.0.0/8, ::1, localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name: assume it is reachable from elsewhere
        return False


def relevant(root: Path, path: str) -> bool:
    """Whether a changed path is part of the registry (not the output folder, git or an editor's backup)."""
    try:
        parts = Path(path).resolve().relative_to(root.resolve()).parts
    except ValueError:
        return False
    if not parts or any(part.startswith(".") for part in parts):
        return False
    return parts == (SETTINGS_FILE,) or parts[0] in WATCHED


class SiteServer:
    """The site of the registry at `root`, served from `out` and rebuilt on change.

    `start()` binds, builds and starts serving (it returns the URL); `stop()` ends both threads. `generation`
    counts successful builds: `wait_for(n)` lets a test wait for the rebuild that follows its change. Rebuilds
    are reported to `notice(event, files)`, event `rebuilt` or `rebuild-failed`.
    """

    def __init__(
        self,
        root: Path,
        out: Path,
        *,
        host: str = LOOPBACK,
        port: int = 8000,
        as_of: dt.date | None = None,
        notice: Notice = _print_notice,
        debounce_ms: int = DEBOUNCE_MS,
    ) -> None:
        self.root, self.out, self.host, self.port, self.as_of = root, out, host, port, as_of
        self.notice, self.debounce_ms = notice, debounce_ms
        self.generation = 0
        self._changed = threading.Condition()
        self._stop = threading.Event()
        self._httpd: _Server | None = None
        self._threads: list[threading.Thread] = []

    # --- building ---

    def build(self) -> bool:
        """One build; True when it succeeded (on failure the problems were printed and `out` is untouched)."""
        ok = build_site(self.root, self.out, self.as_of, quiet=True) == 0
        if ok:
            with self._changed:
                self.generation += 1
                self._changed.notify_all()
        return ok

    def wait_for(self, generation: int, timeout: float) -> bool:
        """Wait until `generation` builds have succeeded; False on timeout."""
        with self._changed:
            return self._changed.wait_for(lambda: self.generation >= generation, timeout)

    # --- running ---

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start() first"
        port = self._httpd.server_address[1]
        host = LOOPBACK if self.host in ("", "0.0.0.0") else self.host
        host = "[::1]" if host == "::" else (f"[{host}]" if ":" in host else host)
        return f"http://{host}:{port}/"

    def start(self) -> str:
        """Bind, build, then serve and watch; the URL. OSError when the address cannot be bound."""
        handler = functools.partial(QuietHandler, directory=str(self.out))
        server_class = _Server6 if ":" in self.host else _Server
        self._httpd = server_class((self.host, self.port), handler)  # first: a port taken fails at once
        self.build()  # a registry with problems still gets a server: fix the files and it rebuilds
        self._spawn(self._httpd.serve_forever, "duban-serve-http")
        self._spawn(self._watch, "duban-serve-watch")
        return self.url

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _watch(self) -> None:
        changes = watchfiles.watch(
            self.root,
            watch_filter=lambda _change, path: relevant(self.root, path),
            debounce=self.debounce_ms,
            stop_event=self._stop,
            raise_interrupt=False,
        )
        for batch in changes:
            self._rebuild(sorted({path for _change, path in batch}))

    def _rebuild(self, paths: Iterable[str]) -> None:
        names = ", ".join(Path(p).resolve().relative_to(self.root.resolve()).as_posix() for p in paths)
        try:
            ok = self.build()
        except Exception as error:  # a bug in a build must not end the watcher: the last site stays up
            self.notice("rebuild-failed", f"{names}: internal error: {type(error).__name__}: {error}")
            return
        self.notice("rebuilt" if ok else "rebuild-failed", names)

    def wait(self) -> None:
        """Block until `stop` is called (the command's Ctrl-C ends it too)."""
        while not self._stop.wait(0.5):
            pass

    def request_stop(self) -> None:
        """Make `wait` return (safe from a signal handler: it only sets an event)."""
        self._stop.set()

    def stop(self) -> None:
        self._stop.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=10)


def temporary_output() -> Path:
    """A fresh folder for the site when the user names none (removed by `remove_output`)."""
    return Path(tempfile.mkdtemp(prefix="duban-serve-"))


def remove_output(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
