"""The Jinja environment: created once per language and process, templates compiled once (no auto-reload).

Links are relative to the page (`url("tasks/X/index.html")` from `tasks/Y/index.html` is
`../../tasks/X/index.html`), so the site works from any sub-path (GitHub Pages) and straight from `file://`.
Every page gets `root`, the way back to the output folder's top; `url()` only prepends it, which is much
cheaper than computing a relative path for each of the ~50 links of a page.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from typing import Any

import markupsafe
from jinja2 import Environment, FileSystemLoader, StrictUndefined, nodes, pass_context, select_autoescape
from jinja2.compiler import CodeGenerator, Frame
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream
from jinja2.runtime import Context
from markupsafe import Markup, escape

from duban.dates import parse_date
from duban.engine import TaskState
from duban.resources import data_dir
from duban.site import labels
from duban.site.i18n import format_day, translations, weekday_names
from duban.site.markdown import render_markdown
from duban.site.views import Ref, SiteContext, TaskView
from duban.wording import number


def root_prefix(page_path: str) -> str:
    """The way from a page back to the site's top: '' for index.html, '../../' for tasks/X/index.html."""
    return "../" * page_path.count("/")


# The page's way back to the top as HTML, for the ~10 links per page that start with it. `typed`: the row mark
# (Markup) and the same text as a str escape differently.
root_html = functools.lru_cache(maxsize=256, typed=True)(escape)


@pass_context
def url(context: Context, path: str) -> Markup:
    """A link to the site path `path` (already URL-safe), relative to the page being rendered."""
    return root_html(context["root"]) + path


# Rows are rendered once per item with this in place of the way back to the top, then joined with each page's
# own (task_rows). It starts with "<", which escaping never lets through from the registry's text, so it
# stands only where url() and ref() put the way back.
ROOT_MARK = Markup("<duban-root>")


# The helpers below run ~100 times per page with few distinct arguments (a registry names the same days, units
# and people again and again): each keeps what it made, per build process, instead of escaping it again.


def _day_function(language: str) -> Any:
    @functools.lru_cache(maxsize=65_536)
    def day(value: dt.date | None, style: str = "day") -> Markup:
        """`<time>` with the machine-readable date and the date as the language writes it."""
        if value is None:
            return Markup("")
        return Markup('<time datetime="%s">%s</time>') % (
            value.isoformat(),
            format_day(value, language, style),
        )

    return day


@pass_context
def ref(context: Context, item: Ref | None) -> Markup:
    """A unit, person or item by name, linked to its page when it has one."""
    if item is None:
        return Markup("")
    return _ref(item, root_html(context["root"]))


@functools.lru_cache(maxsize=65_536)
def _ref(item: Ref, root: Markup) -> Markup:
    """`root` is HTML already: the escaped way back, or ROOT_MARK."""
    if item.path:
        return Markup('<a href="%s%s">%s</a>') % (root, item.path, item.name)
    return escape(item.name)


def _refs_function(language: str) -> Any:
    separator: Markup = gettext_functions(language)[0](", ")

    @pass_context
    def refs(context: Context, items: Iterable[Ref]) -> Markup:
        """Units or people by name, each linked to its page, in a list as the language writes one."""
        root = root_html(context["root"])
        return separator.join([_ref(item, root) for item in items])

    return refs


def _light_function(language: str) -> Any:
    gettext = translations(language).gettext

    @functools.cache
    def light(code: str) -> Markup:
        """The light as icon, word and colour together (never colour alone); the icon is hidden from screen
        readers, which read the word."""
        icon, word = labels.LIGHT_ICONS.get(code, ""), gettext(labels.msgid("light", code))
        return Markup(
            '<span class="light light-%s"><span class="light-icon" aria-hidden="true">%s</span> %s</span>'
        ) % (code, icon, word)

    return light


def _days_function(env: Environment) -> Any:
    """`days(state)`: the `days` macro of _macros.html (the words of the time column), written once per
    distinct (status, days late, overdue, left): rows and pages ask 20,000 times for a few hundred answers."""
    written: dict[tuple[str, int | None, int, int], Markup] = {}

    def days(state: TaskState) -> Markup:
        key = (state.status, state.days_late, state.days_overdue, state.days_left)
        words = written.get(key)
        if words is None:
            # The macro reads nothing but the state and gettext: it runs without a page's context.
            words = written[key] = Markup(env.get_template("_macros.html").module.days(state))  # type: ignore[attr-defined]
        return words

    return days


