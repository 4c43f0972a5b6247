"""Steps every browser walk takes: log in (in the page, or in a context of its own for one
role among several), log out, sign an evaluation report, move the live server's clock,
download and verify the signed PDFs a page links to."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from trading.demo import DEMO_PASSWORD
from trading.evaluation.service import REPORT_CONFIRMATION


def login(page, base, username, password=DEMO_PASSWORD):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[name=submit]")
    page.wait_for_url(f"{base}/workspace")


def signed_in(browser, base, username):
    """A fresh browser context logged in as `username`: (context, page); close it after."""
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    login(page, base, username)
    return context, page


def sign_report(page, report_url):
    page.goto(report_url)
    page.fill("input[name=confirmation]", REPORT_CONFIRMATION)
    page.click("form button[type=submit]:has-text('签署')")
    page.wait_for_selector("text=已签署评标报告")


def open_score_sheet(page):
    """Follow the room's link to the member's score sheet and wait until its form is there:
    `locator.all()` does not wait, so collecting the fields on a page still loading (a busy
    machine) would find none and submit an empty sheet."""
    page.click("a:has-text('打开评分表')")
    page.wait_for_selector("button[name=submit]")


def move_clock(offset_file, delta: timedelta) -> None:
    """The live server's clock, `delta` ahead of the system's (0 puts it back)."""
    offset_file.write_text(str(int(delta.total_seconds())))


def logout(page):
    page.click("button:has-text('退出')")


def fen(text: str) -> int:
    """A page's yuan amount ("1,440,000.00") in 分, exactly: money is never a float."""
    return int((Decimal(text.replace(",", "")) * 100).to_integral_value(ROUND_HALF_UP))


def sweep(workdir, kind=None, entity_id=None) -> None:
    """The worker's sweep, once, on the live server's files and clock (the live server runs
    no worker); with `kind` and `entity_id`, that entity's `advance` alone."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parent / "sweep.py"
    args = [str(workdir)] + ([kind, str(entity_id)] if kind else [])
    result = subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def check_pdfs(page, workdir, scope="main", records=None) -> list[str]:
    """Click each signed-PDF link in `scope` (下载PDF…) and check the file as `trading
    printables verify --cert … --fetch` does: one valid signature by the certificate pinned
    from the live server's folder (serve.py), over the whole file, whose embedded record is
    the one the platform gives now (fetched with this reader's session). Returns the
    documents' kinds in link order; with `records` (a list), each verified record is
    appended to it, for the walk to compare the PDF's content with the page."""
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    from browser.serve import DOCUMENT_CERTIFICATE

    from trading.printables.verify import verify_pdf

    pinned = (Path(workdir) / DOCUMENT_CERTIFICATE).read_bytes()
    links = page.locator(f"{scope} a[href$='.pdf']")
    kinds = []
    # pyHanko's validation calls asyncio.run(), which Playwright's own running event loop
    # refuses in this thread: each check runs in a thread of its own.
    with ThreadPoolExecutor(max_workers=1) as pool:
        for i in range(links.count()):
            with page.expect_download() as download:
                links.nth(i).click()
            data = Path(download.value.path()).read_bytes()
            verdict = pool.submit(verify_pdf, data, pinned).result()
            assert verdict.ok, verdict.problems
            fetched = page.request.get(verdict.record["record"])
            assert fetched.ok, fetched.status
            verdict = pool.submit(verify_pdf, data, pinned, fetched.json()).result()
            assert verdict.ok, verdict.problems
            kinds.append(verdict.record["kind"])
            if records is not None:
                records.append(verdict.record)
    return kinds
