"""FinalOfferService: the final-offer round (终次报价, rules §1.2–§1.4).

The round is a sealed round (``trading.rounds``: key pair, one sealed offer per party,
receipts, the reveal at the window's end); what is the final offer's is here:
- a round runs only for a 终次报价 project whose bids are opened (status evaluation),
  one per lot; 政府采购 may not average (§1.4, ``check_final_offer_use``);
- eligible: every bidder whose bid opened validly; a signed-up bidder without one may
  join by accepting the floor during the eligibility window (§1.1, profile
  ``final_offer.late_join``);
- floor and ceiling are checked at the reveal (out-of-range offers are then rejected
  with the reason); the winner comes from ``trading.award.rules.final_offer_winner``;
  every lottery (the coefficient K, ties, nobody offering) goes through DrawService.
"""

from decimal import Decimal

import sqlalchemy as sa

from ..actor import Actor
from ..audit.service import record
from ..bidding.service import bidder_ref
from ..draws.models import Draw, DrawStatus
from ..draws.services import DrawService
from ..projects.kinds import ProcurementMethod, Regime
from ..projects.models import Lot, Project, SignUp
from ..projects.status import ProjectStatus
from ..rounds.errors import AlreadySubmitted, NotEligible, WindowClosed
from ..rounds.models import FinalOfferParty, FinalOfferRound, RoundPurpose, RoundState
from ..rounds.service import SYSTEM, SealedRounds, phase
from . import rules
from .errors import AwardRefused, OfferOutOfRange

S = ProjectStatus
SUBJECT = "final_offer_round"
OUTCOME_LABELS = {
    "winner": "已确定竞得入选人", "failed": "终次报价失败（流标）",
    "fallback": "有效终次报价不足，按此前报价排序确定",
}


