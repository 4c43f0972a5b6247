"""The small-works walk in a real browser: enterprises register and apply, the center
admits them, an owner posts a small work, the center freezes the pool (exclusion reasons
shown) and draws, the drawn enterprise declines and the next is drawn from the same list.

The demo has no power firm of grade 2 or better, so this work's pool is exactly the three
enterprises admitted here and the test can log in as whoever is drawn.
"""

from datetime import date, timedelta

from browser.steps import login, logout

from trading.accounts.rules import make_credit_code
from trading.demo import DEMO_PASSWORD
from trading.demo.smallworks import demo_pdf

WORK = "浏览器测试：某变电站配套线路改造"
OWN_PASSWORD = "walk-pass-2026"


def register(page, base, username):
    page.goto(f"{base}/register")
    page.fill("input[name=name]", "浏览器测试电力工程有限公司")
    page.fill("input[name=credit_code]", make_credit_code("91350100MA2KWB001"))
    page.select_option("select[name=role]", "bidder")
    page.fill("input[name=contact_name]", "测试联系人")
    page.fill("input[name=contact_phone]", "0591-87770001")
    page.fill("input[name=username]", username)
    page.fill("input[name=display_name]", "测试企业")
    page.fill("input[name=password]", OWN_PASSWORD)
    page.fill("input[name=password-confirm]", OWN_PASSWORD)
    page.click("button[name=submit]")
    page.wait_for_url(f"{base}/workspace")


def apply(page, base, manager):
    today = date.today()
    page.goto(f"{base}/smallworks/apply")
    page.select_option("select[name=category]", "power")
    page.select_option("select[name=grade]", "2")
    page.fill("input[name=certificate_no]", f"D335-{manager}")
    page.fill("input[name=valid_from]", (today - timedelta(days=100)).isoformat())
    page.fill("input[name=valid_until]", (today + timedelta(days=700)).isoformat())
    page.fill("input[name=business_licence_until]", "9999-12-31")
    page.fill("input[name=safety_licence_no]", f"（闽）JZ安许证字〔2025〕{manager}")
    page.fill("input[name=safety_licence_until]", (today + timedelta(days=700)).isoformat())
    page.fill("input[name=local_office]", "福州市鼓楼区某路 8 号")
    page.fill("input[name=local_insured_staff]", "12")
    page.fill("input[name=manager]", manager)
    page.check("input[name=integrity_commitment]")
    page.click("button[name=submit]")
    page.wait_for_selector("text=入库申请已提交")
    logout(page)


def test_register_admit_post_allocate_decline_next(page, live_server):
    base = live_server
    register(page, base, "swwalk1")
    apply(page, base, "赵工")
    accounts = {"swwalk1": OWN_PASSWORD}
    for username, manager in (("bidder2", "钱工"), ("bidder3", "孙工")):
        login(page, base, username)
        apply(page, base, manager)
        accounts[username] = DEMO_PASSWORD

    login(page, base, "center1")
    for name in ("浏览器测试电力工程有限公司", "闽江路桥建设有限公司", "榕城市政工程有限公司"):
        page.goto(f"{base}/smallworks/reviews")
        page.locator("section.card").first.locator(f"a:has-text('{name}')").click()
        page.click("button[value=approve]")
        page.wait_for_selector("text=已审核通过，企业入库")
    logout(page)

    login(page, base, "owner1")
    page.goto(f"{base}/smallworks/projects/new")
    page.fill("input[name=name]", WORK)
    page.select_option("select[name=category]", "power")
    page.fill("input[name=amount]", "1500000")
    page.fill("input[name=site]", "马尾区某变电站")
    page.fill("input[name=approved_on]", date.today().isoformat())
    page.fill("textarea[name=budget_proof]", "马发改〔2026〕8号，财政资金")
    page.set_input_files("input[name=upload]", files=[{
        "name": "马发改〔2026〕8号.pdf", "mimeType": "application/pdf",
        "buffer": demo_pdf("Budget approval 8")}])
    page.select_option("select[name=method]", "lottery")
    page.click("button[name=submit]")
    page.wait_for_selector("text=小额工程已提交审核")
    work_url = page.url
    logout(page)

    login(page, base, "center1")
    page.goto(work_url)
    page.click("button[value=approve]")
    page.wait_for_selector("text=审核通过，候选库已锁定并公示")
    assert "资质等级不足" in page.inner_text("body")  # the demo's grade-3 power firms
    page.click("button:has-text('抽取 / 确定中选企业')")
    page.wait_for_selector("text=已抽取，等待中选企业确认")
    first = winner(page)
    logout(page)

    login_as(page, base, first, accounts)
    page.goto(work_url)
    page.fill("textarea[name=reason]", "项目经理另有在建工程")
    page.click("button:has-text('放弃')")
    page.wait_for_selector("text=已从同一候选名单递补下一家")
    second = winner(page)
    assert second != first
    page.click("a:has-text('随机抽取承包企业')")
    page.wait_for_selector("text=放弃与递补")
    assert "项目经理另有在建工程" in page.inner_text("body")


def winner(page) -> str:
    name = page.locator("dt:has-text('中选企业') + dd a").inner_text()
    return {"浏览器测试电力工程有限公司": "swwalk1"}.get(name, name)


def login_as(page, base, who, accounts):
    """`who` is a username (ours) or a demo company name: log in as its user."""
    names = {"闽江路桥建设有限公司": "bidder2", "榕城市政工程有限公司": "bidder3"}
    username = names.get(who, who)
    login(page, base, username, accounts[username])
