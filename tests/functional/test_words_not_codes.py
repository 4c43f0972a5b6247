"""Words, not codes (issue #18 point 2): every page each demo role reaches by links alone
shows Chinese words, never an enum value, an audit action code or `None`; in English mode
(the 语言 cookie, as the header's English link sets it) the same pages show no code either
and no catalogue entry left in Chinese.

The crawler follows every same-site link from the role's start pages (GET only; at most a
few pages per URL shape so 300 projects do not make 300 visits) and reads the visible text:
`<script>`, `<style>`, `<code>`, `<pre>` and attribute values are not text a user reads as
words (commands and hashes are shown in `<code>` on purpose)."""

import enum
import importlib
import pkgutil
import re
from collections import defaultdict
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest

import trading
from trading.demo import DEMO_PASSWORD, load_demo
from trading.i18n import LOCALE_COOKIE

ROLES = ("owner1", "bidder1", "agency1", "expert1", "center1", "supervisor1", None)
PER_SHAPE = 3
MAX_PAGES = 400
SKIP = re.compile(
    r"^/(static|api|logout|login|locale|__|_debug)"
    r"|\.(tbid|pub|key|zip|pdf|csv|json|jsonl)$"
)
# A word with an underscore after a dot: project.signed_up, account.user_created.
ACTION = re.compile(r"\b[a-z]+\.[a-z]+_[a-z_]+\b")
# A record's internals printed as they are: last_win_on=None, credit_score=99.00.
KEY_VALUE = re.compile(r"\b[a-z]+_[a-z_]+=\S*")


def _enum_codes() -> set[str]:
    """Every value of every enum in trading (the crawl is in Chinese: a lone English
    word such as `second`, `owner` or `committed` on a page is a code shown raw)."""
    for info in pkgutil.walk_packages(trading.__path__, "trading."):
        importlib.import_module(info.name)  # every enum class defined, none missed
    codes = set()
    for cls in _subclasses(enum.Enum):
        if cls.__module__.startswith("trading."):
            for member in cls:
                value = member.value
                if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9_.]{2,}", value):
                    codes.add(value)
    return codes


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


class _Page(HTMLParser):
    HIDDEN = {"script", "style", "code", "pre", "textarea", "template"}

    def __init__(self):
        super().__init__()
        self.links, self.text, self.code, self.depth = [], [], [], 0
        self.nodes = []  # each visible text node, stripped: a label is one node
        self.in_code = False

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.depth += 1
        self.in_code = tag == "code"
        if tag == "a":
            href = dict(attrs).get("href")
            if href and dict(attrs).get("download") is None:
                self.links.append(href)

    def handle_endtag(self, tag):
        self.in_code = False
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.text.append(data)
            if data.strip():
                self.nodes.append(data.strip())
        elif self.in_code:
            self.code.append(data.strip())  # a code in <code> is still a code


def _shape(path: str) -> str:
    parts = urlsplit(path)
    return re.sub(r"[0-9a-f]{8,}|\d+|\+\w+", "N", parts.path) + ("?" if parts.query else "")


def _crawl(testapp, start):
    seen, per_shape, queue, pages = set(), defaultdict(int), list(start), {}
    while queue and len(pages) < MAX_PAGES:
        url = queue.pop(0)
        path = urlsplit(url).path
        if url in seen or SKIP.search(path) or per_shape[_shape(url)] >= PER_SHAPE:
            continue
        seen.add(url)
        per_shape[_shape(url)] += 1
        response = testapp.get(url, status="*", expect_errors=True)
        if response.status_int != 200 or "html" not in response.content_type:
            continue
        page = _Page()
        page.feed(response.text)
        pages[url] = (" ".join(page.text), page.code, page.nodes)
        for href in page.links:
            target = urljoin(url, href.split("#")[0])
            split = urlsplit(target)
            if split.netloc in ("", "localhost:6543") and split.scheme in ("", "http"):
                queue.append(split.path + (f"?{split.query}" if split.query else ""))
    return pages


def _findings(pages, codes):
    found = []
    for url, (text, code, _nodes) in pages.items():
        # A word inside a file name, path or address (opening.pub, /projects) is not a code.
        words = set(re.findall(r"(?<![\w./@-])[a-z][a-z0-9_.]*[a-z0-9](?![\w/@-])", text))
        bad = sorted((words | set(code)) & codes) + sorted(set(ACTION.findall(text)))
        bad += sorted(set(KEY_VALUE.findall(text)))
        bad += [
            f"None in “{text[max(0, m.start() - 30) : m.end() + 10].strip()}”"
            for m in re.finditer(r"(?<![A-Za-z])None(?![A-Za-z])", text)
        ]
        if bad:
            found.append(f"{url}: {', '.join(bad)}")
    return found


