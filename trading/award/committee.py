"""AwardCommitteeService: 评定分离 — the owner's roster, the award committee's draw, the award
method stage by stage, ballots online, the 定标报告 signed by every member (rules §3).

Counting, ties and plans are ``trading.award.rules``; every lottery (the committee draw,
ties after the last revote, 直接抽签, 票决抽签, price ties) goes through DrawService. A
round is counted the moment its last ballot arrives. An unanswered objection suspends
everything here (``AwardService.check_not_suspended``).
"""

import hashlib
import secrets
from dataclasses import asdict
from datetime import datetime, timedelta

import sqlalchemy as sa

from ..accounts.models import Organisation, Role, User
from ..actor import Actor
from ..audit.service import record
from ..draws.services import DrawService
from ..errors import DomainError
from ..evaluation.conflicts import ExpertFacts, Party, conflict_reasons
from ..keys import project_algorithm
from ..projects.kinds import AwardMethod
from ..projects.models import Lot, Project
from ..rounds.errors import NotEligible, WindowClosed
from . import report as report_doc
from . import rules
from .errors import (
    AlreadyLowest,
    AwardRefused,
    BallotRefused,
    BidBelowFloor,
    BidNotBelowCurrent,
    BidOffStep,
    InvalidAwardInput,
    NonCandidateBallot,
)
from .models import (
    AuctionBid,
    AwardAuction,
    AwardCommittee,
    AwardMember,
    Ballot,
    RosterEntry,
    VoteRound,
)
from .service import AwardService, candidate_id

M = rules.DecisionMethod
SYSTEM = Actor.system("award_committee")
K = rules.BallotKind
# The ballot each vote method's rounds take (a revote is a plurality round).
VOTE_KIND = {M.PLURALITY: K.PLURALITY, M.VOTE_THEN_LOTTERY: K.PLURALITY,
             M.CUMULATIVE: K.CUMULATIVE, M.ROUND_ELIMINATION: K.ELIMINATION,
             M.PAIRWISE: K.PAIRWISE, M.COLLECTIVE: K.COLLECTIVE}
PRICE = {M.PRICE_LOWEST: rules.PriceMethod.LOWEST,
         M.PRICE_SECOND_LOWEST: rules.PriceMethod.SECOND_LOWEST,
         M.PRICE_CLOSEST_TO_MEAN: rules.PriceMethod.CLOSEST_TO_MEAN,
         M.PRICE_NTH_LOWEST: rules.PriceMethod.NTH_LOWEST}
METHOD_LABELS = {
    M.DIRECT_LOTTERY: "直接抽签法", M.PLURALITY: "直接票决法（简单多数）",
    M.PAIRWISE: "一对一比较法", M.ROUND_ELIMINATION: "逐轮票决法（逐轮淘汰）",
    M.CUMULATIVE: "累积投票法", M.VOTE_THEN_LOTTERY: "票决抽签法",
    M.PRICE_LOWEST: "最低投标价法", M.PRICE_SECOND_LOWEST: "次低投标价法",
    M.PRICE_CLOSEST_TO_MEAN: "平均值法", M.PRICE_NTH_LOWEST: "第N低价法",
    M.COLLECTIVE: "集体议事法",
}
# A round is shown by the method its ballot belongs to.
BALLOT_LABELS = {K.PLURALITY: METHOD_LABELS[M.PLURALITY],
                 K.CUMULATIVE: METHOD_LABELS[M.CUMULATIVE],
                 K.ELIMINATION: METHOD_LABELS[M.ROUND_ELIMINATION],
                 K.PAIRWISE: METHOD_LABELS[M.PAIRWISE],
                 K.COLLECTIVE: METHOD_LABELS[M.COLLECTIVE]}


def _preferences(member: str, choices: list) -> list:
    return [rules.PairPreference(member, a, b, p) for a, b, p in choices]


def _count_plurality(vote, ballots, members, stage, drawn, params):
    return rules.count_plurality(vote.among, ballots, members=members, seats=vote.seats,
                                 revote_no=vote.revote_no, drawn=drawn, params=params)


def _count_cumulative(vote, ballots, members, stage, drawn, params):
    return rules.count_cumulative(vote.among, ballots, members=members, seats=vote.seats,
                                  revote_no=vote.revote_no, drawn=drawn, params=params)


def _count_elimination(vote, ballots, members, stage, drawn, params):
    return rules.count_elimination_round(
        vote.among, ballots, members=members, target=vote.seats,
        round_no=vote.context.get("round_no", 1), max_rounds=stage.rounds, drawn=drawn,
        params=params)


# Rounds counted from ballots of candidate ids when every member has voted.
COUNTERS = {K.PLURALITY: _count_plurality, K.CUMULATIVE: _count_cumulative,
            K.ELIMINATION: _count_elimination}


def _check_pairwise(vote, member: str, choices: list, reason: str) -> None:
    rules.count_pairwise(vote.among, _preferences(member, choices), members=[member])


def _check_collective(vote, member: str, choices: list, reason: str) -> None:
    rules.collective_decision(
        vote.among, [rules.Opinion(member, (choices or [""])[0], reason)],
        members=[member], chair_id=member, chair_choice=vote.among[0])


