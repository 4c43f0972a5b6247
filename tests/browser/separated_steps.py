"""The award half of 评定分离 in the browser (rules §3), shared by the walks: the owner
draws the award committee, every drawn member votes and signs the award report online,
the owner confirms the award, the winner reads its notice."""

import re

from browser.steps import check_pdfs, signed_in

from trading.demo.award import ROSTER

USERNAMES = {display: username for username, display in ROSTER}
BIDDERS = {"华建工程有限公司": "bidder1", "闽江路桥建设有限公司": "bidder2",
           "榕城市政工程有限公司": "bidder3"}


def open_project(page, base, name) -> str:
    """The project's id, found the way a user finds it: the list's search."""
    page.goto(f"{base}/projects?q={name}")
    page.click(f"text={name}")
    return re.search(r"/projects/(\d+)", page.url).group(1)


def award_by_committee(browser, base, name, workdir) -> str:
    """From the end of the publicity to the notices (the 定标报告 and the winner's notice
    downloaded as signed PDFs); returns the winner's login."""
    owner_context, owner = signed_in(browser, base, "owner1")
    award_page = f"{base}/projects/{open_project(owner, base, name)}/award"
    owner.goto(award_page)
    owner.select_option("#committee-1 select[name=method]", "plurality")
    owner.click("#committee-1 button[type=submit]")
    owner.wait_for_selector("text=定标委员会已随机抽取组建")
    owner.click("text=进入定标委员会")
    committee_url = owner.url
    members = owner.inner_text("dl.facts").split("成员")[1].split("抽取记录")[0]
    names = [n.split("（")[0].strip(" ✓\n\t") for n in members.split("、")]
    assert len(names) == 5
    for step, form, done in (("ballot", "#ballot-form", "选票已提交"),
                             ("sign", "#sign-form", "定标报告已签署")):
        for member in names:
            context, page = signed_in(browser, base, USERNAMES[member])
            page.goto(committee_url)
            if step == "ballot":
                page.locator(f"{form} input[name=choice]").first.check()
                page.click(f"{form} button[type=submit]")
            else:
                page.click(f"{form} button")
            page.wait_for_selector(f"text={done}")
            context.close()
    owner.goto(committee_url)
    assert "定标报告已由全体成员签署" in owner.inner_text("#decided")
    report = owner.inner_text("#report")
    assert "得票" in report and names[0] in report  # named ballots once decided
    owner.goto(award_page)
    owner.click("#decide button")
    owner.wait_for_selector("text=定标完成，中标结果公告与通知书已发出")
    winner = BIDDERS[re.search(r"第1标段：(\S+)", owner.inner_text("#result")).group(1)]
    owner.click(f".crumbs a:has-text('{name}')")
    assert "award_report" in check_pdfs(owner, workdir, "#printables")
    owner_context.close()
    context, page = signed_in(browser, base, winner)
    page.goto(award_page)
    assert "中标通知书" in page.inner_text("#notices")
    assert check_pdfs(page, workdir, "#notices") == ["award_notice"]
    context.close()
    return winner