@pass_context
def task_row(context: Context, view: TaskView) -> Markup:
    """One item's table row (site_templates/_row.html)."""
    root = str(root_html(context["root"])).encode("utf-8")
    return Markup(root.join(_row_parts(context, view)).decode("utf-8"))


class Html:
    """HTML made already, as one str, that a template writes out as it is (`escape_output`). For the long
    lists: a Markup of a str is a copy of it (a person's rows at 100,000 items: 30 MB)."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __html__(self) -> str:
        return self.text


@pass_context
def task_rows(context: Context, views: Iterable[TaskView]) -> Html:
    """The rows of an item table: one call for the whole table (unit pages list hundreds of rows).

    Where the page is written out in pieces (site.pages), only a mark stands here, and the rows take its
    place as the page is written (`DeferredRows`), a few hundred at a time: a person's table at 100,000 items
    is 30 MB of rows, which would be one str, then copied into the macro's output, then encoded.
    """
    root = str(root_html(context["root"])).encode("utf-8")
    deferred: DeferredRows | None = context.get(DEFERRED_ROWS)
    if deferred is None:
        return Html(b"".join([root.join(_row_parts(context, view)) for view in views]).decode("utf-8"))
    return Html(deferred.defer(context, root, list(views)))


# The name under which a page's deferred lists are given to its template. Their marks in its output carry
# a token of this render, unknown to whoever wrote the registry: an item table's starts with "<", which
# escaping never lets through; the JSON index's rows' (site.listing.index_data) is text with NULs, which
# `tojson` writes as "\u0000duban-json-TOKEN-N\u0000" (quotes included).
DEFERRED_ROWS = "duban_deferred_rows"
ROWS_MARK = "<duban-rows "
_MARKS = re.compile(f'({re.escape(ROWS_MARK)}[0-9a-f]+-\\d+>|"\\\\u0000duban-json-[0-9a-f]+-\\d+\\\\u0000")')
ROWS_BATCH = 256
# `tojson`'s settings (the environment's policy): compact, with Chinese as UTF-8 rather than \uXXXX escapes.
JSON_SETTINGS: dict[str, Any] = {"sort_keys": True, "ensure_ascii": False, "separators": (",", ":")}


class DeferredRows:
    """The long lists of a page written out in pieces (an item table's rows, a bulletin's, a JSON list's
    items), each made and written a batch at a time where its mark stands (`expand`)."""

    def __init__(self) -> None:
        self.pending: dict[str, Callable[[], Iterator[str | bytes]]] = {}  # by mark as the page has it
        self.token = secrets.token_hex(8)
        self.made = 0

    def defer(self, context: Context, root: bytes, views: list[TaskView]) -> str:
        """An item table's rows (`task_rows`)."""
        return self.defer_pieces(lambda: _table(context, root, views))

    def defer_pieces(self, pieces: Callable[[], Iterator[str | bytes]]) -> str:
        """HTML made by `pieces` when the page is written (the pieces are not escaped)."""
        mark = f"{ROWS_MARK}{self._next()}>"
        self.pending[mark] = pieces
        return mark

    def defer_json(self, items: Callable[[], Iterable[Any]]) -> str:
        """A JSON list, written where `tojson` wrote the text this returns, as `tojson` would have."""
        mark = f"\x00duban-json-{self._next()}\x00"
        self.pending[json.dumps(mark)] = lambda: _json_list(items())
        return mark

    def _next(self) -> str:
        self.made += 1
        return f"{self.token}-{self.made}"

    def expand(self, text: str) -> Iterator[str | bytes]:
        """`text` with each mark replaced by its list, a batch at a time."""
        for index, part in enumerate(_MARKS.split(text) if self.pending else (text,)):
            pieces = self.pending.pop(part, None) if index % 2 else None
            if pieces is None:
                yield part  # text, or a mark of no list of this render: text too
            else:
                yield from pieces()


def _table(context: Context, root: bytes, views: list[TaskView]) -> Iterator[bytes]:
    for start in range(0, len(views), ROWS_BATCH):
        batch = views[start : start + ROWS_BATCH]
        yield b"".join([root.join(_row_parts(context, view)) for view in batch])


def batched(rows: Iterable[str]) -> Iterator[str]:
    """`rows` joined a batch at a time."""
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, ROWS_BATCH)):
        yield "".join(batch)


def _json_list(items: Iterable[Any]) -> Iterator[str]:
    """`items` as `tojson` writes a list (the environment's JSON settings, then <, >, & and ' escaped)."""
    texts = (
        ("," if position else "") + json.dumps(item, **JSON_SETTINGS) for position, item in enumerate(items)
    )
    yield "["
    yield from map(_html_safe, batched(texts))
    yield "]"