# The other rounds check one ballot with their own rule (their close is their own too:
# pairwise counts every pair, collective waits for the chair).
BALLOT_CHECKS = {K.PAIRWISE: _check_pairwise, K.COLLECTIVE: _check_collective}


class AlreadyVoted(AwardRefused):
    code = "already_voted"


class RoundClosed(AwardRefused):
    code = "round_closed"


def _chair_refusal(requested, heads, conflicted) -> DomainError:
    """Why no chair could be seated, in the words of the roster page."""
    if requested and requested not in heads:
        return InvalidAwardInput("主任委员须是成员库中标明的法定代表人或主要负责人",
                                 field="chair_entry_id")
    if requested:
        return AwardRefused("指定的主任委员与定标候选人存在利益冲突，须回避："
                            + "；".join(conflicted[requested]))
    if sum(h not in conflicted for h in heads) > 1:
        return InvalidAwardInput("成员库中有多名可任主任委员的成员，请指定主任委员",
                                 field="chair_entry_id")
    return AwardRefused("成员库中没有可任主任委员（法定代表人或主要负责人）且无利益冲突的成员")


def _refusal(error: rules.RuleError) -> DomainError:
    if isinstance(error, rules.NotACandidate):
        return NonCandidateBallot(f"选票中含有非定标候选人：{error}", field="choices")
    if isinstance(error, rules.DuplicateBallot):
        return AlreadyVoted("本轮已投票，不能重复投票")
    return BallotRefused(f"选票无效：{error}", field="choices")


def award_params(project: Project) -> rules.AwardParams:
    p = project.params
    return rules.AwardParams(
        n_candidates=int(p.get("award.n_candidates", 3)),
        revote_max_before_lottery=int(p.get("award.revote_max_before_lottery", 2)),
        committee_min_size=int(p.get("award.committee_min_size", 5)),
        roster_factor_min=int(p.get("award.roster_factor_min", 2)),
        ballot_names=str(p.get("award.ballot_names", "named")))


def auction_params(project: Project) -> rules.AuctionParams:
    p = project.params
    return rules.AuctionParams(
        idle_minutes=int(p.get("award.auction_idle_min", 5)),
        max_minutes=int(p.get("award.auction_max_min", 60)),
        floor_permille=int(p.get("award.auction_floor_permille", 800)))


def _auction_refusal(error: rules.RuleError, auction) -> DomainError:
    """A refused auction bid in the bidder's words (the amounts in yuan)."""
    from ..forms import format_yuan

    current = auction.bids[-1].amount_fen if auction.bids else auction.start_fen
    if isinstance(error, rules.NotACandidate):
        return NotEligible("只有本标段的定标候选人可以参加降价竞价")
    if isinstance(error, rules.AuctionClosed):
        return WindowClosed("降价竞价已结束，不能再报价")
    if isinstance(error, rules.AlreadyLowestBid):
        return AlreadyLowest("您的报价已是当前最低价，不能重复报价")
    if isinstance(error, rules.NotBelowCurrent):
        return BidNotBelowCurrent(f"报价须低于当前最低价 {format_yuan(current)} 元",
                                  field="amount")
    if isinstance(error, rules.OffStepGrid):
        return BidOffStep(f"报价须为当前最低价 {format_yuan(current)} 元减去降幅 "
                          f"{format_yuan(auction.step_fen)} 元的整数倍", field="amount")
    if isinstance(error, rules.BelowFloor):
        return BidBelowFloor(f"报价不得低于最低限价 {format_yuan(auction.floor_fen)} 元",
                             field="amount")
    return InvalidAwardInput(f"报价无效：{error}", field="amount")


def member_pseudonym(salt: str, user_id: int) -> str:
    """The roster member's name in the public draw record; the salt is published with
    the report, so anyone can then match the draw to the members."""
    return hashlib.sha256(f"{salt}:U{user_id}".encode()).hexdigest()[:16]


def entry_ties(entry: RosterEntry) -> ExpertFacts:
    """A roster member's ties in the shape the evaluators' conflict checks read."""
    return ExpertFacts(expert_id=entry.user_id, status="active", specialties=(), region="",
                       employers=tuple(entry.employers or ()),
                       shareholdings=tuple(entry.shareholdings or ()),
                       relatives=tuple(entry.relatives or ()))


def stage_from(values: dict | None) -> rules.AwardStage | None:
    if not values:
        return None
    try:
        fields = {k: values[k] for k in ("draw_count", "n", "rounds", "finalists",
                                         "descending_auction", "step_fen")
                  if values.get(k) is not None}
        return rules.AwardStage(method=M(values["method"]), **fields)
    except (KeyError, ValueError, TypeError):
        raise InvalidAwardInput("定标方法无效", field="method") from None


