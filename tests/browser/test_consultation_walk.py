"""竞争性磋商 in a real browser, from the demo's project whose panel sits: the center runs
a round (a session with each supplier, a change broadcast to all) and starts the sealed
final quotes; bidder1…3 quote; past the window the center reveals them; expert8, expert9
and the chair expert7 score the final responses; the chair tabulates and generates the
report, the panel signs it; after the publicity the owner awards; the winner reads its
notice. The price score is the system's: 磋商基准价 = the lowest valid final quote."""

import re
from datetime import timedelta

from browser.steps import open_score_sheet, signed_in

from trading.demo.consultation import CONSULTATION_DEMO
from trading.evaluation.service import REPORT_CONFIRMATION

NAMES = {"bidder1": "华建工程有限公司", "bidder2": "闽江路桥建设有限公司",
         "bidder3": "榕城市政工程有限公司"}
QUOTES = {"bidder1": "1500000", "bidder2": "1440000", "bidder3": "1520000"}  # 元
# per supplier: 类似项目业绩 (objective: every member the same), 方案, 质量, 团队
MARKS = {NAMES["bidder1"]: ("8", "25", "16", "8"), NAMES["bidder2"]: ("6", "22", "15", "7"),
         NAMES["bidder3"]: ("10", "27", "18", "9")}


def panel_step(page, action, *, text="", org=None):
    page.select_option("#panel-1 select[name=action]", action)
    if org:
        page.select_option("#panel-1 select[name=org_id]", label=org)
    page.fill("#panel-1 textarea[name=text]", text)
    page.click("#panel-1 button[type=submit]")
    page.wait_for_selector("text=已记录")


def score(page):
    """Fill the sheet column by column: the headers name the suppliers in column order."""
    open_score_sheet(page)
    headers = [h.split("\n")[0].strip() for h in page.locator("thead th").all_inner_texts()[1:]]
    assert sorted(headers) == sorted(NAMES.values())
    assert "最后报价 1,440,000.00" in page.inner_text("thead")
    for select in page.locator("select[name^='s-']").all():
        select.select_option("pass")
    for position, item in enumerate(("t1", "t2", "t3", "t4")):
        for name, field in zip(headers, page.locator(f"input[name$='-{item}']").all(),
                               strict=True):
            field.fill(MARKS[name][position])
    page.click("button[name=submit]")
    page.wait_for_selector("text=评分表已提交并锁定")


def test_a_consultation_walk_from_the_rounds_to_the_award(browser, live_server, live_workdir):
    base, offset = live_server, live_workdir / "clock_offset"
    center_context, center = signed_in(browser, base, "center1")
    center.goto(f"{base}/projects?q=档案馆")
    center.click(f"text={CONSULTATION_DEMO}")
    project_id = re.search(r"/projects/(\d+)", center.url).group(1)
    center.click("text=磋商轮次与最后报价")
    consult = center.url
    assert consult.endswith(f"/projects/{project_id}/consultation")

    panel_step(center, "open")
    for username, name in NAMES.items():
        panel_step(center, "session", org=name, text=f"与{username}就加工方案与交付周期磋商。")
    panel_step(center, "change", text="加工总量调整为120万页，交付期不变。")
    panel_step(center, "close")
    context, bidder = signed_in(browser, base, "bidder1")
    bidder.goto(consult)
    seen = bidder.inner_text("#lot-1")
    # the change is for everyone in; a session's minutes for that supplier alone
    assert "加工总量调整为120万页" in seen and "与bidder1就" in seen and "bidder2" not in seen
    assert bidder.locator("#withdraw-1").count() == 1  # a supplier may still quit
    context.close()
    panel_step(center, "final")
    assert "报价期（密封）" in center.inner_text("#lot-1")

    try:
        for username, amount in QUOTES.items():
            context, bidder = signed_in(browser, base, username)
            bidder.goto(consult)
            bidder.click("text=提交最后报价")
            bidder.wait_for_selector("#quote[data-ready]")  # sealed in the page (tbid.js)
            assert bidder.get_attribute("#quote input[data-amount]", "name") is None
            bidder.fill("#quote input[data-amount]", amount)
            bidder.click("#quote button[type=submit]")
            bidder.wait_for_selector("text=最后报价已密封提交，回执已签发")
            context.close()
        center.goto(consult)
        assert center.locator("#reveal-1").count() == 0  # never before the deadline
        offset.write_text(str(int(timedelta(minutes=6).total_seconds())))
        center.goto(consult)
        center.click("#reveal-1 button")
        center.wait_for_selector("text=已记录")
        revealed = center.inner_text("#lot-1")
        assert "已揭示" in revealed and "1,440,000.00" in revealed
        assert "有效最后报价3家" in revealed

        for n in (8, 9, 7):  # the chair last: it tabulates once every sheet is in
            context, expert = signed_in(browser, base, f"expert{n}")
            expert.click(f"a:has-text('{CONSULTATION_DEMO}')")
            room = expert.url
            score(expert)
            if n != 7:
                context.close()
        expert.goto(room)
        expert.click("button:has-text('汇总')")
        expert.wait_for_selector("text=已汇总")
        expert.click("button:has-text('生成评标报告')")
        expert.wait_for_selector("text=评标报告已生成")
        report = expert.locator("a:has-text('待签署')").first.get_attribute("href")
        for n in (7, 8, 9):
            if n != 7:
                context, expert = signed_in(browser, base, f"expert{n}")
            expert.goto(report)
            expert.fill("input[name=confirmation]", REPORT_CONFIRMATION)
            expert.click("form button[type=submit]:has-text('签署')")
            expert.wait_for_selector("text=已签署评标报告")
            if n != 9:
                context.close()
        expert.goto(report)
        assert expert.locator("text=已全体签署并锁定").count() == 1
        benchmark = expert.inner_text("#benchmark")
        assert "磋商基准价" in benchmark and "1,440,000.00" in benchmark
        rows = expert.locator("section:has(h2:text('推荐候选人')) tbody tr").all_inner_texts()
        # 144/152 × 30 = 28.42 + 64 ; 144/150 × 30 = 28.80 + 57 ; 144/144 × 30 = 30 + 50
        assert [r.split("\t") for r in rows] == [
            ["1", NAMES["bidder3"], "1,520,000.00", "28.42", "92.42"],
            ["2", NAMES["bidder1"], "1,500,000.00", "28.80", "85.80"],
            ["3", NAMES["bidder2"], "1,440,000.00", "30.00", "80.00"]]
        context.close()

        center.goto(consult)
        assert "评审结果（评审报告已签署）" in center.inner_text("#lot-1")
        center_context.close()
        offset.write_text(str(int(timedelta(days=3, hours=1).total_seconds())))
        owner_context, owner = signed_in(browser, base, "owner1")
        owner.goto(f"{base}/projects/{project_id}/award")
        owner.click("#decide button")
        owner.wait_for_selector("text=定标完成，中标结果公告与通知书已发出")
        result = owner.inner_text("#result")
        assert NAMES["bidder3"] in result and "1,520,000.00" in result
        owner_context.close()
        context, winner = signed_in(browser, base, "bidder3")
        winner.goto(f"{base}/projects/{project_id}/award")
        assert "中标通知书" in winner.inner_text("#notices")
        context.close()
    finally:
        offset.write_text("0")
