"""Each custody mode end to end in Chromium, from the bid page to the opening record: a
bidder seals a bid with a 100 MiB document in the page and gets its receipt; after the
deadline the bidder (dual) or the custodians (custodians) release in their browsers, and
the opening record shows the bid's price. Two other bidders' bids are sealed by the
library (as the CLI does), so each lot has the three bidders the opening needs.

Each walk uses projects of its own, made by tests/browser/custody_setup.py through the
real services; it moves the shared server's clock a month ahead only while it runs, and
advances its own project alone (no sweep touches the demo's projects)."""

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from browser.steps import check_pdfs, login, move_clock, sweep

HERE = Path(__file__).resolve().parent
MIB = 1024 * 1024


@pytest.fixture
def walk_server(live_server, live_workdir):
    return live_server, live_workdir


@pytest.fixture(scope="module")
def big_document(tmp_path_factory):
    path = tmp_path_factory.mktemp("documents") / "技术标-100MiB.pdf"
    block = os.urandom(MIB)
    with path.open("wb") as handle:
        for i in range(100):
            handle.write(block[i:] + block[:i])
    return path


def setup(work: Path, *args) -> dict:
    result = subprocess.run([sys.executable, str(HERE / "custody_setup.py"), str(work), *args],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout) if result.stdout.strip() else {}


def seal_in_the_page(page, base, ids, document, *, dual=False, tmp_path=None):
    """bidder1 seals 850 000.00 yuan and the document in the page; returns bidder.key's path
    for dual custody."""
    login(page, base, "bidder1")
    page.goto(f"{base}/projects/{ids['project_id']}/bids")
    page.locator("a:has-text('在线加密递交')").first.click()
    page.fill("input[name=total_price]", "850000.00")
    page.fill("input[name=duration_days]", "180")
    key_path = None
    if dual:
        with page.expect_download() as first, page.expect_download() as second:
            page.click("button:has-text('在本机生成投标人密钥')")
        for download in (first.value, second.value):
            download.save_as(tmp_path / download.suggested_filename)
        key_path = tmp_path / "bidder.key"
        assert "bid_crypto.private_key" in key_path.read_text()
    page.set_input_files("input[name=documents]", str(document))
    page.click("button:has-text('在本机加密并递交')")
    page.wait_for_selector("text=平台已接收并安全保存该投标信封", timeout=600_000)
    assert "在浏览器中加密递交" in page.locator("#receipt").inner_text()
    return key_path


def past_the_deadline(work: Path, ids) -> None:
    """The server's clock a minute past the project's deadline (inside a dual window)."""
    deadline = datetime.fromisoformat(ids["deadline"])
    move_clock(work / "clock_offset", deadline - datetime.now(UTC) + timedelta(minutes=1))


def record_shows_the_price(page, base, ids, work):
    """The opening record, on the page and as its signed PDF."""
    page.goto(f"{base}/projects/{ids['project_id']}/opening")
    text = page.inner_text("main")
    assert "开标记录" in text and "850,000.00" in text, text[-2000:]
    assert check_pdfs(page, work) == ["opening_record"]


def test_auto_custody_walk(browser, walk_server, big_document):
    base, work = walk_server
    ids = setup(work, "create", "auto", "浏览器加密演练（平台托管）")
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        seal_in_the_page(page, base, ids, big_document)
        past_the_deadline(work, ids)
        sweep(work, "project", ids["project_id"])
        record_shows_the_price(page, base, ids, work)
    finally:
        move_clock(work / "clock_offset", timedelta(0))
        context.close()


def test_dual_custody_walk(browser, walk_server, big_document, tmp_path):
    base, work = walk_server
    ids = setup(work, "create", "dual", "浏览器加密演练（不见面开标）")
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    try:
        key = seal_in_the_page(page, base, ids, big_document, dual=True, tmp_path=tmp_path)
        past_the_deadline(work, ids)
        sweep(work, "project", ids["project_id"])  # the opening starts: decryption window
        login(page, base, "bidder1")  # the session did not outlive a month of server time
        page.goto(f"{base}/projects/{ids['project_id']}/opening")
        assert "投标人解密中" in page.inner_text("#phase"), page.inner_text("main")[-3000:]
        tool = page.locator("[data-custody-tool=share]")
        tool.locator("input[type=file]").set_input_files(str(key))
        tool.locator("button:has-text('在本机解密并提交')").click()
        page.wait_for_selector("text=解密份额已提交")
        setup(work, "shares", str(ids["project_id"]))
        sweep(work, "project", ids["project_id"])  # every share is in: the bids are opened
        record_shows_the_price(page, base, ids, work)
    finally:
        move_clock(work / "clock_offset", timedelta(0))
        context.close()


