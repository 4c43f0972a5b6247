"""Bidding through the browser's eyes (WebTest): upload, web form, receipts, the hall."""

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
    receipt = testapp.get(f"/projects/{project.id}/bids/{bid.id}/versions/1/receipt.json").json
    assert verify_receipt(checkpoint_key(testapp), receipt, io.BytesIO(envelope))
    downloaded = testapp.get(f"/projects/{project.id}/bids/{bid.id}/versions/1/envelope.tbid")
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


def _form_post(testapp, world, bidder, *, marker="", big=b"", csrf=True, status=303):
    project = world.project
    token = testapp.get_csrf_token(f"/projects/{project.id}/lots/{world.lot.id}/bids/form")
    params = ([("csrf_token", token)] if csrf else []) + [
        ("total_price", "812345.67"), ("duration_days", "200"), ("quality", f"合格{marker}"),
        ("project_manager", "王工"), ("item_name", "土建工程"), ("item_price", "700000"),
        ("item_name", "安装工程"), ("item_price", "112345.67"), ("item_name", ""),
        ("item_price", ""), ("remarks", "")]
    files = [("documents", "技术标.pdf", f"%PDF {marker}".encode() + big),
             ("documents", "商务标.docx", b"PK docx " + marker.encode())]
    return testapp.post(f"/projects/{project.id}/lots/{world.lot.id}/bids/form", params,
                        upload_files=files, status=status)


def test_the_web_form_is_sealed_by_the_server_and_opens_with_its_prices(testapp, world):
    bidder = world.bidders[0]
    testapp.login(bidder.username)
    form = testapp.get(f"/projects/{world.project.id}/lots/{world.lot.id}/bids/form")
    assert "流式加密" in form.text and "明文不写入磁盘" in form.text
    response = _form_post(testapp, world, bidder, big=b"x" * 40_000)  # > WebOb's 10 KiB
    assert "#receipt" in response.location
    version = world.dbsession.scalar(sa.select(BidVersion))
    assert version.source == "form"
    for other in world.bidders[1:]:
        world.submit(other, world.seal(other))
    world.clock.set(world.project.bid_deadline)
    world.advance()
    line = next(x for x in world.opening().lines(world.opening().opening(world.project))
                if x.bid.bidder_org_id == bidder.organisation_id)
    assert line.total_price == 81_234_567
    assert [i["total_price"] for i in line.offer["items"]] == [70_000_000, 11_234_567]
    assert [d["name"] for d in line.documents] == ["技术标.pdf", "商务标.docx"]
    hall = testapp.get(f"/projects/{world.project.id}/opening")
    assert "812,345.67" in hall.text and "开标记录" in hall.text


def test_the_web_form_checks_csrf_on_the_stream(testapp, world):
    testapp.login(world.bidders[0].username)
    _form_post(testapp, world, world.bidders[0], csrf=False, status=400)
    assert count_versions(world.dbsession) == 0


def test_the_web_form_refuses_a_bad_price_and_keeps_nothing(testapp, world):
    testapp.login(world.bidders[0].username)
    project = world.project
    token = testapp.get_csrf_token(f"/projects/{project.id}/lots/{world.lot.id}/bids/form")
    page = testapp.post(f"/projects/{project.id}/lots/{world.lot.id}/bids/form",
                        [("csrf_token", token), ("total_price", "12.345")],
                        upload_files=[("documents", "a.pdf", b"x")], status=422)
    assert "金额" in page.text and count_versions(world.dbsession) == 0


@pytest.mark.parametrize("who", ["owner", "center", "supervisor", "other_bidder"])
def test_nobody_but_the_bidder_sees_bid_content_before_the_opening(testapp, world, who):
    bidder = world.bidders[0]
    version = world.submit(bidder, world.seal(bidder))
    project, bid_id = world.project, version.bid_id
    users = {"owner": world.project.owner.users[0] if world.project.owner.users else None}
    user = users.get(who) or make_user(
        world.dbsession, world.clock, world.settings,
        role={"owner": Role.OWNER, "center": Role.CENTER, "supervisor": Role.SUPERVISOR,
              "other_bidder": Role.BIDDER}[who])
    testapp.login(user.username)
    for path in (f"/projects/{project.id}/bids/{bid_id}",
                 f"/projects/{project.id}/bids/{bid_id}/versions/1/receipt.json",
                 f"/projects/{project.id}/bids/{bid_id}/versions/1/envelope.tbid",
                 f"/projects/{project.id}/bids/{bid_id + 1000}",
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
    testapp.get(f"/projects/{world.project.id}/bids/{version.bid_id}", status=403)
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
                 "api.bidding.confirm.post", "api.bidding.key.get", "api.bidding.bid.get"):
        assert name in ops


