"""The opening (开标): custody modes, the record, failures attributed, exactly once."""

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from factories import actor_for, make_project, make_user

from bid_crypto import generate_private_key, make_decryption_share, read_header
from trading.accounts.models import Role
from trading.audit.models import AuditEvent
from trading.bidding.errors import (
    CustodyRefused,
    NotPermitted,
    OpeningConflict,
    ReleaseInvalid,
    ShareRefused,
)
from trading.bidding.models import (
    LineStatus,
    Opening,
    OpeningCustodian,
    OpeningLine,
    OpeningState,
)
from trading.jobs import chronograph
from trading.projects.kinds import CustodyMode
from trading.projects.status import ProjectStatus

S, L = ProjectStatus, LineStatus


def events(world, action) -> int:
    return world.dbsession.scalar(sa.select(sa.func.count(AuditEvent.seq)).where(
        AuditEvent.action == action))


def lines(world) -> list[OpeningLine]:
    return world.opening().lines(world.opening().opening(world.project))


def test_auto_opens_at_the_deadline_through_the_chronograph(world):
    prices = (80_000_000, 79_000_000, 81_500_000)
    for bidder, price in zip(world.bidders, prices, strict=True):
        world.submit(bidder, world.seal(bidder, offer_=world.offer(price),
                                        documents=[("技术标.pdf", b"%PDF tech " * 50)]))
    world.clock.set(world.project.bid_deadline)
    assert chronograph.sweep_kind("project") == 1
    assert world.project.status is S.EVALUATION
    record = lines(world)
    assert [line.status for line in record] == [L.DECRYPTED] * 3
    assert sorted(line.total_price for line in record) == sorted(prices)
    assert record[0].offer["project_manager"] == "李工"
    assert record[0].documents[0]["name"] == "技术标.pdf"
    assert record[0].submitted_at < world.project.bid_deadline
    opening = world.opening().opening(world.project)
    assert opening.outcome == "evaluation" and opening.lots[0]["valid"] == 3
    # The documents go to storage in a later, separate step.
    assert opening.documents_stored_at is None and world.project.next_check is not None
    world.clock.set(world.project.next_check)
    chronograph.sweep_kind("project")
    assert opening.documents_stored_at is not None
    storage = world.registry["storage"]
    assert storage.exists(record[0].documents[0]["sha256"])


def test_fewer_than_the_minimum_fails_without_decrypting(world):
    for bidder in world.bidders[:2]:
        world.submit(bidder, world.seal(bidder))
    world.clock.set(world.project.bid_deadline + timedelta(seconds=5))
    world.advance()
    assert world.project.status is S.FAILED
    assert "不足3家" in world.project.status_reason
    record = lines(world)
    assert [(x.status, x.reason, x.offer) for x in record] == [
        (L.NOT_OPENED, "too_few_bidders", None)] * 2


