"""The 公开数据 page (issue #18): reached from the home page and every page's footer, it
links the OCDS feed, the bulk export, the checkpoints and the verification tools; the bulk
export is the feed's releases, byte for byte, as one package."""

import json

from factories import actor_for, make_project, make_user, project_service

from trading.accounts.models import Role
from trading.opendata.service import WATERMARK


def _published(dbsession, clock, settings, registry, n=2):
    center = make_user(dbsession, clock, settings, role=Role.CENTER)
    service = project_service(dbsession, clock, registry)
    for _ in range(n):
        project = make_project(dbsession, clock, settings, registry)
        service.submit_for_review(project, actor=actor_for(center))
        service.approve(project, actor=actor_for(center))
    dbsession.flush()


def test_the_home_page_and_the_footer_lead_to_the_open_data_page(testapp):
    home = testapp.get("/")
    page = home.click(href="/opendata$", index=0)
    assert page.status_int == 200 and "<h1>公开数据</h1>" in page.text
    assert page.html.select_one("footer a[href$='/opendata']") is not None
    links = {a["href"].split("localhost:6543")[-1] for a in page.html.select("main a")}
    assert {"/api/v1/ocds/releases", "/opendata/releases.json", "/audit/checkpoints",
            "/draws/verify", "/printables/certificate.pem"} <= links
    text = page.html.select_one("main").get_text()
    for usage in ("python -m bid_crypto verify-receipt --platform-key",
                  "python -m bid_crypto verify-notice", "python -m bid_crypto verify-set",
                  "trading printables verify"):
        assert usage in text


def test_the_bulk_export_is_every_release_of_the_feed(testapp, dbsession, clock, settings,
                                                      registry):
    _published(dbsession, clock, settings, registry)
    export = testapp.get("/opendata/releases.json")
    assert export.content_type == "application/json"
    assert "attachment" in export.headers["Content-Disposition"]
    # On PostgreSQL earlier tests' rolled-back inserts leave gaps in the ids; the feed
    # serves past a gap only once it is older than the watermark.
    clock.advance(seconds=WATERMARK.total_seconds() + 1)
    feed = testapp.get("/api/v1/ocds/releases", {"limit": 1000}).json
    package = json.loads(export.body)
    assert package["version"] == "1.1" and len(package["releases"]) >= 2
    assert package["releases"] == feed["releases"]
