"""流标公告 and 终止公告 in a real browser (issue #18: every document's PDF checked from a
walk): the public reaches the demo's failed and terminated projects' notices from the home
page's 流标/终止公告 column, the owner from its projects list and each project's page; each
notice's signed PDF is checked as `trading printables verify --fetch` does, and the text the
PDF carries is the notice's text on the page."""

import re

from browser.steps import check_pdfs, login

NOTICES = (
    ("流标", "流标公告", "announcement.failure"),
    ("已终止", "终止公告", "announcement.cancellation"),
)


def _check_notice_page(page, workdir, kind):
    """On a notice's page: its one PDF is signed and its record is this page's notice."""
    page.wait_for_selector("main a:has-text('下载PDF')")
    shown = page.inner_text("main article .pre").strip()
    records = []
    assert check_pdfs(page, workdir, "main article", records) == [kind]
    texts = [block.get("text", "") for block in records[0]["content"]]
    assert shown in (text.strip() for text in texts), (shown, texts)
    return shown


def test_the_public_reads_the_failure_and_termination_notices(page, live_server, live_workdir):
    page.goto(f"{live_server}/")
    column = page.locator("section.portal-column").filter(
        has=page.locator("h2", has_text="流标/终止公告")
    )
    for _status, title_end, kind in NOTICES:
        column.locator(f"li > a:text-matches('{title_end}$')").first.click()
        page.wait_for_url(re.compile(r"/projects/\d+/announcements/\d+$"))
        shown = _check_notice_page(page, live_workdir, kind)
        if kind == "announcement.failure":
            assert "流标原因" in shown
        page.go_back()
        column.locator("h2").wait_for()


def test_the_owner_reads_its_failed_and_terminated_projects_notices(
    page, live_server, live_workdir
):
    login(page, live_server, "owner1")
    for status, title_end, kind in NOTICES:
        page.click("main a:has-text('全部项目')")
        page.wait_for_url(f"{live_server}/projects/mine")
        row = page.locator("main tbody tr").filter(
            has=page.locator("td:last-child", has_text=re.compile(rf"^\s*{status}\s*$"))
        )
        row.first.locator("a").first.click()
        page.wait_for_selector("#printables")
        # The project page's 文书 list holds the notice's PDF beside the others (the
        # failed project's opening record, a terminated one's tender notice …).
        assert kind in check_pdfs(page, live_workdir, "#printables")
        notices = page.locator("main section").filter(has=page.locator("h2:text-is('公告')"))
        notices.locator(f"li > a:text-matches('{title_end}$')").first.click()
        _check_notice_page(page, live_workdir, kind)
        page.click("header a:has-text('业主工作台')")
        page.wait_for_url(f"{live_server}/workspace")
