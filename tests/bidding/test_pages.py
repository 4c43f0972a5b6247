"""Bidding through the browser's eyes (WebTest): upload, the seal page's chunked upload,
receipts, the hall."""

import base64
import io
import json

import pytest
import sqlalchemy as sa
from factories import actor_for, make_user

from bid_crypto import PublicKey, load_verify_key, verify_receipt
from trading.accounts.models import Role
from trading.bidding.models import Bid, BidVersion


def checkpoint_key(testapp):
    """The platform key as published at /audit/checkpoints (raw, base64)."""
    raw = base64.b64decode(testapp.get("/api/v1/audit/checkpoints").json["public_key"])
    return load_verify_key(raw)


def count_versions(dbsession) -> int:
    return dbsession.scalar(sa.select(sa.func.count(BidVersion.id)))


def test_a_bidder_seals_with_the_published_key_uploads_and_verifies_the_receipt(
        testapp, world):
    bidder, project = world.bidders[0], world.project
    testapp.login(bidder.username)
    page = testapp.get(f"/projects/{project.id}/bids")
    assert project.number in page.text and f"B{bidder.organisation_id}" in page.text
    assert "python -m bid_crypto seal --to opening.pub" in page.text
    pub = testapp.get(f"/projects/{project.id}/opening.pub")
    assert "opening.pub" in pub.headers["Content-Disposition"]
    key = PublicKey.from_json(pub.body)
    envelope = world.seal(bidder, key=key)
    token = testapp.get_csrf_token(f"/projects/{project.id}/bids")
    response = testapp.post(f"/projects/{project.id}/lots/{world.lot.id}/bids/upload",
                            {"csrf_token": token},
                            upload_files=[("envelope", "bid.tbid", envelope)], status=303)
    assert response.location.endswith("version=1#receipt") or "#receipt" in response.location
    receipt_page = response.follow()
    assert "平台已接收并安全保存该投标信封" in receipt_page.text
    bid = world.dbsession.scalar(sa.select(Bid).where(Bid.bidder_org_id ==
                                                      bidder.organisation_id))
    receipt = testapp.get(
        f"/projects/{project.id}/bids/{bid.public_id}/versions/1/receipt.json").json
    assert verify_receipt(checkpoint_key(testapp), receipt, io.BytesIO(envelope))
    downloaded = testapp.get(
        f"/projects/{project.id}/bids/{bid.public_id}/versions/1/envelope.tbid")
    assert downloaded.body == envelope
    pem = testapp.get("/bidding/platform.pub").text
    assert load_verify_key(pem).to_raw() == checkpoint_key(testapp).to_raw()


def test_a_refused_upload_says_why_and_keeps_nothing(testapp, world):
    bidder, project = world.bidders[0], world.project
    testapp.login(bidder.username)
    token = testapp.get_csrf_token(f"/projects/{project.id}/bids")
    page = testapp.post(f"/projects/{project.id}/lots/{world.lot.id}/bids/upload",
                        {"csrf_token": token},
                        upload_files=[("envelope", "bid.pdf", b"%PDF plain")], status=422)
    assert "不是有效的投标信封" in page.text
    assert count_versions(world.dbsession) == 0


def upload_in_parts(testapp, world, envelope: bytes, *, part=1000, finish_status=200,
                    csrf=True):
    """What the bid page's script does: start an upload, PUT the sealed bytes in parts,
    finish. Returns the finish response."""
    base = f"/projects/{world.project.id}/lots/{world.lot.id}/bids/uploads"
    headers = {"X-CSRF-Token": testapp.get_csrf_token(f"/projects/{world.project.id}/bids")
               if csrf else "x"}
    start = testapp.post(base, headers=headers, status=201).json
    for offset in range(0, len(envelope), part):
        testapp.put(f"{start['part_url']}?offset={offset}", envelope[offset:offset + part],
                    headers={**headers, "Content-Type": "application/octet-stream"})
    return testapp.post(start["finish_url"], headers=headers, status=finish_status)


