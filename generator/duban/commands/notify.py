"""`duban notify`: post the day's reminder to a group robot (群机器人提醒); see duban.notify."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from duban import clock
from duban.commands._common import as_of_option, load_or_fail, root_option
from duban.engine import evaluate
from duban.notify import (
    KINDS,
    STYLES,
    NotifyError,
    check_url,
    deliver,
    detect_kind,
    digest,
    mask,
    payload,
    prepare,
    where,
)
from duban.settings import Settings

MESSAGES: dict[str, dict[str, str]] = {
    "problems": {
        "zh-CN": "duban notify：台账文件有错误，未推送。",
        "en": "duban notify: the registry has problems; nothing was sent.",
    },
    "nothing": {
        "zh-CN": "今天没有逾期、临期或反馈超期的事项，未推送（需要时加 --always）。",
        "en": "Nothing overdue, due soon or late today: nothing sent (--always sends anyway).",
    },
    "sent": {
        "zh-CN": "已推送督办提醒（{count} 项）到 {kind} 群机器人 {where}",
        "en": "Sent the reminder ({count} items) to the {kind} robot at {where}",
    },
    "failed": {
        "zh-CN": "duban notify：推送失败（{where}）：{error}",
        "en": "duban notify: not sent ({where}): {error}",
    },
    "no-links": {
        "zh-CN": "提示：没有站点地址（--site-url 或 duban.yaml 中完整的 base_url），消息中不带链接。",
        "en": "note: no site address (--site-url, or an absolute base_url in duban.yaml): no links.",
    },
}


def say(key: str, language: str, **fields: Any) -> str:
    return MESSAGES[key]["zh-CN" if language == "zh-CN" else "en"].format(**fields)


@dataclass(frozen=True)
class NotifyOptions:
    webhook: str | None
    kind: str  # auto or one of KINDS
    secret: str | None
    site_url: str | None
    style: str
    always: bool
    dry_run: bool
    timeout: float


def resolve_kind(options: NotifyOptions) -> str:
    """The platform; usage errors (exit 2) never repeat the webhook URL or the secret."""
    url = options.webhook
    if url is None and not options.dry_run:
        raise click.UsageError("give the robot's webhook: --webhook URL or the DUBAN_WEBHOOK variable")
    if url is not None and (problem := check_url(url)) is not None:
        raise click.BadParameter(problem, param_hint="--webhook / DUBAN_WEBHOOK")
    kind = options.kind
    if kind == "auto":
        found = detect_kind(url) if url else None
        if found is None:
            raise click.UsageError(
                f"cannot tell the platform from the webhook; give --kind ({'|'.join(KINDS)})"
            )
        kind = found
    if options.secret and kind == "wecom" and not options.dry_run:
        raise click.UsageError(
            "WeCom group robots do not sign messages: leave out --secret/DUBAN_WEBHOOK_SECRET"
        )
    return kind


def site_address(option: str | None, settings: Settings) -> str | None:
    """Links need an absolute address: --site-url, else base_url when it is one (a path like / is not)."""
    if option:
        return option
    base = settings.base_url
    return base if base.startswith(("http://", "https://")) else None


def run_notify(root: Path, as_of: dt.date | None, options: NotifyOptions) -> int:
    kind = resolve_kind(options)
    loaded = load_or_fail(root, as_of)
    if loaded is None:
        click.echo(say("problems", "en"), err=True)
        return 1
    registry = loaded.registry
    language = registry.settings.language
    site = site_address(options.site_url, registry.settings)
    report = digest(registry, evaluate(registry, loaded.as_of), loaded.as_of.isoformat(), site)
    if report.empty and not options.always:
        click.echo(say("nothing", language))
        return 0
    if site is None:
        click.echo(say("no-links", language), err=True)
    body = payload(kind, report, options.style)
    if options.dry_run:
        click.echo(json.dumps(body, ensure_ascii=False, indent=2))
        return 0
    return _send(kind, body, options, language, len(report.entries))


def _send(kind: str, body: dict[str, Any], options: NotifyOptions, language: str, count: int) -> int:
    assert options.webhook is not None  # resolve_kind saw to it
    now_ms = int(clock.now_utc().timestamp() * 1000)  # the signature's timestamp
    request = prepare(kind, options.webhook, body, options.secret, now_ms)
    shown = where(options.webhook)
    try:
        deliver(kind, request, timeout=options.timeout)
    except NotifyError as error:
        text = say("failed", language, where=shown, error=error)
        click.echo(mask(text, [options.webhook, options.secret]), err=True)
        return 1
    click.echo(say("sent", language, count=count, kind=kind, where=shown))
    return 0


@click.command(name="notify")
@root_option
@as_of_option
@click.option(
    "--webhook",
    envvar="DUBAN_WEBHOOK",
    show_envvar=True,
    metavar="URL",
    help="The group robot's webhook address (a credential: never printed).",
)
@click.option(
    "--kind",
    type=click.Choice(("auto", *KINDS)),
    envvar="DUBAN_WEBHOOK_KIND",
    show_envvar=True,
    default="auto",
    show_default=True,
    help="The platform: DingTalk 钉钉, WeCom 企业微信, Feishu 飞书, or generic JSON; auto tells "
    "DingTalk, WeCom and Feishu from the webhook's host.",
)
@click.option(
    "--secret",
    envvar="DUBAN_WEBHOOK_SECRET",
    show_envvar=True,
    metavar="SECRET",
    help="Signing secret (加签密钥): DingTalk and Feishu sign the request with it; generic webhooks get "
    "an X-Duban-Signature-256 header. Never printed.",
)
@click.option(
    "--site-url",
    envvar="DUBAN_SITE_URL",
    show_envvar=True,
    metavar="URL",
    help="The site's address, for links to each item [default: base_url in duban.yaml when absolute].",
)
@click.option(
    "--style",
    type=click.Choice(STYLES),
    default="markdown",
    show_default=True,
    help="markdown: DingTalk/WeCom markdown, a Feishu card; text: plain text messages.",
)
@click.option("--always", is_flag=True, help="Post even when there is nothing to remind of.")
@click.option("--dry-run", is_flag=True, help="Print the message (JSON body) instead of sending it.")
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 120),
    default=10.0,
    show_default=True,
    metavar="SECONDS",
    help="Timeout of each attempt; up to 3 attempts when the network or the server fails.",
)
def command(root: Path, as_of: dt.date | None, **options: Any) -> None:
    """Post the day's overdue, due-soon and report-overdue items, grouped by lead unit, to a group robot.

    DingTalk and WeCom get markdown messages, Feishu a card (or text with --style text); generic webhooks get
    the engine's JSON of those items plus the message as text. A refused post, or a platform's error reply
    (bad signature, keyword missing, rate limit), is an error: exit 1. Nothing to report: nothing is sent.
    """
    raise SystemExit(run_notify(root, as_of, NotifyOptions(**options)))