# "2": the job's process and a worker process decrypt the envelopes (openpool.py); each
# result, and each failure's attribution, is the same as when the job's process alone opens
# them.
@pytest.mark.parametrize("processes", ["1", "2"])
def test_failures_are_recorded_precisely_and_attributed(world, processes, monkeypatch):
    from trading.bidding import openpool

    monkeypatch.setitem(world.settings, "opening.processes", processes)
    monkeypatch.setitem(world.settings, "opening.pool_min_bytes", "0")  # small test bids
    pools, real_pool = [], openpool.ProcessPoolExecutor
    monkeypatch.setattr(openpool, "ProcessPoolExecutor",
                        lambda *a, **k: pools.append(k["max_workers"]) or real_pool(*a, **k))
    storage = world.registry["storage"]
    more = [make_user(world.dbsession, world.clock, world.settings, role=Role.BIDDER)
            for _ in range(5)]
    for bidder in more:
        world.projects().sign_up(world.project, world.lot, bidder=bidder,
                                 actor=actor_for(bidder))
    for bidder in world.bidders:
        world.submit(bidder, world.seal(bidder))
    above, raw, flipped, altered, missing = more
    world.submit(above, world.seal(above, offer_=world.offer(world.lot.ceiling_price + 1)))
    world.submit(raw, world.seal(raw, raw=b"no offer.json, just bytes"))
    envelope = bytearray(world.seal(flipped))
    envelope[-5] ^= 1  # inside the final chunk's tag: the structure still scans
    world.submit(flipped, bytes(envelope))
    altered_version = world.submit(altered, world.seal(altered))
    missing_version = world.submit(missing, world.seal(missing, offer_=world.offer(70_000_000)))
    path = storage.path_for(altered_version.envelope_sha256)
    path.write_bytes(world.seal(altered, offer_=world.offer(1)))  # swapped on disk
    storage.path_for(missing_version.envelope_sha256).unlink()

    world.clock.set(world.project.bid_deadline)
    world.advance()
    by_org = {line.bid.bidder_org_id: line for line in lines(world)}
    outcome = {bidder.username: (by_org[bidder.organisation_id].status,
                                 by_org[bidder.organisation_id].reason) for bidder in more}
    assert outcome == {
        above.username: (L.INVALID, "price_above_ceiling"),
        raw.username: (L.INVALID, "offer_missing"),
        flipped.username: (L.REVOKED, "tampered"),
        altered.username: (L.SYSTEM_FAILED, "envelope_altered"),
        missing.username: (L.SYSTEM_FAILED, "envelope_missing"),
    }
    assert by_org[above.organisation_id].anomalies[0]["code"] == "price_above_ceiling"
    assert by_org[altered.organisation_id].total_price is None  # the swapped file is not read
    assert world.project.status is S.EVALUATION  # three valid bids remain
    assert pools == ([1] if processes == "2" else [])


@pytest.mark.parametrize("processes", ["1", "2"])
def test_a_crash_in_the_middle_then_a_restart_finishes_exactly_once(world, monkeypatch,
                                                                     processes):
    from trading.bidding.opening import OpeningService

    monkeypatch.setitem(world.settings, "opening.processes", processes)
    monkeypatch.setitem(world.settings, "opening.pool_min_bytes", "0")
    for bidder in world.bidders:
        world.submit(bidder, world.seal(bidder))
    world.clock.set(world.project.bid_deadline)
    real, calls = OpeningService.open_line, []

    def crashing(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(OpeningService, "open_line", crashing)
    with pytest.raises(RuntimeError):
        world.advance()
    assert world.project.status is S.OPENING
    monkeypatch.setattr(OpeningService, "open_line", real)
    world.advance()  # the restarted worker
    world.advance()  # and a duplicate job
    assert world.project.status is S.EVALUATION
    record = lines(world)
    assert len(record) == 3 and all(x.status is L.DECRYPTED for x in record)
    db = world.dbsession
    assert db.scalar(sa.select(sa.func.count(Opening.id)).where(
        Opening.project_id == world.project.id)) == 1
    assert events(world, "opening.completed") == 1 and events(world, "opening.started") == 1
    changes = db.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "project.status_changed",
        AuditEvent.subject_id == str(world.project.id)))
    assert [e.data["to"] for e in changes].count("evaluation") == 1


@pytest.mark.parametrize(("delay", "noted"), [
    (timedelta(minutes=2), None),  # the sweep's own delay: on time
    (timedelta(hours=1, seconds=30), 60),  # the worker was down for an hour
])
def test_an_opening_after_a_worker_outage_is_noted_late_in_the_record(world, delay, noted):
    for bidder in world.bidders:
        world.submit(bidder, world.seal(bidder))
    world.clock.set(world.project.bid_deadline + delay)
    assert chronograph.sweep_kind("project") == 1
    hall = world.opening().hall(world.project)
    assert hall["phase"] == "done" and hall["late_minutes"] == noted
    started = world.dbsession.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "opening.started",
        AuditEvent.subject_id == str(world.project.id))).one()
    assert started.data.get("late_minutes") == noted


