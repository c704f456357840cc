"""`duban notify`: the message each platform documents, signing, and delivery to a local test server.

Every request goes to an `http.server` on 127.0.0.1 in a thread, which records what it received and answers
from a script (status and body per request, or a delay to trigger the client's timeout).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from duban import notify
from duban.cli import cli
from duban.engine import evaluate
from duban.loader import load_registry
from duban.scaffold import InitOptions, scaffold

AS_OF = "2026-03-02"
NOW = "2026-03-02T00:30:00+00:00"  # DUBAN_NOW: the signatures' timestamp
NOW_MS = int(dt.datetime.fromisoformat(NOW).timestamp() * 1000)
TOKEN = "tok-3f9a2c7e81d44b6a"  # the robot's token in the webhook URL: must never be printed
SECRET = "SEC-5b0e1d9c0a7f4e2b"  # the signing secret: must never be printed
OK = {
    "dingtalk": b'{"errcode":0,"errmsg":"ok"}',
    "wecom": b'{"errcode":0,"errmsg":"ok"}',
    "feishu": b'{"code":0,"msg":"success","data":{}}',
    "generic": b"ok",
}

# --- a registry with one item of each kind ------------------------------------------------------------------

UNITS = """- id: housing
  name: 市住房和城乡建设局
  short: 住建局
