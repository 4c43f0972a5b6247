"""The offline sealing page, end to end: downloaded from the bid page, opened from file://
in a browser with the network off, it seals for the downloaded opening.pub; the .tbid it
saves is accepted by the platform's upload form with a receipt."""

import json
import re
import subprocess
import sys

from browser.steps import login

PROJECT = "闽江大道市政道路改造工程"


def test_the_offline_page_seals_with_the_network_off(browser, live_server, page, tmp_path):
    base = live_server
    login(page, base, "bidder1")
    page.goto(f"{base}/projects?q=闽江大道")
    page.click(f"text={PROJECT}")
    project_id = re.search(r"/projects/(\d+)", page.url).group(1)
    page.goto(f"{base}/projects/{project_id}/bids")
    facts = page.inner_text("dl.facts")
    number = re.search(r"YG-\d{4}-\d{6}", facts).group(0)
    bidder = re.search(r"\bB\d+\b", facts).group(0)
    with page.expect_download() as download:
        page.click("a:has-text('opening.pub')")
    download.value.save_as(tmp_path / "opening.pub")
    with page.expect_download() as download:
        page.locator("a:has-text('下载离线加密页面')").first.click()
    download.value.save_as(tmp_path / "offline.html")

    # A different browser context, offline, that has never seen the platform.
    offline = browser.new_context(offline=True, locale="zh-CN", accept_downloads=True)
    requests = []
    offline.on("request", lambda request: requests.append(request.url))
    sealer = offline.new_page()
    try:
        sealer.goto((tmp_path / "offline.html").as_uri())
        assert sealer.input_value("input[name=project]") == number
        assert sealer.input_value("input[name=bidder]") == bidder
        sealer.set_input_files("input[name=opening_key]", str(tmp_path / "opening.pub"))
        sealer.fill("input[name=total_price]", "2460000.50")
        sealer.fill("input[name=project_manager]", "离线页面")
        sealer.set_input_files("input[name=documents]", files=[
            {"name": "技术标.pdf", "mimeType": "application/pdf", "buffer": b"%PDF " * 40_000}])
        with sealer.expect_download() as sealed:
            sealer.click("button:has-text('加密并保存 bid.tbid')")
        sealed.value.save_as(tmp_path / "bid.tbid")
        sealer.wait_for_selector("text=请在平台“我的投标”页面上传该文件")
    finally:
        offline.close()
    assert all(not url.startswith(("http:", "https:", "ws")) for url in requests), requests

    header = json.loads(subprocess.run(
        [sys.executable, "-m", "bid_crypto", "inspect", str(tmp_path / "bid.tbid")],
        capture_output=True, text=True, check=True, timeout=60).stdout)["header"]
    assert (header["project"], header["lot"], header["bidder"]) == (number, "L1", bidder)

    page.goto(f"{base}/projects/{project_id}/bids")
    page.locator("input[name=envelope]").first.set_input_files(str(tmp_path / "bid.tbid"))
    page.locator("form:has(input[name=envelope]) button").first.click()
    page.wait_for_selector("text=平台已接收并安全保存该投标信封")
