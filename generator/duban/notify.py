"""`duban notify`: the day's reminder (督办提醒) for a group robot — DingTalk, WeCom, Feishu or any webhook.

Three stages, each testable on its own:

1. `digest`: the overdue, due-soon and report-overdue items of the engine's states, grouped by lead unit;
2. `payload`: the message in the JSON shape each platform documents (pure functions, tested on their shapes);
3. `prepare` + `deliver`: signing (DingTalk, Feishu) when a secret is given, then an HTTP POST with a timeout,
   bounded retries and a check of the platform's reply.

The webhook URL and the secret are credentials (the URL carries the robot's token): nothing here puts them in
a message. Errors name the host only, and `mask` scrubs both from any text that came from elsewhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from duban import __version__
from duban.engine import TaskState, task_json
from duban.registry import Registry
from duban.wording import FINDING_NAMES, pick

KINDS = ("dingtalk", "wecom", "feishu", "generic")
STYLES = ("markdown", "text")
NOTIFIED = ("overdue", "due_soon", "feedback_overdue")  # the findings a reminder is about, most urgent first
# How a platform's webhook host looks: `--kind auto` picks the platform from the URL.
HOSTS = {
    "oapi.dingtalk.com": "dingtalk",
    "qyapi.weixin.qq.com": "wecom",
    "open.feishu.cn": "feishu",
    "open.larksuite.com": "feishu",
}
# Content limits in UTF-8 bytes: WeCom documents 4096 for markdown and 2048 for text; DingTalk and Feishu
# document 20 000 bytes for the whole request, so their content keeps room for the JSON around it.
LIMITS = {
    ("wecom", "markdown"): 4096,
    ("wecom", "text"): 2048,
    ("dingtalk", "markdown"): 18_000,
    ("dingtalk", "text"): 18_000,
    ("feishu", "markdown"): 18_000,
    ("feishu", "text"): 18_000,
}
TIMEOUT = 10.0  # seconds per attempt
ATTEMPTS = 3
BACKOFF = 1.0  # seconds before the second attempt, doubled before each later one
MIN_TOKEN = 8  # characters: a URL's path segment or query value this long may be a token
MAX_REPLY = 64 * 1024  # bytes of a reply read: enough for any platform's JSON answer

WORDS: dict[str, dict[str, str]] = {
    "heading": {"zh-CN": "督办提醒（{date}）", "en": "Reminder ({date})"},
    "count": {"zh-CN": "{name} {count} 项", "en": "{count} {name}"},
    "none": {
        "zh-CN": "今天没有逾期、临期或反馈超期的事项。",
        "en": "Nothing overdue, due soon or late today.",
    },
    "group": {"zh-CN": "{unit}（{count} 项）", "en": "{unit} ({count})"},
    "more": {"zh-CN": "…及其他 {count} 项", "en": "… and {count} more"},
    "site": {"zh-CN": "查看督办站点", "en": "Open the site"},
}
SEPARATOR = {"zh-CN": "：", "en": ": "}
JOINER = {"zh-CN": "；", "en": "; "}
MARKS = {"overdue": "🔴", "due_soon": "🟡", "feedback_overdue": "🟡"}


def say(key: str, language: str, **fields: Any) -> str:
    return pick(WORDS, key, language).format(**fields)


# --- 1. the digest ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One item in the reminder: the notified findings it has and why."""

    id: str
    title: str
    findings: tuple[str, ...]  # from NOTIFIED, most urgent first
    reasons: tuple[str, ...]  # the engine's words for those findings
    url: str | None
    state: TaskState = field(repr=False, compare=False)


@dataclass(frozen=True)
class Group:
    unit_id: str
    unit_name: str
    entries: tuple[Entry, ...]
    total: int  # the unit's items, including any left out to fit a limit


@dataclass(frozen=True)
class Digest:
    title: str  # the registry's site title
    as_of: str  # ISO date
    language: str
    groups: tuple[Group, ...]
    counts: dict[str, int]  # items per notified finding (an item may count under two)
    site_url: str | None
    omitted: int = 0  # entries left out to fit a platform's limit

    @property
    def entries(self) -> list[Entry]:
        return [entry for group in self.groups for entry in group.entries]

    @property
    def empty(self) -> bool:
        return not self.groups and not self.omitted

    def first(self, count: int) -> Digest:
        """The digest with only its first `count` entries (the rest counted in `omitted`)."""
        groups, left = [], count
        for group in self.groups:
            if left <= 0:
                break
            kept = group.entries[:left]
            groups.append(replace(group, entries=kept))
            left -= len(kept)
        shown = sum(len(group.entries) for group in groups)
        return replace(self, groups=tuple(groups), omitted=self.omitted + len(self.entries) - shown)


