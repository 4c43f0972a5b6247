"""One whole 评定分离 in a real browser (rules §3), from the scoring to the notices: the
chair scores the last sheet, tabulates and generates the report, whose candidates are
unranked; the five members sign; the 定标候选人 are publicised; once the publicity is over
(the server's clock moved) the owner's award committee is drawn, votes and signs, and the
winner reads its notice."""

import re

from browser.separated_steps import award_by_committee, open_project, signed_in
from browser.steps import open_score_sheet, sign_report

from trading.demo.evaluation import OBJECTIVE, SEPARATED_LOGINS, SEPARATED_SCORED

CHAIR, *OTHERS = (f"expert{n}" for n in list(SEPARATED_LOGINS)[:5])
PUBLICITY = 3 * 24 * 3600 + 3600  # the profile's three days, and an hour


def score_and_report(page) -> str:
    """The chair's own sheet, then 汇总 and 生成评标报告; returns the report's address."""
    page.click(f"a:has-text('{SEPARATED_SCORED}')")
    room = page.url
    open_score_sheet(page)
    for select in page.locator("select[name^='s-']").all():
        select.select_option("pass")
    for i, field in enumerate(page.locator("input[name$='-t1']").all()):
        field.fill(OBJECTIVE[i % len(OBJECTIVE)])  # objective: as the others gave
    for name, value in (("t2", "24"), ("t3", "16"), ("t4", "8")):
        for field in page.locator(f"input[name$='-{name}']").all():
            field.fill(value)
    page.click("button[name=submit]")
    page.wait_for_selector("text=评分表已提交并锁定")
    page.goto(room)
    page.click("button:has-text('汇总')")
    page.wait_for_selector("text=已汇总")
    page.click("button:has-text('生成评标报告')")
    page.wait_for_selector("text=评标报告已生成")
    return page.locator("a:has-text('待签署')").first.get_attribute("href")


def test_a_whole_separated_procedure(browser, live_server, live_workdir):
    base = live_server
    context, page = signed_in(browser, base, CHAIR)
    report = score_and_report(page)
    sign_report(page, report)
    context.close()
    for username in OTHERS:
        context, page = signed_in(browser, base, username)
        sign_report(page, report)
        context.close()
    context, page = signed_in(browser, base, "bidder2")
    project_id = open_project(page, base, SEPARATED_SCORED)
    page.goto(f"{base}/projects/{project_id}/award")
    publicity = page.inner_text("main")
    assert "定标候选人公示" in publicity and "第1名" not in publicity  # unranked (§3.1)
    context.close()
    clock = live_workdir / "clock_offset"
    clock.write_text(str(PUBLICITY))
    try:
        winner = award_by_committee(browser, base, SEPARATED_SCORED, live_workdir)
    finally:
        clock.write_text("0")
    assert re.fullmatch(r"bidder[123]", winner)
