"""The operator test (issue #15 point 6): someone holding everything the server holds — the
whole database, the storage root, every key the platform is configured with (KEK, Ed25519
and SM2 signing keys, secrets) — tries to open a sealed bid before the opening.

`auto`: succeeds (that is what the mode's label says, and it proves the harness can open a
bid when the platform's files suffice). `dual` and `custodians`: fails before the deadline,
and succeeds with the same harness once the bidder's share or k custodians' releases are in.
"""

import base64
import binascii
import io
import itertools
import json

import pytest
import sqlalchemy as sa
from bidding.conftest import World, signed_up_bidders
from factories import actor_for, make_project, make_user

from bid_crypto import (
    BidCryptoError,
    DecryptionShare,
    PrivateKey,
    combine_shares,
    generate_private_key,
    make_decryption_share,
    read_bid,
    read_header,
    unwrap_private_key,
)
from trading.accounts.models import Role
from trading.bidding.errors import CustodyRefused, NotPermitted, OpeningConflict, ReleaseInvalid
from trading.bidding.models import Bid, OpeningCustodian
from trading.bidding.service import project_ref
from trading.db.meta import Base
from trading.projects.kinds import CustodyMode

PRICE = 77_777_700


# -- the operator --------------------------------------------------------------------------


def _stolen_keys(registry) -> list[bytes]:
    """Every key and secret the platform is configured with (var/keys or the environment)."""
    keys = registry["keys"]
    found = [keys.kek, keys.signing_seed, keys.sm2_der or b""]
    for value in registry.settings.values():
        if isinstance(value, str) and len(value) >= 32:
            found.append(value.encode())
            for decode in (base64.b64decode, bytes.fromhex):
                try:
                    found.append(decode(value))
                except (ValueError, binascii.Error):
                    pass
    return [k for k in found if k]


def _database(dbsession) -> list[object]:
    """Every value of every row of every table."""
    values = []
    for table in Base.metadata.sorted_tables:
        for row in dbsession.execute(sa.select(table)):
            values.extend(v for v in row if isinstance(v, bytes | str))
    return values


def operator_opens(dbsession, registry, project, envelope: bytes) -> dict | None:
    """The offer of ``envelope`` if anything the operator holds opens it, else None."""
    ref = project_ref(project)
    stolen = _stolen_keys(registry)
    unwrapped, keys = [], []
    for value in _database(dbsession) + stolen:
        raw = value.encode() if isinstance(value, str) else value
        for secret in stolen:  # anything wrapped under anything the server holds
            if len(secret) == 32:
                try:
                    unwrapped.append(unwrap_private_key(secret, raw, ref))
                except (BidCryptoError, ValueError):
                    pass
        if isinstance(value, str) and '"bid_crypto.private_key"' in value:
            keys.append(PrivateKey.from_json(value))
    for raw in unwrapped + [k for k in stolen if len(k) == 32]:
        try:
            keys.append(PrivateKey.from_bytes(raw))
        except BidCryptoError:
            pass
        if len(raw) == 32:
            keys.append(PrivateKey("x25519", raw))
    # Released custodian shares are 32 bytes under the KEK: try any k of them, any indices.
    public = bytes.fromhex(json.loads(registry_public_key(dbsession, project))["public"])
    shares32 = [r for r in unwrapped if len(r) == 32]
    for pair in itertools.permutations(shares32, 2):
        for indices in itertools.permutations(range(1, 4), 2):
            try:
                keys.append(combine_shares(list(zip(indices, pair, strict=True)),
                                           suite="x25519", public_key=public, threshold=2))
            except BidCryptoError:
                pass
    header = read_header(io.BytesIO(envelope))
    shares = [None] + [DecryptionShare(header.sha256, r) for r in shares32]
    for key, share in itertools.product(keys, shares):
        try:
            opened = read_bid(io.BytesIO(envelope), key, lambda name: io.BytesIO(),
                              share=share)
        except BidCryptoError:
            continue
        return opened.offer
    return None


def registry_public_key(dbsession, project) -> str:
    from trading.bidding.models import OpeningKey

    return dbsession.scalar(sa.select(OpeningKey.public_key).where(
        OpeningKey.project_id == project.id))


def _envelope(w: World, bidder) -> bytes:
    bid = w.dbsession.scalar(sa.select(Bid).where(Bid.project_id == w.project.id,
                                                  Bid.bidder_org_id == bidder.organisation_id))
    version = bid.versions[-1]
    return w.registry["storage"].path_for(version.envelope_sha256).read_bytes()