def page_url(site_url: str | None, task_id: str) -> str | None:
    """An item's page on the site (tasks/ID/ under the site's address)."""
    if not site_url:
        return None
    return f"{site_url.rstrip('/')}/tasks/{urllib.parse.quote(task_id)}/"


def _entry(state: TaskState, language: str, site_url: str | None) -> Entry | None:
    findings = tuple(name for name in NOTIFIED if name in state.findings)
    if not findings:
        return None
    reasons = tuple(r.message(language) for r in state.reasons if r.finding in findings)
    return Entry(state.id, state.title, findings, reasons, page_url(site_url, state.id), state)


def _urgency(entry: Entry) -> tuple[int, int, int, str]:
    """Overdue first (longest first), then due soon (soonest first), then late reports."""
    state = entry.state
    return (NOTIFIED.index(entry.findings[0]), -state.days_overdue, state.days_left, entry.id)


def digest(registry: Registry, states: Sequence[TaskState], as_of: str, site_url: str | None) -> Digest:
    """The items to remind of, grouped by lead unit: units with overdue items first, then in org/ order."""
    language = registry.settings.language
    entries = [e for e in (_entry(s, language, site_url) for s in states) if e is not None]
    by_unit: dict[str, list[Entry]] = {}
    for entry in sorted(entries, key=_urgency):
        by_unit.setdefault(entry.state.lead_unit, []).append(entry)
    order = {unit: index for index, unit in enumerate(registry.units)}

    def unit_key(unit: str) -> tuple[int, int, str]:
        overdue = sum("overdue" in e.findings for e in by_unit[unit])
        return (-overdue, order.get(unit, len(order)), unit)

    groups = tuple(
        Group(unit, registry.unit_name(unit), tuple(by_unit[unit]), len(by_unit[unit]))
        for unit in sorted(by_unit, key=unit_key)
    )
    counts = {name: sum(name in e.findings for e in entries) for name in NOTIFIED}
    return Digest(registry.settings.title, as_of, language, groups, counts, site_url or None)


# --- 2. the message -----------------------------------------------------------------------------------------


def heading(d: Digest) -> str:
    return f"{d.title} · {say('heading', d.language, date=d.as_of)}"


def counts_line(d: Digest) -> str:
    if d.empty:
        return say("none", d.language)
    parts = [
        say("count", d.language, name=pick(FINDING_NAMES, name, d.language), count=count)
        for name, count in d.counts.items()
        if count
    ]
    return ("，" if d.language == "zh-CN" else ", ").join(parts)


def _entry_text(entry: Entry, language: str) -> str:
    return f"{entry.id} {entry.title}{SEPARATOR[language]}{JOINER[language].join(entry.reasons)}"


def _entry_markdown(entry: Entry, language: str) -> str:
    label = f"[{entry.id}]({entry.url})" if entry.url else entry.id
    reasons = JOINER[language].join(entry.reasons)
    return f"- {MARKS[entry.findings[0]]} {label} {entry.title}{SEPARATOR[language]}{reasons}"


def markdown(d: Digest, headings: bool = True) -> str:
    """The message in Markdown; without `headings` (Feishu's lark_md has none) unit names are bold."""
    blocks = [f"### {heading(d)}" if headings else f"**{heading(d)}**", counts_line(d)]
    for group in d.groups:
        title = say("group", d.language, unit=group.unit_name, count=group.total)
        lines = [f"#### {title}" if headings else f"**{title}**"]
        lines += [_entry_markdown(entry, d.language) for entry in group.entries]
        blocks.append("\n".join(lines))
    if d.omitted:
        blocks.append(say("more", d.language, count=d.omitted))
    if d.site_url:
        blocks.append(f"[{say('site', d.language)}]({d.site_url})")
    return "\n\n".join(blocks)


def text(d: Digest) -> str:
    """The message in plain text (platforms' text messages, and the generic payload's `text`)."""
    lines = [heading(d), counts_line(d)]
    for group in d.groups:
        lines += ["", say("group", d.language, unit=group.unit_name, count=group.total)]
        lines += [f"{index}. {_entry_text(e, d.language)}" for index, e in enumerate(group.entries, 1)]
    if d.omitted:
        lines += ["", say("more", d.language, count=d.omitted)]
    if d.site_url:
        lines += ["", f"{say('site', d.language)}{SEPARATOR[d.language]}{d.site_url}"]
    return "\n".join(lines)