def test_the_seal_page_seals_in_the_browser_and_explains_the_other_ways(testapp, world):
    bidder = world.bidders[0]
    testapp.login(bidder.username)
    page = testapp.get(f"/projects/{world.project.id}/lots/{world.lot.id}/bids/seal")
    text = page.text
    assert "bid-page.js" in text and 'id="seal-bid" hidden' in text
    # Without script: the page says why and points to the offline page and the CLI.
    assert "需要启用 JavaScript" in page.html.find("noscript").text
    ways = page.html.find(id="other-ways").text
    assert "离线加密页面" in ways and "python -m bid_crypto seal" in ways
    assert world.project.number in ways and f"B{bidder.organisation_id}" in ways
    assert "--lot L1" in ways
    # The offer fields are never inside a form: nothing can post them to the server.
    for form in page.html.find_all("form"):
        assert not form.find(attrs={"name": "total_price"})
    assert testapp.get(f"/projects/{world.project.id}/lots/{world.lot.id}/bids/form",
                       status=404)


def test_an_envelope_uploaded_in_parts_is_a_bid_with_its_receipt(testapp, world):
    bidder = world.bidders[0]
    testapp.login(bidder.username)
    envelope = world.seal(bidder, documents=[("技术标.pdf", b"%PDF " + b"x" * 5000)])
    before = uploads_of(world, bidder)
    done = upload_in_parts(testapp, world, envelope).json
    assert "#receipt" in done["receipt_url"] and done["version"] == 1
    version = world.dbsession.scalar(sa.select(BidVersion))
    assert version.source == "browser"
    import hashlib

    assert version.envelope_sha256 == hashlib.sha256(envelope).hexdigest()
    assert "在浏览器中加密递交" in testapp.get(done["receipt_url"]).text
    assert uploads_of(world, bidder) == before  # the finished upload is gone


def uploads_of(world, user) -> list:
    """This user's unfinished uploads to the lot (the storage root is shared by tests)."""
    folder = world.registry["storage"].root / "uploads"
    prefix = f"{user.id}-{world.lot.id}-"
    return [p for p in folder.iterdir() if p.name.startswith(prefix)] if folder.exists() else []


def test_a_part_at_the_wrong_offset_says_where_to_resume(testapp, world):
    testapp.login(world.bidders[0].username)
    envelope = world.seal(world.bidders[0])
    base = f"/projects/{world.project.id}/lots/{world.lot.id}/bids/uploads"
    headers = {"X-CSRF-Token": testapp.get_csrf_token(f"/projects/{world.project.id}/bids")}
    start = testapp.post(base, headers=headers, status=201).json
    testapp.put(f"{start['part_url']}?offset=0", envelope[:500], headers=headers)
    again = testapp.put(f"{start['part_url']}?offset=0", envelope[:500], headers=headers,
                        status=409).json
    assert again["received"] == 500 and again["error"] == "upload_offset"
    assert testapp.get(start["part_url"]).json == {"received": 500}
    testapp.put(f"{start['part_url']}?offset=500", envelope[500:], headers=headers)
    testapp.post(start["finish_url"], headers=headers, status=200)
    assert count_versions(world.dbsession) == 1


def test_uploads_need_csrf_and_belong_to_their_bidder(testapp, world):
    first, second = world.bidders[0], world.bidders[1]
    testapp.login(first.username)
    base = f"/projects/{world.project.id}/lots/{world.lot.id}/bids/uploads"
    testapp.post(base, status=400)  # no CSRF token
    headers = {"X-CSRF-Token": testapp.get_csrf_token(f"/projects/{world.project.id}/bids")}
    start = testapp.post(base, headers=headers, status=201).json
    envelope = world.seal(first)
    testapp.put(f"{start['part_url']}?offset=0", envelope, headers=headers)
    testapp.reset()
    testapp.login(second.username)
    headers = {"X-CSRF-Token": testapp.get_csrf_token(f"/projects/{world.project.id}/bids")}
    testapp.put(f"{start['part_url']}?offset={len(envelope)}", b"x", headers=headers,
                status=404)
    testapp.post(start["finish_url"], headers=headers, status=404)
    assert count_versions(world.dbsession) == 0


