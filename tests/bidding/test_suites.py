"""The crypto suite per project (国密 SM2/SM3/SM4, X-Wing, X25519): chosen on the project,
used for its opening key, its envelopes, its receipts (SM2 for the national suites) and
its opening; an envelope of another suite is refused by name and changes nothing."""

import io

import pytest
import sqlalchemy as sa
from bidding.conftest import World
from factories import actor_for, make_project, make_user

from bid_crypto import (
    InvalidReceipt,
    SealedShare,
    generate_private_key,
    load_verify_key,
    verify_receipt,
)
from trading.accounts.models import Role
from trading.audit.models import AuditEvent
from trading.bidding.errors import CustodyRefused, EnvelopeRefused
from trading.bidding.models import Bid, BidVersion, LineStatus, OpeningKey
from trading.keys import PlatformKeys
from trading.projects.kinds import CryptoSuite, CustodyMode
from trading.projects.status import ProjectStatus

S = ProjectStatus


def snapshot(world) -> tuple:
    db = world.dbsession
    return tuple(db.scalar(sa.select(sa.func.count(column)))
                 for column in (Bid.id, BidVersion.id, AuditEvent.seq))


@pytest.mark.parametrize("suite", ["sm2", "sm2mlkem", "xwing", "x25519"])
def test_the_project_suite_runs_from_key_to_opening(world_factory, suite):
    w = world_factory(crypto_suite=CryptoSuite(suite))
    assert w.project.crypto_suite == suite
    key = w.public_key()
    assert key.suite == suite and w.bids().key_row(w.project).suite == suite
    prices = (80_000_000, 79_000_000, 81_500_000)
    for bidder, price in zip(w.bidders, prices, strict=True):
        w.submit(bidder, w.seal(bidder, offer_=w.offer(price)))
    w.clock.set(w.project.bid_deadline)
    w.advance()
    assert w.project.status is S.EVALUATION
    record = w.opening().lines(w.opening().opening(w.project))
    assert [line.status for line in record] == [LineStatus.DECRYPTED] * 3
    assert sorted(line.total_price for line in record) == sorted(prices)


def test_a_national_project_signs_its_receipts_with_sm2(world_factory):
    w = world_factory(crypto_suite=CryptoSuite.SM2)
    bidder = w.bidders[0]
    envelope = w.seal(bidder)
    version = w.submit(bidder, envelope)
    receipt = w.bids().receipt(version.bid, version)
    pem = w.bids().platform_public_key_pem("sm2")
    assert "BEGIN PUBLIC KEY" in pem and load_verify_key(pem).algorithm == "sm2"
    assert verify_receipt(load_verify_key(pem), receipt, io.BytesIO(envelope))["version"] == 1
    ed25519 = load_verify_key(w.bids().platform_public_key_pem())
    with pytest.raises(InvalidReceipt):
        verify_receipt(ed25519, receipt, io.BytesIO(envelope))
    with pytest.raises(InvalidReceipt, match="signer ID"):
        verify_receipt(load_verify_key(pem, user_id=b"another id"), receipt,
                       io.BytesIO(envelope))


def test_an_x25519_project_keeps_ed25519_receipts(world):
    bidder = world.bidders[0]
    envelope = world.seal(bidder)
    version = world.submit(bidder, envelope)
    receipt = world.bids().receipt(version.bid, version)
    key = load_verify_key(world.bids().platform_public_key_pem())
    assert key.algorithm == "ed25519" and verify_receipt(key, receipt, io.BytesIO(envelope))


@pytest.mark.parametrize(("project_suite", "envelope_suite"),
                         [("sm2", "x25519"), ("x25519", "sm2"), ("sm2", "sm2mlkem"),
                          ("xwing", "x25519")])
def test_an_envelope_of_another_suite_is_refused_by_name(world_factory, project_suite,
                                                        envelope_suite):
    w = world_factory(crypto_suite=CryptoSuite(project_suite))
    bidder = w.bidders[0]
    foreign = generate_private_key(envelope_suite).public_key()
    envelope = w.seal(bidder, key=foreign)
    before = snapshot(w)
    with pytest.raises(EnvelopeRefused) as refused:
        w.submit(bidder, envelope)
    assert refused.value.code == "wrong_suite"
    assert "本项目要求" in str(refused.value)
    assert snapshot(w) == before


def test_the_rule_profile_then_the_platform_decide_when_the_project_does_not(
        world_factory, settings, monkeypatch):
    monkeypatch.setitem(settings, "bidding.suite", "xwing")
    w = world_factory()
    assert w.project.crypto_suite == "xwing"  # resolved and written at approval
    profiled = world_factory(name="规则配置国密项目")
    # A rule profile's `crypto.suite` wins over the platform default.
    assert profiled.project.crypto_suite == "xwing"
    project = profiled.project
    project.rule_profile.params = {**project.rule_profile.params, "crypto.suite": "sm2"}
    project.crypto_suite = None
    assert profiled.bids().suite_for(project) == "sm2"