def test_custodians_set_passphrases_are_named_and_release_in_the_hall(
        testapp, dbsession, clock, settings, registry):
    from factories import make_project, project_service

    from trading.projects.kinds import CustodyMode

    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    center = make_user(dbsession, clock, settings, role=Role.CENTER)
    supervisor = make_user(dbsession, clock, settings, role=Role.SUPERVISOR)
    project = make_project(dbsession, clock, settings, registry, owner=owner,
                           custody_mode=CustodyMode.CUSTODIANS)
    for user in (center, supervisor):
        testapp.login(user.username)
        token = testapp.get_csrf_token("/account/custody-key")
        testapp.post("/account/custody-key", {"csrf_token": token, "passphrase": "short",
                                              "confirm": "short"}, status=409)
        testapp.post("/account/custody-key", {"csrf_token": token,
                                              "passphrase": f"secret of {user.username}",
                                              "confirm": f"secret of {user.username}"},
                     status=303)
        testapp.reset()
    testapp.login(center.username)
    page = testapp.get(f"/projects/{project.id}/custodians")
    assert center.display_name in page.text and supervisor.display_name in page.text
    token = testapp.get_csrf_token(f"/projects/{project.id}/custodians")
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
                           {"csrf_token": token, "passphrase": "x"}, status=409)
    assert "开标已完成" in refused.text


def _token_for(user, dbsession, clock, settings):
    from trading.accounts.service import AccountService

    return {"Authorization": "Bearer " + AccountService(dbsession, clock, settings)
            .create_api_token(user, "t", actor_for(user))[1]}


def test_custodians_release_through_the_api(testapp, custodian_world):
    w = custodian_world
    for bidder in w.bidders:
        w.submit(bidder, w.seal(bidder))
    w.clock.set(w.project.bid_deadline)
    w.advance()
    url = f"/api/v1/projects/{w.project.id}/opening/release"
    center, supervisor, owner = w.custodians
    headers = {u.id: _token_for(u, w.dbsession, w.clock, w.settings) for u in w.custodians}
    wrong = testapp.post_json(url, {"passphrase": "not the passphrase"},
                              headers=headers[center.id], status=403).json
    assert wrong["error"] == "wrong_passphrase"
    state = testapp.post_json(url, {"passphrase": w.passphrase + center.username},
                              headers=headers[center.id]).json
    assert state["phase"] == "waiting_custodians"
    assert [c["released"] for c in state["custodians"]] == [True, False, False]
    state = testapp.post_json(url, {"passphrase": w.passphrase + supervisor.username},
                              headers=headers[supervisor.id]).json
    assert state["phase"] == "done" and w.project.status == "evaluation"  # opened at once
    assert len(state["lines"]) == 3 and all(x["total_price"] for x in state["lines"])


def test_dual_bidders_decrypt_through_the_api_and_the_web_form_takes_a_bidder_key(
        testapp, dual_world):
    import io

    from bid_crypto import generate_private_key, make_decryption_share, read_header

    w = dual_world
    keys = {b.id: generate_private_key() for b in w.bidders}
    first = w.bidders[0]
    testapp.login(first.username)
    token = testapp.get_csrf_token(f"/projects/{w.project.id}/lots/{w.lot.id}/bids/form")
    testapp.post(f"/projects/{w.project.id}/lots/{w.lot.id}/bids/form",
                 [("csrf_token", token), ("total_price", "700000")],
                 upload_files=[("bidder_key", "bidder.pub",
                                keys[first.id].public_key().to_json().encode()),
                               ("documents", "a.pdf", b"%PDF dual")], status=303)
    for bidder in w.bidders[1:]:
        w.submit(bidder, w.seal(bidder, bidder_key=keys[bidder.id].public_key()))
    w.clock.set(w.project.bid_deadline)
    w.advance()
    for bidder in w.bidders:
        bid = w.bids().bid_for(w.lot, bidder.organisation_id)
        envelope = w.registry["storage"].path_for(bid.versions[-1].envelope_sha256)
        share = make_decryption_share(read_header(io.BytesIO(envelope.read_bytes())),
                                      keys[bidder.id]).to_json()
        testapp.post(f"/api/v1/projects/{w.project.id}/opening/bids/{bid.id}/share",
                     share, headers={**_token_for(bidder, w.dbsession, w.clock, w.settings),
                                     "Content-Type": "application/json"})
    assert w.project.status == "evaluation"
    prices = sorted(x.total_price for x in w.opening().lines(w.opening().opening(w.project)))
    assert prices == [70_000_000, 80_000_000, 80_000_000]


