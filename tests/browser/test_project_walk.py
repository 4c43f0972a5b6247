"""The newcomer's walk in a real browser: owner posts a two-lot project, the center approves
it, it appears on the public listing, a bidder signs up and asks, the owner answers and
publishes a clarification that moves the deadline."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from browser.steps import login, logout

TZ = ZoneInfo("Asia/Shanghai")
NAME = "浏览器测试：滨海大道两标段改造工程"


def stamp(delta: timedelta) -> str:
    return (datetime.now(TZ) + delta).strftime("%Y-%m-%d %H:%M")


def test_post_approve_list_sign_up_ask_answer_clarify(page, live_server):
    base = live_server
    login(page, base, "owner1")
    page.goto(f"{base}/projects/new")
    page.click("button[name=seq_add]")  # second lot, rendered by the server
    names = page.locator("input[name=name]")
    names.nth(0).fill(NAME)
    page.fill("input[name=region]", "滨海新区")
    page.fill("input[name=doc_start]", stamp(-timedelta(minutes=5)))
    page.fill("input[name=doc_end]", stamp(timedelta(days=10)))
    page.fill("input[name=clarification_deadline]", stamp(timedelta(days=20)))
    page.fill("input[name=bid_deadline]", stamp(timedelta(days=30)))
    names.nth(1).fill("道路工程")
    names.nth(2).fill("排水工程")
    page.locator("input[name=budget]").nth(0).fill("6000000")
    page.locator("input[name=budget]").nth(1).fill("2500000.50")
    page.click("button[name=submit]")
    page.wait_for_selector("text=草稿已保存")
    project_url = page.url
    page.set_input_files("input[name=file]", files=[{
        "name": "招标文件.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 walk"}])
    page.click("button:has-text('上传文件')")
    page.wait_for_selector("text=文件已上传")
    page.click("button:has-text('提交审核')")
    page.wait_for_selector("text=已提交交易中心审核")
    logout(page)

    login(page, base, "center1")
    page.goto(f"{base}/projects/reviews")
    page.click(f"text={NAME}")
    page.click("section.actions a:has-text('审核')")
    page.fill("textarea[name=reasons]", "资料齐全，同意发布")
    page.click("button[name=approve]")
    page.wait_for_selector("text=项目已发布")
    logout(page)

    page.goto(f"{base}/projects?q=滨海大道")
    assert NAME in page.inner_text("table.listing")

    login(page, base, "bidder2")
    page.goto(project_url)
    page.locator("button:has-text('报名')").first.click()
    page.wait_for_selector("text=报名成功")
    page.fill("textarea[name=text]", "第二标段是否允许分包？")
    page.click("button:has-text('提交问题')")
    page.wait_for_selector("text=问题已提交")
    logout(page)

    login(page, base, "owner1")
    page.goto(project_url)
    page.fill("textarea[name=answer]", "不允许分包。")
    page.click("button:has-text('答复')")
    page.wait_for_selector("text=答复已发布")
    page.click("a:has-text('发布澄清/变更公告')")
    page.fill("input[name=title]", "滨海大道两标段改造工程变更公告（一）")
    page.fill("textarea[name=body]", "排水工程工程量清单更正。")
    page.check("input[name=affects_bids]")
    new_deadline = stamp(timedelta(days=45))
    page.fill("input[name=new_deadline]", new_deadline)
    page.click("button[name=submit]")
    page.wait_for_selector("text=澄清/变更公告已发布")
    logout(page)

    login(page, base, "bidder2")
    page.goto(project_url)
    text = page.inner_text("main")
    assert "不允许分包" in text and new_deadline in text and "截止时间已变更" in text