class FinalOfferService(SealedRounds):
    def __init__(self, dbsession, clock, keys, storage, enqueue=None, settings=None):
        super().__init__(dbsession, clock, keys, storage, enqueue, settings)
        self.draws = DrawService(dbsession, clock, keys)

    @staticmethod
    def params(final_round: FinalOfferRound) -> rules.FinalOfferParams:
        return rules.final_offer_params_from(final_round.params)

    # -- starting a round -----------------------------------------------------------------

    def start(self, project: Project, lot: Lot, *, floor_fen: int | None,
              actor: Actor) -> FinalOfferRound:
        """The trading center opens the round of a lot once its bids are opened.

        The floor defaults to the profile's share of the ceiling; floor ≤ ceiling.
        """
        self._check_startable(project, lot)
        params = rules.final_offer_params_from(project.params)
        try:
            rules.check_final_offer_use(params, regime=Regime(project.regime))
        except rules.RuleError as error:
            raise AwardRefused(f"本项目的规则配置不允许终次报价：{error}") from None
        ceiling = lot.ceiling_price
        if floor_fen is None and ceiling is not None:
            floor_fen = ceiling * int(project.params.get("final_offer.floor_permille", 0)) // 1000
        if floor_fen is not None and ceiling is not None and floor_fen > ceiling:
            raise OfferOutOfRange("底价（最低报价）不能高于最高限价", field="floor")
        eligible = self.valid_bidders(project, lot)
        if not eligible:
            raise AwardRefused("该标段没有有效投标，不能进行终次报价")
        final_round = self.open_round(
            project, lot, purpose=RoundPurpose.FINAL_OFFER,
            eligibility_min=params.eligibility_window_min, window_min=params.window_min,
            floor_fen=floor_fen, actor=actor)
        now = final_round.started_at
        for org_id, price in eligible.items():
            self.db.add(FinalOfferParty(round_id=final_round.id, bidder_org_id=org_id,
                                        basis="valid_bid", previous_fen=price, eligible_at=now,
                                        problem=""))
        if params.coefficient_set:
            final_round.coefficient_draw_id = self._commit_coefficient(project, final_round,
                                                                       params, actor).id
        self.db.flush()
        self.db.refresh(final_round)
        record(self.db, actor, "final_offer.started", "project", project.id, now=now,
               round_id=final_round.id, lot=lot.number, eligible=len(eligible),
               floor=floor_fen, ceiling=ceiling, ends_at=final_round.ends_at.isoformat())
        self._reschedule(project)
        return final_round

    def _check_startable(self, project: Project, lot: Lot) -> None:
        if project.procurement_method is not ProcurementMethod.FINAL_OFFER:
            raise AwardRefused("本项目的采购方式不是终次报价")
        if lot.project_id != project.id:
            raise AwardRefused("标段不属于本项目")
        if project.status is not S.EVALUATION:
            raise AwardRefused("开标完成、进入评审阶段后才能发起终次报价")
        if project.frozen_reason:
            raise AwardRefused(f"项目已被监管冻结：{project.frozen_reason}")
        if self.round_for(lot) is not None:
            raise AwardRefused("该标段已发起过终次报价")

    def _commit_coefficient(self, project, final_round, params, actor):
        """K is committed before any offer exists and revealed after the window (§1.4)."""
        request = rules.coefficient_draw(params)
        draw = self.draws.freeze(
            purpose=f"{project.number} 第{final_round.lot.number}标段 终次报价参考系数K",
            subject_type=SUBJECT, subject_id=final_round.id,
            candidates=[{"id": k} for k in request.candidates], count=1,
            rule="从公布的系数集合中等概率抽取1个系数K，参考价 = 平均值 × K", actor=actor)
        return self.draws.commit(draw, actor=actor)

    # -- eligibility ------------------------------------------------------------------------

    def join(self, project: Project, final_round: FinalOfferRound, *,
             actor: Actor) -> FinalOfferParty:
        """A signed-up bidder without a valid bid accepts the floor and becomes eligible."""
        org_id = self._bidder(actor)
        if not final_round.params.get("final_offer.late_join", False):
            raise NotEligible("本项目的终次报价只接受此前有效投标的投标人")
        if phase(final_round, self.clock()) != "eligibility":
            raise WindowClosed("资格确认期已结束，不能再确认参加")
        if self.party_of(final_round, org_id) is not None:
            raise AlreadySubmitted("贵单位已具备终次报价资格")
        signed_up = sa.select(SignUp.id).where(SignUp.lot_id == final_round.lot_id,
                                               SignUp.bidder_org_id == org_id)
        if self.db.scalar(signed_up) is None:
            raise NotEligible("贵单位未报名该标段，不能参加终次报价")
        now = self.clock()
        party = FinalOfferParty(round_id=final_round.id, bidder_org_id=org_id,
                                basis="accepted_floor", eligible_at=now, problem="")
        final_round.parties.append(party)
        self.db.flush()
        record(self.db, actor, "final_offer.joined", "project", project.id, now=now,
               round_id=final_round.id, org_id=org_id, floor=final_round.floor_fen)
        return party

    # -- the decision ---------------------------------------------------------------------

    def decide(self, projects, project: Project, final_round: FinalOfferRound, *,
               fixed: dict | None, now) -> None:
        """The winner by the final-offer rule (§1.4); a tie or the coefficient drawn by
        the one lottery engine; too few offers fall back on the opened prices."""
        params = self.params(final_round)
        coefficient = self._coefficient(final_round)
        offers = [rules.FinalOffer(bidder_ref(p.bidder_org_id), p.amount_fen,
                                   p.received_at, p.previous_fen)
                  for p in final_round.parties if p.amount_fen is not None]
        eligible = sorted(bidder_ref(p.bidder_org_id) for p in final_round.parties)

        def compute(picks):
            return rules.final_offer_winner(
                offers, params, floor_fen=final_round.floor_fen,
                ceiling_fen=final_round.ceiling_fen, eligible=eligible,
                coefficient=coefficient, draws=picks)

        picks, draws = [], []
        result = compute(picks)
        while result.lottery is not None:  # which equal extreme stays counted, the tie
            picks.append(self._lottery(project, final_round, result.lottery, draws))
            result = compute(picks)
        summary = self._summary(result, coefficient, draws)
        if result.outcome is rules.FinalOfferOutcome.FALLBACK:
            summary.update(self._fallback(project, final_round, draws))
        if fixed is not None:  # the decision names the offers' entries
            summary["log"] = fixed
        final_round.result = summary
        self._move(final_round, RoundState.DECIDED)
        final_round.decided_at = now
        final_round.wrapped_key = None  # used once; the offers are public now
        record(self.db, SYSTEM, "final_offer.decided", "final_offer_round", final_round.id,
               now=now, outcome=summary["outcome"], winner=summary.get("winner"),
               price=summary.get("price_fen"), offers=len(offers))
        if summary["outcome"] == "failed":
            self._fail_if_all_failed(projects, project)
        else:
            self._publicise_when_all_decided(projects, project)

    def _coefficient(self, final_round: FinalOfferRound) -> Decimal | None:
        if final_round.coefficient_draw_id is None:
            return None
        draw = self.db.get(Draw, final_round.coefficient_draw_id)
        if draw.status is not DrawStatus.REVEALED:
            self.draws.reveal(draw, actor=SYSTEM)
        return Decimal(draw.result[0])

    def _lottery(self, project, final_round, request, draws: list) -> list[str]:
        """A rule's TieNeedsLottery, drawn by the one engine; the draw stays public."""
        names = {bidder_ref(p.bidder_org_id): p.bidder.name for p in final_round.parties}
        order = self.draws.break_tie(
            candidates=[{"id": c, "label": names.get(c, c)} for c in request.candidates],
            purpose=f"{project.number} 第{final_round.lot.number}标段 终次报价抽签："
                    f"{request.reason}"[:200],
            subject_type=SUBJECT, subject_id=final_round.id, actor=SYSTEM)
        draws.append(self.draws.draws_for(SUBJECT, final_round.id)[-1].id)
        return order[:request.draw_count]

    @staticmethod
    def _summary(result, coefficient, draws) -> dict:
        return {
            "outcome": str(result.outcome),
            "winner": result.winner_id, "price_fen": result.price_fen,
            "reference": str(result.reference) if result.reference is not None else None,
            "coefficient": str(coefficient) if coefficient is not None else None,
            "counted": list(result.counted), "cannot_win": list(result.cannot_win),
            "rejected": [{"bidder": r.bidder_id, "reason": r.reason} for r in result.rejected],
            "draws": draws,
        }

    def _fallback(self, project, final_round, draws: list) -> dict:
        """Too few final offers: the lowest earlier (opened) price among the eligible."""
        prices = {bidder_ref(p.bidder_org_id): p.previous_fen for p in final_round.parties
                  if p.previous_fen is not None}
        if not prices:
            return {"outcome": "failed"}
        outcome = rules.price_competition(prices, rules.PriceMethod.LOWEST)
        if outcome.lottery is not None:
            outcome = rules.price_competition(
                prices, rules.PriceMethod.LOWEST,
                drawn=self._lottery(project, final_round, outcome.lottery, draws))
        return {"winner": outcome.winner, "price_fen": outcome.price_fen, "fallback": True}

    def _publicise_when_all_decided(self, projects, project: Project) -> None:
        """Every lot decided: its winner is the candidate the publicity shows (§7.8)."""
        decided = [r for r in self.rounds(project) if r.state is RoundState.DECIDED]
        if len(decided) == len(project.lots) and project.status is S.EVALUATION:
            projects.transition(project, S.CANDIDATES_PUBLICISED, actor=SYSTEM,
                                reason="终次报价已揭示，公示竞得入选人")

    def _fail_if_all_failed(self, projects, project: Project) -> None:
        decided = [r for r in self.rounds(project) if r.state is RoundState.DECIDED]
        if len(decided) == len(project.lots) and \
                all(r.result.get("outcome") == "failed" for r in decided):
            projects.transition(project, S.FAILED, actor=SYSTEM,
                                reason="终次报价无有效报价，流标")


def final_offer_service_factory(context, request) -> FinalOfferService:
    return FinalOfferService(request.dbsession, request.clock, request.registry["keys"],
                             request.storage, request.enqueue, request.registry.settings)
