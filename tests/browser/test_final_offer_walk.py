"""终次报价 in a real browser, on the demo's final-offer project: the center starts the
round, the three bidders see their eligibility and seal their one offer each in the page
(tbid.js; only the .tbid is posted), the window
ends on the server's moved clock, the center reveals (the worker's step, by hand: the
live server runs no worker), and the winner the hall shows is the rule's. Then the
candidate publicity, its end, the owner's award and the notices."""

import re
from datetime import timedelta

from browser.steps import fen, login, logout, move_clock

from trading.award import rules
from trading.demo.award import DEMO_WINDOWS
from trading.projects.kinds import ProcurementMethod, Regime
from trading.projects.rules import default_params

DEMO = "城西片区土地整理工程（终次报价）"
BIDDERS = {"bidder1": "华建工程有限公司", "bidder2": "闽江路桥建设有限公司",
           "bidder3": "榕城市政工程有限公司"}
# Yuan typed by each bidder: inside floor (80 % of the ceiling) and ceiling (11,760,000).
OFFERS = {"bidder1": "10000000.00", "bidder2": "10300000.00", "bidder3": "11000000.00"}
PARAMS = {**default_params(Regime.TENDERING, ProcurementMethod.FINAL_OFFER), **DEMO_WINDOWS}


def test_center_starts_bidders_offer_reveal_publicity_award(page, live_server, live_workdir):
    base, offset = live_server, live_workdir / "clock_offset"
    login(page, base, "center1")
    page.goto(f"{base}/projects?q=终次报价")
    page.click(f"text={DEMO}")
    project_id = re.search(r"/projects/(\d+)", page.url).group(1)
    page.click("a:has-text('终次报价大厅')")
    hall = page.url
    assert hall.endswith(f"/projects/{project_id}/final-offer")
    page.click("#start-1 button[type=submit]")
    page.wait_for_selector("text=终次报价已发起")
    assert "资格确认期" in page.inner_text("#lot-1")
    floor = fen(page.inner_text("#lot-1 dl.facts dt:has-text('底价') + dd").split()[0])
    ceiling = fen(page.inner_text("#lot-1 dl.facts dt:has-text('最高限价') + dd").split()[0])
    assert floor == ceiling * PARAMS["final_offer.floor_permille"] // 1000

    try:
        for username in BIDDERS:  # eligible by their opened bids (rules §1.1)
            logout(page)
            login(page, base, username)
            page.goto(hall)
            assert "已具备资格" in page.inner_text("#lot-1")
            assert page.locator("form[id^=offer-]").count() == 0  # not before the window
        move_clock(offset, timedelta(minutes=DEMO_WINDOWS["final_offer.eligibility_window_min"],
                                     seconds=5))
        for username, amount in OFFERS.items():
            logout(page)
            login(page, base, username)
            page.goto(hall)
            page.wait_for_selector("form[id^=offer-][data-ready]")  # sealed-offer.js is in
            if username == "bidder1":  # below the floor: said before sealing, nothing sent
                page.fill("form[id^=offer-] input[data-amount]", "1.00")
                page.click("form[id^=offer-] button[type=submit]")
                page.wait_for_selector("text=终次报价须在底价")
            # The typed amount has no name: the form can post only the .tbid sealed here.
            assert page.get_attribute("form[id^=offer-] input[data-amount]", "name") is None
            page.fill("form[id^=offer-] input[data-amount]", amount)
            page.click("form[id^=offer-] button[type=submit]")
            page.wait_for_selector("text=终次报价已密封提交，回执已签发")
            assert "已密封提交" in page.inner_text("#lot-1")
            assert page.locator("form[id^=offer-]").count() == 0  # one offer only
        logout(page)
        login(page, base, "center1")
        page.goto(hall)
        assert "10,300,000.00" not in page.inner_text("main")  # sealed until the reveal
        move_clock(offset, timedelta(minutes=DEMO_WINDOWS["final_offer.eligibility_window_min"]
                                     + DEMO_WINDOWS["final_offer.window_min"], seconds=5))
        page.goto(hall)
        assert "报价已截止，等待解密" in page.inner_text("#lot-1")
        page.click("form[id^=reveal-] button[type=submit]")
        page.wait_for_selector("text=终次报价已全部解密，结果已公布")

        # Every offer is public now; the winner is the rule's on exactly these offers.
        rows = page.locator("#lot-1 table tbody tr").all()
        revealed = {}
        for row in rows:
            cells = [c.inner_text().strip() for c in row.locator("td").all()]
            name, ref = cells[0].rsplit(" ", 1)
            revealed[ref] = (name, fen(cells[3]))
        assert sorted(v for _, v in revealed.values()) == sorted(fen(a) for a in OFFERS.values())
        result = rules.final_offer_winner(
            [rules.FinalOffer(ref, amount) for ref, (_, amount) in revealed.items()],
            rules.final_offer_params_from(PARAMS), floor_fen=floor, ceiling_fen=ceiling,
            eligible=sorted(revealed))
        assert result.outcome is rules.FinalOfferOutcome.WINNER
        winner_name, winner_price = revealed[result.winner_id]
        shown = page.inner_text("#lot-1 dl.facts dt:has-text('竞得入选人') + dd")
        assert winner_name in shown and f"{winner_price / 100:,.2f}" in shown

        # The decided round is the candidate the publicity shows (rules §7.8).
        page.goto(f"{base}/projects/{project_id}")
        page.click("a:has-text('候选人公示、异议与中标结果')")
        award_page = page.url
        assert winner_name in page.inner_text("#publicity")
        assert "公示中" in page.inner_text("#publicity")
        logout(page)
        login(page, base, "owner1")
        page.goto(award_page)
        page.click("#decide button")
        page.wait_for_selector("text=候选人公示期尚未结束")  # not before its end

        days = PARAMS["publicity.candidates_days_min"]
        move_clock(offset, timedelta(days=days, minutes=10))
        login(page, base, "owner1")  # the session did not outlive three idle days
        page.goto(award_page)
        assert "公示期已结束" in page.inner_text("#publicity")
        page.click("#decide button")
        page.wait_for_selector("text=定标完成，中标结果公告与通知书已发出")
        assert winner_name in page.inner_text("#result")
        page.goto(f"{base}/projects/{project_id}")
        assert "中标结果公告" in page.inner_text("main")

        for username, name in BIDDERS.items():
            logout(page)
            login(page, base, username)
            page.goto(award_page)
            notices = page.inner_text("#notices")
            if name == winner_name:
                assert "中标通知书" in notices and f"{winner_price / 100:,.2f}" in notices
            else:
                assert "结果通知书" in notices and "贵单位未中标" in notices
    finally:
        offset.write_text("0")