def test_a_second_opening_request_changes_nothing(world):
    for bidder in world.bidders:
        world.submit(bidder, world.seal(bidder))
    world.clock.set(world.project.bid_deadline)
    world.advance()
    world.clock.advance(minutes=1)
    world.advance()  # documents stored
    before = [(x.id, x.status, x.total_price, x.opened_at) for x in lines(world)]
    count = world.dbsession.scalar(sa.select(sa.func.count(AuditEvent.seq)))
    world.clock.advance(minutes=1)
    world.advance()
    chronograph.advance("project", world.project.id)
    assert [(x.id, x.status, x.total_price, x.opened_at) for x in lines(world)] == before
    assert world.dbsession.scalar(sa.select(sa.func.count(AuditEvent.seq))) == count
    with pytest.raises(OpeningConflict, match="已完成"):
        world.opening()._waiting(world.project)


def test_bidders_confirm_their_own_line(world):
    for bidder in world.bidders:
        world.submit(bidder, world.seal(bidder))
    opening = world.opening()
    first = world.bidders[0]
    with pytest.raises(OpeningConflict, match="尚未生成"):
        opening.confirm_line(world.project, world.bids().bid_for(world.lot,
                                                                 first.organisation_id),
                             actor=actor_for(first))
    world.clock.set(world.project.bid_deadline)
    world.advance()
    target = next(x for x in lines(world) if x.bid.bidder_org_id == first.organisation_id)
    opening.confirm_line(world.project, target.bid, actor=actor_for(first), objection="工期有误")
    assert target.confirmed_at is not None and target.objection == "工期有误"
    with pytest.raises(OpeningConflict):
        opening.confirm_line(world.project, target.bid, actor=actor_for(first))


def test_the_hall_says_nothing_about_bids_before_the_deadline(world):
    world.submit(world.bidders[0], world.seal(world.bidders[0]))
    hall = world.opening().hall(world.project)
    assert hall["phase"] == "before_deadline" and hall["lines"] == []
    assert hall["seconds_left"] > 0 and "bids" not in str(hall)
    world.clock.set(world.project.bid_deadline)
    world.advance()
    assert world.opening().hall(world.project)["phase"] == "done"


# -- custodians ------------------------------------------------------------------------------


def test_custodians_must_be_named_before_approval(dbsession, clock, settings, registry):
    from factories import project_service

    from trading.bidding.models import OpeningKey

    center = make_user(dbsession, clock, settings, role=Role.CENTER)
    project = make_project(dbsession, clock, settings, registry,
                           custody_mode=CustodyMode.CUSTODIANS)
    service = project_service(dbsession, clock, registry)
    service.submit_for_review(project, actor=actor_for(center))
    with pytest.raises(CustodyRefused, match="保管人"):
        service.approve(project, actor=actor_for(center))
    assert project.status is S.PENDING_REVIEW and project.published_at is None
    assert dbsession.scalar(sa.select(OpeningKey).where(OpeningKey.project_id == project.id)) \
        is None


