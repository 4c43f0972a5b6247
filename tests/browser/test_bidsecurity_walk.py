"""Bid security (投标保证金, 电子保函) in the browser, against the simulated bank and the
simulated guarantee provider running as their own processes on free ports with keys in a
tmp folder (the live server's settings point at them through WORKDIR/settings.json).

Two bidders sign up for the demo's 政府采购 project still open for bids: one pays its
deposit into its sub-account (子账号) from its basic account on the bank's own page, the
other obtains an electronic guarantee at the provider's page; both stay sealed on the
bidder's page until the opening, whose record shows each bid's security (the worker's sweep
runs the opening). bidder1, whose deposit the demo paid, bids too. Then the demo's seated
committee scores, the chair reports, all sign; after the publicity the owner awards: the
refund job pays the loser back with interest through the bank (87号令 第三十八条: within 5
working days of the award notice) while the winner waits for the contract, which the owner
then records and the winner is paid back too. Each refund equals the pure interest rule's
figure for the days its page shows, and the bank's statement shows the same credit.
"""

import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from browser.steps import (
    fen,
    login,
    logout,
    move_clock,
    open_score_sheet,
    sign_report,
    signed_in,
    sweep,
)

from trading.bidsecurity import rules as r
from trading.demo.bidsecurity import OPEN, OPEN_EXPERTS, OPEN_FULL
from trading.demo.evaluation import OBJECTIVE
from trading.projects.kinds import ProcurementMethod, Regime
from trading.projects.rules import default_params

ROOT = Path(__file__).resolve().parents[2]


def _simulator(module: str, tmp: Path, *extra) -> tuple[subprocess.Popen, str]:
    name = module.rsplit(".", 1)[-1]
    args = [sys.executable, "-m", module, "--port", "0",
            "--state", str(tmp / f"{name}.sqlite3"), "--key", str(tmp / f"{name}.key"),
            "--public-out", str(tmp / f"{name}.pub"), *extra]
    process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    return process, process.stdout.readline().split()[-1]  # printed once it listens


@pytest.fixture(scope="module")
def security_world(tmp_path_factory, serve, free_port):
    """(live server URL, simulated bank URL): a live server of its own, wired to both."""
    tmp, work = tmp_path_factory.mktemp("simulators"), tmp_path_factory.mktemp("bidsec")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    bank, bank_url = _simulator("trading.bidsecurity.simbank", tmp,
                                "--notify", f"{base}/api/v1/bidsecurity/notifications")
    provider, provider_url = _simulator("trading.bidsecurity.simguarantor", tmp)
    (work / "settings.json").write_text(json.dumps({
        "trading.public_url": base,
        "bidsecurity.bank_url": bank_url,
        "bidsecurity.bank_public_key": str(tmp / "simbank.pub"),
        "bidsecurity.guarantor_url": provider_url,
        "bidsecurity.guarantor_public_key": str(tmp / "simguarantor.pub")}))
    try:
        with serve(work, port) as served:
            yield served, bank_url, work
    finally:
        for process in (bank, provider):
            process.terminate()
            process.wait(timeout=10)
            process.stdout.close()


def _sign_up(page, base) -> str:
    """The bidder signs up for the demo project still open for bids; its security page."""
    page.goto(f"{base}/projects")
    page.click(f"text={OPEN}")
    page.locator("button:has-text('报名')").first.click()
    page.wait_for_selector("text=报名成功")
    project_id = re.search(r"/projects/(\d+)", page.url).group(1)
    return f"{base}/projects/{project_id}/security"


def _bank_transfer(page, bank_url, **fields) -> None:
    """The bidder's transfer on its bank's own page: the bank notifies the platform, signed."""
    page.goto(f"{bank_url}/")
    for name, value in fields.items():
        page.fill(f"input[name={name}]", value)
    page.click("button:has-text('确认转账')")
    page.wait_for_selector("text=转账成功")
    assert "银行已向交易平台发送到账通知" in page.inner_text("body")


def _basic_account(page, base) -> str:
    page.goto(f"{base}/bidsecurity")
    return re.search(r"35050188000\d{7}", page.inner_text("main")).group(0)