# -- worlds --------------------------------------------------------------------------------


@pytest.fixture
def custodians(dbsession, clock, settings, registry) -> World:
    w = World(dbsession, clock, settings, registry)
    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    w.project = make_project(dbsession, clock, settings, registry, owner=owner,
                             custody_mode=CustodyMode.CUSTODIANS)
    w.owner, w.center = owner, make_user(dbsession, clock, settings, role=Role.CENTER)
    supervisor = make_user(dbsession, clock, settings, role=Role.SUPERVISOR)
    w.custodians = [w.center, supervisor, owner]
    for user in w.custodians:
        w.custodian_keys[user.id] = generate_private_key("x25519")
        w.bids().enrol_custody_key(user, public_key=w.custodian_keys[user.id].public_key()
                                   .to_json(), actor=actor_for(user))
    w.bids().designate_custodians(w.project, user_ids=[u.id for u in w.custodians],
                                  threshold=2, actor=actor_for(w.center))
    service = w.projects()
    service.submit_for_review(w.project, actor=actor_for(owner))
    service.approve(w.project, actor=actor_for(w.center))
    clock.set(w.project.doc_start)
    service.advance(w.project)
    w.bidders = signed_up_bidders(w, 3)
    for bidder in w.bidders:
        w.submit(bidder, w.seal(bidder, offer_=w.offer(PRICE)))
    return w


def _open_world(dbsession, clock, settings, registry, mode) -> World:
    w = World(dbsession, clock, settings, registry)
    w.project = make_project(dbsession, clock, settings, registry, open_bidding=True,
                             custody_mode=mode)
    w.bidders = signed_up_bidders(w, 3)
    return w


# -- the operator test ----------------------------------------------------------------------


def test_the_harness_opens_an_auto_bid_early(dbsession, clock, settings, registry):
    w = _open_world(dbsession, clock, settings, registry, CustodyMode.AUTO)
    w.submit(w.bidders[0], w.seal(w.bidders[0], offer_=w.offer(PRICE)))
    assert clock() < w.project.bid_deadline
    offer = operator_opens(dbsession, registry, w.project, _envelope(w, w.bidders[0]))
    assert offer is not None and offer["total_price"] == PRICE


def test_the_operator_cannot_open_a_custodians_bid_before_the_releases(custodians):
    w = custodians
    envelope = _envelope(w, w.bidders[0])
    assert w.clock() < w.project.bid_deadline
    assert operator_opens(w.dbsession, w.registry, w.project, envelope) is None
    # The operator moves the clock and runs the platform's own opening: still nothing.
    w.clock.set(w.project.bid_deadline)
    w.advance()
    assert w.project.status == "opening"
    assert operator_opens(w.dbsession, w.registry, w.project, envelope) is None
    w.release(w.custodians[0])  # one release of two: still nothing
    assert operator_opens(w.dbsession, w.registry, w.project, envelope) is None
    w.release(w.custodians[2])
    w.advance()
    assert w.project.status == "evaluation"
    offer = operator_opens(w.dbsession, w.registry, w.project, envelope)
    assert offer is not None and offer["total_price"] == PRICE


def test_the_operator_cannot_open_a_dual_bid_before_the_bidders_share(
        dbsession, clock, settings, registry):
    w = _open_world(dbsession, clock, settings, registry, CustodyMode.DUAL)
    bidder_keys = {b.id: generate_private_key("x25519") for b in w.bidders}
    for bidder in w.bidders:
        w.submit(bidder, w.seal(bidder, offer_=w.offer(PRICE),
                                bidder_key=bidder_keys[bidder.id].public_key()))
    envelope = _envelope(w, w.bidders[0])
    assert operator_opens(dbsession, registry, w.project, envelope) is None
    clock.set(w.project.bid_deadline)
    w.advance()
    assert operator_opens(dbsession, registry, w.project, envelope) is None
    share = make_decryption_share(read_header(io.BytesIO(envelope)),
                                  bidder_keys[w.bidders[0].id])
    bid = dbsession.scalar(sa.select(Bid).where(Bid.project_id == w.project.id,
                                                Bid.bidder_org_id == w.bidders[0].organisation_id))
    w.opening().submit_share(w.project, bid, share_json=share.to_json().encode(),
                             actor=actor_for(w.bidders[0]))
    offer = operator_opens(dbsession, registry, w.project, envelope)
    assert offer is not None and offer["total_price"] == PRICE


