"""Screens from 360 to 1 920 px (issue #18 point 8): the key pages of each role never
scroll sideways (a wide table scrolls inside its own box, the page does not), and the
navigation does not wrap one character per line."""

import pytest

from trading.demo import DEMO_PASSWORD

WIDTHS = (360, 1920)
PUBLIC = ("/", "/projects", "/draws", "/smallworks", "/supermarket", "/audit/checkpoints")
ROLE_PAGES = {
    "bidder1": ("/workspace", "/account", "/messages"),
    "owner1": ("/workspace", "/projects/mine"),
    "center1": ("/workspace", "/audit/log", "/projects/reviews"),
    "supervisor1": ("/workspace", "/supervision"),
    "agency1": ("/workspace",),
}
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > width + 1 && !e.closest('.table-scroll, pre, code');
  }).slice(0, 5).map(e => e.tagName + '.' + e.className + ' '
                          + Math.round(e.getBoundingClientRect().right));
  return {scroll: document.documentElement.scrollWidth, width, wide};
}"""


def _check(page, url, width) -> list[str]:
    page.goto(url)
    found = page.evaluate(OVERFLOW)
    if found["scroll"] > found["width"] + 1:
        return [f"{url} at {width}px: page {found['scroll']}px wide; {found['wide']}"]
    return []


def _login(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[name=submit]")
    page.wait_for_url(f"{base}/workspace")


@pytest.mark.parametrize("width", WIDTHS)
def test_key_pages_fit_the_screen(browser, live_server, width):
    problems = []
    for username, paths in [(None, PUBLIC), *ROLE_PAGES.items()]:
        context = browser.new_context(locale="zh-CN",
                                      viewport={"width": width, "height": 800})
        page = context.new_page()
        if username:
            _login(page, live_server, username)
        for path in paths:
            problems += _check(page, f"{live_server}{path}", width)
        if width == 360:  # the navigation's links stay words, not a column of characters
            page.click(".nav-menu > summary")
            heights = page.eval_on_selector_all(
                "nav.main-nav a", "links => links.map(a => a.getBoundingClientRect().height)")
            assert heights and max(heights) < 60, heights
        context.close()
    assert not problems, "\n".join(problems)


def test_the_navigation_is_a_menu_on_a_phone_without_script(browser, live_server):
    """At 390 px the staff navigation (ten links, a third of the screen when laid out) is
    one 菜单 button in a short header, opening in place without JavaScript (<details>);
    from 641 px on it is laid out open, with no button."""
    context = browser.new_context(locale="zh-CN", java_script_enabled=False,
                                  viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        _login(page, live_server, "center1")
        assert page.locator("header.site-header").bounding_box()["height"] < 844 / 8
        reviews = page.locator("nav.main-nav a:has-text('项目审核')")
        assert not reviews.is_visible()
        page.click(".nav-menu > summary:has-text('菜单')")
        reviews.click()
        page.wait_for_url(f"{live_server}/projects/reviews")
        assert not _check(page, page.url, 390)
        page.set_viewport_size({"width": 1366, "height": 768})
        assert reviews.is_visible() and not page.locator(".nav-menu > summary").is_visible()
    finally:
        context.close()
