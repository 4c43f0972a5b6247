"""An outsider checks a draw's frozen candidate list against the transparency log from the
public pages and then offline (issue #17 pt 4): 抽取公示 → each draw frozen from a logged
pool (中介超市, 小额工程 less its exclusions, 评标专家 against the expert library) →
下载候选库日志证明, the log key from 审计存证 (the one the draw page prints must be
the same), and `python -m bid_crypto verify-set` with only that file and the pinned key. The
same file with a candidate dropped is refused as leaving it out."""

import hashlib
import json
import re
import subprocess
import sys

from bid_crypto import logset


def verify_set(tmp_path, name, log_key):
    return subprocess.run([sys.executable, "-m", "bid_crypto", "verify-set", name,
                           "--log-key", log_key],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)


def pooled_draws(page, base) -> list[str]:
    """The public draw pages that offer a pool proof."""
    page.goto(f"{base}/draws")
    hrefs = sorted({h for h in page.eval_on_selector_all(
        "main a[href*='/draws/']", "links => links.map(a => a.getAttribute('href'))")
        if re.search(r"/draws/\d+$", h)})
    found = []
    for href in hrefs:
        page.goto(href if href.startswith("http") else f"{base}{href}")
        if page.locator("a:has-text('下载候选库日志证明')").count():
            found.append(page.url)
    return found


def test_a_draws_candidate_list_is_the_logged_pool_checked_offline(page, live_server,
                                                                    tmp_path):
    base = live_server
    page.goto(f"{base}/audit/checkpoints")
    log_key = page.inner_text("dl dd code")  # 日志公钥, pinned from the checkpoints page
    assert re.fullmatch(r"\S+\+[0-9a-f]{8}\+\S+", log_key), log_key

    draws = pooled_draws(page, base)
    assert draws, "the demo has no draw frozen from a logged pool"
    library_checked = []
    for url in draws:
        page.goto(url)
        assert log_key in page.inner_text("main pre:has-text('verify-set')")
        href = page.get_attribute("a:has-text('下载候选库日志证明')", "href")
        doc = page.request.get(href if href.startswith("http") else f"{base}{href}").json()
        name = f"draw-{doc['draw']}-pool.json"
        (tmp_path / name).write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        ok = verify_set(tmp_path, name, log_key)
        assert ok.returncode == 0, ok.stdout + ok.stderr
        assert "exactly the set the log holds" in ok.stdout
        if doc.get("cover") is not None:  # an expert draw: the library, one entry each
            assert "per library member" in ok.stdout, ok.stdout
            library_checked.append(doc["draw"])
    assert library_checked, "no expert draw (评标专家抽取) was checked against its library"

    # the platform drops a candidate from the last file (and its own hash and record)
    gone = doc["candidates"][0]["id"]
    doc["candidates"] = doc["candidates"][1:]
    doc["candidate_list_hash"] = hashlib.sha256(logset.canonical(doc["candidates"])).hexdigest()
    doc["log"]["members"] = [m for m in doc["log"]["members"] if m["id"] != gone]
    (tmp_path / "left-out.json").write_text(json.dumps(doc, ensure_ascii=False),
                                            encoding="utf-8")
    refused = verify_set(tmp_path, "left-out.json", log_key)
    assert refused.returncode == 7, refused.stdout + refused.stderr
    assert f"{gone} was left out" in refused.stdout + refused.stderr
