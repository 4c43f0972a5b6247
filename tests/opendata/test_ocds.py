"""OCDS releases: valid against the official 1.1.5 schema, nothing confidential, a feed
that never skips a late commit, records compiled by ocdsmerge, and the bulk export."""

import json
from datetime import timedelta

import jsonschema
import pytest
import sqlalchemy as sa
from factories import actor_for, make_project, make_user, project_service

from trading.accounts.models import Role
from trading.demo import load_demo
from trading.opendata.models import OcdsRelease
from trading.opendata.ocds import SCHEMA_DIR, load_json
from trading.opendata.service import WATERMARK, OpenDataService


@pytest.fixture(scope="module")
def validator():
    schema = json.loads((SCHEMA_DIR / "dereferenced-release-schema.json").read_text())
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def releases(dbsession):
    return [load_json(r.data_json) for r in dbsession.scalars(
        sa.select(OcdsRelease).order_by(OcdsRelease.id))]


@pytest.mark.slow
def test_every_demo_release_validates(dbsession, clock, settings, validator):
    load_demo(dbsession, clock, settings)
    found = releases(dbsession)
    tags = {tag for r in found for tag in r["tag"]}
    assert {"tender", "tenderUpdate", "tenderCancellation", "award", "contract"} <= tags
    for row in dbsession.scalars(sa.select(OcdsRelease)):
        release = json.loads(row.data_json)  # the published text, as any consumer reads it
        errors = sorted(validator.iter_errors(release), key=str)
        assert errors == [], (release["id"], [e.message for e in errors[:3]])


def test_drafts_publish_nothing_and_publication_is_a_tender_release(
        dbsession, clock, settings, registry):
    project = make_project(dbsession, clock, settings, registry)
    assert releases(dbsession) == []
    center = make_user(dbsession, clock, settings, role=Role.CENTER)
    service = project_service(dbsession, clock, registry)
    service.submit_for_review(project, actor=actor_for(center))
    assert releases(dbsession) == []
    service.approve(project, actor=actor_for(center))
    [release] = releases(dbsession)
    assert release["tag"] == ["tender"] and release["tender"]["status"] == "active"
    assert release["ocid"].endswith(project.number)
    assert str(release["tender"]["value"]["amount"]) == "1000000.00"
    # The tender notice, signed (issue #21), is one of the tender's documents: its url is
    # the notice.json that `python -m bid_crypto verify-notice` checks.
    (notice,) = project.announcements
    (document,) = [d for d in release["tender"]["documents"]
                   if d["documentType"] == "tenderNotice"]
    assert document["url"].endswith(
        f"/projects/{project.id}/announcements/{notice.id}/notice.json")
    assert document["id"] == f"notice-{notice.id}" and "verify-notice" in document["description"]


def test_nothing_confidential_is_ever_published(dbsession, clock, settings, registry):
    project = make_project(dbsession, clock, settings, registry, open_bidding=True)
    bidder = make_user(dbsession, clock, settings, role=Role.BIDDER)
    service = project_service(dbsession, clock, registry)
    service.sign_up(project, project.lots[0], bidder=bidder, actor=actor_for(bidder))
    service.publish_clarification(project, title="澄清", body="更正", affects_bids=False,
                                  new_deadline=None, actor=actor_for(bidder))
    text = json.dumps(releases(dbsession), ensure_ascii=False, default=str)
    assert bidder.organisation.name not in text and bidder.username not in text
    assert bidder.organisation.credit_code not in text


def test_the_feed_waits_for_late_commits(dbsession, clock, settings, registry):
    service = OpenDataService(dbsession, clock, settings)
    project = make_project(dbsession, clock, settings, registry, publish=True)
    first = dbsession.scalar(sa.select(sa.func.min(OcdsRelease.id)))
    base = first - 1
    # A release whose transaction has not committed yet shows as a gap below a later one.
    later = OcdsRelease(id=first + 2, project_id=project.id, ocid="o", release_id="late-2",
                        tag="tenderUpdate", date=clock(), data_json="{}", created_at=clock())
    dbsession.add(later)
    dbsession.flush()
    page = service.feed(base, 100)
    assert [r.id for r in page.rows] == [first] and page.cursor == first
    clock.advance(seconds=WATERMARK.total_seconds() + 1)
    page = service.feed(base, 100)  # the gap is old: a rollback, never to be filled
    assert [r.id for r in page.rows] == [first, first + 2]
    assert service.feed(page.cursor, 100).rows == []


