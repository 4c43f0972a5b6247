"""Award test support: a 终次报价 project whose bids are opened (tests/award and browser)."""

import io
from dataclasses import dataclass, field

from factories import project_service

from bid_crypto import seal_bid
from trading.award.final_offer import FinalOfferService, round_ref
from trading.bidding.service import BidService, bidder_ref, project_ref

CEILING = 2_000_000_00  # 分: 200 万元
FLOOR = 500_000_00


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
        out = io.BytesIO()
        seal_bid(out, key or self.offers().public_key(final_round),
                 offer={"total_price": amount, "currency": "CNY"}, documents=[],
                 project=project_ref(self.project), lot=lot or round_ref(final_round),
                 bidder=bidder_ref(bidder.organisation_id), custody="auto", chunk_size=1024)
        return out.getvalue()


def bid_offer(price: int) -> dict:
    return {"total_price": price, "currency": "CNY", "duration_days": 180}




def sign_report(world, *, ranked: bool, prices=None):
    """A signed evaluation report for the world's lot, then the project leaves evaluation."""
    from trading.actor import Actor
    from trading.award.demo import sign_demo_report
    from trading.evaluation.service import EvaluationService

    report = sign_demo_report(world.dbsession, world.clock, world.project, world.lot,
                              ranked=ranked, prices=prices)
    assert EvaluationService(world.dbsession, world.clock).complete_if_done(
        world.project, actor=Actor.system("test"))
    return report
