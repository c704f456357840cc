"""`duban serve`: build, serve on 127.0.0.1, rebuild when a file changes (本地预览); see duban.serve."""

from __future__ import annotations

import datetime as dt
import signal
import threading
from collections.abc import Callable
from pathlib import Path

import click

from duban.commands._common import as_of_option, root_option
from duban.loader import SETTINGS_FILE, read_document
from duban.serve import LOOPBACK, SiteServer, is_loopback, remove_output, temporary_output
from duban.settings import Settings

MESSAGES: dict[str, dict[str, str]] = {
    "serving": {
        "zh-CN": "督办站点：{url}（修改台账文件后自动重新生成；按 Ctrl-C 停止）",
        "en": "Serving the site at {url} (rebuilt when a file changes; Ctrl-C stops)",
    },
    "exposed": {
        "zh-CN": "警告：站点在 {host} 上对网络中的其他计算机开放，督办信息可能不宜公开。",
        "en": "warning: the site is open to other computers on {host}; supervision records may be sensitive.",
    },
    "bind-failed": {
        "zh-CN": "duban serve：无法监听 {host}:{port}：{error}（端口被占用时换一个，如 --port 0）",
        "en": "duban serve: cannot listen on {host}:{port}: {error} (port taken? try another, or --port 0)",
    },
    "first-build": {
        "zh-CN": "台账文件有错误，站点尚未生成；改正后会自动重新生成。",
        "en": "The registry has problems: no site yet. It is built as soon as they are fixed.",
    },
    "stopped": {"zh-CN": "已停止。", "en": "Stopped."},
    "rebuilt": {"zh-CN": "已重新生成（{files}）", "en": "Rebuilt ({files})"},
    "rebuild-failed": {
        "zh-CN": "重新生成失败（{files}），仍提供上一次生成的站点",
        "en": "Rebuild failed ({files}): still serving the last good site",
    },
}


def _language(root: Path) -> str:
    """The registry's language, from duban.yaml alone (the build reads the rest)."""
    path = root / SETTINGS_FILE
    if not path.is_file():
        return Settings().language
    document = read_document(path, SETTINGS_FILE, "settings")
    return Settings.from_data(document.data).language if document.ok else Settings().language


def run_serve(root: Path, port: int, bind: str, out: Path | None, as_of: dt.date | None) -> int:
    language = "zh-CN" if _language(root) == "zh-CN" else "en"

    def say(key: str, **fields: object) -> str:
        return MESSAGES[key][language].format(**fields)

    def notice(event: str, files: str) -> None:
        click.echo(say(event, files=files), err=event != "rebuilt")

    if not is_loopback(bind):
        click.echo(say("exposed", host=bind), err=True)
    folder = out or temporary_output()
    try:
        return _serve(SiteServer(root, folder, host=bind, port=port, as_of=as_of, notice=notice), say)
    finally:
        if out is None:
            remove_output(folder)


def _serve(server: SiteServer, say: Callable[..., str]) -> int:
    """Start, say where, wait for Ctrl-C (or SIGTERM), stop."""
    try:
        url = server.start()
    except OSError as error:
        click.echo(
            say("bind-failed", host=server.host, port=server.port, error=error.strerror or error), err=True
        )
        return 1
    if server.generation == 0:
        click.echo(say("first-build"), err=True)
    click.echo(say("serving", url=url))
    _stop_on_sigterm(server)
    try:
        server.wait()
    except KeyboardInterrupt:
        click.echo(say("stopped"))
    finally:
        server.stop()
    return 0


def _stop_on_sigterm(server: SiteServer) -> None:
    """`kill` (or a service manager) ends the server like Ctrl-C does, so the temporary folder is removed."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda _signum, _frame: server.request_stop())


@click.command(name="serve")
@root_option
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="The port to listen on; 0 picks a free one.",
)
@click.option(
    "--bind",
    default=LOOPBACK,
    show_default=True,
    metavar="ADDR",
    help="The address to listen on. Anything but 127.0.0.1 (or ::1) opens the site to other "
    "computers: a warning says so.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Build into this folder and keep it [default: a temporary folder, removed on exit].",
)
@as_of_option
def command(root: Path, port: int, bind: str, out: Path | None, as_of: dt.date | None) -> None:
    """Build the site, serve it on http://127.0.0.1:PORT/ and rebuild when a file changes.

    Watches duban.yaml, org/, calendar/ and tasks/. A rebuild that finds problems prints them and keeps
    serving the last good site. Without --as-of every rebuild uses today's date.
    """
    raise SystemExit(run_serve(root, port, bind, out, as_of))