def test_feed_and_record_over_http(testapp, dbsession, clock, settings, registry):
    project = make_project(dbsession, clock, settings, registry, open_bidding=True)
    service = project_service(dbsession, clock, registry)
    clock.set(project.bid_deadline + timedelta(minutes=1))
    service.advance(project)
    feed = testapp.get("/api/v1/ocds/releases", {"after": 0, "limit": 1}).json
    assert len(feed["releases"]) == 1 and feed["cursor"] >= 1
    assert f"after={feed['cursor']}" in feed["links"]["next"]
    record = testapp.get(f"/api/v1/ocds/projects/{project.id}/record").json["records"][0]
    # No bid arrived, so the opening ended the tender unsuccessfully (流标).
    assert record["compiledRelease"]["tender"]["status"] == "unsuccessful"
    assert [r["tag"][0] for r in record["releases"]][0] == "tender"
    testapp.get("/api/v1/ocds/releases", {"limit": "0"}, status=400)
    draft = make_project(dbsession, clock, settings, registry)
    testapp.get(f"/api/v1/ocds/projects/{draft.id}/releases", status=401)


def test_bulk_export_streams_a_valid_package(dbsession, clock, settings, registry, tmp_path):
    from trading.opendata.export import export_releases

    make_project(dbsession, clock, settings, registry, publish=True)
    out = tmp_path / "releases.json"
    with out.open("w", encoding="utf-8") as fh:
        count = export_releases(dbsession, fh, now=clock(), batch=1)
    package = json.loads(out.read_text())
    assert count >= 1 and len(package["releases"]) == count
    schema = json.loads((SCHEMA_DIR / "release-package-schema.json").read_text())
    assert set(schema["required"]) <= set(package)


def test_a_release_is_written_only_after_the_feed_lock_is_taken(dbsession, clock, settings,
                                                                registry, dbengine):
    """Why a late commit cannot hide below a served id: every release is written in a
    transaction that has already updated the feed lock row (UPDATE ocds_feed_lock), which
    holds its row lock until commit. Two such transactions queue on that lock, so release
    ids are handed out in commit order; the watermark is the second line of defence."""
    statements = []

    def seen(conn, cursor, statement, *args):
        words = statement.split()
        if words[:2] == ["UPDATE", "ocds_feed_lock"] or words[:3] == ["INSERT", "INTO",
                                                                  "ocds_releases"]:
            statements.append(" ".join(words[:2 if words[0] == "UPDATE" else 3]))

    project = make_project(dbsession, clock, settings, registry)
    center = make_user(dbsession, clock, settings, role=Role.CENTER)
    service = project_service(dbsession, clock, registry)
    service.submit_for_review(project, actor=actor_for(center))
    sa.event.listen(dbengine, "before_cursor_execute", seen)
    try:
        service.approve(project, actor=actor_for(center))  # a status change: release
        dbsession.flush()
        service.publish_clarification(project, title="澄清", body="更正招标文件第三章",
                                      affects_bids=False, new_deadline=None,
                                      actor=actor_for(center))  # an announcement: release
        dbsession.flush()
    finally:
        sa.event.remove(dbengine, "before_cursor_execute", seen)
    inserts = [i for i, s in enumerate(statements) if s.startswith("INSERT")]
    assert len(inserts) >= 2
    for i in inserts:
        assert "UPDATE ocds_feed_lock" == statements[i - 1]
    assert statements[0] == "UPDATE ocds_feed_lock"


@pytest.mark.slow
def test_no_downloader_expert_or_sealed_price_in_any_demo_release(dbsession, clock, settings):
    """Across the whole demo: organisations that only signed up or downloaded never appear
    in their project's releases; no expert's name ever does; no release before a project's
    opening says anything about its bids."""
    from trading.accounts.models import Organisation, User
    from trading.bidding.models import Bid, Opening
    from trading.evaluation.models import CommitteeMember, Expert
    from trading.projects.models import DocumentDownload, SignUp

    load_demo(dbsession, clock, settings)
    rows = dbsession.scalars(sa.select(OcdsRelease).order_by(OcdsRelease.id)).all()
    texts = {}
    for row in rows:
        texts.setdefault(row.project_id, []).append(row)
    experts = set(dbsession.scalars(sa.select(Expert.name))) | set(dbsession.scalars(
        sa.select(User.display_name).join(CommitteeMember, CommitteeMember.user_id == User.id)))
    assert experts
    everything = "\n".join(r.data_json for r in rows)
    assert not [name for name in experts if name in everything]
    checked = 0
    for project_id, releases in texts.items():
        bidders = set(dbsession.scalars(sa.select(Bid.bidder_org_id).where(
            Bid.project_id == project_id)))
        watchers = set(dbsession.scalars(sa.select(SignUp.bidder_org_id).where(
            SignUp.project_id == project_id))) | set(dbsession.scalars(
                sa.select(DocumentDownload.org_id).where(
                    DocumentDownload.project_id == project_id,
                    DocumentDownload.org_id.is_not(None))))
        text = "\n".join(r.data_json for r in releases)
        for org in dbsession.scalars(sa.select(Organisation).where(
                Organisation.id.in_(watchers - bidders))):
            assert org.name not in text and org.credit_code not in text
            checked += 1
        opening = dbsession.scalar(sa.select(Opening).where(Opening.project_id == project_id))
        for release in releases:
            if opening is None or opening.completed_at is None or \
                    release.created_at < opening.completed_at:
                assert '"bids"' not in release.data_json, release.release_id
    assert checked
