"""A 国密 demo project (suite sm2) sealed in the browser, end to end: the bid page seals
with SM2/SM3/SM4-GCM in Chromium and uploads only the .tbid, the receipt is SM2-signed
and verifies with `python -m bid_crypto verify-receipt` against platform-sm2.pub over the
very bytes the browser uploaded; the offline page seals for the project's sm2 opening.pub
with the network off and the platform accepts the envelope."""

import json
import re
import subprocess
import sys

from browser.steps import login

PROJECT = "政务云密码应用改造项目（国密）"  # demo: bidding, suite sm2, bidders 1-3 signed up


def cli(*args, cwd):
    result = subprocess.run([sys.executable, "-m", "bid_crypto", *args], cwd=cwd,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def open_bids(page, base, username):
    login(page, base, username)
    page.goto(f"{base}/projects?q=政务云密码")
    page.click(f"text={PROJECT}")
    project_id = re.search(r"/projects/(\d+)", page.url).group(1)
    page.goto(f"{base}/projects/{project_id}/bids")
    facts = page.inner_text("dl.facts")
    return (project_id, re.search(r"YG-\d{4}-\d{6}", facts).group(0),
            re.search(r"\bB\d+\b", facts).group(0))


def test_the_bid_page_seals_a_national_bid_and_the_sm2_receipt_verifies(page, live_server,
                                                                       tmp_path):
    base = live_server
    project_id, number, bidder = open_bids(page, base, "bidder2")
    parts = {}

    def keep(request):
        match = re.search(r"[?&]offset=(\d+)", request.url)
        if request.method == "PUT" and match:
            parts[int(match.group(1))] = request.post_data_buffer

    page.on("request", keep)
    page.locator("a:has-text('在线加密递交')").first.click()
    assert "国密（SM2、SM3、SM4-GCM，SM2签名）" in page.inner_text("dl.facts")
    page.fill("input[name=total_price]", "2980000.00")
    page.fill("input[name=duration_days]", "90")
    page.set_input_files("input[name=documents]", files=[
        {"name": "技术方案.pdf", "mimeType": "application/pdf", "buffer": b"%PDF " * 30_000}])
    page.click("button:has-text('在本机加密并递交')")
    page.wait_for_selector("text=平台已接收并安全保存该投标信封")
    page.remove_listener("request", keep)
    receipt_box = page.locator("#receipt")
    assert "在浏览器中加密递交" in receipt_box.inner_text()
    with page.expect_download() as download:
        receipt_box.locator("a:has-text('下载回执')").click()
    download.value.save_as(tmp_path / "receipt.json")
    with page.expect_download() as download:
        page.click("a:has-text('platform-sm2.pub')")
    download.value.save_as(tmp_path / "platform-sm2.pub")

    # The envelope exactly as the browser uploaded it, part after part.
    envelope, at = b"", 0
    while at in parts:
        envelope, at = envelope + parts[at], at + len(parts[at])
    assert envelope and sorted(parts)[-1] < at
    (tmp_path / "bid.tbid").write_bytes(envelope)
    header = json.loads(cli("inspect", "bid.tbid", cwd=tmp_path))["header"]
    assert (header["suite"], header["project"], header["bidder"]) == ("sm2", number, bidder)
    out = cli("verify-receipt", "--platform-key", "platform-sm2.pub", "receipt.json",
              "bid.tbid", cwd=tmp_path)
    assert out.startswith("receipt valid:")
    receipt = json.loads((tmp_path / "receipt.json").read_text())
    assert (receipt["project"], receipt["bidder"]) == (number, bidder)
    # The Ed25519 platform key does not verify a 国密 receipt.
    (tmp_path / "platform.pub").write_bytes(page.request.get(f"{base}/bidding/platform.pub").body())
    refused = subprocess.run([sys.executable, "-m", "bid_crypto", "verify-receipt",
                              "--platform-key", "platform.pub", "receipt.json", "bid.tbid"],
                             cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0


def test_the_offline_page_seals_for_a_national_project(browser, live_server, page, tmp_path):
    base = live_server
    project_id, number, bidder = open_bids(page, base, "bidder3")
    with page.expect_download() as download:
        page.click("a:has-text('opening.pub')")
    download.value.save_as(tmp_path / "opening.pub")
    assert json.loads((tmp_path / "opening.pub").read_text())["suite"] == "sm2"
    with page.expect_download() as download:
        page.locator("a:has-text('下载离线加密页面')").first.click()
    download.value.save_as(tmp_path / "offline.html")

    offline = browser.new_context(offline=True, locale="zh-CN", accept_downloads=True)
    sealer = offline.new_page()
    try:
        sealer.goto((tmp_path / "offline.html").as_uri())
        sealer.select_option("select[name=custody]", "dual")
        sealer.click("button:has-text('在本机生成投标人密钥')")
        sealer.wait_for_selector("text=请先选择本项目开标公钥 opening.pub")
        sealer.select_option("select[name=custody]", "auto")
        sealer.set_input_files("input[name=opening_key]", str(tmp_path / "opening.pub"))
        sealer.fill("input[name=total_price]", "2950000.00")
        sealer.set_input_files("input[name=documents]", files=[
            {"name": "资质.pdf", "mimeType": "application/pdf", "buffer": b"%PDF " * 10_000}])
        with sealer.expect_download() as sealed:
            sealer.click("button:has-text('加密并保存 bid.tbid')")
        sealed.value.save_as(tmp_path / "bid.tbid")
        # Dual custody: the bidder key generated here follows the project's suite (SM2).
        sealer.select_option("select[name=custody]", "dual")
        downloads = []

        def keep(download):
            downloads.append(download)

        sealer.on("download", keep)
        with sealer.expect_event("download", lambda d: d.suggested_filename == "bidder.pub"):
            sealer.click("button:has-text('在本机生成投标人密钥')")
        sealer.remove_listener("download", keep)
        next(d for d in downloads if d.suggested_filename == "bidder.key").save_as(
            tmp_path / "bidder.key")
        with sealer.expect_download() as sealed:
            sealer.click("button:has-text('加密并保存 bid.tbid')")
        sealed.value.save_as(tmp_path / "dual.tbid")
    finally:
        offline.close()
    header = json.loads(cli("inspect", "bid.tbid", cwd=tmp_path))["header"]
    assert (header["suite"], header["project"], header["bidder"]) == ("sm2", number, bidder)
    assert json.loads((tmp_path / "bidder.key").read_text())["suite"] == "sm2"
    dual = json.loads(cli("inspect", "dual.tbid", cwd=tmp_path))["header"]
    assert (dual["suite"], dual["custody"], dual["dual"]["suite"]) == ("sm2", "dual", "sm2")
    cli("bidder-share", "--key", "bidder.key", "dual.tbid", "--out", "share.json", cwd=tmp_path)
    share = json.loads((tmp_path / "share.json").read_text())
    assert share["kind"] == "bid_crypto.decryption_share"

    page.goto(f"{base}/projects/{project_id}/bids")
    page.locator("input[name=envelope]").first.set_input_files(str(tmp_path / "bid.tbid"))
    page.locator("form:has(input[name=envelope]) button").first.click()
    page.wait_for_selector("text=平台已接收并安全保存该投标信封")
