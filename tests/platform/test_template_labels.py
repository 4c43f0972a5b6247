"""Template labels (trading.i18n.LabelLookups): `_('literal')` is compiled to a read of
the locale's Labels and `_(expression)` to one gettext call; what a page shows is the
same in either locale, and a TranslationString keeps its mapping."""

from pyramid.interfaces import ILocalizer
from pyramid.testing import DummyRequest
from pyramid.threadlocal import manager
from pyramid_jinja2 import IJinja2Environment

from trading.i18n import _, labels_of


def _environment(registry):
    return registry.queryUtility(IJinja2Environment, name=".jinja2")


def test_literal_labels_compile_to_a_dict_read(registry):
    source = _environment(registry).compile("{{ _('交易项目') }}|{{ _(name) }}", raw=True)
    assert "_labels" in source and "'交易项目'" in source
    assert "gettext" in source and "_gettext_alias" not in source


def test_listing_labels_in_both_locales(testapp):
    assert "交易项目" in testapp.get("/projects").text
    page = testapp.get("/projects", {"_LOCALE_": "en"}).text
    # A literal label, a label chosen by an expression (the type filter's options) and
    # the layout's own labels all come out in English.
    assert "Projects" in page and "交易项目" not in page
    assert ">All<" in page and "全部" not in page


def test_labels_are_kept_per_locale(testapp, registry):
    testapp.get("/projects", {"_LOCALE_": "en"})
    testapp.get("/projects")
    english = registry.queryUtility(ILocalizer, name="en")
    chinese = registry.queryUtility(ILocalizer, name="zh_CN")
    assert labels_of(english)["交易项目"] == "Projects"
    assert labels_of(chinese)["交易项目"] == "交易项目"


def test_expression_keeps_a_translation_strings_mapping(testapp, registry):
    template = _environment(registry).from_string("{{ _(message) }}")
    request = DummyRequest(registry=registry)
    manager.push({"request": request, "registry": registry})
    try:
        # The same message id as a plain label first: the cache must not answer for the
        # TranslationString, whose mapping fills it in.
        labels_of(request.localizer)["共 ${n} 项"]
        shown = template.render(message=_("共 ${n} 项", mapping={"n": 7}))
    finally:
        manager.pop()
    assert shown == "共 7 项"


def test_a_labels_colon_is_english_in_english(testapp, registry):
    """Template text's full-width colon, semicolon and brackets after a label
    (`{{ _('状态') }}：`, `（{{ at }}）`, `~ '：' ~`, `|join('；')`) are looked up like
    labels: ": ", "; ", " (" and ")" in English."""
    source = "{{ _('状态') }}：x（{{ y }}）：{{ _('状态') ~ '：' ~ y }}|{{ ['a', 'b']|join('；') }}"
    template = _environment(registry).from_string(source)
    for locale, shown in (
        ("zh_CN", "状态：x（1）：状态：1|a；b"),
        ("en", "Status: x (1): Status: 1|a; b"),
    ):
        request = DummyRequest(registry=registry, locale_name=locale)
        manager.push({"request": request, "registry": registry})
        try:
            assert template.render(y=1) == shown
        finally:
            manager.pop()