# -- bad input: a clear refusal, nothing changed ---------------------------------------------


def _released(w: World) -> list:
    return [(c.released_at, c.released_share) for c in w.dbsession.scalars(
        sa.select(OpeningCustodian).where(OpeningCustodian.project_id == w.project.id))]


def test_a_release_before_the_deadline_is_refused(custodians, testapp):
    w = custodians
    center = w.custodians[0]
    before = _released(w)
    with pytest.raises(OpeningConflict, match="开标尚未开始"):
        w.opening().release_share(w.project, user=center, release_json=b"{}",
                                  actor=actor_for(center))
    testapp.login(center.username)
    token = testapp.get_csrf_token(f"/projects/{w.project.id}/opening")
    page = testapp.post(f"/projects/{w.project.id}/opening/release",
                        {"csrf_token": token, "release_text": "{}"}, status=409)
    assert "开标尚未开始" in page.text
    assert _released(w) == before


def test_a_release_replayed_from_another_project_is_refused(custodians):
    w = custodians
    other = World(w.dbsession, w.clock, w.settings, w.registry)
    other.custodians, other.custodian_keys = w.custodians, w.custodian_keys
    other.project = make_project(w.dbsession, w.clock, w.settings, w.registry,
                                 owner=w.owner, custody_mode=CustodyMode.CUSTODIANS,
                                 name="另一个项目")
    w.bids().designate_custodians(other.project, user_ids=[u.id for u in w.custodians],
                                  threshold=2, actor=actor_for(w.center))
    service = w.projects()
    service.submit_for_review(other.project, actor=actor_for(w.owner))
    service.approve(other.project, actor=actor_for(w.center))
    w.clock.set(other.project.doc_start)
    other.advance()
    other.bidders = signed_up_bidders(other, 3)
    for bidder in other.bidders:
        other.submit(bidder, other.seal(bidder))
    w.clock.set(max(w.project.bid_deadline, other.project.bid_deadline))
    w.advance()
    other.advance()
    center = w.custodians[0]
    replay = other.release_file(center)  # a genuine release, for the other project
    before = _released(w)
    with pytest.raises(ReleaseInvalid, match="其他项目"):
        w.opening().release_share(w.project, user=center, release_json=replay,
                                  actor=actor_for(center))
    assert _released(w) == before


def test_a_wrong_key_file_makes_no_release(custodians):
    from bid_crypto import WrongKey

    w = custodians
    w.clock.set(w.project.bid_deadline)
    w.advance()
    with pytest.raises(WrongKey):
        w.release_file(w.custodians[0], key=generate_private_key("x25519"))
    with pytest.raises(WrongKey):  # another custodian's key
        w.release_file(w.custodians[0], key=w.custodian_keys[w.custodians[1].id])


def test_custodians_of_one_organisation_are_refused(dbsession, clock, settings, registry):
    w = World(dbsession, clock, settings, registry)
    center, colleague = (make_user(dbsession, clock, settings, role=Role.CENTER)
                         for _ in range(2))
    w.project = make_project(dbsession, clock, settings, registry,
                             custody_mode=CustodyMode.CUSTODIANS)
    for user in (center, colleague):
        w.bids().enrol_custody_key(user, public_key=generate_private_key("x25519")
                                   .public_key().to_json(), actor=actor_for(user))
    with pytest.raises(CustodyRefused, match="至少两个不同的单位"):
        w.bids().designate_custodians(w.project, user_ids=[center.id, colleague.id],
                                      threshold=2, actor=actor_for(center))
    assert w.bids().custodians(w.project) == []


def test_a_release_by_a_non_custodian_is_refused(custodians, testapp):
    w = custodians
    w.clock.set(w.project.bid_deadline)
    w.advance()
    stranger = make_user(w.dbsession, w.clock, w.settings, role=Role.SUPERVISOR)
    before = _released(w)
    with pytest.raises(NotPermitted):
        w.opening().release_share(w.project, user=stranger,
                                  release_json=w.release_file(w.custodians[0]),
                                  actor=actor_for(stranger))
    testapp.login(stranger.username)
    token = testapp.get_csrf_token(f"/projects/{w.project.id}/opening")
    testapp.post(f"/projects/{w.project.id}/opening/release",
                 {"csrf_token": token, "release_text": w.release_file(w.custodians[0])},
                 status=403)
    assert _released(w) == before
