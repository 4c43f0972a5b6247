"""Log in as each role in a real browser and see that role's navigation."""

import pytest

from trading.demo import DEMO_PASSWORD
from trading.i18n import LOCALE_COOKIE

ROLES = [
    ("owner1", "业主工作台", "项目业主"),
    ("bidder1", "投标人工作台", "投标人"),
    ("agency1", "中介机构工作台", "中介机构"),
    ("expert1", "专家工作台", "评标专家"),
    ("center1", "交易中心工作台", "交易中心"),
    ("supervisor1", "监管工作台", "监管"),
]
ALL_WORKSPACES = {label for _, label, _ in ROLES}


@pytest.mark.parametrize("username,nav_label,heading", ROLES)
def test_each_role_sees_its_navigation(page, live_server, username, nav_label, heading):
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[name=submit]")
    page.wait_for_url(f"{live_server}/workspace")
    nav = page.text_content("nav.main-nav")  # the 更多 menu's links too, closed
    assert nav_label in nav and "我的账户" in nav
    assert not (ALL_WORKSPACES - {nav_label}) & set(nav.split())
    assert heading in page.inner_text("h1")
    page.click("button:has-text('退出')")
    page.wait_for_url(f"{live_server}/")
    assert "登录" in page.inner_text("header")


def test_anonymous_visitor_sees_public_navigation_only(page, live_server):
    page.goto(live_server)
    nav = page.inner_text("nav.main-nav")
    assert "首页" in nav and not ALL_WORKSPACES & set(nav.split())


EVERY_ROLE = (None, "owner1", "bidder1", "agency1", "expert1", "center1", "supervisor1",
              "sysadmin1", "secadmin1", "auditor1")
# Each visible header item's top and bottom: the brand, the navigation's links (and its
# 更多 menu's button), the session's links.
HEADER_ITEMS = """() => [...document.querySelectorAll(
    '.site-header .brand, .main-nav > a, .main-nav > .nav-more > summary, .session > *')]
  .map(e => [e.textContent.trim(), e.getBoundingClientRect()])
  .filter(([, r]) => r.width > 0)
  .map(([text, r]) => [text, Math.round(r.top), Math.round(r.bottom)])"""


def test_the_english_navigation_is_one_line_at_1366_for_every_role(browser, live_server):
    """Issue #18 point 8: in English the header (brand, navigation, session) is one line
    at 1 366 px for every role; what does not fit is in the navigation's More menu."""
    problems = []
    for username in EVERY_ROLE:
        context = browser.new_context(locale="en", viewport={"width": 1366, "height": 768})
        context.add_cookies([{"name": LOCALE_COOKIE, "value": "en", "url": live_server}])
        page = context.new_page()
        try:
            page.goto(live_server)
            if username:
                page.goto(f"{live_server}/login")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", DEMO_PASSWORD)
                page.click("button[name=submit]")
                page.wait_for_url(f"{live_server}/**")
            items = page.evaluate(HEADER_ITEMS)
            centres = {(top + bottom) // 2 for _, top, bottom in items}
            if len(items) < 4 or max(centres) - min(centres) > 12:
                problems.append(f"{username or 'public'}: {items}")
            assert "Home" in page.inner_text("nav.main-nav")
        finally:
            context.close()
    assert not problems, "\n".join(problems)
