"""Online evaluation in a real browser, on the demo data: expert1 scores its sheet, the
chair (expert1) tabulates and generates the report, and the five members sign it. Then on
to the result: the candidate publicity the signatures started, its end on the server's
moved clock, the owner's award, and the notices each bidder reads."""

import re
from datetime import timedelta

from browser.steps import check_pdfs, login, open_score_sheet, sign_report

from trading.demo.evaluation import OBJECTIVE, SCORED
from trading.projects.kinds import ProcurementMethod, Regime
from trading.projects.rules import default_params

BIDDERS = {"bidder1": "华建工程有限公司", "bidder2": "闽江路桥建设有限公司",
           "bidder3": "榕城市政工程有限公司"}


def test_expert1_scores_the_committee_signs_publicity_award_and_notices(
        page, live_server, live_workdir):
    base = live_server
    login(page, base, "expert1")
    page.click(f"a:has-text('{SCORED}')")
    room = page.url
    project_id = re.search(r"/projects/(\d+)/evaluation", room).group(1)
    open_score_sheet(page)
    for select in page.locator("select[name^='s-']").all():
        select.select_option("pass")
    for i, field in enumerate(page.locator("input[name$='-t1']").all()):
        field.fill(OBJECTIVE[i % len(OBJECTIVE)])
    page.locator("input[name$='-t2']").nth(0).fill("31")  # above the item's maximum
    for name, value in (("t3", "16"), ("t4", "8")):
        for field in page.locator(f"input[name$='-{name}']").all():
            field.fill(value)
    page.click("button[name=submit]")
    page.wait_for_selector("text=超出范围")
    for field in page.locator("input[name$='-t2']").all():
        field.fill("25")
    page.click("button[name=submit]")
    page.wait_for_selector("text=评分表已提交并锁定")
    page.goto(room)
    page.click("button:has-text('汇总')")
    page.wait_for_selector("text=已汇总")
    page.click("button:has-text('生成评标报告')")
    page.wait_for_selector("text=评标报告已生成")
    report = page.locator("a:has-text('待签署')").first.get_attribute("href")
    sign_report(page, report)
    for n in range(2, 6):
        page.click("button:has-text('退出')")
        login(page, base, f"expert{n}")
        sign_report(page, report)
    page.goto(report)
    assert page.locator("text=已全体签署并锁定").count() == 1
    assert page.locator("text=平台签名有效").count() == 1
    page.goto(f"{base}/projects/{project_id}")
    assert "evaluation_report" in check_pdfs(page, live_workdir, "#printables")
    open_announcement(page, "中标候选人公示")
    assert check_pdfs(page, live_workdir) == ["announcement.candidates"]
    page.go_back()
    publicise_and_award(page, base, project_id, live_workdir)


def open_announcement(page, title_end):
    """The project page's 公告 list → the announcement whose title ends with `title_end`."""
    page.locator(f"li > a:text-matches('{title_end}$')").first.click()
    page.wait_for_selector("a:has-text('下载PDF')")


def publicise_and_award(page, base, project_id, workdir):
    """The signed report started the 中标候选人公示; once it is over the owner awards rank 1,
    the 中标结果公告 is published, and every bidder reads its own notice."""
    page.click("a:has-text('候选人公示、异议与中标结果')")
    award_page = page.url
    publicity = page.inner_text("#publicity")
    assert "中标候选人公示" in publicity and "公示中" in publicity
    first = page.locator("#publicity tbody tr:has(td:text-is('1')) td").nth(1).inner_text()
    assert first in BIDDERS.values()
    page.click("button:has-text('退出')")
    login(page, base, "owner1")
    page.goto(award_page)
    page.click("#decide button")
    page.wait_for_selector("text=候选人公示期尚未结束")  # not before its end
    days = default_params(Regime.GOVERNMENT_PROCUREMENT,
                          ProcurementMethod.OPEN_TENDER)["publicity.candidates_days_min"]
    try:
        offset = workdir / "clock_offset"
        offset.write_text(str(int(timedelta(days=days, minutes=10).total_seconds())))
        login(page, base, "owner1")  # the session did not outlive the idle days
        page.goto(award_page)
        assert "公示期已结束" in page.inner_text("#publicity")
        page.click("#decide button")
        page.wait_for_selector("text=定标完成，中标结果公告与通知书已发出")
        assert first in page.inner_text("#result")
        page.goto(f"{base}/projects/{project_id}")
        assert "中标结果公告" in page.inner_text("main")
        open_announcement(page, "中标结果公告")
        assert check_pdfs(page, workdir) == ["announcement.result"]
        for username, name in BIDDERS.items():
            page.click("button:has-text('退出')")
            login(page, base, username)
            page.goto(award_page)
            notices = page.inner_text("#notices")
            if name == first:
                assert "中标通知书" in notices and "中标人" in notices
            else:  # its own score and rank, nobody else's (87号令 Art 69)
                assert "结果通知书" in notices and "贵单位未中标" in notices
                assert "评审得分" in notices and first not in notices
            kind = "award_notice" if name == first else "result_notice"
            assert check_pdfs(page, workdir, "#notices") == [kind]
    finally:
        (workdir / "clock_offset").write_text("0")