def test_custodians_release_k_shares_in_the_hall_then_the_bids_open(custodian_world):
    w = custodian_world
    for bidder in w.bidders:
        w.submit(bidder, w.seal(bidder))
    custodians = w.bids().custodians(w.project)
    assert all(json.loads(c.sealed_share)["kind"] == "bid_crypto.sealed_share"
               for c in custodians)
    assert w.bids().key_row(w.project).wrapped_key is None  # no copy of the key is kept
    center, supervisor, owner = w.custodians
    opening = w.opening()
    with pytest.raises(OpeningConflict, match="尚未开始"):  # no statement to release for yet
        opening.statement(w.project)
    w.clock.set(w.project.bid_deadline)
    w.advance()
    assert w.project.status is S.OPENING
    assert opening.hall(w.project)["phase"] == "waiting_custodians"
    before = [(c.released_at, c.released_share) for c in custodians]
    with pytest.raises(ReleaseInvalid, match="不是您保管的份额"):  # someone else's release
        opening.release_share(w.project, user=center, release_json=w.release_file(supervisor),
                              actor=actor_for(center))
    with pytest.raises(ReleaseInvalid, match="不是有效的份额释放文件"):
        opening.release_share(w.project, user=center, release_json=b"{}",
                              actor=actor_for(center))
    assert [(c.released_at, c.released_share) for c in custodians] == before
    stranger = make_user(w.dbsession, w.clock, w.settings, role=Role.CENTER)
    with pytest.raises(NotPermitted):
        opening.release_share(w.project, user=stranger, release_json=w.release_file(center),
                              actor=actor_for(stranger))
    w.release(center)
    with pytest.raises(OpeningConflict, match="已释放"):
        w.release(center)
    w.advance()
    assert w.project.status is S.OPENING  # one of two: still waiting
    w.release(owner)
    w.advance()
    assert w.project.status is S.EVALUATION
    assert all(x.status is L.DECRYPTED for x in lines(w))
    # The released shares are wiped; the key is kept under the KEK for the evaluation.
    released = w.dbsession.scalars(sa.select(OpeningCustodian).where(
        OpeningCustodian.project_id == w.project.id))
    assert all(c.released_share is None for c in released)
    assert w.bids().key_row(w.project).wrapped_key is not None


def test_a_custodian_cannot_change_key_while_holding_a_share(custodian_world):
    w = custodian_world
    center = w.custodians[0]
    other = generate_private_key("x25519").public_key().to_json()
    with pytest.raises(CustodyRefused, match="开标完成前"):
        w.bids().enrol_custody_key(center, public_key=other, actor=actor_for(center))


def test_only_staff_and_owners_hold_custody_keys(world):
    public = generate_private_key("x25519").public_key().to_json()
    with pytest.raises(NotPermitted):
        world.bids().enrol_custody_key(world.bidders[0], public_key=public,
                                       actor=actor_for(world.bidders[0]))


@pytest.mark.parametrize("upload", [b"", b"not json", b'{"kind": "bid_crypto.private_key"}',
                                    "PRIVATE", "SM2MLKEM"])
def test_only_a_public_key_file_is_enrolled(world, upload):
    center = make_user(world.dbsession, world.clock, world.settings, role=Role.CENTER)
    if upload == "PRIVATE":  # a private key file is refused, never stored
        upload = generate_private_key("x25519").to_json()
    elif upload == "SM2MLKEM":  # custodian keys are x25519, xwing or sm2
        upload = generate_private_key("sm2mlkem").public_key().to_json()
    with pytest.raises(CustodyRefused, match="保管公钥"):
        world.bids().enrol_custody_key(center, public_key=upload, actor=actor_for(center))
    assert world.bids().custody_key(center) is None


# -- dual custody (不见面开标) ---------------------------------------------------------------------