def test_an_upload_that_is_not_this_lots_envelope_is_refused_at_its_first_part(testapp,
                                                                                 world):
    bidder = world.bidders[0]
    testapp.login(bidder.username)
    base = f"/projects/{world.project.id}/lots/{world.lot.id}/bids/uploads"
    headers = {"X-CSRF-Token": testapp.get_csrf_token(f"/projects/{world.project.id}/bids")}
    for body, code in [(b'{"total_price": 100}', "not_an_envelope"),
                       (world.seal(world.bidders[1]), "envelope_mismatch")]:
        start = testapp.post(base, headers=headers, status=201).json
        refused = testapp.put(f"{start['part_url']}?offset=0", body, headers=headers,
                              status=422).json
        assert refused["error"] == code and refused["message"]
        testapp.post(start["finish_url"], headers=headers, status=404)  # discarded
    assert count_versions(world.dbsession) == 0


def test_a_truncated_upload_is_refused_and_leaves_nothing(testapp, world):
    bidder = world.bidders[0]
    testapp.login(bidder.username)
    envelope = world.seal(bidder, documents=[("a.pdf", b"y" * 4000)])
    refused = upload_in_parts(testapp, world, envelope[:-10], finish_status=422).json
    assert refused["error"] == "envelope_incomplete"
    assert count_versions(world.dbsession) == 0


def test_an_upload_after_the_deadline_is_refused(testapp, world):
    bidder = world.bidders[0]
    testapp.login(bidder.username)
    headers = {"X-CSRF-Token": testapp.get_csrf_token(f"/projects/{world.project.id}/bids")}
    world.clock.set(world.project.bid_deadline)
    before = uploads_of(world, bidder)
    refused = testapp.post(f"/projects/{world.project.id}/lots/{world.lot.id}/bids/uploads",
                           headers=headers, expect_errors=True)
    assert refused.status_int in (403, 422)  # the lot's ACL closes at the deadline too
    assert uploads_of(world, bidder) == before


@pytest.mark.parametrize("who", ["owner", "center", "supervisor", "other_bidder"])
def test_nobody_but_the_bidder_sees_bid_content_before_the_opening(testapp, world, who):
    bidder = world.bidders[0]
    version = world.submit(bidder, world.seal(bidder))
    project, bid_id = world.project, version.bid.public_id
    users = {"owner": world.project.owner.users[0] if world.project.owner.users else None}
    user = users.get(who) or make_user(
        world.dbsession, world.clock, world.settings,
        role={"owner": Role.OWNER, "center": Role.CENTER, "supervisor": Role.SUPERVISOR,
              "other_bidder": Role.BIDDER}[who])
    testapp.login(user.username)
    for path in (f"/projects/{project.id}/bids/{bid_id}",
                 f"/projects/{project.id}/bids/{bid_id}/versions/1/receipt.json",
                 f"/projects/{project.id}/bids/{bid_id}/versions/1/envelope.tbid",
                 f"/projects/{project.id}/bids/{version.bid_id}",  # the row id is no name
                 f"/api/v1/projects/{project.id}/bids/{bid_id}",
                 f"/api/v1/projects/{project.id}/bids/{bid_id}/versions/1/receipt"):
        testapp.get(path, status=403)
    hall = testapp.get(f"/api/v1/projects/{project.id}/opening").json
    assert hall["lines"] == [] and hall["phase"] == "before_deadline"
    page = testapp.get(f"/projects/{project.id}/opening")
    assert world.bidders[0].organisation.name not in page.text
    assert '<meta http-equiv="refresh"' in page.text and "opening.js" in page.text


def test_the_owner_is_the_projects_owner_and_still_refused(testapp, world, dbsession):
    from trading.accounts.models import User

    bidder = world.bidders[0]
    version = world.submit(bidder, world.seal(bidder))
    owner = dbsession.scalar(sa.select(User).where(
        User.organisation_id == world.project.owner_org_id))
    testapp.login(owner.username)
    testapp.get(f"/projects/{world.project.id}/bids/{version.bid.public_id}", status=403)
    testapp.get(f"/projects/{world.project.id}/bids", status=403)


