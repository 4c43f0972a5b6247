"""A 中介超市 quote sealed in the page (issue #15 point 1): on the demo's purchase in its
quoting period, an intermediary types its quote and plan, the page seals them with
tbid.js to the purchase's opening key and posts only the .tbid; a quote outside the
purchase's range is refused before anything is sealed. At the selection time (the live
server's clock moved, the worker's step run once) the quotes are opened: the page shows
the sealed quote's price, and the lowest price wins."""

import re
import sqlite3
from datetime import UTC, datetime

from browser.steps import fen, login, sweep

TITLE = "区医院扩建项目环境影响评价"  # the demo's LOWEST_PRICE purchase, quoting now


def _purchase(workdir, title):
    with sqlite3.connect(workdir / "browser.sqlite3") as db:
        row = db.execute("SELECT id, selection_time FROM im_purchases WHERE title = ?",
                         (title,)).fetchone()
    when = datetime.fromisoformat(str(row[1]))
    return row[0], when if when.tzinfo else when.replace(tzinfo=UTC)


def test_a_quote_is_sealed_in_the_page_and_opened_at_the_selection(page, live_server,
                                                                    live_workdir):
    base, offset = live_server, live_workdir / "clock_offset"
    purchase_id, selection = _purchase(live_workdir, TITLE)
    login(page, base, "agency1")
    page.goto(f"{base}/supermarket/purchases/{purchase_id}")
    page.click("a:has-text('提交报价')")
    page.wait_for_selector("form#quote[data-ready]")  # sealed-offer.js is in
    bounds = page.inner_text("main")
    low, high = re.search(r"报价须在\s*([\d,.]+)\s*–\s*([\d,.]+)", bounds).groups()
    assert page.get_attribute("form#quote input[data-amount]", "name") is None
    page.fill("form#quote input[data-amount]", f"{fen(high) / 100 + 1:.2f}")
    page.click("form#quote button[type=submit]")
    page.wait_for_selector("text=报价须在")  # refused before sealing: nothing sent
    assert page.locator("form#quote [data-error]").is_visible()
    page.fill("form#quote input[data-amount]", low)
    page.fill("form#quote textarea[data-plan]", "浏览器内加密的服务方案：项目负责人1名。")
    page.click("form#quote button[type=submit]")
    page.wait_for_selector("text=报价已加密保存，选取时间到后统一开启")
    assert "已加密，待开启" in page.inner_text("main")

    try:
        seconds = int((selection - datetime.now(UTC)).total_seconds()) + 60
        offset.write_text(str(max(seconds, 0)))
        sweep(live_workdir, "im_purchase", purchase_id)
        page.goto(f"{base}/supermarket/purchases/{purchase_id}")
        shown = page.inner_text("main")
        assert low in shown and "已加密，待开启" not in shown  # opened: the price is public
        row = page.locator("tr", has_text="正衡工程咨询有限公司").first.inner_text()
        assert low in row and "中选" in shown
    finally:
        offset.write_text("0")