def test_dual_bidders_decrypt_in_the_window_and_a_missing_share_is_revocation(dual_world):
    w = dual_world
    extra = make_user(w.dbsession, w.clock, w.settings, role=Role.BIDDER)
    w.projects().sign_up(w.project, w.lot, bidder=extra, actor=actor_for(extra))
    bidders = [*w.bidders, extra]
    keys = {b.id: generate_private_key() for b in bidders}
    envelopes = {}
    for bidder in bidders:
        envelopes[bidder.id] = w.seal(bidder, bidder_key=keys[bidder.id].public_key())
        w.submit(bidder, envelopes[bidder.id])
    w.clock.set(w.project.bid_deadline)
    w.advance()
    assert w.project.status is S.OPENING
    window_end = w.project.bid_deadline + timedelta(minutes=30)
    assert w.project.next_check == window_end
    opening, scheduled = w.opening(), []
    opening.enqueue = lambda *args, **kw: scheduled.append(args)
    bid_of = {x.bid.bidder_org_id: x.bid for x in lines(w)}

    def share(bidder, key=None):
        import io
        header = read_header(io.BytesIO(envelopes[bidder.id]))
        return make_decryption_share(header, key or keys[bidder.id]).to_json().encode()

    first = bidders[0]
    with pytest.raises(ShareRefused):  # another envelope's share
        opening.submit_share(w.project, bid_of[first.organisation_id],
                             share_json=share(bidders[1]), actor=actor_for(first))
    with pytest.raises(ShareRefused):
        opening.submit_share(w.project, bid_of[first.organisation_id], share_json=b"{}",
                             actor=actor_for(first))
    for bidder in bidders[:3]:
        opening.submit_share(w.project, bid_of[bidder.organisation_id],
                             share_json=share(bidder), actor=actor_for(bidder))
    assert scheduled == []  # the fourth has not decrypted yet
    assert opening.hall(w.project)["phase"] == "decrypting"
    w.clock.set(window_end)
    with pytest.raises(OpeningConflict, match="时限"):
        opening.submit_share(w.project, bid_of[extra.organisation_id], share_json=share(extra),
                             actor=actor_for(extra))
    w.advance()
    result = {x.bid.bidder_org_id: (x.status, x.reason) for x in lines(w)}
    assert result[extra.organisation_id] == (L.REVOKED, "share_missing")
    assert sum(1 for s, _ in result.values() if s is L.DECRYPTED) == 3
    assert w.project.status is S.EVALUATION


def test_dual_opens_as_soon_as_every_bidder_has_decrypted(dual_world):
    import io

    w = dual_world
    keys = {b.id: generate_private_key() for b in w.bidders}
    envelopes = {b.id: w.seal(b, bidder_key=keys[b.id].public_key()) for b in w.bidders}
    for bidder in w.bidders:
        w.submit(bidder, envelopes[bidder.id])
    w.clock.set(w.project.bid_deadline)
    w.advance()
    opening, scheduled = w.opening(), []
    opening.enqueue = lambda *args, **kw: scheduled.append(args)
    bid_of = {x.bid.bidder_org_id: x.bid for x in lines(w)}
    for bidder in w.bidders:
        header = read_header(io.BytesIO(envelopes[bidder.id]))
        opening.submit_share(w.project, bid_of[bidder.organisation_id],
                             share_json=make_decryption_share(header, keys[bidder.id])
                             .to_json().encode(), actor=actor_for(bidder))
    assert len(scheduled) == 1  # the last share asks for the opening at once
    w.advance()
    assert w.project.status is S.EVALUATION
    assert w.opening().opening(w.project).state is OpeningState.DONE


def test_a_post_quantum_opening_key(monkeypatch, settings, world_factory):
    """`bidding.suite = xwing`: X-Wing (ML-KEM-768 + X25519) opening keys, end to end."""
    monkeypatch.setitem(settings, "bidding.suite", "xwing")
    w = world_factory()
    assert w.public_key().suite == "xwing"
    for bidder in w.bidders:
        w.submit(bidder, w.seal(bidder))
    w.clock.set(w.project.bid_deadline)
    w.advance()
    assert w.project.status is S.EVALUATION


@pytest.mark.parametrize(("processes", "started"), [("2", 1), ("1", 0), ("0", 0)])
def test_the_worker_starts_the_forkserver_at_boot_only_where_openings_use_a_pool(
        monkeypatch, processes, started):
    """trading-worker starts it once (openpool.warm_up): an opening's workers then fork
    from it in a few hundredths of a second, not after a fresh interpreter's imports."""
    from trading.bidding import openpool

    calls = []
    monkeypatch.setattr(openpool.forkserver, "ensure_running", lambda: calls.append(1))
    openpool.warm_up({"opening.processes": processes})
    assert len(calls) == started