def test_the_api_submits_lists_withdraws_and_shows_the_record(testapp, world, dbsession,
                                                              clock, settings):
    from trading.accounts.service import AccountService

    bidder, project = world.bidders[0], world.project
    token = AccountService(dbsession, clock, settings).create_api_token(
        bidder, "cli", actor_for(bidder))[1]
    auth = {"Authorization": f"Bearer {token}"}
    key = testapp.get(f"/api/v1/projects/{project.id}/opening-key").json
    envelope = world.seal(bidder, key=PublicKey.from_json(json.dumps(key["opening_pub"])))
    url = f"/api/v1/projects/{project.id}/lots/{world.lot.id}/bids"
    first = testapp.post(url, upload_files=[("envelope", "bid.tbid", envelope)], headers=auth,
                         status=201).json
    again = testapp.post(url, upload_files=[("envelope", "bid.tbid", envelope)], headers=auth,
                         status=201).json
    assert first["receipt"] == again["receipt"]
    assert verify_receipt(checkpoint_key(testapp), first["receipt"], io.BytesIO(envelope))
    mine = testapp.get(f"/api/v1/projects/{project.id}/bids", headers=auth).json["items"]
    assert mine[0]["versions"][0]["receipt"] == first["receipt"]
    testapp.post(f"{url}/withdraw", headers=auth, status=200)
    bad = testapp.post(url, upload_files=[("envelope", "x.tbid", envelope[:-3])], headers=auth,
                       status=422).json
    assert bad["error"] == "envelope_incomplete"
    testapp.post(url, upload_files=[("envelope", "bid.tbid", envelope)], headers=auth,
                 status=201)
    for other in world.bidders[1:]:
        world.submit(other, world.seal(other))
    world.clock.set(project.bid_deadline)
    world.advance()
    state = testapp.get(f"/api/v1/projects/{project.id}/opening").json
    assert state["phase"] == "done" and state["outcome"] == "evaluation"
    assert {line["total_price"] for line in state["lines"]} == {80_000_000}
    mine_line = next(x for x in state["lines"] if x["bid_id"] == first["bid_id"])
    confirmed = testapp.post_json(
        f"/api/v1/projects/{project.id}/opening/bids/{first['bid_id']}/confirm",
        {"objection": ""}, headers=auth).json
    assert confirmed["confirmed_at"] and mine_line["mine"] is False  # anonymous view


def test_openapi_describes_the_bidding_routes(testapp):
    doc = testapp.get("/api/v1/openapi.json").json
    ops = {op["operationId"] for path in doc["paths"].values() for op in path.values()}
    for name in ("api.bidding.submit.post", "api.bidding.withdraw.post", "api.bidding.bids.get",
                 "api.bidding.receipt.get", "api.bidding.opening.get",
                 "api.bidding.release.post", "api.bidding.share.post",
                 "api.bidding.statement.get", "api.bidding.my_share.get",
                 "api.bidding.confirm.post", "api.bidding.key.get", "api.bidding.bid.get"):
        assert name in ops