def _html_safe(text: str) -> str:
    return (
        text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("'", "\\u0027")
    )


def _row_parts(context: Context, view: TaskView) -> list[bytes]:
    """The item's row split where the way back to the top goes, in UTF-8: rendered once per item and build,
    for pages of every depth (the list pages, unit and person pages and the dashboard show the same rows).
    Kept encoded: half the size of a str holding Chinese (100,000 rows: 85 MB less), and written as it is."""
    site: SiteContext = context["site"]
    parts = site.row_parts.get(view.id)
    if parts is None:
        template = context.environment.get_template("_row.html")
        text = template.render(t=view, root=ROOT_MARK, site=site)
        parts = site.row_parts[view.id] = [part.encode("utf-8") for part in text.split(ROOT_MARK)]
    return parts


@pass_context
def item_link(context: Context, state: TaskState) -> Markup:
    """An item's title linked to its page (bulletins list thousands of them)."""
    path = context["site"].by_id[state.id].path
    return _ref(Ref(state.id, state.title, path), root_html(context["root"]))


@pass_context
def unit_link(context: Context, unit_id: str) -> Markup:
    """A unit's short name linked to its page, or the id of a unit the registry no longer has."""
    unit = context["site"].unit_by_id.get(unit_id)
    return _ref(unit.ref, root_html(context["root"])) if unit is not None else escape(unit_id)


@pass_context
def chrome(context: Context, name: str) -> Markup:
    """A part of base.html every page has (head links, header and navigation, footer), rendered once per page
    depth and section: it is the same on all 10,000 item pages, and rendering it was a third of each one."""
    site, root, section = context["site"], str(context["root"]), context["page"].section
    key = (name, root, section)
    html = site.row_cache.get(key)
    if html is None:
        template = context.environment.get_template(name)
        html = site.row_cache[key] = template.render(site=site, page=context["page"], root=root)
    return Markup(html)


def _date_filter(language: str) -> Any:
    def date(day: dt.date | None, style: str = "day") -> str:
        return format_day(day, language, style) if day is not None else ""

    return date


def _label_function(language: str) -> Any:
    gettext = translations(language).gettext

    @functools.lru_cache(maxsize=4096)
    def label(kind: str, code: str) -> str:
        return gettext(labels.msgid(kind, code))

    return label


def _label_filter(language: str) -> Any:
    """`{{ code|label(kind) }}`: its own cache, so that a label asked for again is one call of C, with no
    Python function between the filter and the cached translation."""
    label = _label_function(language)

    @functools.lru_cache(maxsize=4096)
    def label_filter(code: str, kind: str) -> str:
        return str(label(kind, code))

    return label_filter


def gettext_functions(language: str) -> tuple[Any, Any]:
    """`_`/`gettext` and `ngettext` for templates, with the semantics of Jinja's "new style" gettext: the
    translation is always %-formatted with the keyword arguments (`num` defaults to the count), and the
    arguments are escaped. Unlike Jinja's, the translation is escaped too (a catalog is text, not markup),
    and a message without arguments is translated once per process, not once per page."""
    catalog = translations(language)

    @functools.cache
    def constant(message: str) -> Markup:
        return escape(catalog.gettext(message)) % {}

    @functools.cache
    def translated(message: str) -> Markup:
        return escape(catalog.gettext(message))

    def gettext(message: str, **variables: Any) -> Markup:
        if not variables:
            return constant(message)
        return fill(translated(message), variables)

    def ngettext(singular: str, plural: str, num: int, **variables: Any) -> Markup:
        variables.setdefault("num", num)
        return fill(escape(catalog.ngettext(singular, plural, num)), variables)

    return gettext, ngettext


_TEXT_FIELD = re.compile(r"%\(\w+\)s|%%")


@functools.lru_cache(maxsize=4096)
def _text_fields_only(translation: str) -> bool:
    """Whether every `%` of the translation starts a `%(name)s` field or is `%%`."""
    return "%" not in _TEXT_FIELD.sub("", translation)


def fill(translation: Markup, variables: dict[str, Any]) -> Markup:
    """`translation % variables` with the values escaped, as Markup's `%` makes it, but without the helper
    object Markup wraps around each value (~6 per item page, each costing more than the page's rows); other
    fields (`%(n)d`) go through Markup's `%`."""
    if not _text_fields_only(translation):
        return translation % variables
    escaped = {name: escape_output(value) for name, value in variables.items()}
    return Markup(str.__mod__(translation, escaped))