"""
TASKS = {
    # overdue since 2026-02-20 (10 days), and its monthly report is late as well
    "DB-2026-0002": ("housing", "推进老旧小区改造", "2026-01-05", "2026-02-20", "monthly"),
    # due in 3 days
    "DB-2026-0003": ("example-bureau", "完成年度考核方案", "2026-02-25", "2026-03-05", "monthly"),
    # weekly reports, none since 2026-01-02
    "DB-2026-0004": ("example-bureau", "整治背街小巷环境", "2026-01-02", "2026-06-30", "weekly"),
}


def task_yaml(task_id: str, lead: str, title: str, assigned: str, deadline: str, cycle: str) -> str:
    return (
        f"id: {task_id}\ntitle: {title}\nsource:\n  type: leader-instruction\nlead_unit: {lead}\n"
        f"assigned: {assigned}\ndeadline: {deadline}\nreport_every: {cycle}\nstatus: in_progress\n"
    )


def make_registry(root: Path, extra: int = 0) -> Path:
    scaffold(
        root, InitOptions(title="督查督办", timezone="Asia/Shanghai", today=dt.date(2026, 3, 2), year=2026)
    )
    with (root / "org" / "units.yaml").open("a", encoding="utf-8") as units:
        units.write(UNITS)
    tasks = dict(TASKS)
    for number in range(extra):  # many overdue items, to test the size limits
        tasks[f"DB-2026-{100 + number:04d}"] = (
            "housing",
            f"第 {number} 项历史遗留问题整改，涉及多个部门协调推进",
            "2026-01-05",
            "2026-02-20",
            "none",
        )
    for task_id, fields in tasks.items():
        (root / "tasks" / "2026" / f"{task_id}.yaml").write_text(
            task_yaml(task_id, *fields), encoding="utf-8"
        )
    return root


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    return make_registry(tmp_path / "registry")


# --- the local webhook server -------------------------------------------------------------------------------


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


@dataclass
class Webhook:
    """Answers POSTs from `script` (status, body, delay in seconds), then 200 with `default`."""

    url: str = ""
    received: list[Received] = field(default_factory=list)
    script: list[tuple[int, bytes, float]] = field(default_factory=list)
    default: bytes = OK["dingtalk"]

    def answer(self) -> tuple[int, bytes, float]:
        return self.script.pop(0) if self.script else (200, self.default, 0.0)


def handler_for(hook: Webhook) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            parts = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(parts.query))
            hook.received.append(
                Received("POST", parts.path, query, dict(self.headers), self.rfile.read(length))
            )
            status, body, delay = hook.answer()
            time.sleep(delay)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (its timeout)
                pass

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[Webhook]:
    hook = Webhook()
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(hook))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    hook.url = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # a proxy set in the environment must not catch these
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    monkeypatch.setattr(notify, "BACKOFF", 0.01)  # retries without the real backoff's seconds
    yield hook
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def run(registry: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    arguments = ["notify", "--root", str(registry), "--as-of", AS_OF, *args]
    result = CliRunner().invoke(cli, arguments, env={"DUBAN_NOW": NOW, **(env or {})}, catch_exceptions=False)
    # Whatever happened, neither credential appears in anything duban printed.
    assert TOKEN not in result.output and SECRET not in result.output
    return result


# --- the digest and the messages (pure) ---------------------------------------------------------------------


def the_digest(registry: Path, site: str | None = "https://office.example/duban/") -> notify.Digest:
    loaded = load_registry(registry).registry
    return notify.digest(loaded, evaluate(loaded, dt.date(2026, 3, 2)), AS_OF, site)


def test_digest_groups_by_lead_unit_most_urgent_first(registry: Path) -> None:
    d = the_digest(registry)
    assert [g.unit_id for g in d.groups] == ["housing", "example-bureau"]  # the unit with overdue items first
    assert [e.id for e in d.groups[1].entries] == [
        "DB-2026-0003",
        "DB-2026-0004",
    ]  # due soon, then late report
    assert d.counts == {"overdue": 1, "due_soon": 1, "feedback_overdue": 2}
    (overdue,) = d.groups[0].entries
    assert overdue.findings == ("overdue", "feedback_overdue")
    assert overdue.url == "https://office.example/duban/tasks/DB-2026-0002/"
    assert "DB-2026-0001" not in [e.id for e in d.entries]  # green: nothing to remind of


def test_dingtalk_markdown_shape(registry: Path) -> None:
    body = notify.payload("dingtalk", the_digest(registry))
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    assert set(body["markdown"]) == {"title", "text"}
    assert body["markdown"]["title"] == "督查督办 · 督办提醒（2026-03-02）"
    text = body["markdown"]["text"]
    assert text.startswith("### 督查督办 · 督办提醒（2026-03-02）\n\n逾期 1 项，临期 1 项，反馈超期 2 项")
    assert "#### 市住房和城乡建设局（1 项）" in text
    assert (
        "- 🔴 [DB-2026-0002](https://office.example/duban/tasks/DB-2026-0002/) 推进老旧小区改造：已逾期 10 天"
        in text
    )
    assert text.endswith("[查看督办站点](https://office.example/duban/)")


def test_wecom_markdown_shape(registry: Path) -> None:
    body = notify.payload("wecom", the_digest(registry))
    assert body == {"msgtype": "markdown", "markdown": {"content": body["markdown"]["content"]}}
    assert "#### 示例承办单位（2 项）" in body["markdown"]["content"]


def test_feishu_card_and_text_shapes(registry: Path) -> None:
    card = notify.payload("feishu", the_digest(registry))
    assert set(card) == {"msg_type", "card"} and card["msg_type"] == "interactive"
    assert card["card"]["header"] == {
        "title": {"tag": "plain_text", "content": "督查督办 · 督办提醒（2026-03-02）"},
        "template": "red",
    }
    div, action = card["card"]["elements"]
    assert div["tag"] == "div" and div["text"]["tag"] == "lark_md"
    assert "**市住房和城乡建设局（1 项）**" in div["text"]["content"]  # lark_md has no headings
    assert "#" not in div["text"]["content"].replace("](", "")
    assert action["actions"][0]["url"] == "https://office.example/duban/"
    text = notify.payload("feishu", the_digest(registry), "text")
    assert set(text) == {"msg_type", "content"} and text["msg_type"] == "text"
    assert set(text["content"]) == {"text"}
    assert "1. DB-2026-0002 推进老旧小区改造：已逾期 10 天" in text["content"]["text"]


def test_text_messages_of_dingtalk_and_wecom(registry: Path) -> None:
    for kind in ("dingtalk", "wecom"):
        body = notify.payload(kind, the_digest(registry, site=None), "text")
        assert body == {"msgtype": "text", "text": {"content": body["text"]["content"]}}
        assert "http" not in body["text"]["content"]  # no site address: no links


def test_generic_payload_is_the_engine_json_plus_a_text(registry: Path) -> None:
    body = notify.payload("generic", the_digest(registry))
    assert {"as_of", "tasks", "text", "markdown", "title", "counts", "site_url"} <= set(body)
    assert [t["id"] for t in body["tasks"]] == ["DB-2026-0002", "DB-2026-0003", "DB-2026-0004"]
    first = body["tasks"][0]
    for name in (
        "id",
        "title",
        "status",
        "light",
        "findings",
        "effective_deadline",
        "days_left",
        "days_overdue",
        "workdays_overdue",
        "progress",
        "on_time",
    ):
        assert name in first  # the fields of `duban status --format json` (CLI.md)
    assert first["light"] == "red" and first["days_overdue"] == 10
    assert first["lead_unit_name"] == "市住房和城乡建设局"
    assert first["url"] == "https://office.example/duban/tasks/DB-2026-0002/"


def test_wecom_content_is_cut_to_4096_bytes(tmp_path: Path) -> None:
    registry = make_registry(tmp_path / "big", extra=80)
    content = notify.payload("wecom", the_digest(registry))["markdown"]["content"]
    assert len(content.encode("utf-8")) <= 4096
    shown = content.count("\n- ")
    assert shown > 5
    assert f"…及其他 {83 - shown} 项" in content
    assert "市住房和城乡建设局（81 项）" in content  # the unit's total, not the shown part
    text = notify.payload("wecom", the_digest(registry), "text")["text"]["content"]
    assert len(text.encode("utf-8")) <= 2048 and "…及其他" in text


def test_english_registry(registry: Path) -> None:
    settings = registry / "duban.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8").replace("language: zh-CN", "language: en"), encoding="utf-8"
    )
    text = notify.payload("dingtalk", the_digest(registry))["markdown"]["text"]
    assert "Reminder (2026-03-02)" in text and "1 overdue" in text and "overdue by 10 days" in text


# --- signing (pure) -----------------------------------------------------------------------------------------


def test_dingtalk_signature() -> None:
    # DingTalk: HMAC-SHA256 keyed with the secret over timestamp + "\n" + secret, base64, URL-encoded.
    expected = base64.b64encode(
        hmac.new(SECRET.encode(), f"{NOW_MS}\n{SECRET}".encode(), hashlib.sha256).digest()
    ).decode()
    assert urllib.parse.unquote_plus(notify.dingtalk_sign(SECRET, NOW_MS)) == expected
    prepared = notify.prepare(
        "dingtalk", f"https://oapi.dingtalk.com/robot/send?access_token={TOKEN}", {}, SECRET, NOW_MS
    )
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(prepared.url).query))
    assert query == {"access_token": TOKEN, "timestamp": str(NOW_MS), "sign": expected}


def test_feishu_signature() -> None:
    # Feishu: HMAC-SHA256 keyed with timestamp + "\n" + secret over an empty message, base64; in the body.
    seconds = NOW_MS // 1000
    expected = base64.b64encode(
        hmac.new(f"{seconds}\n{SECRET}".encode(), b"", hashlib.sha256).digest()
    ).decode()
    prepared = notify.prepare(
        "feishu", "https://open.feishu.cn/open-apis/bot/v2/hook/x", {"msg_type": "text"}, SECRET, NOW_MS
    )
    assert json.loads(prepared.body) == {"timestamp": str(seconds), "sign": expected, "msg_type": "text"}


def test_platform_from_the_webhook_host() -> None:
    assert notify.detect_kind("https://oapi.dingtalk.com/robot/send?access_token=x") == "dingtalk"
    assert notify.detect_kind("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x") == "wecom"
    assert notify.detect_kind("https://open.feishu.cn/open-apis/bot/v2/hook/x") == "feishu"
    assert notify.detect_kind("https://open.larksuite.com/open-apis/bot/v2/hook/x") == "feishu"
    assert notify.detect_kind("https://hooks.example.org/duban") is None


def test_mask_hides_tokens_in_paths_and_queries() -> None:
    url = f"https://open.feishu.cn/open-apis/bot/v2/hook/{TOKEN}?key={TOKEN}x"
    text = f"failed: {url} / {TOKEN} / {TOKEN}x / {SECRET}"
    masked = notify.mask(text, [url, SECRET])
    assert TOKEN not in masked and SECRET not in masked
    assert notify.where(url) == "https://open.feishu.cn/…"
    assert notify.mask("HTTP 404 on /send", ["https://hooks.example.org/send?debug=1"]) == "HTTP 404 on /send"


# --- delivery to the local server ---------------------------------------------------------------------------


def test_dingtalk_delivery_signed(registry: Path, webhook: Webhook) -> None:
    result = run(
        registry,
        "--webhook",
        f"{webhook.url}/robot/send?access_token={TOKEN}",
        "--kind",
        "dingtalk",
        "--secret",
        SECRET,
        "--site-url",
        "https://office.example/duban/",
    )
    assert result.exit_code == 0, result.output
    assert "已推送督办提醒（3 项）" in result.output
    (request,) = webhook.received
    assert request.method == "POST" and request.path == "/robot/send"
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert request.query["access_token"] == TOKEN
    assert request.query["timestamp"] == str(NOW_MS)
    assert request.query["sign"] == urllib.parse.unquote_plus(notify.dingtalk_sign(SECRET, NOW_MS))
    body = request.json()
    assert body["msgtype"] == "markdown" and "推进老旧小区改造" in body["markdown"]["text"]


def test_wecom_delivery(registry: Path, webhook: Webhook) -> None:
    result = run(registry, "--webhook", f"{webhook.url}/cgi-bin/webhook/send?key={TOKEN}", "--kind", "wecom")
    assert result.exit_code == 0, result.output
    (request,) = webhook.received
    assert request.path == "/cgi-bin/webhook/send" and request.query == {"key": TOKEN}
    body = request.json()
    assert set(body) == {"msgtype", "markdown"} and set(body["markdown"]) == {"content"}


def test_feishu_delivery_signed_from_the_environment(registry: Path, webhook: Webhook) -> None:
    webhook.default = OK["feishu"]
    env = {
        "DUBAN_WEBHOOK": f"{webhook.url}/open-apis/bot/v2/hook/{TOKEN}",
        "DUBAN_WEBHOOK_KIND": "feishu",
        "DUBAN_WEBHOOK_SECRET": SECRET,
    }
    result = run(registry, env=env)
    assert result.exit_code == 0, result.output
    (request,) = webhook.received
    assert request.path == f"/open-apis/bot/v2/hook/{TOKEN}"
    body = request.json()
    seconds = NOW_MS // 1000
    assert body["timestamp"] == str(seconds) and body["sign"] == notify.feishu_sign(SECRET, seconds)
    assert body["msg_type"] == "interactive" and body["card"]["header"]["template"] == "red"


def test_generic_delivery_with_signature_header(registry: Path, webhook: Webhook) -> None:
    webhook.default = OK["generic"]
    result = run(registry, "--webhook", f"{webhook.url}/hooks/duban", "--kind", "generic", "--secret", SECRET)
    assert result.exit_code == 0, result.output
    (request,) = webhook.received
    expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Duban-Signature-256"] == expected
    assert [t["id"] for t in request.json()["tasks"]] == ["DB-2026-0002", "DB-2026-0003", "DB-2026-0004"]


def test_a_server_error_is_retried(registry: Path, webhook: Webhook) -> None:
    webhook.script = [(500, b"busy", 0.0)]
    result = run(
        registry, "--webhook", f"{webhook.url}/robot/send?access_token={TOKEN}", "--kind", "dingtalk"
    )
    assert result.exit_code == 0, result.output
    assert len(webhook.received) == 2
    assert webhook.received[0].body == webhook.received[1].body


def test_a_timeout_is_retried(registry: Path, webhook: Webhook) -> None:
    webhook.script = [(200, OK["dingtalk"], 2.0)]
    result = run(
        registry,
        "--webhook",
        f"{webhook.url}/robot/send?access_token={TOKEN}",
        "--kind",
        "dingtalk",
        "--timeout",
        "0.3",
    )
    assert result.exit_code == 0, result.output
    assert len(webhook.received) == 2


def test_attempts_are_bounded(registry: Path, webhook: Webhook) -> None:
    webhook.script = [(502, b"bad gateway", 0.0)] * 5
    result = run(
        registry, "--webhook", f"{webhook.url}/robot/send?access_token={TOKEN}", "--kind", "dingtalk"
    )
    assert result.exit_code == 1
    assert len(webhook.received) == notify.ATTEMPTS == 3
    assert "HTTP 502" in result.output and "after 3 attempts" in result.output


def test_a_refused_post_is_not_retried(registry: Path, webhook: Webhook) -> None:
    webhook.script = [(400, b'{"error": "bad request"}', 0.0)]
    result = run(
        registry,
        "--webhook",
        f"{webhook.url}/robot/send?access_token={TOKEN}",
        "--kind",
        "dingtalk",
        "--secret",
        SECRET,
    )
    assert result.exit_code == 1
    assert len(webhook.received) == 1
    assert "推送失败" in result.output and "HTTP 400" in result.output and "bad request" in result.output
    assert "127.0.0.1" in result.output  # where it went: the host, never the token


@pytest.mark.parametrize(
    ("kind", "reply", "expected"),
    [
        ("dingtalk", b'{"errcode":310000,"errmsg":"sign not match"}', "code 310000: sign not match"),
        ("wecom", b'{"errcode":93000,"errmsg":"invalid webhook url"}', "code 93000: invalid webhook url"),
        (
            "feishu",
            b'{"code":19021,"msg":"sign match fail or timestamp is not within one hour"}',
            "code 19021",
        ),
        ("dingtalk", b"<html>proxy error</html>", "not JSON"),
    ],
)
def test_a_platform_error_reply_fails(
    registry: Path, webhook: Webhook, kind: str, reply: bytes, expected: str
) -> None:
    webhook.default = reply
    result = run(registry, "--webhook", f"{webhook.url}/send?access_token={TOKEN}", "--kind", kind)
    assert result.exit_code == 1
    assert expected in result.output
    assert len(webhook.received) == 1  # the platform answered: retrying would not help


def test_an_unreachable_webhook_fails(registry: Path, webhook: Webhook) -> None:
    with __import__("socket").socket() as probe:  # a port on 127.0.0.1 that nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run(
        registry, "--webhook", f"http://127.0.0.1:{port}/send?access_token={TOKEN}", "--kind", "dingtalk"
    )
    assert result.exit_code == 1
    assert "cannot reach the webhook" in result.output and "after 3 attempts" in result.output


def test_nothing_to_report_posts_nothing_unless_always(tmp_path: Path, webhook: Webhook) -> None:
    root = tmp_path / "quiet"
    scaffold(
        root, InitOptions(title="督查督办", timezone="Asia/Shanghai", today=dt.date(2026, 3, 2), year=2026)
    )
    url = f"{webhook.url}/robot/send?access_token={TOKEN}"
    result = run(root, "--webhook", url, "--kind", "dingtalk")
    assert result.exit_code == 0 and "未推送" in result.output
    assert webhook.received == []
    result = run(root, "--webhook", url, "--kind", "dingtalk", "--always")
    assert result.exit_code == 0, result.output
    (request,) = webhook.received
    assert "今天没有逾期、临期或反馈超期的事项" in request.json()["markdown"]["text"]


def test_dry_run_prints_the_message(registry: Path, webhook: Webhook) -> None:
    result = run(
        registry, "--webhook", f"{webhook.url}/send?access_token={TOKEN}", "--kind", "wecom", "--dry-run"
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout)["msgtype"] == "markdown"
    assert webhook.received == []
    assert run(registry, "--kind", "feishu", "--dry-run").exit_code == 0  # no webhook needed


def test_usage_errors(registry: Path) -> None:
    assert run(registry).exit_code == 2  # no webhook
    result = run(registry, "--webhook", f"https://hooks.example.org/x?token={TOKEN}")
    assert result.exit_code == 2 and "--kind" in result.output  # a host that tells no platform
    result = run(registry, "--webhook", f"ftp://127.0.0.1/{TOKEN}", "--kind", "generic")
    assert result.exit_code == 2 and "http" in result.output
    result = run(
        registry,
        "--webhook",
        f"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key={TOKEN}",
        "--secret",
        SECRET,
    )
    assert result.exit_code == 2 and "WeCom" in result.output


def test_a_registry_with_problems_sends_nothing(registry: Path, webhook: Webhook) -> None:
    (registry / "tasks" / "2026" / "DB-2026-0002.yaml").write_text("id: DB-2026-0002\n", encoding="utf-8")
    result = run(registry, "--webhook", f"{webhook.url}/send?access_token={TOKEN}", "--kind", "dingtalk")
    assert result.exit_code == 1
    assert webhook.received == []
