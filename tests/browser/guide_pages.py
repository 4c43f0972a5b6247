"""The pages the user guide (docs/guide/) shows, per demo role, reached from each role's
workspace by its links — never by a project's id, so the walk survives new demo data.

`walk(page, base, role, visit)` logs in (unless the role is the public), goes through the
role's steps and calls `visit(name, focus)` on each page; test_guide_screens.py checks
each page there and, with TRADING_SCREENSHOTS=1, saves it at two widths into docs/images/.
With `english=True` the same walk runs in the English interface (the header's English
link), its row, link and heading texts read through the English catalogue.
"""

import re
from dataclasses import dataclass, replace
from functools import cache

from browser.steps import login


@dataclass(frozen=True)
class Go:
    """A page of the navigation (or the login's landing page) by its address. For a step
    with `focus`, the picture starts at the heading (h2) that holds that text."""

    name: str
    path: str
    focus: str | None = None


@dataclass(frozen=True)
class Follow:
    """The first link on the current page whose address matches `href` (a regular
    expression on the path), inside the table row or list item that contains `row` and
    with text containing `text` when given. With `through` ((href, text) pairs), the first
    such link from which those links lead on, one page after the other, to the last; with
    `focus`, to a page with that heading."""

    name: str
    href: str
    text: str | None = None
    row: str | None = None
    through: tuple = ()
    focus: str | None = None


ROLES = {
    None: (  # 公众: no account
        Go("public-home", "/"),
        Go("public-projects", "/projects"),
        Follow("public-project", r"^/projects/\d+$", row="已定标"),
        Follow("public-opening", r"/projects/\d+/opening$", text="开标大厅"),
        Go("public-draws", "/draws"),
        Follow("public-draw", r"^/draws/\d+$"),
        Go("public-draw-verify", "/draws/verify"),
        Go("public-checkpoints", "/audit/checkpoints"),
        Go("public-supermarket", "/supermarket"),
        Go("public-smallworks", "/smallworks"),
    ),
    "owner1": (
        Go("owner-workspace", "/workspace"),
        Go("owner-projects", "/projects/mine"),
        Follow("owner-draft", r"^/projects/\d+$", row="草稿", focus="操作"),
        Go("owner-new-project", "/projects/new"),
        Go("owner-projects-again", "/projects/mine"),
        Follow("owner-publicity", r"^/projects/\d+$", row="候选人公示"),
        Follow("owner-award", r"/projects/\d+/award$", focus="异议"),
        Go("owner-roster", "/award/roster"),
        Go("owner-purchases", "/supermarket/purchases/mine"),
    ),
    "bidder1": (
        Go("bidder-workspace", "/workspace"),
        Follow("bidder-project", r"^/projects/\d+$", row="投标中"),
        Follow("bidder-bids", r"/projects/\d+/bids$", text="我的投标"),
        Follow("bidder-seal", r"/bids/seal$"),
        Go("bidder-workspace-again", "/workspace"),
        Follow(
            "bidder-receipt",
            r"^/projects/\d+$",
            row="投标中",
            through=((r"/projects/\d+/bids$", "我的投标"), (r"/bids/[0-9a-f]+$", "版本与回执")),
        ),
        Go("bidder-workspace-3", "/workspace"),
        Follow("bidder-won", r"^/projects/\d+$", row="已定标"),
        Follow("bidder-opening", r"/projects/\d+/opening$", text="开标大厅"),
        Go("bidder-workspace-4", "/workspace"),
        Follow(
            "bidder-award",
            r"^/projects/\d+$",
            row="已定标",
            through=((r"/projects/\d+/award$", None),),
            focus="我的通知书",
        ),
        Go("bidder-security", "/bidsecurity"),
        Go("bidder-smallworks", "/smallworks/mine"),
    ),
    "agency1": (
        Go("agency-workspace", "/workspace"),
        Go("agency-entry", "/supermarket/entry"),
        Go("agency-workspace-again", "/workspace"),
        Follow("agency-purchase", r"^/supermarket/purchases/\d+$", row="已报名：等待选取"),
    ),
    "expert1": (
        Go("expert-workspace", "/workspace"),
        Follow("expert-room", r"/projects/\d+/evaluation$"),
        Follow("expert-sheet", r"/lots/\d+/sheet$"),
        Go("expert-workspace-again", "/workspace"),
        Follow("expert-room-again", r"/projects/\d+/evaluation$"),
        Follow("expert-documents", r"/projects/\d+/bid-documents$"),
    ),
    "center1": (
        Go("center-workspace", "/workspace"),
        Go("center-reviews", "/projects/reviews"),
        Follow("center-review", r"/projects/\d+/review$"),
        Go("center-workspace-again", "/workspace"),
        Follow("center-committee", r"/projects/\d+/committee$"),
        Go("center-experts", "/evaluation/experts"),
        Go("center-entries", "/supermarket/entries"),
        Go("center-smallworks", "/smallworks/reviews"),
        Go("center-reconciliation", "/bidsecurity/reconciliation"),
        Go("center-archive", "/archive"),
    ),
    "supervisor1": (
        Go("supervisor-workspace", "/workspace"),
        Go("supervisor-dashboard", "/supervision"),
        Go("supervisor-unlocks", "/evaluation/unlocks"),
        Go("supervisor-security", "/bidsecurity/supervision"),
        Go("supervisor-audit-log", "/audit/log"),
        Go("supervisor-workspace-again", "/workspace"),
        Follow("supervisor-committee", r"/projects/\d+/committee$"),
    ),
}