@functools.cache
def js_labels(language: str) -> dict[str, Any]:
    """The words app.js needs to write rows and messages itself, with `%(num)s`-style fields it fills in."""
    catalog = translations(language)
    gettext, ngettext = catalog.gettext, catalog.ngettext

    def table(kind: str) -> dict[str, str]:
        return {code: gettext(text) for code, text in labels.TABLES[kind].items()}

    return {
        "light": table("light"),
        "status": table("status"),
        "priority": table("priority"),
        "left": [
            ngettext("%(num)s day left", "%(num)s days left", 1),
            ngettext("%(num)s day left", "%(num)s days left", 2),
        ],
        "overdue": [
            ngettext("%(num)s day overdue", "%(num)s days overdue", 1),
            ngettext("%(num)s day overdue", "%(num)s days overdue", 2),
        ],
        "late": [
            ngettext("%(num)s day late", "%(num)s days late", 1),
            ngettext("%(num)s day late", "%(num)s days late", 2),
        ],
        "onTime": gettext("On time"),
        "dueToday": gettext("Due today"),
        "review": gettext("Awaiting review"),
        "count": gettext("Showing %(shown)s of %(total)s items"),
        "countFiltered": gettext("Showing %(shown)s of %(matching)s matching items (%(total)s in all)"),
        "more": gettext("Show %(num)s more"),
    }


def percent(value: float | None) -> str:
    """50%, 62.5% (the number without a trailing .0)."""
    return "" if value is None else f"{number(round(value, 1))}%"


def markdown(text: str | None) -> Markup:
    return render_markdown(text or "")


class InlineConstants(Extension):
    """`_("Details")` with nothing to fill in becomes its translation when the template is compiled.

    An item page calls `_()` ~40 times, ~25 of them with constant text: through Jinja's call machinery, each
    call cost as much as a table row. Only translations that need no escaping and hold no `%` are
    inlined, so a page reads exactly as with the call (which escapes the translation and %-formats it).
    """

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        translate = translations(self.environment.globals["html_lang"]).gettext
        tokens = list(stream)
        index = 0
        while index < len(tokens):
            constant = _constant_call(tokens, index, translate)
            if constant is None:
                yield tokens[index]
                index += 1
            else:
                yield Token(tokens[index].lineno, "string", constant)
                index += 4


_ESCAPED = frozenset("&<>\"'%")


def _constant_call(tokens: list[Token], index: int, translate: Any) -> str | None:
    """The translation when tokens[index:index + 4] are `_`, `(`, a string and `)` (not `x._(…)`)."""
    window = tokens[index : index + 4]
    if len(window) < 4 or (index > 0 and tokens[index - 1].type == "dot"):
        return None
    name, opening, text, closing = window
    if (name.type, name.value, opening.type, text.type, closing.type) != (
        "name",
        "_",
        "lparen",
        "string",
        "rparen",
    ):
        return None
    translated = str(translate(text.value))
    return None if _ESCAPED.intersection(translated) else translated


def _escaped_text(text: str) -> str:
    return str(markupsafe.escape(text))


# What escape() runs on a str (C when markupsafe's speedups are built). markupsafe does not export it (3.0 has
# it): without it, the same text through escape() itself.
_escape_inner: Callable[[str], str] = getattr(markupsafe, "_escape_inner", _escaped_text)


def escape_output(value: Any) -> str:
    """`str(escape(value))` for what a template writes out (`{{ value }}`), without making a Markup of it.

    Jinja writes `escape(value)`, which wraps every piece in a Markup, in Python, only for the render to join
    the pieces into one str: ~100 times per item page, and a seventh of its time. The text is the same
    (tests/test_site_fastpaths.py compares the two on every kind of value).
    """
    if type(value) is str:  # most values: text from the registry
        return _escape_inner(value)
    if type(value) is Markup:  # what the helpers make: HTML already (a str, so it joins the page as it is)
        return value
    html = getattr(value, "__html__", None)
    if html is not None:  # Markup (helpers, translations), or anything else that renders itself
        return str(html())
    return _escape_inner(str(value))


# Calls of these names go straight to the function rather than through Context.call, which looks for
# pass_context and its kin on every call: the environment's gettext functions take no context (~6 calls per
# item page).
_PLAIN_CALLS = frozenset({"_", "gettext", "ngettext"})


