"""Bid security (投标保证金, 电子保函) in the browser, against the simulated bank and the
simulated guarantee provider running as their own processes on free ports with keys in a
tmp folder (the live server's settings point at them through WORKDIR/settings.json).

Two bidders sign up for the demo's project still open for bids: one pays its deposit into
its sub-account (子账号) from its basic account at the bank, the other obtains an electronic
guarantee at the provider's page; both stay sealed on the bidder's page until the opening,
whose record shows each bid's security (the worker's sweep runs the opening).
"""

import json
import os
import re
import subprocess
import sys
import urllib.request
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from browser.steps import login, logout, move_clock, sweep

from trading.demo.bidsecurity import FULL, OPEN

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


def _bank_transfer(bank_url, **fields) -> dict:
    """The bidder's transfer at its bank: the bank notifies the platform, signed."""
    request = urllib.request.Request(f"{bank_url}/pay", json.dumps(fields).encode(),
                                     {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def test_a_deposit_and_a_guarantee_are_sealed_until_the_opening_shows_both(page, security_world):
    base, bank_url, work = security_world

    login(page, base, "bidder4")
    security = _sign_up(page, base)
    page.goto(security)
    page.click("button:has-text('获取缴款子账号')")
    sub_account = page.locator("dd code").first.inner_text().strip()
    page.goto(f"{base}/bidsecurity")
    basic = re.search(r"35050188000\d{7}", page.inner_text("main")).group(0)
    paid = _bank_transfer(bank_url, reference=sub_account, amount_fen=FULL,
                          payer_name="鑫达建设有限公司", payer_account=basic)
    assert paid["delivered"]["status"] in (200, 202), paid["delivered"]
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
    assert f"{FULL // 100}.00" in page.inner_text("body")
    page.click("button:has-text('支付保费并出具保函')")
    page.wait_for_selector("text=已出具并送达交易平台")
    page.click("a:has-text('返回交易平台')")
    page.wait_for_url(security)
    assert "开标时公布" in page.inner_text("main")
    seal_a_bid(page, base, security, "1420000.00")
    logout(page)
    login(page, base, "bidder4")
    seal_a_bid(page, base, security, "1405000.00")
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
        assert "1,405,000.00" in deposit and "投标保证金：已按要求缴纳" in deposit
        assert "电子保函" not in deposit
        assert "1,420,000.00" in guarantee and "投标保证金：已按要求缴纳" in guarantee
        assert "电子保函" in guarantee and "担保机构签名有效" in guarantee
    finally:
        move_clock(work / "clock_offset", timedelta(0))


def seal_a_bid(page, base, security, price):
    page.goto(security.replace("/security", "/bids"))
    page.locator("a:has-text('在线加密递交')").first.click()
    page.fill("input[name=total_price]", price)
    page.fill("input[name=duration_days]", "300")
    page.set_input_files("input[name=documents]", files=[
        {"name": "技术标.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 walk"}])
    page.click("button:has-text('在本机加密并递交')")
    page.wait_for_selector("text=平台已接收并安全保存该投标信封")