def test_custodians_upload_public_keys_are_named_and_release_in_the_hall(
        testapp, dbsession, clock, settings, registry):
    from factories import make_project, project_service

    from bid_crypto import generate_private_key
    from trading.bidding.models import CustodyKey
    from trading.projects.kinds import CustodyMode

    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    center = make_user(dbsession, clock, settings, role=Role.CENTER)
    supervisor = make_user(dbsession, clock, settings, role=Role.SUPERVISOR)
    project = make_project(dbsession, clock, settings, registry, owner=owner,
                           custody_mode=CustodyMode.CUSTODIANS)
    for user in (center, supervisor):
        testapp.login(user.username)
        page = testapp.get("/account/custody-key")
        assert 'data-custody-tool="keygen"' in page.text and "custodian keygen" in page.text
        token = testapp.get_csrf_token("/account/custody-key")
        private = generate_private_key("x25519")
        refused = testapp.post("/account/custody-key", {"csrf_token": token,
                               "public_key_text": private.to_json()}, status=409)
        assert "不是有效的保管公钥文件" in refused.text
        testapp.post("/account/custody-key", {"csrf_token": token},
                     upload_files=[("public_key", "custodian.pub",
                                    private.public_key().to_json().encode())], status=303)
        testapp.reset()
    stored = dbsession.scalars(sa.select(CustodyKey)).all()
    assert {k.user_id for k in stored} >= {center.id, supervisor.id}
    assert all('"secret"' not in k.public_key for k in stored)
    testapp.login(center.username)
    page = testapp.get(f"/projects/{project.id}/custodians")
    assert center.display_name in page.text and supervisor.display_name in page.text
    token = testapp.get_csrf_token(f"/projects/{project.id}/custodians")
    alone = testapp.post(f"/projects/{project.id}/custodians",
                         [("csrf_token", token), ("user_id", str(center.id)),
                          ("threshold", "2")], status=409)
    assert "至少指定2名保管人" in alone.text
    testapp.post(f"/projects/{project.id}/custodians",
                 [("csrf_token", token), ("user_id", str(center.id)),
                  ("user_id", str(supervisor.id)), ("threshold", "2")], status=303)
    service = project_service(dbsession, clock, registry)
    service.submit_for_review(project, actor=actor_for(owner))
    service.approve(project, actor=actor_for(center))
    clock.set(project.doc_start)
    service.advance(project)
    clock.set(project.bid_deadline)
    service.advance(project)  # no bids: fails at once, custodians or not
    assert project.status == "failed"
    testapp.reset()
    testapp.login(center.username)  # a month later: a new session
    hall = testapp.get(f"/projects/{project.id}/opening")
    assert center.display_name in hall.text and "开标已结束" in hall.text
    token = testapp.get_csrf_token("/account/custody-key")
    refused = testapp.post(f"/projects/{project.id}/opening/release",
                           {"csrf_token": token, "release_text": "{}"}, status=409)
    assert "开标已完成" in refused.text


def _token_for(user, dbsession, clock, settings):
    from trading.accounts.service import AccountService

    return {"Authorization": "Bearer " + AccountService(dbsession, clock, settings)
            .create_api_token(user, "t", actor_for(user))[1]}


def test_custodians_release_through_the_api(testapp, custodian_world):
    w = custodian_world
    for bidder in w.bidders:
        w.submit(bidder, w.seal(bidder))
    center, supervisor, owner = w.custodians
    headers = {u.id: _token_for(u, w.dbsession, w.clock, w.settings) for u in w.custodians}
    base = f"/api/v1/projects/{w.project.id}/opening"
    early = testapp.get(f"{base}/statement", status=409).json  # no statement before it starts
    assert early["error"] == "opening_conflict"
    w.clock.set(w.project.bid_deadline)
    w.advance()
    share = testapp.get(f"{base}/my-share", headers=headers[center.id]).json
    assert share["kind"] == "bid_crypto.sealed_share" and share["custodian"] == f"U{center.id}"
    statement = testapp.get(f"{base}/statement").json
    assert statement["project"] == w.project.number and statement["split_id"] == \
        share["split_id"]
    wrong = testapp.post(f"{base}/release", w.release_file(supervisor),
                         headers=headers[center.id], status=422).json
    assert wrong["error"] == "release_refused"
    state = testapp.post(f"{base}/release", w.release_file(center),
                         headers=headers[center.id]).json
    assert state["phase"] == "waiting_custodians"
    assert [c["released"] for c in state["custodians"]] == [True, False, False]
    state = testapp.post(f"{base}/release", w.release_file(supervisor),
                         headers=headers[supervisor.id]).json
    assert state["phase"] == "done" and w.project.status == "evaluation"  # opened at once
    assert len(state["lines"]) == 3 and all(x["total_price"] for x in state["lines"])