def test_a_deposit_and_a_guarantee_from_payment_to_refund(page, browser, security_world):
    base, bank_url, work = security_world

    login(page, base, "bidder4")
    security = _sign_up(page, base)
    page.goto(security)
    page.click("button:has-text('获取缴款子账号')")
    sub_account = page.locator("dd code").first.inner_text().strip()
    basic = _basic_account(page, base)
    _bank_transfer(page, bank_url, payer_account=basic, payer_name="鑫达建设有限公司",
                   reference=sub_account, amount=f"{OPEN_FULL // 100}.00")
    page.click("a:has-text('查看账户明细')")  # the bank's statement: the transfer out
    assert f"-{OPEN_FULL // 100:,}.00" in page.inner_text("#statement")
    page.goto(security)
    # Sealed like a bid: not even the payer's own page shows it before the opening.
    assert "开标时公布" in page.inner_text("main")
    logout(page)

    login(page, base, "bidder3")
    security = _sign_up(page, base)
    page.goto(security)
    page.click("button:has-text('申请电子保函')")
    page.wait_for_selector("text=已向担保机构提交申请")
    page.click("a:has-text('前往担保机构办理')")  # the provider's own site
    page.wait_for_selector("text=电子投标保函申请")
    assert f"{OPEN_FULL // 100}.00" in page.inner_text("body")
    page.click("button:has-text('支付保费并出具保函')")
    page.wait_for_selector("text=已出具并送达交易平台")
    page.click("a:has-text('返回交易平台')")
    page.wait_for_url(security)
    assert "开标时公布" in page.inner_text("main")
    seal_a_bid(page, base, security, "8620000.00")
    logout(page)
    login(page, base, "bidder1")  # its deposit is the demo's sealed payment
    seal_a_bid(page, base, security, "8700000.00")
    logout(page)
    login(page, base, "bidder4")  # the lowest price: it wins (low price first, 87号令)
    seal_a_bid(page, base, security, "8505000.00")
    page.goto(security)
    deadline = re.search(r"到账截止\s*(\d{4}-\d\d-\d\d \d\d:\d\d)", page.inner_text("main"))
    deadline = datetime.strptime(deadline.group(1), "%Y-%m-%d %H:%M").replace(
        tzinfo=timezone(timedelta(hours=8)))
    project_id = re.search(r"/projects/(\d+)/", security).group(1)
    try:
        move_clock(work / "clock_offset", deadline - datetime.now(UTC) + timedelta(minutes=2))
        sweep(work, "project", project_id)  # the opening: bids and securities unsealed
        page.goto(f"{base}/projects/{project_id}/opening")
        rows = {row.split("\t")[1]: row for row in
                page.locator("table tr").all_inner_texts() if "已解密" in row}
        deposit, guarantee = rows["鑫达建设有限公司"], rows["榕城市政工程有限公司"]
        assert "8,505,000.00" in deposit and "投标保证金：已按要求缴纳" in deposit
        assert "电子保函" not in deposit
        assert "8,620,000.00" in guarantee and "投标保证金：已按要求缴纳" in guarantee
        assert "电子保函" in guarantee and "担保机构签名有效" in guarantee
        assert "投标保证金：已按要求缴纳" in rows["华建工程有限公司"]
        offset = deadline - datetime.now(UTC) + timedelta(minutes=2)
        evaluate(browser, base, project_id)
        award_and_refund(browser, page, base, bank_url, work, project_id, offset)
    finally:
        move_clock(work / "clock_offset", timedelta(0))


def evaluate(browser, base, project_id):
    """The center starts the seated committee; each expert scores alike (price decides);
    the chair tabulates and reports; all five sign."""
    context, center = signed_in(browser, base, "center1")
    center.goto(f"{base}/projects/{project_id}/committee")
    center.click("button:has-text('开始评标')")
    center.wait_for_selector("text=评标已开始")
    context.close()
    experts = [f"expert{n}" for n in OPEN_EXPERTS]
    for username in experts:
        context, expert = signed_in(browser, base, username)
        expert.click(f"a:has-text('{OPEN}')")
        open_score_sheet(expert)
        for select in expert.locator("select[name^='s-']").all():
            select.select_option("pass")
        for name, value in (("t1", OBJECTIVE[0]), ("t2", "25"), ("t3", "16"), ("t4", "8")):
            for field in expert.locator(f"input[name$='-{name}']").all():
                field.fill(value)
        expert.click("button[name=submit]")
        expert.wait_for_selector("text=评分表已提交并锁定")
        context.close()
    context, chair = signed_in(browser, base, experts[0])
    chair.goto(f"{base}/projects/{project_id}/evaluation")
    chair.click("button:has-text('汇总')")
    chair.wait_for_selector("text=已汇总")
    chair.click("button:has-text('生成评标报告')")
    chair.wait_for_selector("text=评标报告已生成")
    report = chair.locator("a:has-text('待签署')").first.get_attribute("href")
    sign_report(chair, report)
    context.close()
    for username in experts[1:]:
        context, expert = signed_in(browser, base, username)
        sign_report(expert, report)
        context.close()