def fit(d: Digest, render: Callable[[Digest], str], limit: int | None) -> str:
    """`render(d)` with as many entries as fit in `limit` UTF-8 bytes, and "…及其他 N 项" for the rest."""
    full = render(d)
    if limit is None or len(full.encode("utf-8")) <= limit:
        return full
    low, high = 0, len(d.entries) - 1  # the most entries that fit: a binary search over the count
    while low < high:
        middle = (low + high + 1) // 2
        if len(render(d.first(middle)).encode("utf-8")) <= limit:
            low = middle
        else:
            high = middle - 1
    shortest = render(d.first(low))
    return shortest if len(shortest.encode("utf-8")) <= limit else _cut(shortest, limit)


def _cut(content: str, limit: int) -> str:
    """The last resort for a limit that not even the heading fits: cut at a character boundary."""
    return content.encode("utf-8")[: limit - 3].decode("utf-8", "ignore") + "…"


def _card_template(d: Digest) -> str:
    """The Feishu card's header colour: red with overdue items, orange with others, green with none."""
    if d.counts.get("overdue"):
        return "red"
    return "orange" if d.entries else "green"


def _feishu_card(d: Digest, content: str) -> dict[str, Any]:
    elements: list[dict[str, Any]] = [{"tag": "div", "text": {"tag": "lark_md", "content": content}}]
    if d.site_url:
        button = {"tag": "button", "text": {"tag": "plain_text", "content": say("site", d.language)},
                  "type": "primary", "url": d.site_url}  # fmt: skip
        elements.append({"tag": "action", "actions": [button]})
    return {
        "config": {"wide_screen_mode": True},
        "header": {"title": {"tag": "plain_text", "content": heading(d)}, "template": _card_template(d)},
        "elements": elements,
    }


def _generic(d: Digest) -> dict[str, Any]:
    """The engine's JSON of the items (as `duban status --format json`), each with its unit's name and page,
    and the message as text and Markdown."""
    tasks = []
    for group in d.groups:
        for entry in group.entries:
            record = task_json(entry.state, d.language)
            tasks.append(record | {"lead_unit_name": group.unit_name, "url": entry.url})
    return {
        "title": heading(d), "text": text(d), "markdown": markdown(d), "as_of": d.as_of,
        "site_url": d.site_url, "counts": d.counts, "omitted": d.omitted, "tasks": tasks,
    }  # fmt: skip


def payload(kind: str, d: Digest, style: str = "markdown") -> dict[str, Any]:
    """The message body in the JSON shape the platform documents (unsigned)."""
    limit = LIMITS.get((kind, style))
    if kind == "generic":
        return _generic(d)
    if style == "text":
        content = fit(d, text, limit)
        if kind == "feishu":
            return {"msg_type": "text", "content": {"text": content}}
        return {"msgtype": "text", "text": {"content": content}}
    if kind == "dingtalk":
        return {"msgtype": "markdown", "markdown": {"title": heading(d), "text": fit(d, markdown, limit)}}
    if kind == "wecom":
        return {"msgtype": "markdown", "markdown": {"content": fit(d, markdown, limit)}}
    content = fit(d, lambda part: markdown(part, headings=False), limit)
    return {"msg_type": "interactive", "card": _feishu_card(d, content)}


# --- 3. sending ---------------------------------------------------------------------------------------------


class NotifyError(Exception):
    """The message was not delivered; the text is safe to print (no URL token, no secret)."""


@dataclass(frozen=True)
class Prepared:
    url: str  # secret-bearing: never print
    body: bytes
    headers: dict[str, str]


def detect_kind(url: str) -> str | None:
    """The platform a webhook URL belongs to, from its host; None for any other host."""
    host = (urllib.parse.urlsplit(url).hostname or "").lower()
    return HOSTS.get(host)


def check_url(url: str) -> str | None:
    """Why `url` cannot be a webhook, or None. The message never repeats the URL."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "the webhook must be an http:// or https:// URL"
    return None


def where(url: str) -> str:
    """The webhook for messages: scheme and host only (the path or the query carries the robot's token)."""
    parts = urllib.parse.urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}/…"


