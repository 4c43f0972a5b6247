"""Submission (投标): versions, withdrawal, receipts, and every refusal changing nothing."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from factories import actor_for, make_user

from bid_crypto import load_signing_key, read_header, verify_receipt
from trading.accounts.models import Role
from trading.audit.models import AuditEvent
from trading.bidding.errors import EnvelopeRefused, NotAccepting, OpeningConflict
from trading.bidding.models import Bid, BidState, BidVersion
from trading.errors import DeadlinePassed, NotPermitted
from trading.projects.status import ProjectStatus
from trading.storage import FileTooLarge


def snapshot(world) -> tuple:
    """Everything a refused submission must leave as it was."""
    db = world.dbsession
    files = sorted(p.name for p in world.registry["storage"].root.rglob("*")
                   if p.is_file() and "incoming" not in p.parts)
    return (db.scalar(sa.select(sa.func.count(Bid.id))),
            db.scalar(sa.select(sa.func.count(BidVersion.id))),
            db.scalar(sa.select(sa.func.count(AuditEvent.seq))), files)


def test_the_opening_key_is_generated_at_approval_and_wrapped_under_the_kek(world):
    from bid_crypto import PrivateKey, unwrap_private_key

    row = world.bids().key_row(world.project)
    assert row.custody == "auto" and row.generated_at is not None
    private = PrivateKey.from_bytes(unwrap_private_key(world.registry["keys"].kek,
                                                       row.wrapped_key, world.project.number))
    assert private.public_key().key_id == row.key_id == world.public_key().key_id
    assert row.public_key.encode() not in row.wrapped_key


def test_a_signed_up_bidder_submits_and_gets_a_receipt_that_verifies(world):
    bidder = world.bidders[0]
    envelope = world.seal(bidder)
    version = world.submit(bidder, envelope)
    assert version.version == 1 and version.source == "upload"
    receipt = world.bids().receipt(version.bid, version)
    seed = world.registry["keys"].signing_seed
    fields = verify_receipt(load_signing_key(seed).public_key(), receipt, io.BytesIO(envelope))
    assert fields["project"] == world.project.number and fields["lot"] == "L1"
    assert fields["bidder"] == f"B{bidder.organisation_id}" and fields["version"] == 1
    stored = world.registry["storage"].path_for(version.envelope_sha256).read_bytes()
    assert stored == envelope


def test_modify_makes_a_new_version_and_every_hash_is_kept(world):
    bidder = world.bidders[0]
    first = world.submit(bidder, world.seal(bidder, offer_=world.offer(1000)))
    second = world.submit(bidder, world.seal(bidder, offer_=world.offer(900)))
    bid = second.bid
    assert (first.version, second.version, bid.current_version) == (1, 2, 2)
    assert [v.envelope_sha256 for v in bid.versions] == [first.envelope_sha256,
                                                         second.envelope_sha256]


def test_a_retried_upload_is_idempotent(world):
    bidder = world.bidders[0]
    envelope = world.seal(bidder)
    first = world.submit(bidder, envelope)
    before = snapshot(world)
    again = world.submit(bidder, envelope)
    assert again.id == first.id
    assert world.bids().receipt(again.bid, again) == world.bids().receipt(first.bid, first)
    assert snapshot(world) == before


def test_withdraw_then_resubmit(world):
    bidder = world.bidders[0]
    envelope = world.seal(bidder)
    world.submit(bidder, envelope)
    bid = world.bids().withdraw(world.project, world.lot, actor=actor_for(bidder))
    assert bid.state is BidState.WITHDRAWN and bid.versions[0].withdrawn_at is not None
    with pytest.raises(OpeningConflict):
        world.bids().withdraw(world.project, world.lot, actor=actor_for(bidder))
    again = world.submit(bidder, envelope)  # the same bytes after a withdrawal: a new version
    assert again.version == 2 and again.bid.state is BidState.SUBMITTED


def test_late_by_one_millisecond_is_refused_and_changes_nothing(world):
    bidder = world.bidders[0]
    envelope = world.seal(bidder)
    world.clock.set(world.project.bid_deadline - timedelta(milliseconds=1))
    world.submit(bidder, envelope)  # one millisecond early: accepted
    other = world.bidders[1]
    late = world.seal(other)
    world.clock.set(world.project.bid_deadline + timedelta(milliseconds=1))
    before = snapshot(world)
    with pytest.raises(DeadlinePassed):
        world.submit(other, late)
    with pytest.raises(DeadlinePassed):
        world.bids().withdraw(world.project, world.lot, actor=actor_for(bidder))
    assert snapshot(world) == before
    world.clock.set(world.project.bid_deadline)  # exactly at the deadline: too late too
    with pytest.raises(DeadlinePassed):
        world.submit(other, late)


def test_an_upload_unfinished_at_the_deadline_is_not_a_bid(world):
    bidder = world.bidders[0]
    envelope = world.seal(bidder)
    world.clock.set(world.project.bid_deadline - timedelta(seconds=1))

    class SlowUpload(io.BytesIO):
        """The last bytes arrive after the deadline."""

        def read(self, size=-1):
            data = super().read(size)
            if not data:
                world.clock.set(world.project.bid_deadline + timedelta(milliseconds=1))
            return data

    before = snapshot(world)[:3]
    with pytest.raises(DeadlinePassed, match="上传未完成"):
        world.bids().submit_envelope(world.project, world.lot, stream=SlowUpload(envelope),
                                     actor=actor_for(bidder))
    assert snapshot(world)[:3] == before


def test_a_bidder_not_signed_up_to_the_lot_is_refused(world):
    stranger = make_user(world.dbsession, world.clock, world.settings, role=Role.BIDDER)
    owner = make_user(world.dbsession, world.clock, world.settings, role=Role.OWNER)
    before = snapshot(world)
    with pytest.raises(NotPermitted, match="未报名"):
        world.submit(stranger, world.seal(stranger))
    with pytest.raises(NotPermitted):
        world.submit(owner, world.seal(world.bidders[0]))
    assert snapshot(world) == before


def test_an_envelope_sealed_to_another_projects_key_is_refused(world, dbsession, clock,
                                                                settings, registry):
    from factories import make_project

    other = make_project(dbsession, clock, settings, registry, publish=True)
    other_key = world.bids().public_key(other)
    bidder = world.bidders[0]
    before = snapshot(world)
    with pytest.raises(EnvelopeRefused, match="开标公钥") as refused:
        world.submit(bidder, world.seal(bidder, key=other_key))
    assert refused.value.code == "wrong_key"
    with pytest.raises(EnvelopeRefused, match="项目编号"):  # sealed for the other project
        world.submit(bidder, world.seal(bidder, key=other_key, project=other))
    with pytest.raises(EnvelopeRefused, match="投标人编号"):  # someone else's bidder id
        world.submit(bidder, world.seal(world.bidders[1]))
    assert snapshot(world) == before


def test_tampered_truncated_and_foreign_files_are_refused(world):
    bidder = world.bidders[0]
    envelope = bytearray(world.seal(bidder, documents=[("a.pdf", b"x" * 3000)]))
    header_len = len(read_header(io.BytesIO(bytes(envelope))).encode())
    before = snapshot(world)
    cut = bytes(envelope[:-10])
    with pytest.raises(EnvelopeRefused, match="不完整") as refused:
        world.submit(bidder, cut)
    assert refused.value.code == "envelope_incomplete"
    extended = bytes(envelope) + b"\x00"
    with pytest.raises(EnvelopeRefused, match="损坏"):
        world.submit(bidder, extended)
    flipped = bytearray(envelope)
    flipped[header_len] = 7  # the first chunk's flag byte
    with pytest.raises(EnvelopeRefused, match="损坏"):
        world.submit(bidder, bytes(flipped))
    header = bytearray(envelope)
    header[20] ^= 1
    with pytest.raises(EnvelopeRefused):
        world.submit(bidder, bytes(header))
    with pytest.raises(EnvelopeRefused, match="不是有效的投标信封"):
        world.submit(bidder, b"%PDF-1.4 plain text bid, not sealed")
    assert snapshot(world) == before


def test_an_envelope_over_the_size_limit_is_refused(world, monkeypatch):
    bidder = world.bidders[0]
    envelope = world.seal(bidder, documents=[("big.bin", b"z" * 5000)])
    monkeypatch.setitem(world.settings, "bidding.max_envelope_bytes", str(len(envelope) - 1))
    before = snapshot(world)
    with pytest.raises(FileTooLarge):
        world.submit(bidder, envelope)
    assert snapshot(world) == before


def test_bids_only_while_bidding(world):
    bidder = world.bidders[0]
    envelope = world.seal(bidder)
    world.project.frozen_reason = "监管调查"
    with pytest.raises(NotAccepting, match="冻结"):
        world.submit(bidder, envelope)
    world.project.frozen_reason = ""
    world.projects().cancel(world.project, reason="资金取消", actor=actor_for(bidder))
    assert world.project.status is ProjectStatus.CANCELLED
    with pytest.raises(NotAccepting):
        world.submit(bidder, envelope)


def test_the_audit_trail_names_the_bid_not_the_contents(world):
    bidder = world.bidders[0]
    version = world.submit(bidder, world.seal(bidder, offer_=world.offer(123_456_789)))
    event = world.dbsession.scalar(sa.select(AuditEvent).where(
        AuditEvent.action == "bid.submitted").order_by(AuditEvent.seq.desc()).limit(1))
    assert event.subject_type == "bid" and event.data["envelope_sha256"] == \
        version.envelope_sha256
    assert "123456789" not in str(event.data) and "project" not in event.data
