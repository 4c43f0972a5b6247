"""Bidding fixtures: a project open for bidding, signed-up bidders, sealed envelopes.

Envelopes use 1 KiB chunks so the tests stay fast; the code paths are the production
ones. Custodians' keys are made as their own tools make them, and kept here (the
custodians' machines), never in the database.
"""

import io
from dataclasses import dataclass, field

import pytest
from factories import actor_for, make_project, make_user, project_service

from bid_crypto import (
    Document,
    PublicKey,
    SealedShare,
    generate_private_key,
    make_release,
    seal_bid,
    seal_stream,
)
from trading.accounts.models import Role
from trading.bidding.opening import OpeningService
from trading.bidding.service import BidService, bidder_ref, lot_ref, project_ref
from trading.projects.kinds import CryptoSuite, CustodyMode

FAST = {"bidding.chunk_size": "1024"}


@pytest.fixture(autouse=True)
def _fast_settings(settings, monkeypatch):
    for key, value in FAST.items():
        monkeypatch.setitem(settings, key, value)


def offer(price=80_000_000, **extra) -> dict:
    return {"total_price": price, "currency": "CNY", "duration_days": 180, "quality": "合格",
            "project_manager": "李工", "items": [{"name": "土建", "total_price": price}],
            **extra}


@dataclass
class World:
    dbsession: object
    clock: object
    settings: dict
    registry: object
    project: object = None
    bidders: list = field(default_factory=list)
    owner: object = None
    center: object = None

    custodians: list = field(default_factory=list)
    # The custodians' private keys: on their own machines, never given to the platform.
    custodian_keys: dict = field(default_factory=dict)

    offer = staticmethod(offer)

    @property
    def lot(self):
        return self.project.lots[0]

    def bids(self, enqueue=None) -> BidService:
        return BidService(self.dbsession, self.clock, self.registry["keys"],
                          self.registry["storage"], enqueue, self.settings)

    def opening(self, enqueue=None) -> OpeningService:
        return OpeningService(self.dbsession, self.clock, self.registry["keys"],
                              self.registry["storage"], enqueue, self.settings)

    def projects(self):
        return project_service(self.dbsession, self.clock, self.registry)

    def public_key(self) -> PublicKey:
        return self.bids().public_key(self.project)

    def seal(self, bidder, *, lot=None, offer_=None, documents=(), key=None, raw=None,
             bidder_key=None, project=None) -> bytes:
        """An envelope as a bidder's CLI would make it (1 KiB chunks)."""
        project, lot = project or self.project, lot or self.lot
        options = dict(project=project_ref(project), lot=lot_ref(lot),
                       bidder=bidder_ref(bidder.organisation_id),
                       custody=str(project.custody_mode), chunk_size=1024,
                       bidder_key=bidder_key)
        out = io.BytesIO()
        if raw is not None:
            seal_stream(io.BytesIO(raw), out, key or self.public_key(), **options)
        else:
            seal_bid(out, key or self.public_key(), offer=offer_ or offer(),
                     documents=[Document(n, io.BytesIO(d)) for n, d in documents], **options)
        return out.getvalue()

    def submit(self, bidder, envelope: bytes, lot=None):
        return self.bids().submit_envelope(self.project, lot or self.lot,
                                           stream=io.BytesIO(envelope), actor=actor_for(bidder))

    def advance(self):
        return self.projects().advance(self.project)

    def release_file(self, user, *, project=None, key=None) -> str:
        """What `user`'s own tool makes from the downloaded share and statement."""
        project = project or self.project
        opening = self.opening()
        sealed = SealedShare.from_json(opening.my_share(project, user).sealed_share)
        return make_release(sealed, key or self.custodian_keys[user.id],
                            opening.statement(project), now=self.clock()).to_json()

    def release(self, user, **options):
        return self.opening().release_share(self.project, user=user,
                                            release_json=self.release_file(user, **options),
                                            actor=actor_for(user))


def signed_up_bidders(world: World, count: int, lots=None):
    service = world.projects()
    bidders = [make_user(world.dbsession, world.clock, world.settings, role=Role.BIDDER)
               for _ in range(count)]
    for bidder in bidders:
        for lot in lots or [world.lot]:
            service.sign_up(world.project, lot, bidder=bidder, actor=actor_for(bidder))
    return bidders


@pytest.fixture
def world_factory(dbsession, clock, settings, registry):
    """`world_factory(**project_overrides)`: a project open for bidding, three bidders."""

    def build(**overrides) -> World:
        w = World(dbsession, clock, settings, registry)
        w.project = make_project(dbsession, clock, settings, registry, open_bidding=True,
                                 **overrides)
        w.bidders = signed_up_bidders(w, 3)
        return w

    return build


@pytest.fixture
def world(world_factory) -> World:
    """An `auto` project open for bidding, three signed-up bidders."""
    return world_factory()


@pytest.fixture
def custodian_world(request, dbsession, clock, settings, registry) -> World:
    """A `custodians` project: three custodians designated (k = threshold), then opened.
    Indirect parametrisation names the project's crypto suite."""
    w = World(dbsession, clock, settings, registry)
    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    suite = {"crypto_suite": CryptoSuite(request.param)} if hasattr(request, "param") else {}
    project = make_project(dbsession, clock, settings, registry, owner=owner,
                           custody_mode=CustodyMode.CUSTODIANS, **suite)
    w.project, w.owner = project, owner
    w.center = make_user(dbsession, clock, settings, role=Role.CENTER)
    supervisor = make_user(dbsession, clock, settings, role=Role.SUPERVISOR)
    w.custodians = [w.center, supervisor, owner]
    bids = w.bids()
    # A 国密 project's shares are sealed to SM2 custodian keys (FORMAT.md §4.2.1).
    family = "sm2" if suite and suite["crypto_suite"] in ("sm2", "sm2mlkem") else "x25519"
    for user in w.custodians:
        w.custodian_keys[user.id] = generate_private_key(family)
        bids.enrol_custody_key(user, public_key=w.custodian_keys[user.id].public_key().to_json(),
                               actor=actor_for(user))
    bids.designate_custodians(project, user_ids=[u.id for u in w.custodians],
                              threshold=2, actor=actor_for(w.center))
    service = w.projects()
    service.submit_for_review(project, actor=actor_for(owner))
    service.approve(project, actor=actor_for(w.center))
    clock.set(project.doc_start)
    service.advance(project)
    w.bidders = signed_up_bidders(w, 3)
    return w


@pytest.fixture
def dual_world(world_factory) -> World:
    return world_factory(custody_mode=CustodyMode.DUAL)
