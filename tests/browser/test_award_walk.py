"""评定分离 in a real browser, from the demo's project whose publicity is over: the owner
draws the award committee, every drawn member votes and signs the award report online,
the owner confirms the award, the winner reads its notice."""

from browser.separated_steps import award_by_committee

from trading.demo.award import SEPARATED_DEMO


def test_a_separated_award_walk(browser, live_server, live_workdir):
    assert award_by_committee(browser, live_server, SEPARATED_DEMO, live_workdir) in (
        "bidder1", "bidder2", "bidder3")