# Steps that only lead to the next one: walked and checked, not photographed.
PASSING = re.compile(r"-(again|\d)$|^(owner-publicity|bidder-won)")

# The pages the English operator's guide shows (docs/operator-guide.md, as en-NAME-WIDTH.png):
# each role's workspace and the main page of its work.
ENGLISH_SHOWN = frozenset(
    {
        "public-home",
        "public-projects",
        "public-project",
        "owner-workspace",
        "owner-projects",
        "bidder-workspace",
        "bidder-project",
        "agency-workspace",
        "expert-workspace",
        "expert-room",
        "center-workspace",
        "center-reviews",
        "supervisor-workspace",
        "supervisor-dashboard",
    }
)


@cache
def _english() -> dict:
    """{Chinese msgid: English text} from the English catalogue."""
    from babel.messages.pofile import read_po

    from trading.i18n import LOCALE_DIR

    with (LOCALE_DIR / "en" / "LC_MESSAGES" / "trading.po").open("rb") as fh:
        catalog = read_po(fh, locale="en")
    return {m.id: m.string for m in catalog if isinstance(m.id, str) and m.id and m.string}


def in_english(text):
    return _english().get(text, text) if text else text


def _english_step(step):
    if isinstance(step, Go):
        return replace(step, focus=in_english(step.focus))
    return replace(
        step,
        text=in_english(step.text),
        row=in_english(step.row),
        focus=in_english(step.focus),
        through=tuple((href, in_english(text)) for href, text in step.through),
    )


def _links(page, href, text=None, row=None) -> list[str]:
    """The paths of the current page's links that match, in page order."""
    links = page.locator("main a")
    if row:
        links = page.locator("main tr, main li").filter(has_text=row).locator("a")
    if text:
        links = links.filter(has_text=text)
    paths = [
        re.sub(r"^https?://[^/]+", "", found or "").split("?")[0]
        for found in links.evaluate_all("links => links.map(a => a.getAttribute('href'))")
    ]
    return [path for path in paths if re.search(href, path)]


def _follow(page, base, step: Follow):
    for path in _links(page, step.href, step.text, step.row):
        response = page.goto(base + path)
        for href, text in step.through:
            onward = _links(page, href, text)
            if not onward:
                break
            response = page.goto(base + onward[0])
        else:
            if not step.focus or page.locator("main h2", has_text=step.focus).count():
                return response
    raise AssertionError(
        f"{step.name}: no link {step.href!r} (row {step.row!r}, "
        f"text {step.text!r}, through {step.through!r}) on {page.url}"
    )


def walk(page, base, role, visit, english=False) -> None:
    """Log in as `role` (None: the public), go through its steps, `visit(name, focus)` each
    page worth a screenshot; with `english`, in the English interface."""
    if role:
        login(page, base, role)
    else:
        page.goto(base + "/")
    if english:  # the header's language link sets the cookie and comes back
        page.click("header a:text-is('English')")
        page.wait_for_selector("html[lang=en]")
    for step in ROLES[role]:
        step = _english_step(step) if english else step
        if isinstance(step, Go):
            response = page.goto(base + step.path)
        else:
            response = _follow(page, base, step)
        assert response.status == 200, f"{step.name}: {response.status} at {page.url}"
        if not PASSING.search(step.name):
            visit(step.name, step.focus)
