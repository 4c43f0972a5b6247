"""Simplified Chinese by default, English second (catalogs in trading/locale).

Message ids are the Chinese texts themselves, so the default UI never depends on a catalog
and English is a translation layered on top.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from pyramid.i18n import TranslationStringFactory, get_localizer
from pyramid.threadlocal import get_current_request

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


def localtime(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Instants are stored in UTC and shown in Asia/Shanghai (architecture §6)."""
    if value is None:
        return ""
    return value.astimezone(DISPLAY_TZ).strftime(fmt)


def includeme(config):
    config.add_translation_dirs("colander:locale", "deform:locale", "trading:locale")
    config.set_locale_negotiator(negotiate_locale)
