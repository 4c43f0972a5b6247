"""A bidder checks, from the public pages and then offline, that its bid is in the audit
transparency log and that the opening left nothing of it out (issue #17): receipt, log
promise and envelope from 版本与回执, the log key from 审计存证, the opening record with its
deadline checkpoint from the opening hall; `python -m bid_crypto verify-receipt` with only
those files, the pinned key and the public proof API. An opening record with the bid's line
removed is refused as leaving it out."""

import base64
import json
import re
import subprocess
import sys

from browser.steps import login

PROJECT = "体育中心看台维修工程"  # a demo project opened weeks ago; bidder1 bid on lot 1


def verify(tmp_path, base, log_key, opening):
    return subprocess.run(
        [sys.executable, "-m", "bid_crypto", "verify-receipt", "--platform-key",
         "platform.pub", "--promise", "promise.json", "--log-key", log_key, "--log-url", base,
         "--opening", opening, "receipt.json", "bid.tbid"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60)


def download(page, link, target):
    with page.expect_download() as got:
        page.locator(link).first.click()
    got.value.save_as(target)


def test_a_bid_is_in_the_log_and_in_the_opening_checked_offline(page, live_server, tmp_path):
    base = live_server
    login(page, base, "bidder1")
    page.goto(f"{base}/projects?q={PROJECT}")
    page.click(f"text={PROJECT}")
    project_id = re.search(r"/projects/(\d+)", page.url).group(1)
    page.goto(f"{base}/projects/{project_id}/bids")
    page.locator("a:has-text('版本与回执')").first.click()
    card = "#receipt"
    download(page, f"{card} a:has-text('下载回执')", tmp_path / "receipt.json")
    download(page, f"{card} a:has-text('下载日志承诺')", tmp_path / "promise.json")
    download(page, f"{card} a:has-text('下载信封')", tmp_path / "bid.tbid")

    page.goto(f"{base}/audit/checkpoints")
    text = page.inner_text("main")
    published = re.search(r"\(Ed25519, base64\)\s*([A-Za-z0-9+/=]{40,})", text).group(1)
    (tmp_path / "platform.pub").write_bytes(base64.b64decode(published))
    log_key = page.inner_text("dl dd code")  # 日志公钥, the first fact on the page
    assert re.fullmatch(r"\S+\+[0-9a-f]{8}\+\S+", log_key), log_key

    page.goto(f"{base}/projects/{project_id}")
    page.locator("a:has-text('开标大厅')").first.click()
    href = page.get_attribute("#opening-json", "href")
    record = page.request.get(href).json()
    assert record["phase"] == "done" and record["log"]["size"] > 0
    (tmp_path / "opening.json").write_text(json.dumps(record, ensure_ascii=False))

    ok = verify(tmp_path, base, log_key, "opening.json")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "promise valid" in ok.stdout and "included: entry seq" in ok.stdout
    assert "in the opening: line of bid" in ok.stdout

    mine = json.loads((tmp_path / "receipt.json").read_text())["envelope_sha256"]
    record["lines"] = [x for x in record["lines"] if x["envelope_sha256"] != mine]
    (tmp_path / "left-out.json").write_text(json.dumps(record, ensure_ascii=False))
    refused = verify(tmp_path, base, log_key, "left-out.json")
    assert refused.returncode != 0 and "left out of the opening" in refused.stdout + \
        refused.stderr
