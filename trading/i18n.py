"""Simplified Chinese by default, English second (catalogs in trading/locale).

Message ids are the Chinese texts themselves, so the default UI never depends on a catalog
and English is a translation layered on top.
"""

import os
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

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


class CachedGetText:
    """The templates' `_` (setting jinja2.i18n.gettext): each plain label is translated
    once per locale and then read from a dict kept on that locale's localizer, which the
    registry holds for the process. pyramid_jinja2's own wrapper runs the localizer's full
    translate on every call, about 120 of them on a listing page.

    A TranslationString (it may carry a mapping) or a mapping argument is translated in
    full each time: only the message id is a safe key.
    """

    def __init__(self, domain: str):
        self.domain = domain

    def gettext(self, message, mapping=None):
        localizer = get_current_request().localizer
        if mapping is not None or type(message) is not str:
            return localizer.translate(message, domain=self.domain, mapping=mapping)
        labels = localizer.__dict__.setdefault("trading_labels", {})
        try:
            return labels[message]
        except KeyError:
            text = labels[message] = localizer.translate(message, domain=self.domain)
            return text

    def ngettext(self, singular, plural, n):
        localizer = get_current_request().localizer
        return localizer.pluralize(singular, plural, n, domain=self.domain)


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