def mask(message: str, secrets: Sequence[str | None]) -> str:
    """`message` with every secret, and every part of the webhook URL that may be a token, replaced by ***."""
    hidden: set[str] = set()
    for secret in secrets:
        if not secret:
            continue
        hidden.add(secret)
        parts = urllib.parse.urlsplit(secret)
        # Tokens are long; short parts (`?debug=1`, `/send`) are no secret, and masking them garbles text.
        values = [v for _, v in urllib.parse.parse_qsl(parts.query)] + parts.path.split("/")
        hidden.update(value for value in values if len(value) >= MIN_TOKEN)
    for value in sorted(hidden, key=len, reverse=True):
        message = message.replace(value, "***")
    return message


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk's 加签: base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}")), URL-encoded."""
    digest_ = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest_).decode("ascii"))


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """Feishu's 签名校验: base64(HMAC-SHA256(key="{timestamp}\\n{secret}", msg=b"")), as documented."""
    key = f"{timestamp_s}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


def generic_signature(secret: str, body: bytes) -> str:
    """A generic receiver can check `X-Duban-Signature-256` the way GitHub's webhooks are checked."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _json_bytes(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def prepare(kind: str, url: str, body: dict[str, Any], secret: str | None, now_ms: int) -> Prepared:
    """URL, body and headers of the POST, signed when a secret is given (`now_ms`: ms since 1970)."""
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": f"duban/{__version__}"}
    if secret and kind == "dingtalk":
        separator = "&" if urllib.parse.urlsplit(url).query else "?"
        url = f"{url}{separator}timestamp={now_ms}&sign={dingtalk_sign(secret, now_ms)}"
    elif secret and kind == "feishu":
        seconds = now_ms // 1000
        body = {"timestamp": str(seconds), "sign": feishu_sign(secret, seconds)} | body
    data = _json_bytes(body)
    if secret and kind == "generic":
        headers["X-Duban-Signature-256"] = generic_signature(secret, data)
    return Prepared(url, data, headers)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A webhook answers; it does not redirect. Following one could carry the message somewhere else."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def _post_once(request: Prepared, timeout: float) -> tuple[int, bytes]:
    http_request = urllib.request.Request(
        request.url, data=request.body, headers=request.headers, method="POST"
    )
    with _OPENER.open(http_request, timeout=timeout) as response:
        return int(response.status), response.read(MAX_REPLY)


def _http_error(error: urllib.error.HTTPError) -> str:
    try:
        detail = error.read(2000).decode("utf-8", "replace").strip()
    except OSError:
        detail = ""
    return f"HTTP {error.code} {error.reason}" + (f": {detail}" if detail else "")


def post(
    request: Prepared,
    *,
    timeout: float = TIMEOUT,
    attempts: int = ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
) -> bytes:
    """POST; retry connection errors, timeouts and 5xx (not 4xx: the request itself is wrong). The reply."""
    delay = BACKOFF
    for attempt in range(1, attempts + 1):
        try:
            status, reply = _post_once(request, timeout)
        except urllib.error.HTTPError as error:
            problem = _http_error(error)
            if error.code < 500:
                raise NotifyError(f"the webhook refused the message: {problem}") from None
        except (OSError, http.client.HTTPException) as error:  # refused, reset, timed out, not HTTP
            reason = getattr(error, "reason", error)
            problem = f"cannot reach the webhook: {reason}"
        else:
            if 200 <= status < 300:
                return reply
            problem = f"unexpected HTTP status {status}"
        if attempt < attempts:
            sleep(delay)
            delay *= 2
    raise NotifyError(f"{problem} (after {attempts} attempts)")


def check_reply(kind: str, reply: bytes) -> None:
    """The platforms answer 200 with an error code in JSON (bad signature, rate limit, keyword missing)."""
    if kind == "generic":
        return
    try:
        answer = json.loads(reply.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise NotifyError(f"the webhook's reply is not JSON: {reply[:200]!r}") from None
    if not isinstance(answer, dict):
        raise NotifyError(f"unexpected reply from the webhook: {answer!r}")
    if kind == "feishu":
        code = answer.get("code", answer.get("StatusCode", 0))
        message = answer.get("msg", answer.get("StatusMessage", ""))
    else:
        code, message = answer.get("errcode", 0), answer.get("errmsg", "")
    if code not in (0, None):
        raise NotifyError(f"the platform rejected the message: code {code}: {message}")


def deliver(
    kind: str, request: Prepared, *, timeout: float = TIMEOUT, sleep: Callable[[float], None] = time.sleep
) -> None:
    """Send and check the reply; NotifyError (safe to print) when the message did not arrive."""
    check_reply(kind, post(request, timeout=timeout, sleep=sleep))
