"""Log in as each role in a real browser and see that role's navigation."""

import pytest

from trading.demo import DEMO_PASSWORD

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
    nav = page.inner_text("nav.main-nav")
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