def test_a_national_project_needs_the_platform_sm2_key(world_factory, registry, monkeypatch):
    keys = registry["keys"]
    monkeypatch.setitem(registry, "keys", PlatformKeys(keys.signing_seed, keys.kek))
    with pytest.raises(CustodyRefused, match="SM2"):
        world_factory(crypto_suite=CryptoSuite.SM2)


def test_dual_custody_with_national_keys(world_factory):
    """A 国密 project in 不见面开标: SM2 bidder keys, SM3 share commitments, opened."""
    from bid_crypto import make_decryption_share, read_header

    w = world_factory(crypto_suite=CryptoSuite.SM2, custody_mode=CustodyMode.DUAL)
    keys, envelopes = {}, {}
    for bidder in w.bidders:
        keys[bidder.id] = generate_private_key("sm2")
        envelopes[bidder.id] = w.seal(bidder, bidder_key=keys[bidder.id].public_key())
        w.submit(bidder, envelopes[bidder.id])
    w.clock.set(w.project.bid_deadline)
    w.advance()
    assert w.project.status is S.OPENING
    opening = w.opening()
    bid_of = {x.bid.bidder_org_id: x.bid for x in opening.lines(opening.opening(w.project))}
    for bidder in w.bidders:
        header = read_header(io.BytesIO(envelopes[bidder.id]))
        share = make_decryption_share(header, keys[bidder.id]).to_json().encode()
        opening.submit_share(w.project, bid_of[bidder.organisation_id], share_json=share,
                             actor=actor_for(bidder))
    w.advance()
    assert w.project.status is S.EVALUATION
    assert w.dbsession.scalar(sa.select(OpeningKey.suite).where(
        OpeningKey.project_id == w.project.id)) == "sm2"


@pytest.mark.parametrize("custodian_world", ["sm2", "sm2mlkem"], indirect=True)
def test_custodians_custody_with_a_national_key(custodian_world):
    """k-of-n custodians split the national secret (32 or 64 bytes); releasing k shares
    rebuilds it, checked against the recorded public key, and the bids open."""
    w = custodian_world
    assert w.public_key().suite == w.project.crypto_suite
    shares = [SealedShare.from_json(c.sealed_share) for c in w.bids().custodians(w.project)]
    assert {s.recipient_suite for s in shares} == {"sm2"}  # SM2 custodian keys
    for bidder in w.bidders:
        w.submit(bidder, w.seal(bidder))
    w.clock.set(w.project.bid_deadline)
    w.advance()
    opening = w.opening()
    center, _, owner = w.custodians
    for user in (center, owner):
        w.release(user)
    w.advance()
    assert w.project.status is S.EVALUATION
    assert [x.status for x in opening.lines(opening.opening(w.project))] == (
        [LineStatus.DECRYPTED] * 3)


def test_a_national_project_takes_only_sm2_custodian_keys(dbsession, clock, settings, registry):
    """An x25519 custodian is not offered for a 国密 project, nor an SM2 one for another;
    designating one anyway is refused with the command that makes the right key."""
    w = World(dbsession, clock, settings, registry)
    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    national = make_project(dbsession, clock, settings, registry, owner=owner,
                            custody_mode=CustodyMode.CUSTODIANS, crypto_suite=CryptoSuite.SM2)
    plain = make_project(dbsession, clock, settings, registry, owner=owner,
                         custody_mode=CustodyMode.CUSTODIANS,
                         crypto_suite=CryptoSuite.X25519)
    center = make_user(dbsession, clock, settings, role=Role.CENTER)
    users = {suite: make_user(dbsession, clock, settings, role=Role.SUPERVISOR)
             for suite in ("x25519", "sm2")}
    bids = w.bids()
    for suite, user in users.items():
        bids.enrol_custody_key(user, public_key=generate_private_key(suite).public_key()
                               .to_json(), actor=actor_for(user))
    assert bids.custody_key(users["sm2"]).suite == "sm2"
    eligible = {u.id for u in bids.eligible_custodians(national)}
    assert users["sm2"].id in eligible and users["x25519"].id not in eligible
    eligible = {u.id for u in bids.eligible_custodians(plain)}
    assert users["x25519"].id in eligible and users["sm2"].id not in eligible
    with pytest.raises(CustodyRefused, match="保管公钥"):
        bids.designate_custodians(national, user_ids=[u.id for u in users.values()],
                                  threshold=2, actor=actor_for(center))
