"""A bidder in a real browser: download the opening key, seal a bid with the CLI, upload it,
read the receipt and verify it offline against the key published at /audit/checkpoints;
then seal a new version in the page itself (the browser seals, the server gets the .tbid).
The custody walks (tests/browser/test_custody_walks.py) go on to the opening.)"""

import base64
import json
import re
import subprocess
import sys

from browser.steps import login

PROJECT = "闽江大道市政道路改造工程"  # a demo project in bidding; bidder1 signed up to lot 1


def cli(*args, cwd):
    result = subprocess.run([sys.executable, "-m", "bid_crypto", *args], cwd=cwd,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_seal_upload_and_verify_the_receipt(page, live_server, tmp_path):
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

    offer = {"total_price": 2_480_000_00, "currency": "CNY", "duration_days": 240,
             "quality": "合格", "project_manager": "浏览器测试"}
    (tmp_path / "offer.json").write_text(json.dumps(offer, ensure_ascii=False))
    (tmp_path / "技术标.pdf").write_bytes(b"%PDF-1.4 browser walk " * 200)
    cli("seal", "--to", "opening.pub", "--project", number, "--lot", "L1", "--bidder", bidder,
        "--offer", "offer.json", "--doc", "技术标.pdf", "--out", "bid.tbid", cwd=tmp_path)

    page.locator("input[name=envelope]").first.set_input_files(str(tmp_path / "bid.tbid"))
    page.locator("button:has-text('上传新版本')").first.click()
    page.wait_for_selector("text=平台已接收并安全保存该投标信封")
    receipt_box = page.locator("#receipt")
    assert "SHA-256" in receipt_box.inner_text()
    with page.expect_download() as download:
        receipt_box.locator("a:has-text('下载回执')").click()
    download.value.save_as(tmp_path / "receipt.json")

    # The platform key as the audit page publishes it (base64 of the raw Ed25519 key).
    page.goto(f"{base}/audit/checkpoints")
    published = re.search(r"\(Ed25519, base64\)\s*([A-Za-z0-9+/=]{40,})",
                          page.inner_text("main")).group(1)
    (tmp_path / "platform.pub").write_bytes(base64.b64decode(published))
    cli("verify-receipt", "--platform-key", "platform.pub", "receipt.json", "bid.tbid",
        cwd=tmp_path)
    receipt = json.loads((tmp_path / "receipt.json").read_text())
    assert (receipt["project"], receipt["lot"], receipt["bidder"]) == (number, "L1", bidder)

    # Sealed in the page: the browser seals, uploads the .tbid in parts, shows the receipt.
    page.goto(f"{base}/projects/{project_id}/bids")
    page.locator("a:has-text('在线加密递交')").first.click()
    page.fill("input[name=total_price]", "2470000.00")
    page.fill("input[name=duration_days]", "230")
    page.fill("input[name=item_name]", "道路主体")
    page.fill("input[name=item_price]", "2000000")
    page.click("button:has-text('添加分项')")
    page.locator("input[name=item_name]").nth(1).fill("安全文明施工费")
    page.locator("input[name=item_price]").nth(1).fill("470000")
    page.set_input_files("input[name=documents]", files=[
        {"name": "商务标.pdf", "mimeType": "application/pdf", "buffer": b"%PDF " * 5000}])
    page.click("button:has-text('在本机加密并递交')")
    page.wait_for_selector("text=平台已接收并安全保存该投标信封")
    assert "在浏览器中加密递交" in page.locator("#receipt").inner_text()
    assert "第 2 版" in page.inner_text("main") or "v2" in page.inner_text("main")


def test_the_seal_page_without_script_explains_the_offline_page_and_the_cli(
        browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    try:
        login(page, live_server, "bidder1")
        page.goto(f"{live_server}/projects?q=闽江大道")
        page.click(f"text={PROJECT}")
        project_id = re.search(r"/projects/(\d+)", page.url).group(1)
        page.goto(f"{live_server}/projects/{project_id}/bids")
        page.locator("a:has-text('在线加密递交')").first.click()
        text = page.inner_text("main")
        assert "需要启用 JavaScript" in text
        assert "离线加密页面" in text and "python -m bid_crypto seal" in text
        assert not page.locator("#seal-bid").is_visible()
    finally:
        context.close()