def refunds_job(work) -> str:
    return sweep(work, "task", "trading.bidsecurity.tasks:make_due_refunds")


def refund_row(page, base, project_id, username) -> dict:
    """The bidder's own deposit refund, as its page shows it."""
    login(page, base, username)
    page.goto(f"{base}/projects/{project_id}/security")
    row = page.locator("table tr:has(td:text-is('保证金'))").first
    cells = [c.strip() for c in row.locator("td").all_inner_texts()]
    keys = ("form", "cause", "principal", "interest", "received", "due", "refunded",
            "status", "reference")
    return dict(zip(keys, cells, strict=True))


def assert_paid_back_with_interest(page, base, bank_url, row, cause):
    """The figure the pure interest rule gives for the days the page shows, and the
    bank's statement credits principal plus interest under the same reference."""
    assert row["cause"] == cause and row["status"] == "已退还", row
    principal, interest = fen(row["principal"]), fen(row["interest"])
    received, refunded = (date.fromisoformat(row[k]) for k in ("received", "refunded"))
    assert principal == OPEN_FULL and refunded > received
    assert interest == r.interest_fen(principal, received, refunded,
                                      r.DEFAULT_ANNUAL_RATE) > 0
    account = _basic_account(page, base)
    page.goto(f"{bank_url}/accounts/{account}")
    credits = [line for line in page.locator("#statement tr").all_inner_texts()
               if row["reference"] in line]
    assert len(credits) == 1, credits  # paid once
    assert f"+{(principal + interest) // 100:,}.{(principal + interest) % 100:02d}" \
        in credits[0]
    page.goto(f"{base}/workspace")  # back from the bank's site


def award_and_refund(browser, page, base, bank_url, work, project_id, offset):
    days = default_params(Regime.GOVERNMENT_PROCUREMENT,
                          ProcurementMethod.OPEN_TENDER)["publicity.candidates_days_min"]
    move_clock(work / "clock_offset", offset + timedelta(days=days, hours=1))
    award_page = f"{base}/projects/{project_id}/award"
    context, owner = signed_in(browser, base, "owner1")
    owner.goto(award_page)
    owner.click("#decide button")
    owner.wait_for_selector("text=定标完成，中标结果公告与通知书已发出")
    assert "鑫达建设有限公司" in owner.inner_text("#result")
    assert "'made': 0" not in refunds_job(work)
    # The loser: paid back with interest after the award notice; the winner waits.
    loser = refund_row(page, base, project_id, "bidder1")
    assert_paid_back_with_interest(page, base, bank_url, loser, "未中标")
    logout(page)
    winner = refund_row(page, base, project_id, "bidder4")
    assert winner["status"] == "待退还条件成就" and winner["refunded"] == "—", winner
    logout(page)
    owner.goto(award_page)
    owner.click("#contract button")
    owner.wait_for_selector("text=合同签订已登记")
    context.close()
    move_clock(work / "clock_offset", offset + timedelta(days=days + 1, hours=1))
    assert "'made': 1" in refunds_job(work)
    winner = refund_row(page, base, project_id, "bidder4")
    assert_paid_back_with_interest(page, base, bank_url, winner, "中标")
    assert "'made': 0" in refunds_job(work)  # nothing twice


def seal_a_bid(page, base, security, price):
    page.goto(security.replace("/security", "/bids"))
    page.locator("a:has-text('在线加密递交')").first.click()
    page.fill("input[name=total_price]", price)
    page.fill("input[name=duration_days]", "300")
    page.set_input_files("input[name=documents]", files=[
        {"name": "技术标.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 walk"}])
    page.click("button:has-text('在本机加密并递交')")
    page.wait_for_selector("text=平台已接收并安全保存该投标信封")
