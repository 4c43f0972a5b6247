"""Simplified Chinese by default, English second (catalogs in trading/locale).

Message ids are the Chinese texts themselves, so the default UI never depends on a catalog
and English is a translation layered on top.
"""

import os
import re
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2.ext import Extension
from jinja2.lexer import Token
from pyramid.events import BeforeRender
from pyramid.i18n import TranslationStringFactory, get_localizer
from pyramid.threadlocal import get_current_request

from .words import N_ as N_  # re-exported: the one marker, defined without pyramid

_ = TranslationStringFactory("trading")

LOCALES = {"zh_CN": "中文", "en": "English"}
DEFAULT_LOCALE = "zh_CN"
LOCALE_COOKIE = "_LOCALE_"
DISPLAY_TZ = ZoneInfo("Asia/Shanghai")


def negotiate_locale(request) -> str:
    name = request.params.get(LOCALE_COOKIE) or request.cookies.get(LOCALE_COOKIE)
    return name if name in LOCALES else DEFAULT_LOCALE


def deform_translator(term):
    request = get_current_request()
    return get_localizer(request).translate(term) if request is not None else term


DOMAIN = "trading"


class Labels(dict):
    """Message id -> its text in one locale, translated on first use and kept: a plain
    label's translation never changes while the process runs. Keys are plain str only."""

    def __init__(self, localizer):
        super().__init__()
        self.localizer = localizer

    def __missing__(self, message: str) -> str:
        text = self[message] = self.localizer.translate(message, domain=DOMAIN)
        return text


def labels_of(localizer) -> Labels:
    """The labels of a localizer, which the registry holds for the process, one per
    locale."""
    try:
        return localizer.__dict__["trading_labels"]
    except KeyError:
        return localizer.__dict__.setdefault("trading_labels", Labels(localizer))


class CachedGetText:
    """The templates' `gettext` (setting jinja2.i18n.gettext), what `_(expression)`
    calls (LabelLookups): a plain label is read from the locale's Labels. pyramid_jinja2's
    own wrapper runs the localizer's full translate on every call.

    A TranslationString (it may carry a mapping) or a mapping argument is translated in
    full each time: only the message id is a safe key.
    """

    def __init__(self, domain: str):
        self.domain = domain

    def gettext(self, message, mapping=None):
        localizer = get_current_request().localizer
        if mapping is not None or type(message) is not str or self.domain != DOMAIN:
            return localizer.translate(message, domain=self.domain, mapping=mapping)
        return labels_of(localizer)[message]

    def ngettext(self, singular, plural, n):
        localizer = get_current_request().localizer
        return localizer.pluralize(singular, plural, n, domain=self.domain)


class _RequestLabels:
    """`_labels` where a render has none of its own (a macro imported without context,
    a template rendered outside a Pyramid renderer): the current request's Labels."""

    def __getitem__(self, message: str) -> str:
        return labels_of(get_current_request().localizer)[message]