STRONG = "紫色 长颈鹿 在 月光下 慢慢 弹钢琴"


def make_custodian_key(browser, base, username, tmp_path, suite="x25519") -> Path:
    """In the custodian's browser: generate the key (x25519, or sm2 for 国密 projects), keep
    custodian.key, enrol the .pub."""
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    page = context.new_page()
    try:
        login(page, base, username)
        page.goto(f"{base}/account/custody-key")
        tool = page.locator("[data-custody-tool=keygen]")
        tool.locator("[data-passphrase]").fill("password123")
        tool.locator("[data-confirm]").fill("password123")
        tool.locator("[data-generate]").click()
        tool.locator("[data-status]:has-text('口令太短')").wait_for()  # refused where typed
        tool.locator("[data-suite]").select_option(suite)
        tool.locator("[data-passphrase]").fill(STRONG)
        tool.locator("[data-confirm]").fill(STRONG)
        with page.expect_download() as first, page.expect_download() as second:
            tool.locator("[data-generate]").click()
        folder = tmp_path / username
        folder.mkdir()
        for download in (first.value, second.value):
            download.save_as(folder / download.suggested_filename)
        key = folder / "custodian.key"
        assert '"bid_crypto.protected_key"' in key.read_text()
        assert json.loads(key.read_text())["suite"] == suite
        page.click("#custody-key-form button[type=submit]")
        page.wait_for_selector("text=保管公钥已登记")
        if suite == "sm2":
            page.wait_for_selector("text=SM2（国密）")
        return key
    finally:
        context.close()


def release_in_the_hall(browser, base, ids, username, key: Path) -> None:
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        # The custodian's own clock is what the release tool trusts: past the deadline.
        deadline = datetime.fromisoformat(ids["deadline"])
        page.clock.set_fixed_time(deadline + timedelta(minutes=2))
        login(page, base, username)
        page.goto(f"{base}/projects/{ids['project_id']}/opening")
        tool = page.locator("[data-custody-tool=release]")
        tool.locator("[data-key-file]").set_input_files(str(key))
        tool.locator("[data-passphrase]").fill(STRONG)
        tool.locator("[data-release]").click()
        page.wait_for_selector("text=密钥份额已释放", timeout=120_000)
    finally:
        context.close()


def test_custodians_custody_walk(browser, walk_server, big_document, tmp_path):
    base, work = walk_server
    holders = setup(work, "custodians", f"walk{os.getpid()}")
    keys = {name: make_custodian_key(browser, base, name, tmp_path) for name in holders}
    ids = setup(work, "create", "custodians", "浏览器加密演练（多人分持）", ",".join(holders))
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        seal_in_the_page(page, base, ids, big_document)
        past_the_deadline(work, ids)
        sweep(work, "project", ids["project_id"])  # the opening starts: waiting for 2 of 2
        for name in holders:
            release_in_the_hall(browser, base, ids, name, keys[name])
        sweep(work, "project", ids["project_id"])
        login(page, base, "bidder1")
        record_shows_the_price(page, base, ids, work)
    finally:
        move_clock(work / "clock_offset", timedelta(0))
        context.close()


def test_national_custodians_custody_walk(browser, walk_server, tmp_path):
    """A 国密 project held by k-of-n custodians: their SM2 keys are made and enrolled in
    the page, the shares are sealed to them (SM2, SM3, SM4-GCM), released in the hall."""
    base, work = walk_server
    document = tmp_path / "技术标.pdf"
    document.write_bytes(b"%PDF " + os.urandom(256 * 1024))  # SM4 in JS: a small file
    holders = setup(work, "custodians", f"gm{os.getpid()}")
    keys = {name: make_custodian_key(browser, base, name, tmp_path, "sm2") for name in holders}
    ids = setup(work, "create", "custodians", "浏览器加密演练（国密多人分持）",
                ",".join(holders), "sm2")
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    try:
        seal_in_the_page(page, base, ids, document)
        past_the_deadline(work, ids)
        sweep(work, "project", ids["project_id"])
        for name in holders:
            release_in_the_hall(browser, base, ids, name, keys[name])
        sweep(work, "project", ids["project_id"])
        login(page, base, "bidder1")
        record_shows_the_price(page, base, ids, work)
    finally:
        move_clock(work / "clock_offset", timedelta(0))
        context.close()
