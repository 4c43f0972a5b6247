"""Bid-security test helpers: a project requiring a 2 % deposit, signed-up bidders with
their basic accounts, the simulated bank in-process (its WSGI app through WebTest)."""

import json
from dataclasses import dataclass, field
from datetime import timedelta

import webtest
from factories import actor_for, make_project, make_user, project_service

from trading.accounts.models import Role
from trading.bidsecurity.bank import SIGNATURE_HEADER
from trading.bidsecurity.service import BidSecurityService

SECURITY = {"security.form": "deposit", "security.rate": "0.02",
            "security.on_missing": "invalid"}


def wsgi_poster(app):
    """A bank.Poster over a WSGI app: the adapter's HTTP path, without sockets."""
    client = webtest.TestApp(app)

    def post(url, body, headers):
        path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else "/"
        response = client.post(path, body, headers=headers, expect_errors=True)
        return response.status_int, response.body, dict(response.headers)

    return post


@dataclass
class World:
    dbsession: object
    clock: object
    settings: dict
    registry: object
    bank: object
    simbank: object
    project: object = None
    bidders: list = field(default_factory=list)
    accounts: dict = field(default_factory=dict)

    @property
    def lot(self):
        return self.project.lots[0]

    def service(self, bank=None) -> BidSecurityService:
        return BidSecurityService(self.dbsession, self.clock, bank or self.bank)

    def sub_account(self, bidder, lot=None):
        return self.service().sub_account(self.project, lot or self.lot,
                                          org_id=bidder.organisation_id,
                                          actor=actor_for(bidder))

    def note(self, bidder, *, amount=None, account=None, reference=None, **extra):
        """A signed notification from the simulated bank, as (body, signature)."""
        sub = None if reference else self.sub_account(bidder)
        return self.simbank.notification(
            reference=reference or sub.number,
            amount_fen=2_000_000 if amount is None else amount,
            payer_name=bidder.organisation.name,
            payer_account=account or self.accounts[bidder.id], **extra)

    def receive(self, body, signature):
        return self.service().receive(body, signature)


def open_world(dbsession, clock, settings, registry, bank, simbank, params=SECURITY,
               bidders=3, **overrides) -> World:
    w = World(dbsession, clock, settings, registry, bank, simbank)
    w.project = make_project(dbsession, clock, settings, registry, open_bidding=True,
                             **overrides)
    profile = w.project.rule_profile
    profile.params = {**profile.params, **params}
    dbsession.flush()
    service = project_service(dbsession, clock, registry)
    for _ in range(bidders):
        bidder = make_user(dbsession, clock, settings, role=Role.BIDDER)
        service.sign_up(w.project, w.lot, bidder=bidder, actor=actor_for(bidder))
        account = f"62220202000{bidder.organisation_id:08d}"
        w.service().add_account(bidder.organisation_id, account_no=account,
                                account_name=bidder.organisation.name,
                                bank_name="工商银行某支行", actor=actor_for(bidder))
        w.bidders.append(bidder)
        w.accounts[bidder.id] = account
    return w


def post_note(testapp, body, signature, status):
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers[SIGNATURE_HEADER] = signature
    response = testapp.post("/api/v1/bidsecurity/notifications", body, headers=headers,
                            status=status)
    return response.json


def shifted(clock, **delta):
    return clock() + timedelta(**delta)


def body_of(note_body: bytes) -> dict:
    return json.loads(note_body)


def offer(price=80_000_000) -> dict:
    return {"total_price": price, "currency": "CNY", "duration_days": 180, "quality": "合格",
            "project_manager": "李工", "items": [{"name": "土建", "total_price": price}]}


def submit_bid(world: World, bidder, price=80_000_000):
    """A bid sealed as a bidder's CLI seals it, submitted through the real service."""
    import io

    from bid_crypto import seal_bid
    from trading.bidding.service import BidService, bidder_ref, lot_ref, project_ref

    bids = BidService(world.dbsession, world.clock, world.registry["keys"],
                      world.registry["storage"], None, world.settings)
    out = io.BytesIO()
    seal_bid(out, bids.public_key(world.project), offer=offer(price), documents=[],
             project=project_ref(world.project), lot=lot_ref(world.lot),
             bidder=bidder_ref(bidder.organisation_id), custody="auto", chunk_size=1024)
    out.seek(0)
    return bids.submit_envelope(world.project, world.lot, stream=out, actor=actor_for(bidder))


def open_bids(world: World):
    """The deadline passes and the chronograph opens the bids."""
    from trading.jobs import chronograph

    world.clock.set(world.project.bid_deadline)
    chronograph.sweep_kind("project")