class AwardCommitteeService:
    def __init__(self, dbsession, clock, keys, storage=None, enqueue=None):
        self.db = dbsession
        self.clock = clock
        self.keys = keys
        self.draws = DrawService(dbsession, clock, keys)
        self.awards = AwardService(dbsession, clock, keys, storage, enqueue)

    # -- the roster -----------------------------------------------------------------------

    def roster(self, owner_org_id: int) -> list[RosterEntry]:
        return list(self.db.scalars(sa.select(RosterEntry).where(
            RosterEntry.owner_org_id == owner_org_id).order_by(RosterEntry.id)))

    def add_to_roster(self, owner_org_id: int, *, username: str, title: str, actor: Actor,
                      may_chair: bool = False, employers=(), shareholdings=(),
                      relatives=()) -> RosterEntry:
        """Only the owner's own staff may be on its roster (and so on its committees).

        The ties (employers with dates, shareholdings, relatives) are what the draw checks
        against the candidates; `may_chair` marks the legal representative or head."""
        user = self.db.scalar(sa.select(User).where(User.username == (username or "").strip()))
        if user is None or user.role is not Role.OWNER or user.organisation_id != owner_org_id \
                or not user.is_active:
            raise InvalidAwardInput("成员须是本单位的有效账户（用户名）", field="username")
        if any(e.user_id == user.id for e in self.roster(owner_org_id)):
            raise AwardRefused("该成员已在定标委员会成员库中")
        entry = RosterEntry(owner_org_id=owner_org_id, user_id=user.id,
                            title=(title or "").strip()[:100], may_chair=bool(may_chair),
                            employers=list(employers), shareholdings=list(shareholdings),
                            relatives=list(relatives), added_at=self.clock())
        self.db.add(entry)
        self.db.flush()
        record(self.db, actor, "award.roster_added", "organisation", owner_org_id,
               now=entry.added_at, user_id=user.id, may_chair=entry.may_chair)
        return entry

    def remove_from_roster(self, entry: RosterEntry, *, actor: Actor) -> None:
        self.db.delete(entry)
        record(self.db, actor, "award.roster_removed", "organisation", entry.owner_org_id,
               now=self.clock(), user_id=entry.user_id)

    # -- forming the committee --------------------------------------------------------------

    def committee_for(self, lot: Lot) -> AwardCommittee | None:
        return self.db.scalar(sa.select(AwardCommittee).where(AwardCommittee.lot_id == lot.id))

    def form(self, project: Project, lot: Lot, *, size: int, stage1: dict,
             stage2: dict | None, actor: Actor, chair_entry_id: int | None = None
             ) -> AwardCommittee:
        """Draw the committee from the roster and start the award method's first stage.

        Every roster member tied to a candidate withdraws (回避, the evaluators' checks);
        the chair is the legal representative or head marked on the roster, the other
        ``size - 1`` seats are drawn from the remaining eligible members.
        """
        if project.award_method is not AwardMethod.SEPARATED:
            raise AwardRefused("本项目不是评定分离项目")
        self.awards.check_publicity_over(project)
        if self.committee_for(lot) is not None:
            raise AwardRefused("该标段的定标委员会已组建")
        candidates = self.awards.candidates_of(project, lot)
        cands = [candidate_id(c["org_id"]) for c in candidates]
        try:
            params = award_params(project)
        except rules.RuleError as error:
            raise AwardRefused(f"规则参数无效：{error}") from None
        first, second = stage_from(stage1), stage_from(stage2)
        if first is None:
            raise InvalidAwardInput("请选择定标方法", field="method")
        roster = self.roster(project.owner_org_id)
        salt = secrets.token_hex(32)
        excluded = self._exclusions(roster, candidates, salt)
        chair = self._chair(roster, excluded, chair_entry_id)
        pool = [e for e in roster if e.user_id not in excluded and e.id != chair.id]
        try:
            rules.check_award_plan(first, second, n_candidates=len(cands), params=params)
            rules.check_award_committee(size, len(pool) + 1, params)
            for stage in (s for s in (first, second) if s and s.descending_auction):
                rules.check_decrement_step(stage.step_fen, {
                    candidate_id(c["org_id"]): c["price_fen"] for c in candidates})
                auction_params(project)
        except rules.RuleError as error:
            raise AwardRefused(f"定标方案不符合规则：{error}") from None
        draw_id, drawn = self._draw_members(project, lot, pool, size - 1, salt,
                                            len(excluded), actor)
        committee = AwardCommittee(
            project_id=project.id, lot_id=lot.id, draw_id=draw_id, chair_user_id=chair.user_id,
            plan={"stage1": asdict(first), "stage2": asdict(second) if second else None,
                  "ballots": params.ballot_names},
            pseudonym_salt=salt,
            excluded=[{"pseudonym": member_pseudonym(salt, user_id), "user_id": user_id,
                       "reasons": list(reasons)} for user_id, reasons in excluded.items()],
            stage=1, entrants=sorted(cands), ranking=[], steps=[], created_at=self.clock())
        self.db.add(committee)
        self.db.flush()
        for position, user_id in enumerate([chair.user_id, *drawn], start=1):
            self.db.add(AwardMember(committee_id=committee.id, user_id=user_id,
                                    position=position))
        self.db.flush()
        self.db.refresh(committee)
        record(self.db, actor, "award.committee_formed", "project", project.id,
               now=committee.created_at, lot=lot.number, size=size, draw_id=committee.draw_id,
               plan=committee.plan, excluded=len(excluded))
        from ..db import registry_of
        from .events import AwardCommitteeFormed

        registry_of(self.db).notify(AwardCommitteeFormed(
            self, project, lot, committee, [chair.user_id, *drawn]))
        self._run_stage(project, committee)
        return committee

    def _exclusions(self, roster, candidates, salt) -> dict[int, tuple[str, ...]]:
        """回避: user id -> the member's ties with the lot's candidates (rules §3.2, §4.3)."""
        parties = [Party("bidder", c["name"], self._credit_code(c["org_id"]))
                   for c in candidates]
        today = self.clock().date()
        found = {}
        for entry in roster:
            reasons = conflict_reasons(entry_ties(entry), parties, today)
            if reasons:
                found[entry.user_id] = reasons
        return found

    def _credit_code(self, org_id: int) -> str:
        org = self.db.get(Organisation, org_id)
        return (org.credit_code or "") if org else ""

    @staticmethod
    def _chair(roster, excluded, chair_entry_id) -> RosterEntry:
        heads = [f"R{e.id}" for e in roster if e.may_chair]
        conflicted = {f"R{e.id}": excluded[e.user_id] for e in roster if e.user_id in excluded}
        requested = f"R{chair_entry_id}" if chair_entry_id else None
        try:
            chosen = rules.award_chair(heads, conflicted, requested)
        except rules.RuleError:
            raise _chair_refusal(requested, heads, conflicted) from None
        return next(e for e in roster if f"R{e.id}" == chosen)

    def _draw_members(self, project, lot, pool, count, salt, excluded, actor
                      ) -> tuple[int, list[int]]:
        """Names stay secret until the award: the public list carries pseudonyms only."""
        by_pseudonym = {member_pseudonym(salt, e.user_id): e.user_id for e in pool}
        note = f"；另有{excluded}人因与定标候选人存在利益冲突回避" if excluded else ""
        draw = self.draws.freeze(
            purpose=f"{project.number} 第{lot.number}标段 定标委员会随机抽取",
            subject_type="award_committee", subject_id=f"{project.id}-{lot.id}",
            candidates=[{"id": p} for p in sorted(by_pseudonym)], count=count,
            rule=("主任委员由招标人法定代表人或主要负责人担任，其余成员从定标委员会成员库中"
                  f"等概率随机抽取{count}名；成员以化名列示，定标后随定标报告公布化名盐值"
                  f"{note}"), actor=actor)
        self.draws.commit(draw, actor=actor)
        self.draws.reveal(draw, actor=actor)
        return draw.id, [by_pseudonym[p] for p in draw.result]

    # -- the method, stage by stage -------------------------------------------------------------

    @staticmethod
    def current_stage(committee: AwardCommittee) -> tuple[rules.AwardStage, bool]:
        key = "stage1" if committee.stage == 1 else "stage2"
        final = committee.stage == 2 or committee.plan.get("stage2") is None
        return stage_from(committee.plan[key]), final

    def _run_stage(self, project: Project, committee: AwardCommittee) -> None:
        stage, final = self.current_stage(committee)
        entrants = list(committee.entrants)
        if stage.method is M.DIRECT_LOTTERY:
            count = stage.draw_count
            first = rules.direct_lottery(entrants, draw_count=count, second_stage=not final)
            drawn, draw_id = self._lottery(project, committee, first.lottery)
            done = rules.direct_lottery(entrants, draw_count=count, second_stage=not final,
                                        drawn=drawn)
            return self._stage_done(project, committee, list(done.selected),
                                    {"method": str(stage.method), "draws": [draw_id]})
        if stage.method in PRICE:
            return self._price_stage(project, committee, stage, final, entrants)
        seats = 1 if final and stage.method is not M.VOTE_THEN_LOTTERY else (
            stage.finalists or rules.DEFAULT_AWARD.finalists_default)
        self._open_round(committee, VOTE_KIND[stage.method], entrants, seats,
                         context={"round_no": 1})

    def _price_stage(self, project, committee, stage, final, entrants) -> None:
        prices = {candidate_id(c["org_id"]): c["price_fen"]
                  for c in self.awards.candidates_of(project, committee.lot)
                  if candidate_id(c["org_id"]) in entrants}
        step = {"method": str(stage.method), "prices": prices, "draws": []}
        if not final:  # 第N低价 before a second stage: the N lowest go on
            outcome = rules.lowest_n(prices, stage.n or 3)
            if outcome.lottery is not None:
                drawn, draw_id = self._lottery(project, committee, outcome.lottery)
                step["draws"].append(draw_id)
                outcome = rules.lowest_n(prices, stage.n or 3, drawn=drawn)
            return self._stage_done(project, committee, list(outcome.selected), step)
        if stage.descending_auction:  # the candidates bid their prices down first
            self._open_auction(project, committee, stage, prices)
            return None
        return self._price_decision(project, committee, stage, prices, step)

    def _price_decision(self, project, committee, stage, prices, step) -> None:
        """The stage's price method over the prices (opened, or after the auction)."""
        outcome = rules.price_competition(prices, PRICE[stage.method], n=stage.n)
        if outcome.lottery is not None:
            drawn, draw_id = self._lottery(project, committee, outcome.lottery)
            step["draws"].append(draw_id)
            outcome = rules.price_competition(prices, PRICE[stage.method], n=stage.n,
                                              drawn=drawn)
        step["reference"] = str(outcome.reference) if outcome.reference is not None else None
        ranked = sorted(prices, key=lambda c: (c != outcome.winner, prices[c], c))
        return self._stage_done(project, committee, [outcome.winner], step, ranking=ranked)

    def _open_round(self, committee, kind, among, seats, *, revote_no=0, context=None):
        number = len(committee.rounds) + 1
        vote = VoteRound(committee_id=committee.id, kind=str(K(kind)), stage=committee.stage,
                         number=number, among=sorted(among), seats=seats, revote_no=revote_no,
                         context=context or {}, opened_at=self.clock(), outcome={})
        committee.rounds.append(vote)
        self.db.flush()
        return vote

    def _stage_done(self, project, committee, selected, step, *, ranking=None) -> None:
        stage, final = self.current_stage(committee)
        if final and stage.method is M.VOTE_THEN_LOTTERY and len(selected) > 1:
            finals = rules.finalists_lottery(selected)
            drawn, draw_id = self._lottery(project, committee, finals.lottery)
            step = {**step, "finalists": selected, "draws": [*step.get("draws", []), draw_id]}
            ranking = list(drawn) + [c for c in (ranking or selected) if c not in drawn]
            selected = list(rules.finalists_lottery(selected, drawn=drawn).selected)
        committee.steps = [*committee.steps, {**step, "stage": committee.stage,
                                              "selected": selected}]
        if not final:
            committee.stage, committee.entrants = 2, sorted(selected)
            self.db.flush()
            return self._run_stage(project, committee)
        rest = [c for c in (ranking or []) if c not in selected]
        others = sorted(c for c in self._all_candidates(project, committee)
                        if c not in selected and c not in rest)
        committee.winner = selected[0]
        committee.ranking = [selected[0], *rest, *others]
        committee.decided_at = self.clock()
        record(self.db, SYSTEM, "award.committee_decided", "project", project.id,
               now=committee.decided_at, lot=committee.lot.number, winner=committee.winner)

    def _all_candidates(self, project, committee) -> list[str]:
        return [candidate_id(c["org_id"]) for c in self.awards.candidates_of(project,
                                                                             committee.lot)]

    def _lottery(self, project, committee, request) -> tuple[list[str], int]:
        names = {candidate_id(c["org_id"]): c["name"]
                 for c in self.awards.candidates_of(project, committee.lot)}
        order = self.draws.break_tie(
            candidates=[{"id": c, "label": names.get(c, c)} for c in request.candidates],
            purpose=f"{project.number} 第{committee.lot.number}标段 定标抽签："
                    f"{request.reason}"[:200],
            subject_type="award_committee", subject_id=f"{project.id}-{committee.lot_id}",
            actor=SYSTEM)
        draw = self.draws.draws_for("award_committee", f"{project.id}-{committee.lot_id}")[-1]
        return order[:request.draw_count], draw.id

    # -- 降价竞价: the descending auction of a price stage -------------------------------------

    def auction_for(self, committee: AwardCommittee) -> AwardAuction | None:
        return self.db.scalar(sa.select(AwardAuction).where(
            AwardAuction.committee_id == committee.id))

    def _open_auction(self, project, committee, stage, prices) -> AwardAuction:
        """The candidates bid their prices down online; the chronograph closes it."""
        try:
            state = rules.open_auction(prices, stage.step_fen, self.clock(),
                                       auction_params(project))
        except rules.RuleError as error:
            raise AwardRefused(f"降价竞价无法开始：{error}") from None
        auction = AwardAuction(
            committee_id=committee.id, project_id=project.id, lot_id=committee.lot_id,
            stage=committee.stage, candidates=list(state.candidates), opened_prices=prices,
            step_fen=state.step_fen, start_fen=state.start_fen, floor_fen=state.floor_fen,
            idle_minutes=int(state.idle.total_seconds() // 60), opened_at=state.opened_at,
            hard_end_at=state.hard_end, ends_at=state.ends_at)
        self.db.add(auction)
        self.db.flush()
        record(self.db, SYSTEM, "award.auction_opened", "project", project.id,
               now=auction.opened_at, lot=committee.lot.number, auction_id=auction.id,
               start_fen=auction.start_fen, step_fen=auction.step_fen,
               floor_fen=auction.floor_fen, ends_at=auction.ends_at.isoformat())
        self.awards.reschedule(project)
        return auction

    @staticmethod
    def auction_state(auction: AwardAuction) -> rules.Auction:
        return rules.Auction(
            candidates=tuple(auction.candidates), start_fen=auction.start_fen,
            step_fen=auction.step_fen, floor_fen=auction.floor_fen,
            opened_at=auction.opened_at, hard_end=auction.hard_end_at,
            idle=timedelta(minutes=auction.idle_minutes),
            bids=tuple(rules.AuctionBid(candidate_id(b.org_id), b.amount_fen, b.placed_at)
                       for b in auction.bids))

    def bid(self, project: Project, auction: AwardAuction, *, amount_fen: int,
            actor: Actor) -> AuctionBid:
        """A candidate's lower price; the deadline is the service's, not the job's."""
        self.awards.check_not_suspended(project)
        if auction.closed_at is not None:
            raise WindowClosed("降价竞价已结束，不能再报价")
        if actor.role != str(Role.BIDDER) or not actor.organisation_id:
            raise NotEligible("只有定标候选人可以参加降价竞价")
        now = self.clock()
        try:
            state = rules.place_bid(self.auction_state(auction),
                                    candidate_id(actor.organisation_id), amount_fen, now)
        except rules.RuleError as error:
            raise _auction_refusal(error, auction) from None
        bid = AuctionBid(auction_id=auction.id, org_id=actor.organisation_id,
                         amount_fen=amount_fen, placed_at=now, placed_by_id=actor.user_id)
        auction.bids.append(bid)
        auction.ends_at = state.ends_at
        self.db.flush()
        record(self.db, actor, "award.auction_bid", "project", project.id, now=now,
               auction_id=auction.id, amount_fen=amount_fen,
               ends_at=auction.ends_at.isoformat())
        self.awards.reschedule(project)
        return bid

    def close_due_auctions(self, project: Project) -> datetime | None:
        """ProjectDue (award.auction_due): close every auction whose time is up; the next
        end still open."""
        now, later = self.clock(), []
        for auction in self.db.scalars(sa.select(AwardAuction).where(
                AwardAuction.project_id == project.id, AwardAuction.closed_at.is_(None))):
            if rules.auction_is_over(self.auction_state(auction), now):
                self._close_auction(project, auction)
            else:
                later.append(auction.ends_at)
        return min(later) if later else None

    def open_auction_ends(self, project: Project) -> datetime | None:
        """ProjectScheduling (award.auction_next): the earliest end of an open auction."""
        return self.db.scalar(sa.select(sa.func.min(AwardAuction.ends_at)).where(
            AwardAuction.project_id == project.id, AwardAuction.closed_at.is_(None)))

    def _close_auction(self, project: Project, auction: AwardAuction) -> None:
        committee = auction.committee
        stage, _final = self.current_stage(committee)
        auction.closed_at = self.clock()
        prices = rules.auction_prices(self.auction_state(auction), auction.opened_prices)
        record(self.db, SYSTEM, "award.auction_closed", "project", project.id,
               now=auction.closed_at, auction_id=auction.id, bids=len(auction.bids),
               lowest_fen=min(prices.values()))
        step = {"method": str(stage.method), "prices": prices, "draws": [],
                "auction": {"id": auction.id, "start_fen": auction.start_fen,
                            "step_fen": auction.step_fen, "floor_fen": auction.floor_fen,
                            "bids": [{"candidate": candidate_id(b.org_id),
                                      "amount_fen": b.amount_fen,
                                      "at": b.placed_at.isoformat()} for b in auction.bids]}}
        self._price_decision(project, committee, stage, prices, step)

    # -- ballots --------------------------------------------------------------------------------

    def open_round(self, committee: AwardCommittee) -> VoteRound | None:
        return next((r for r in committee.rounds if r.closed_at is None), None)

    def member_of(self, committee: AwardCommittee, user_id: int | None) -> AwardMember | None:
        return next((m for m in committee.members if m.user_id == user_id), None)

    def cast(self, project: Project, committee: AwardCommittee, vote: VoteRound, *,
             choices: list, reason: str = "", actor: Actor) -> Ballot:
        """A member's ballot in an open round; the last ballot counts the round."""
        self.awards.check_not_suspended(project)
        if self.member_of(committee, actor.user_id) is None:
            raise NotEligible("您不是本标段定标委员会成员")
        if vote.committee_id != committee.id or vote.closed_at is not None:
            raise RoundClosed("本轮投票已结束，不能再投票")
        if any(b.user_id == actor.user_id for b in vote.ballots):
            raise AlreadyVoted("本轮已投票，不能重复投票")
        choices = self._check_ballot(vote, actor.user_id, choices, reason)
        ballot = Ballot(round_id=vote.id, user_id=actor.user_id, choices=choices,
                        reason=(reason or "").strip()[:2000], cast_at=self.clock())
        vote.ballots.append(ballot)
        self.db.flush()
        record(self.db, actor, "award.ballot_cast", "project", project.id, now=ballot.cast_at,
               round_id=vote.id)
        if len(vote.ballots) == len(committee.members) and vote.kind != K.COLLECTIVE:
            self._close(project, committee, vote)
        return ballot

    def _check_ballot(self, vote: VoteRound, user_id: int, choices, reason: str) -> list:
        """Validate one ballot with the same rule that will count the round."""
        if not isinstance(choices, list):
            raise BallotRefused("选票格式无效", field="choices")
        member, kind = str(user_id), K(vote.kind)
        try:
            if kind in COUNTERS:
                self._count(vote, [rules.MemberBallot(member, tuple(choices))], [member])
            else:
                BALLOT_CHECKS[kind](vote, member, choices, reason)
        except rules.RuleError as error:
            raise _refusal(error) from None
        except (TypeError, ValueError):
            raise BallotRefused("选票格式无效", field="choices") from None
        return choices

    def _count(self, vote: VoteRound, ballots, members, drawn=None):
        committee = vote.committee
        stage, _final = self.current_stage(committee)
        params = award_params(self.db.get(Project, committee.project_id))
        return COUNTERS[K(vote.kind)](vote, ballots, members, stage, drawn, params)

    def _close(self, project: Project, committee: AwardCommittee, vote: VoteRound) -> None:
        members = [str(m.user_id) for m in committee.members]
        vote.closed_at = self.clock()
        if vote.kind == K.PAIRWISE:
            return self._close_pairwise(project, committee, vote, members)
        ballots = [rules.MemberBallot(str(b.user_id), tuple(b.choices)) for b in vote.ballots]
        outcome, draws = self._count(vote, ballots, members), []
        if outcome.lottery is not None:
            drawn, draw_id = self._lottery(project, committee, outcome.lottery)
            draws.append(draw_id)
            outcome = self._count(vote, ballots, members, drawn=drawn)
        vote.outcome = {"tally": [list(t) for t in outcome.tally], "invalid": outcome.invalid,
                        "draws": draws}
        if vote.kind == K.ELIMINATION:
            return self._after_elimination(project, committee, vote, outcome)
        carry = list(vote.context.get("carry", []))
        if outcome.revote is not None:
            vote.outcome["revote"] = list(outcome.revote.among)
            return self._revote(committee, vote, outcome, carry)
        selected = carry + list(outcome.selected)
        vote.outcome["selected"] = selected
        if vote.context.get("elimination_safe") is not None:  # an elimination tie revoted
            return self._elimination_step(project, committee, vote.context, selected)
        self._stage_done(project, committee, selected,
                         {"method": str(self.current_stage(committee)[0].method),
                          "rounds": [r.id for r in committee.rounds if r.stage == vote.stage]},
                         ranking=[c for c, _ in self._first_tally(committee, vote.stage)])

    def _revote(self, committee, vote, outcome, carry) -> None:
        context = {**vote.context, "carry": carry + list(outcome.selected)}
        self._open_round(committee, K.PLURALITY if vote.kind == K.ELIMINATION else vote.kind,
                         outcome.revote.among, outcome.revote.seats,
                         revote_no=outcome.revote.revote_no, context=context)

    def _first_tally(self, committee, stage_no) -> list:
        first = next(r for r in committee.rounds if r.stage == stage_no)
        return first.outcome.get("tally", [])

    def _after_elimination(self, project, committee, vote, outcome) -> None:
        vote.outcome.update(eliminated=list(outcome.eliminated),
                            remaining=list(outcome.remaining), next=str(outcome.next))
        if outcome.next is rules.ElimNext.REVOTE:
            safe = [c for c in outcome.remaining if c not in outcome.revote.among]
            context = {"round_no": vote.context.get("round_no", 1), "elimination_safe": safe,
                       "target": vote.seats, "carry": []}
            self._open_round(committee, K.PLURALITY, outcome.revote.among, outcome.revote.seats,
                             revote_no=outcome.revote.revote_no, context=context)
            return
        context = {"round_no": vote.context.get("round_no", 1), "target": vote.seats}
        self._elimination_step(project, committee, context, list(outcome.remaining),
                               final_plurality=outcome.next is rules.ElimNext.FINAL_PLURALITY)

    def _elimination_step(self, project, committee, context, remaining, *,
                          final_plurality=False) -> None:
        if context.get("elimination_safe") is not None:
            remaining = sorted(context["elimination_safe"] + remaining)
        target = context["target"]
        if len(remaining) == target:
            return self._stage_done(project, committee, remaining,
                                    {"method": str(M.ROUND_ELIMINATION)}, ranking=remaining)
        if final_plurality:
            self._open_round(committee, K.PLURALITY, remaining, target, context={"carry": []})
            return
        self._open_round(committee, K.ELIMINATION, remaining, target,
                         context={"round_no": context["round_no"] + 1})

    def _close_pairwise(self, project, committee, vote, members) -> None:
        """One winner in the last stage; as a first stage the `seats` finalists go on."""
        prefs = [p for b in vote.ballots for p in _preferences(str(b.user_id), b.choices)]

        def count(drawn=None):
            if vote.seats > 1:
                return rules.count_pairwise_finalists(vote.among, prefs, members=members,
                                                      seats=vote.seats, drawn=drawn)
            return rules.count_pairwise(vote.among, prefs, members=members, drawn=drawn)

        outcome, draws = count(), []
        if outcome.lottery is not None:
            drawn, draw_id = self._lottery(project, committee, outcome.lottery)
            draws.append(draw_id)
            outcome = count(drawn)
        selected = list(outcome.selected) if vote.seats > 1 else [outcome.winner]
        vote.outcome = {"wins": [list(w) for w in outcome.wins], "draws": draws,
                        "pairs": [asdict(p) for p in outcome.pairs], "selected": selected}
        self._stage_done(project, committee, selected,
                         {"method": str(M.PAIRWISE), "rounds": [vote.id]},
                         ranking=[c for c, _ in outcome.wins])

    def chair_decide(self, project: Project, committee: AwardCommittee, *, choice: str,
                     actor: Actor) -> AwardCommittee:
        """集体议事法: every member's opinion is recorded, then the chair decides."""
        self.awards.check_not_suspended(project)
        vote = self.open_round(committee)
        if vote is None or vote.kind != K.COLLECTIVE:
            raise AwardRefused("当前没有待主任委员决定的集体议事")
        if actor.user_id != committee.chair_user_id:
            raise NotEligible("只有主任委员可以作出决定")
        opinions = [rules.Opinion(str(b.user_id), b.choices[0], b.reason) for b in vote.ballots]
        try:
            decision = rules.collective_decision(
                vote.among, opinions, members=[str(m.user_id) for m in committee.members],
                chair_id=str(actor.user_id), chair_choice=choice)
        except rules.RuleError as error:
            if isinstance(error, rules.MissingBallot):
                raise AwardRefused(f"尚有成员未发表意见：{error}") from None
            raise _refusal(error) from None
        vote.closed_at = self.clock()
        vote.outcome = {"chair_choice": decision.winner}
        self._stage_done(project, committee, [decision.winner],
                         {"method": str(M.COLLECTIVE), "rounds": [vote.id]})
        return committee

    # -- the report -----------------------------------------------------------------------------

    def report(self, project: Project, committee: AwardCommittee) -> dict:
        """定标报告: method, members (with the draw's pseudonyms and salt), withdrawals for
        conflicts, every round with its ballots (named or anonymous per the plan), draws
        and the result."""
        names = {candidate_id(c["org_id"]): c["name"]
                 for c in self.awards.candidates_of(project, committee.lot)}
        salt = committee.pseudonym_salt
        return {
            "project": project.number, "lot": committee.lot.number, "plan": committee.plan,
            "members": [{"name": m.user.display_name, "position": m.position,
                         "chair": m.user_id == committee.chair_user_id, "user_id": m.user_id,
                         "pseudonym": member_pseudonym(salt, m.user_id) if salt else None,
                         "signed_at": m.signed_at.isoformat() if m.signed_at else None}
                        for m in committee.members],
            "member_draw": committee.draw_id, "pseudonym_salt": salt,
            "excluded": [{"pseudonym": x["pseudonym"], "reasons": x["reasons"]}
                         for x in committee.excluded or []],
            "candidates": names,
            "rounds": [{"number": r.number, "stage": r.stage, "kind": r.kind, "among": r.among,
                        "seats": r.seats, "revote_no": r.revote_no, "outcome": r.outcome,
                        "ballots": self._ballots(committee, r)} for r in committee.rounds],
            "steps": committee.steps, "winner": committee.winner, "ranking": committee.ranking,
        }

    @staticmethod
    def _ballots(committee: AwardCommittee, vote: VoteRound) -> list[dict]:
        """§3.2: named or anonymous per profile. Anonymous ballots carry no member and are
        listed in a fixed order, so their order cannot tell who cast which. Collective
        deliberation always names its opinions: the chair decides on the record (§3.3 h)."""
        if committee.plan.get("ballots") != "anonymous" or vote.kind == K.COLLECTIVE:
            return [{"member": b.user.display_name, "choices": b.choices, "reason": b.reason}
                    for b in vote.ballots]
        ballots = [{"choices": b.choices, "reason": b.reason} for b in vote.ballots]
        return sorted(ballots, key=lambda b: (repr(b["choices"]), b["reason"]))

    def sign(self, project: Project, committee: AwardCommittee, *, actor: Actor) -> AwardMember:
        """Each member signs the decided report; the last signature fixes the body, its
        digest and the platform's Ed25519 signature over it (published with the award)."""
        member = self.member_of(committee, actor.user_id)
        if member is None:
            raise NotEligible("您不是本标段定标委员会成员")
        if committee.winner is None:
            raise AwardRefused("定标尚未完成，不能签署定标报告")
        if member.signed_at is not None:
            raise AwardRefused("您已签署定标报告")
        member.signed_at = self.clock()
        if all(m.signed_at for m in committee.members):
            body = self.report(project, committee)
            committee.report_body = body
            committee.report_sha256 = report_doc.digest(body)
            committee.report_signature = self.keys.sign(
                report_doc.signing_message(committee.report_sha256),
                project_algorithm(project)).hex()
        record(self.db, actor, "award.report_signed", "project", project.id,
               now=member.signed_at, lot=committee.lot.number,
               complete=committee.report_sha256 is not None,
               report_sha256=committee.report_sha256)
        if committee.report_sha256 is not None:
            self.awards.wake(project)  # the award may follow at the next sweep
        return member

    def signed_report(self, committee: AwardCommittee) -> dict | None:
        """The published document (``trading award verify`` checks it offline)."""
        if committee.report_signature is None:
            return None
        project = self.db.get(Project, committee.project_id)
        return report_doc.document(committee.report_body, committee.report_signature,
                                   self.keys.public_key_for(project_algorithm(project)))


def committee_service_factory(context, request) -> AwardCommitteeService:
    return AwardCommitteeService(request.dbsession, request.clock, request.registry["keys"],
                            request.storage, request.enqueue)