class _CodeGenerator(CodeGenerator):
    """Jinja's code generator, with three shortcuts on what item pages do ~150 times each: `{{ value }}`
    written out through `escape_output`; `a.b` read with the builtin getattr first; `_()` called directly.

    Every page comes out the same as with Jinja's own code (tests/test_site_fastpaths.py).
    """

    def visit_Template(self, node: nodes.Template, frame: Frame | None = None) -> None:
        self.writeline(f"from {__name__} import escape_output")
        super().visit_Template(node, frame)

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        # Only where the template is always autoescaped: `{% autoescape %}` blocks (volatile) decide when
        # the page is rendered, and keep Jinja's code.
        if frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("escape_output(")
        if finalize.src is not None:
            self.write(finalize.src)

    def visit_Getattr(self, node: nodes.Getattr, frame: Frame) -> None:
        """`a.b` as `getattr(a, "b")`, and only when `a` has no attribute `b`, Jinja's environment.getattr
        (which then tries `a["b"]`): one builtin call rather than a Python one. `_obj` keeps `a`, evaluated
        once; nested reads (`a.b.c`) have finished with `_obj` and `_attr` before the outer one sets them."""
        if self.environment.is_async or self.environment.sandboxed:
            super().visit_Getattr(node, frame)
            return
        self.write("(_attr if (_attr := getattr((_obj := ")
        self.visit(node.node, frame)
        self.write(
            f"), {node.attr!r}, missing)) is not missing else environment.getattr(_obj, {node.attr!r}))"
        )

    def visit_Call(self, node: nodes.Call, frame: Frame, forward_caller: bool = False) -> None:
        plain = isinstance(node.node, nodes.Name) and node.node.name in _PLAIN_CALLS
        if not plain or forward_caller or node.dyn_args or node.dyn_kwargs or self.environment.is_async:
            super().visit_Call(node, frame, forward_caller=forward_caller)
            return
        self.visit(node.node, frame)
        self.write("(")
        for position, argument in enumerate([*node.args, *node.kwargs]):
            self.write(", " if position else "")
            self.visit(argument, frame)
        self.write(")")


class _Environment(Environment):
    """Templates see the globals as one flat dict rather than Jinja's ChainMap over the environment's.

    Every render copies the globals into a new context, key by key; through a ChainMap, whose lookups are
    Python code, that was a quarter of a small page's time. The globals are all set before the first template
    is loaded (as Jinja asks anyway), so the snapshot never goes stale.
    """

    code_generator_class: type[CodeGenerator] = _CodeGenerator

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


@functools.cache
def environment(language: str) -> Environment:
    """The one environment for `language`: autoescaped HTML, gettext from the catalog, the site's filters."""
    return make_environment(language)


def make_environment(language: str, code_generator: type[CodeGenerator] = _CodeGenerator) -> Environment:
    """A new environment for `language`; tests give Jinja's own code generator to compare pages with it."""
    env = _Environment(
        loader=FileSystemLoader(str(data_dir("site_templates"))),
        autoescape=select_autoescape(("html", "xml", "svg"), default_for_string=True, default=True),
        auto_reload=False,
        undefined=StrictUndefined,  # a typo in a template fails the build instead of printing nothing
        extensions=["jinja2.ext.i18n", InlineConstants],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        cache_size=-1,
    )
    env.code_generator_class = code_generator
    # Compact JSON (half the size with Chinese); `tojson` still escapes <, >, & and ' so that no text can end
    # the <script> data block.
    env.policies["json.dumps_kwargs"] = JSON_SETTINGS
    gettext, ngettext = gettext_functions(language)
    env.install_gettext_callables(gettext, ngettext, newstyle=False)  # type: ignore[attr-defined]
    env.globals["_"] = gettext  # direct, without the extension's alias: `_()` runs ~50 times per page
    helpers = {
        "url": url,
        "ref": ref,
        "refs": _refs_function(language),
        "day": _day_function(language),
        "days": _days_function(env),
        "light": _light_function(language),
    }
    label = _label_function(language)
    env.filters.update(
        date=_date_filter(language), markdown=markdown, number=number, percent=percent, isodate=parse_date
    )
    # The helpers are filters as well (`{{ s.deadline|day }}`, `{{ s.status|label("status") }}`): Jinja calls
    # a filter directly, a function through Context.call, which costs a microsecond more each time. The item
    # page and the rows use the filters (~40 helpers per page).
    env.filters.update(helpers, label=_label_filter(language))
    env.globals.update(
        helpers,
        label=label,
        task_row=task_row,
        task_rows=task_rows,
        chrome=chrome,
        item_link=item_link,
        unit_link=unit_link,
        light_icons=labels.LIGHT_ICONS,
        light_rank={light: rank for rank, light in enumerate(labels.LIGHT_ORDER)},
        weekdays=weekday_names(language),
        html_lang=language,
        js_labels=js_labels(language),
    )
    return env
