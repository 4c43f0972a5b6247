"""Online evaluation in a real browser, on the demo data: expert1 scores its sheet, the
chair (expert1) tabulates and generates the report, and the five members sign it."""

import re

from trading.demo import DEMO_PASSWORD
from trading.evaluation.demo import OBJECTIVE, SCORED
from trading.evaluation.service import REPORT_CONFIRMATION


def login(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[name=submit]")
    page.wait_for_url(f"{base}/workspace")


def sign(page, report_url):
    page.goto(report_url)
    page.fill("input[name=confirmation]", REPORT_CONFIRMATION)
    page.click("form button[type=submit]:has-text('签署')")
    page.wait_for_selector("text=已签署评标报告")


def test_expert1_scores_tabulates_generates_and_the_committee_signs(page, live_server):
    base = live_server
    login(page, base, "expert1")
    page.click(f"a:has-text('{SCORED}')")
    room = page.url
    project_id = re.search(r"/projects/(\d+)/evaluation", room).group(1)
    page.click("a:has-text('打开评分表')")
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
    sign(page, report)
    for n in range(2, 6):
        page.click("button:has-text('退出')")
        login(page, base, f"expert{n}")
        sign(page, report)
    page.goto(report)
    assert page.locator("text=已全体签署并锁定").count() == 1
    assert page.locator("text=平台签名有效").count() == 1
    page.goto(f"{base}/projects/{project_id}")
    assert page.locator("text=候选人公示").count() >= 1