def test_the_hall_offers_a_custodian_the_release_tool(testapp, custodian_world):
    w = custodian_world
    for bidder in w.bidders:
        w.submit(bidder, w.seal(bidder))
    w.clock.set(w.project.bid_deadline)
    w.advance()
    center = w.custodians[0]
    testapp.login(center.username)
    hall = testapp.get(f"/projects/{w.project.id}/opening")
    assert 'id="my-release"' in hall.text and 'data-custody-tool="release"' in hall.text
    share = testapp.get(f"/projects/{w.project.id}/opening/my-share.json")
    assert share.json["custodian"] == f"U{center.id}"
    token = testapp.get_csrf_token(f"/projects/{w.project.id}/opening")
    testapp.post(f"/projects/{w.project.id}/opening/release", {"csrf_token": token},
                 upload_files=[("release", "release.json", w.release_file(center).encode())],
                 status=303)
    assert w.bids().custodians(w.project)[0].released_at is not None


def test_dual_bidders_decrypt_through_the_api(
        testapp, dual_world):
    import io

    from bid_crypto import generate_private_key, make_decryption_share, read_header

    w = dual_world
    keys = {b.id: generate_private_key() for b in w.bidders}
    first = w.bidders[0]
    testapp.login(first.username)
    w.submit(first, w.seal(first, bidder_key=keys[first.id].public_key(),
                           offer_={"total_price": 70_000_000},
                           documents=[("a.pdf", b"%PDF dual")]))
    for bidder in w.bidders[1:]:
        w.submit(bidder, w.seal(bidder, bidder_key=keys[bidder.id].public_key()))
    w.clock.set(w.project.bid_deadline)
    w.advance()
    for bidder in w.bidders:
        bid = w.bids().bid_for(w.lot, bidder.organisation_id)
        envelope = w.registry["storage"].path_for(bid.versions[-1].envelope_sha256)
        share = make_decryption_share(read_header(io.BytesIO(envelope.read_bytes())),
                                      keys[bidder.id]).to_json()
        testapp.post(f"/api/v1/projects/{w.project.id}/opening/bids/{bid.public_id}/share",
                     share, headers={**_token_for(bidder, w.dbsession, w.clock, w.settings),
                                     "Content-Type": "application/json"})
    assert w.project.status == "evaluation"
    prices = sorted(x.total_price for x in w.opening().lines(w.opening().opening(w.project)))
    assert prices == [70_000_000, 80_000_000, 80_000_000]




def test_the_bid_page_gives_the_log_promise_to_its_bidder_only(testapp, world):
    """版本与回执 links promise.json (the log's signed promise and the row it hashes) and
    shows the verify-receipt line with the log key; another bidder gets nothing."""
    from bid_crypto import tlog
    from trading.audit import merkle

    first, second = world.bidders[:2]
    version = world.submit(first, world.seal(first))
    project, bid_id = world.project, version.bid.public_id
    testapp.login(first.username)
    page = testapp.get(f"/projects/{project.id}/bids/{bid_id}")
    log_key = merkle.log_verifier(world.registry["keys"], world.settings)
    assert "promise.json" in page.text and log_key.vkey() in page.text
    answer = testapp.get(f"/projects/{project.id}/bids/{bid_id}/versions/1/promise.json")
    assert "promise-" in answer.headers["Content-Disposition"]
    promise = tlog.open_promise(answer.json["promise"], log_key)
    assert promise.seq == version.audit_seq
    assert tlog.leaf_hash(answer.json["entry"].encode()) == promise.leaf
    testapp.get(f"/projects/{project.id}/bids/{bid_id}/versions/2/promise.json", status=404)
    testapp.login(second.username)
    testapp.get(f"/projects/{project.id}/bids/{bid_id}/versions/1/promise.json", status=403)


def test_a_signed_up_bidder_has_its_link_to_my_bids(testapp, world):
    """Issue #18: the project page takes a signed-up bidder to 我的投标 by a link."""
    from bs4 import BeautifulSoup

    bidder = world.bidders[0]
    testapp.login(bidder.username)
    page = BeautifulSoup(testapp.get(f"/projects/{world.project.id}").text, "html.parser")
    link = page.find("a", string="我的投标")
    assert link is not None and link["href"].endswith(f"/projects/{world.project.id}/bids")
    testapp.get(link["href"])
