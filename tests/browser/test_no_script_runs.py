"""Script typed into free-text fields never runs in a real browser: an owner saves a draft
whose name, region, description and lot name are payloads, and Chromium renders its page,
the owner's list and the edit form without executing any of it."""

from datetime import timedelta

from tests.browser.test_project_walk import login, stamp

PAYLOAD = ('<script>window.__xss=1</script><img src=x onerror="window.__xss=2">'
           '<svg onload="window.__xss=3"></svg>"\'><iframe src="javascript:window.__xss=4">')


def test_payloads_in_a_draft_are_shown_as_text_and_never_run(page, live_server):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    login(page, live_server, "owner1")
    page.goto(f"{live_server}/projects/new")
    page.locator("input[name=name]").nth(0).fill("XSS " + PAYLOAD)
    page.fill("input[name=region]", PAYLOAD[:50])
    page.fill("textarea[name=description]", PAYLOAD)
    page.fill("input[name=doc_start]", stamp(timedelta(days=1)))
    page.fill("input[name=doc_end]", stamp(timedelta(days=11)))
    page.fill("input[name=clarification_deadline]", stamp(timedelta(days=21)))
    page.fill("input[name=bid_deadline]", stamp(timedelta(days=31)))
    page.locator("input[name=name]").nth(1).fill(PAYLOAD[:80])
    page.locator("input[name=budget]").nth(0).fill("1000000")
    page.click("button[name=submit]")
    page.wait_for_selector("text=草稿已保存")
    project_url = page.url
    for url in (project_url, f"{live_server}/projects/mine", f"{project_url}/edit"):
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__xss") is None, url
        assert page.locator("script:not([src])").count() == 0, url
    page.goto(project_url)
    assert "<script>window.__xss=1</script>" in page.inner_text("body")  # shown as text
    assert dialogs == []