def _crawl_every_role(testapp, locale=None):
    """{role: its pages} for each demo role (None: the public), in `locale` if given."""
    crawled = {}
    for role in ROLES:
        testapp.reset()
        if locale:
            testapp.set_cookie(LOCALE_COOKIE, locale)
        if role:
            testapp.login(role, password=DEMO_PASSWORD)
        crawled[role] = _crawl(testapp, ["/", "/workspace"] if role else ["/"])
    return crawled


@pytest.mark.slow
def test_every_role_sees_words_not_codes(testapp, dbsession, clock, settings):
    load_demo(dbsession, clock, settings)
    codes = _enum_codes()
    assert {"final_offer", "candidates_publicised"} <= codes and len(codes) > 100  # real
    findings, total = [], 0
    for role, pages in _crawl_every_role(testapp).items():
        total += len(pages)
        findings += [f"[{role or '公众'}] {line}" for line in _findings(pages, codes)]
    print(f"crawled {total} pages")
    assert total > 100
    assert not findings, "\n".join(findings)


def _catalogue():
    """The English catalogue: {Chinese msgid: English text}."""
    from babel.messages.pofile import read_po

    from trading.i18n import LOCALE_DIR

    with (LOCALE_DIR / "en" / "LC_MESSAGES" / "trading.po").open("rb") as fh:
        catalog = read_po(fh, locale="en")
    return {m.id: m.string for m in catalog if isinstance(m.id, str) and m.id and m.string}


# Demo data that happens to be a catalogue entry: a lot named 施工, a bid's quality line
# 合格 in the opening record, a scoring item 类似工程业绩, a roster member's title.
WIDE = re.compile(r"[A-Za-z0-9)]{1,20}([：；]|[（），、。](?![\u4e00-\u9fff]))")
DEMO_DATA = frozenset({"施工", "合格", "类似工程业绩", "法定代表人"})


def _english_findings(pages, codes, catalogue):
    """What an English page must not show: a code (one with `_` or `.`: a lone `second` or
    `draft` is an English word here), an audit action, a record's key=value, a catalogue
    entry left in Chinese (a text node that is a msgid whose English differs), or Python's
    None where no English text says None."""
    codes = {code for code in codes if re.search(r"[_.]", code)}
    chinese = {
        msgid
        for msgid, text in catalogue.items()
        if text != msgid and re.search(r"[\u4e00-\u9fff]", msgid)
    } - DEMO_DATA
    nones = {text for text in catalogue.values() if re.search(r"\bNone\b", text)}
    found = []
    for url, (text, code, nodes) in pages.items():
        words = set(re.findall(r"(?<![\w./@-])[a-z][a-z0-9_.]*[a-z0-9](?![\w/@-])", text))
        bad = sorted((words | set(code)) & codes) + sorted(set(ACTION.findall(text)))
        bad += sorted(set(KEY_VALUE.findall(text)))
        bad += sorted({f"untranslated “{node}”" for node in nodes if node in chinese})
        # A label's Chinese colon, semicolon or bracket after English (`Status：`,
        # `Frozen（2026`): user data such as a Chinese name may hold Chinese punctuation
        # (`ABC（演示）`), a label ends in a letter or digit.
        bad += sorted({f"Chinese punctuation in “{m.group()}”" for m in WIDE.finditer(text)})
        bad += sorted(
            {
                f"None in “{node}”"
                for node in nodes
                if re.search(r"(?<![A-Za-z])None(?![A-Za-z])", node)
                and not any(text in node for text in nones)
            }
        )
        if bad:
            found.append(f"{url}: {', '.join(bad)}")
    return found


@pytest.mark.slow
def test_every_role_sees_english_words_in_english_mode(testapp, dbsession, clock, settings):
    load_demo(dbsession, clock, settings)
    catalogue = _catalogue()
    findings, total = [], 0
    for role, pages in _crawl_every_role(testapp, "en").items():
        total += len(pages)
        english = sum("Workspace" in text or "Projects" in text for text, *_ in pages.values())
        assert english > len(pages) / 2, f"{role}: the pages are not in English"
        findings += [
            f"[{role or 'public'}] {line}"
            for line in _english_findings(pages, _enum_codes(), catalogue)
        ]
    print(f"crawled {total} pages in English")
    assert total > 100
    assert not findings, "\n".join(findings)
