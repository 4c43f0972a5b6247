"""Award test support: a 终次报价 project whose bids are opened (tests/award and browser)."""

import io
from dataclasses import dataclass, field

import sqlalchemy as sa
from factories import actor_for, make_user, project_service

from bid_crypto import seal_bid
from trading.accounts.models import Role
from trading.accounts.service import AccountService
from trading.award.committee import AwardCommitteeService
from trading.award.final_offer import FinalOfferService
from trading.award.service import candidate_id
from trading.bidding.service import BidService, bidder_ref, project_ref
from trading.rounds.service import round_ref

CEILING = 2_000_000_00  # 分: 200 万元
FLOOR = 500_000_00


def seal_final_offer(offers, project, final_round, org_id, amount, *, lot=None,
                     key=None) -> bytes:
    """A final offer or quote sealed on the bidder's side (what the page's tbid.js or
    `python -m bid_crypto seal` makes): the server only ever receives this."""
    out = io.BytesIO()
    seal_bid(out, key or offers.public_key(final_round),
             offer={"total_price": amount, "currency": "CNY"}, documents=[],
             project=project_ref(project), lot=lot or round_ref(final_round),
             bidder=bidder_ref(org_id), custody="auto", chunk_size=1024)
    return out.getvalue()


def submit_final_offer(offers, project, final_round, user, amount):
    return offers.submit_envelope(project, final_round, stream=io.BytesIO(seal_final_offer(
        offers, project, final_round, user.organisation_id, amount)), actor=actor_for(user))


@dataclass
class AwardWorld:
    dbsession: object
    clock: object
    settings: dict
    registry: object
    project: object = None
    bidders: list = field(default_factory=list)
    owner: object = None
    center: object = None

    @property
    def lot(self):
        return self.project.lots[0]

    def projects(self):
        return project_service(self.dbsession, self.clock, self.registry)

    def bids(self) -> BidService:
        return BidService(self.dbsession, self.clock, self.registry["keys"],
                          self.registry["storage"], None, self.settings)

    def offers(self) -> FinalOfferService:
        return FinalOfferService(self.dbsession, self.clock, self.registry["keys"],
                                 self.registry["storage"], None, self.settings)

    def advance(self):
        return self.projects().advance(self.project)

    def seal_offer(self, final_round, bidder, amount: int, *, lot=None, key=None) -> bytes:
        """A final offer sealed on the bidder's machine, as the CLI would."""
        return seal_final_offer(self.offers(), self.project, final_round,
                                bidder.organisation_id, amount, lot=lot, key=key)

    def submit_offer(self, final_round, bidder, amount: int):
        """What the round's page does: seal on the bidder's side, upload only the .tbid."""
        return submit_final_offer(self.offers(), self.project, final_round, bidder, amount)


def bid_offer(price: int) -> dict:
    return {"total_price": price, "currency": "CNY", "duration_days": 180}




def signed_report_rows(dbsession, clock, project, lot, *, ranked: bool, prices=None):
    """A signed evaluation report with its candidates written as rows, for award tests
    that start from a finished evaluation (the demo runs a real one: demo.evaluation
    `evaluate_for_demo`); the first three opened bids become the candidates."""
    from decimal import Decimal

    from trading.bidding.models import Bid, LineStatus, OpeningLine
    from trading.evaluation.models import (
        Committee,
        CommitteeStatus,
        EvaluationReport,
        ReportCandidate,
        ReportState,
    )

    now = clock()
    committee = dbsession.scalar(sa.select(Committee).where(Committee.project_id == project.id))
    if committee is None:
        committee = Committee(project_id=project.id, status=CommitteeStatus.DONE,
                              pseudonym_salt="00" * 32, created_at=now)
        dbsession.add(committee)
        dbsession.flush()
    report = EvaluationReport(project_id=project.id, lot_id=lot.id, committee_id=committee.id,
                              state=ReportState.SIGNED, ranked=ranked, body={},
                              body_sha256="0" * 64, generated_at=now, locked_at=now)
    dbsession.add(report)
    dbsession.flush()
    query = (sa.select(Bid, OpeningLine.total_price).outerjoin(
        OpeningLine, sa.and_(OpeningLine.bid_id == Bid.id,
                             OpeningLine.status == LineStatus.DECRYPTED))
        .where(Bid.lot_id == lot.id).order_by(Bid.id).limit(3))
    for position, (bid, price) in enumerate(dbsession.execute(query), start=1):
        dbsession.add(ReportCandidate(
            report_id=report.id, project_id=project.id, lot_id=lot.id,
            bidder_org_id=bid.bidder_org_id, bid_id=bid.id,
            total_score=Decimal("92.00") - 2 * position,
            price=(prices or {}).get(position) or price or 1,
            rank=position if ranked else None, position=position))
    dbsession.flush()
    return report


def sign_report(world, *, ranked: bool, prices=None):
    """A signed evaluation report for the world's lot, then the project leaves evaluation."""
    from trading.actor import Actor
    from trading.evaluation.service import EvaluationService

    report = signed_report_rows(world.dbsession, world.clock, world.project, world.lot,
                              ranked=ranked, prices=prices)
    assert EvaluationService(world.dbsession, world.clock,
                             world.registry["keys"]).complete_if_done(
        world.project, actor=Actor.system("test"))
    return report


# -- 评定分离 committees (tests/award) ------------------------------------------------------


def committees(w) -> AwardCommitteeService:
    return AwardCommitteeService(w.dbsession, w.clock, w.registry["keys"], w.registry["storage"])


def cands(w):
    return [candidate_id(b.organisation_id) for b in w.bidders]


def vote(w, committee, choices_by_member):
    service, current = committees(w), committees(w).open_round(committee)
    for member, choices in zip(committee.members, choices_by_member, strict=True):
        service.cast(w.project, committee, current, choices=choices,
                     actor=actor_for(member.user))


def sign_all(w, committee):
    for member in committee.members:
        committees(w).sign(w.project, committee, actor=actor_for(member.user))


def enrol(w, count, **ties):
    """`count` of the owner's staff on the roster with the given ties / chair flag."""
    added = []
    for _ in range(count):
        user = make_user(w.dbsession, w.clock, w.settings, role=Role.OWNER,
                         organisation=w.owner.organisation)
        added.append(committees(w).add_to_roster(
            w.owner.organisation_id, username=user.username, title="", actor=actor_for(w.owner),
            **ties))
    w.staff += added
    return added


def form(w, size=5, **kw):
    return committees(w).form(w.project, w.lot, size=size, stage1={"method": "plurality"},
                              stage2=None, actor=actor_for(w.owner), **kw)


def login_as(testapp, w, user):
    testapp.reset()
    testapp.set_cookie("trading_auth", AccountService(w.dbsession, w.clock, w.settings)
                       .start_session(user, ip=""))