class LabelLookups(Extension):
    """Templates without per-call translation overhead. A listing page has some 120
    `_()` labels; through jinja2.ext.i18n each is two context calls (`_` is a
    pass_context alias that resolves and calls `gettext`), a thread-local lookup and a
    dict read. At compile time this rewrites `_('literal')` to `_labels['literal']`, a
    dict read from the render's Labels (add_labels puts them in every Jinja2 render),
    and any other `_(expression)` to `gettext(expression)`, one call, which still
    translates a TranslationString with its mapping in full."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.globals.setdefault("_labels", _RequestLabels())

    def filter_stream(self, stream):
        tokens = list(stream)
        out: list = []
        i = 0
        while i < len(tokens):
            token = tokens[i]
            if token.type == "data" and PUNCTUATION_CHARS.search(token.value):
                out += _punctuation_lookups(token)
                i += 1
                continue
            if (token.type == "string" and token.value in PUNCTUATION
                    and _joins(tokens, i)):
                out += _label_lookup(token.lineno, token.value)
                i += 1
                continue
            if (token.type == "name" and token.value == "_" and i + 1 < len(tokens)
                    and tokens[i + 1].type == "lparen"
                    and not (out and out[-1].type == "dot")):
                if (i + 3 < len(tokens) and tokens[i + 2].type == "string"
                        and tokens[i + 3].type == "rparen"):
                    line = token.lineno
                    out += [Token(line, "name", "_labels"), Token(line, "lbracket", "["),
                            tokens[i + 2], Token(tokens[i + 3].lineno, "rbracket", "]")]
                    i += 4
                    continue
                token = Token(token.lineno, "name", "gettext")
            out.append(token)
            i += 1
        return out


# Chinese full-width punctuation a template writes between its labels and values, as in
# `{{ _('状态') }}：{{ value }}` or `<strong>{{ _('冻结') }}</strong>（{{ at }}）`: in English a
# label's colon is ": " and its brackets " (" and ")" (issue #18). Each is a catalogue
# entry of its own, so the template text is looked up like a label and Chinese keeps "：".
PUNCTUATION = (N_("："), N_("；"), N_("（"), N_("）"), N_("，"), N_("、"), N_("。"))
PUNCTUATION_CHARS = re.compile("([" + "".join(PUNCTUATION) + "])")


def _label_lookup(line: int, message: str) -> list:
    """The tokens of `_labels['message']`."""
    return [Token(line, "name", "_labels"), Token(line, "lbracket", "["),
            Token(line, "string", message), Token(line, "rbracket", "]")]


def _punctuation_lookups(token) -> list:
    """Template text with a label colon in it, as text and `{{ _labels['：'] }}` parts."""
    out, line = [], token.lineno
    for n, part in enumerate(PUNCTUATION_CHARS.split(token.value)):
        if n % 2:
            out += [Token(line, "variable_begin", "{{"), *_label_lookup(line, part),
                    Token(line, "variable_end", "}}")]
        elif part:
            out.append(Token(line, "data", part))
        line += part.count("\n")
    return out


def _joins(tokens, i: int) -> bool:
    """Whether the string literal at i joins texts: `a ~ '：' ~ b` or `|join('；')`."""
    before, after = tokens[i - 1] if i else None, tokens[i + 1] if i + 1 < len(tokens) else None
    return bool(
        before is not None and before.type == "tilde"
        or after is not None and after.type == "tilde"
        or before is not None and before.type == "lparen" and i > 1
        and tokens[i - 2].type == "name" and tokens[i - 2].value == "join"
    )


def add_labels(event) -> None:
    """BeforeRender: a Jinja2 template gets its locale's Labels as `_labels`."""
    request = event.get("request")
    if request is not None and str(event.get("renderer_name", "")).endswith(".jinja2"):
        event["_labels"] = labels_of(request.localizer)


def localtime(value: datetime | str | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Instants are stored in UTC and shown in Asia/Shanghai (architecture §6); an ISO
    string (a service's JSON state) is read first."""
    if not value:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value.astimezone(DISPLAY_TZ).strftime(fmt)


def human_duration(value: timedelta | int | None) -> str:
    """A span in days, hours and minutes, its two largest units ("4 天", "1 天 2 小时",
    "3 小时 5 分钟"), never "5760 分钟"; an int is minutes. Rounded down to the minute;
    days with minutes but no hours show the days alone."""
    if value is None:
        return ""
    minutes = int(value.total_seconds() // 60) if isinstance(value, timedelta) else int(value)
    amounts = (minutes // 1440, minutes % 1440 // 60, minutes % 60)
    shown = [i for i, n in enumerate(amounts) if n][:2] or [2]
    if shown == [0, 2]:
        shown = [0]
    return " ".join(_translated(DURATION_UNITS[i], amounts[i]) for i in shown)


DURATION_UNITS = (N_("%(n)s 天"), N_("%(n)s 小时"), N_("%(n)s 分钟"))


def _translated(msgid: str, n: int) -> str:
    request = get_current_request()
    text = get_localizer(request).translate(_(msgid)) if request else msgid
    return text % {"n": n}


LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def compile_catalogs(folder: Path = LOCALE_DIR) -> None:
    """Compile every .po newer than its .mo (the .po files are the committed source)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in folder.glob("*/LC_MESSAGES/*.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.parent.parent.name)
        # A name of its own per writer: several processes (test workers, web and worker
        # starting together) may compile at once, and each must replace the .mo whole.
        with tempfile.NamedTemporaryFile(dir=mo.parent, prefix=mo.name, suffix=".tmp",
                                         delete=False) as fh:
            write_mo(fh, catalog)
        os.replace(fh.name, mo)


def includeme(config):
    compile_catalogs()
    config.add_translation_dirs("colander:locale", "deform:locale", "trading:locale")
    config.set_locale_negotiator(negotiate_locale)
    config.add_subscriber(add_labels, BeforeRender)
