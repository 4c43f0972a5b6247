"""竞争性磋商 (财库〔2014〕214号, rules §2.2–§2.4): the panel's rounds after the opening,
the sealed final quotes, and which responses the panel (磋商小组) scores at which price.

- the panel meets each supplier separately, round after round; a session's minutes are
  recorded against that supplier only (and shown to it alone);
- a change to the requirements is broadcast to every supplier still in (in writing);
- a supplier may withdraw until the final quote starts;
- the final quote (最后报价) is a sealed round (``trading.rounds``, like the final
  offer) — one bid_crypto envelope per remaining supplier, receipts, opened all at once
  when the window ends — started only if at least `consult.min_final_suppliers` (3; 2
  under the exception flagged in the project's `consult.exception`) remain;
- the final quotes replace the opening prices (§2.2: the final quote is part of the
  response file) and §2.4 scores them: 综合评分法, 磋商基准价 = the lowest valid final
  quote, never an average. The panel scores only after the reveal, and only the
  suppliers still in whose final quote counts (``rules.screen_final_quotes``: not
  withdrawn, a readable quote, within the budget/ceiling); the same guard is applied to
  them after the reveal and again to the qualified ones before the report;
- too few suppliers is a refusal (``TooFewSuppliers``, nothing changes): what remains
  is ``terminate`` (磋商终止, Art 34), a step the center takes with its reason.
"""

from dataclasses import dataclass

import sqlalchemy as sa

from ..actor import Actor
from ..audit.service import record
from ..bidding.models import OpeningLine
from ..bidding.service import bidder_ref
from ..projects.kinds import ProcurementMethod
from ..projects.models import Lot, Project
from ..projects.service import ProjectService
from ..projects.status import ProjectStatus
from ..rounds.errors import NotEligible
from ..rounds.models import FinalOfferParty, FinalOfferRound, RoundPurpose, RoundState
from ..rounds.service import SYSTEM, SealedRounds, round_state
from . import rules
from .errors import (
    ConsultationInvalid,
    ConsultationRefused,
    EvaluationConflict,
    SupplierWithdrawn,
    TooFewSuppliers,
)
from .models import ConsultationNote, ConsultationRound, ConsultationWithdrawal

S = ProjectStatus


# -- what other domains read (the evaluation scores the final quotes) --------------------


def withdrawn_orgs(db, lot: Lot) -> set[int]:
    return set(db.scalars(sa.select(ConsultationWithdrawal.org_id).where(
        ConsultationWithdrawal.lot_id == lot.id)))


@dataclass(frozen=True)
class FinalQuotes:
    """The lot's sealed final-quote round: revealed or not, and each party's amount
    (None: no quote, or an envelope that could not be opened)."""

    round_id: int
    revealed: bool
    amounts: dict[int, int | None]


def final_quotes(db, lot: Lot) -> FinalQuotes | None:
    found = db.scalar(sa.select(FinalOfferRound).where(
        FinalOfferRound.lot_id == lot.id,
        FinalOfferRound.purpose == RoundPurpose.FINAL_QUOTE.value))
    if found is None:
        return None
    revealed = found.state is RoundState.DECIDED
    return FinalQuotes(found.id, revealed, {
        p.bidder_org_id: (p.amount_fen if revealed and not p.problem else None)
        for p in found.parties})


def exception_of(project: Project) -> rules.ConsultationException | None:
    """The flagged exception (214号 Art 3(4), 财库〔2015〕124号) allowing 2 suppliers."""
    value = project.params.get("consult.exception")
    return rules.ConsultationException(value) if value else None


def guard(project: Project, count: int) -> rules.GuardResult:
    params = rules.ConsultationParams(
        min_final_suppliers=int(project.params.get("consult.min_final_suppliers", 3)))
    return rules.consultation_guard(count, exception=exception_of(project), params=params)


def check_guard(project: Project, count: int, *, what: str) -> rules.GuardResult:
    """Refuse (nothing changed) when fewer than the minimum remain: terminate instead."""
    result = guard(project, count)
    if not result.proceed:
        raise TooFewSuppliers(
            f"{what}不足{result.minimum}家（现{result.count}家），不能继续；"
            "请终止磋商（财库〔2014〕214号第34条）", field="suppliers")
    return result


def screen(db, project: Project, lot: Lot, quotes: FinalQuotes) -> rules.QuoteScreen:
    """Which final quotes count: §2.2 through ``rules.screen_final_quotes``."""
    return rules.screen_final_quotes(
        {str(org): amount for org, amount in quotes.amounts.items()},
        withdrawn=[str(org) for org in withdrawn_orgs(db, lot) if org in quotes.amounts],
        ceiling_fen=lot.ceiling_price or lot.budget)


# -- the evaluation's scope: the lines scored and their prices ---------------------------


def is_consultation(project: Project) -> bool:
    return project.procurement_method is ProcurementMethod.COMPETITIVE_CONSULTATION


@dataclass(frozen=True)
class Scope:
    """The lines the committee scores and each one's price for the price score."""

    lines: list[OpeningLine]
    prices: dict[int, int]  # bid id -> price (分): the final quote in 磋商
    revealed: bool = True  # 磋商: the final quotes are open (always True otherwise)
    excluded: dict[int, str] | None = None  # bid id -> why its final quote does not count


def scope(db, project: Project, lot: Lot, lines: list[OpeningLine]) -> Scope:
    """The valid opening lines, narrowed and re-priced by the final quotes in 磋商."""
    if not is_consultation(project):
        return Scope(lines, {line.bid_id: line.total_price for line in lines})
    quotes = final_quotes(db, lot)
    if quotes is None or not quotes.revealed:
        gone = withdrawn_orgs(db, lot)
        return Scope([line for line in lines if line.bid.bidder_org_id not in gone], {},
                     revealed=False)
    screened = screen(db, project, lot, quotes)
    kept, excluded = [], {}
    for line in lines:
        key = str(line.bid.bidder_org_id)
        if key in screened.valid:
            kept.append(line)
        else:
            excluded[line.bid_id] = str(screened.excluded.get(key, "withdrawn"))
    return Scope(kept, {line.bid_id: screened.valid[str(line.bid.bidder_org_id)]
                        for line in kept}, excluded=excluded)


def require_revealed(found: Scope) -> None:
    if not found.revealed:
        raise EvaluationConflict("最后报价尚未揭示：磋商小组在最后报价揭示后对最终响应评分",
                                 field="final_quotes")


def check_qualified(project: Project, qualified: int) -> None:
    """Before the report: enough qualified suppliers remain (214号 Art 34), else refuse."""
    if is_consultation(project):
        check_guard(project, qualified, what="通过评审的供应商")


# -- the panel's steps and the sealed final quotes ---------------------------------------


class FinalQuoteRounds(SealedRounds):
    """The 磋商 final quotes (最后报价) as a sealed round: no eligibility phase (the
    suppliers still in are known), revealed and published, then scored (§2.4)."""

    def start(self, project: Project, lot: Lot, *, org_ids, minutes: int,
              actor: Actor) -> FinalOfferRound:
        """The final quotes of the suppliers still in: sealed, one each, revealed together
        at the end of the window (rules §2.2). The guard on the number of suppliers is
        ConsultationService's."""
        if self.round_for(lot) is not None:
            raise ConsultationRefused("该标段已开始最后报价")
        final_round = self.open_round(project, lot, purpose=RoundPurpose.FINAL_QUOTE,
                                      eligibility_min=0, window_min=minutes, floor_fen=None,
                                      actor=actor)
        now = final_round.started_at
        prices = self.valid_bidders(project, lot)
        for org_id in org_ids:
            self.db.add(FinalOfferParty(round_id=final_round.id, bidder_org_id=org_id,
                                        basis="supplier", previous_fen=prices.get(org_id),
                                        eligible_at=now, problem=""))
        self.db.flush()
        self.db.refresh(final_round)
        record(self.db, actor, "final_quote.started", "project", project.id, now=now,
               round_id=final_round.id, lot=lot.number, suppliers=len(org_ids),
               ends_at=final_round.ends_at.isoformat())
        self._reschedule(project)
        return final_round

    def decide(self, projects, project: Project, final_round: FinalOfferRound, *,
               fixed: dict | None, now) -> None:
        """Opened at once and published with which quotes count and whether enough remain
        (§2.2); the evaluation's scoring follows (§2.4)."""
        self._move(final_round, RoundState.DECIDED)
        final_round.decided_at = now
        final_round.wrapped_key = None
        screened = screen(self.db, project, final_round.lot,
                          final_quotes(self.db, final_round.lot))
        enough = guard(project, len(screened.valid))
        final_round.result = {
            "outcome": "revealed",
            "quotes": [{"bidder": bidder_ref(p.bidder_org_id), "amount_fen": p.amount_fen,
                        "problem": p.problem,
                        "excluded": str(screened.excluded.get(str(p.bidder_org_id), ""))}
                       for p in final_round.parties],
            "valid": len(screened.valid), "minimum": enough.minimum,
            "proceed": enough.proceed}
        record(self.db, SYSTEM, "final_quote.revealed", "final_offer_round", final_round.id,
               now=now, quotes=sum(p.amount_fen is not None for p in final_round.parties),
               valid=len(screened.valid), proceed=enough.proceed)
        if fixed is not None:
            final_round.result = {**final_round.result, "log": fixed}


class ConsultationService:
    def __init__(self, dbsession, clock, keys, storage=None, enqueue=None, settings=None):
        self.db = dbsession
        self.clock = clock
        self.storage = storage
        self.enqueue = enqueue
        self.keys = keys
        self.sealed = FinalQuoteRounds(dbsession, clock, keys, storage, enqueue, settings)

    def _check(self, project: Project, lot: Lot) -> None:
        if project.procurement_method is not ProcurementMethod.COMPETITIVE_CONSULTATION:
            raise ConsultationRefused("本项目的采购方式不是竞争性磋商")
        if project.status is not S.EVALUATION or lot.project_id != project.id:
            raise ConsultationRefused("开标完成、进入评审阶段后才能磋商")
        if self.sealed.round_for(lot) is not None:
            raise ConsultationRefused("最后报价已开始，磋商轮次已结束")

    # -- reading ------------------------------------------------------------------------

    def rounds(self, lot: Lot) -> list[ConsultationRound]:
        return list(self.db.scalars(sa.select(ConsultationRound).where(
            ConsultationRound.lot_id == lot.id).order_by(ConsultationRound.number)))

    def withdrawn(self, lot: Lot) -> set[int]:
        return withdrawn_orgs(self.db, lot)

    def final_quotes(self, lot: Lot) -> FinalQuotes | None:
        return final_quotes(self.db, lot)

    def active_suppliers(self, project: Project, lot: Lot) -> list[int]:
        """Suppliers whose response opened validly and who have not withdrawn."""
        gone = self.withdrawn(lot)
        return [org for org in self.sealed.valid_bidders(project, lot) if org not in gone]

    # -- the panel's steps ------------------------------------------------------------------

    def open_round(self, project: Project, lot: Lot, *, actor: Actor) -> ConsultationRound:
        self._check(project, lot)
        rounds = self.rounds(lot)
        if rounds and rounds[-1].closed_at is None:
            raise ConsultationRefused("上一轮磋商尚未结束")
        now = self.clock()
        new = ConsultationRound(project_id=project.id, lot_id=lot.id,
                                number=len(rounds) + 1, opened_at=now)
        self.db.add(new)
        self.db.flush()
        record(self.db, actor, "consultation.round_opened", "project", project.id, now=now,
               lot=lot.number, number=new.number)
        return new

    def _open_round(self, project, lot) -> ConsultationRound:
        self._check(project, lot)
        rounds = self.rounds(lot)
        if not rounds or rounds[-1].closed_at is not None:
            raise ConsultationRefused("当前没有进行中的磋商轮次")
        return rounds[-1]

    def _note(self, project, lot, kind, org_id, text, actor) -> ConsultationNote:
        current = self._open_round(project, lot)
        text = (text or "").strip()
        if not 2 <= len(text) <= 5000:
            raise ConsultationInvalid("记录内容应为2至5000个字符", field="text")
        note = ConsultationNote(kind=kind, org_id=org_id, text=text, at=self.clock(),
                                by_id=actor.user_id)
        current.notes.append(note)
        self.db.flush()
        record(self.db, actor, f"consultation.{kind}_recorded", "project", project.id,
               now=note.at, lot=lot.number, round=current.number, org_id=org_id)
        return note

    def record_session(self, project: Project, lot: Lot, *, org_id: int, text: str,
                       actor: Actor) -> ConsultationNote:
        """Minutes of the panel's separate session with one supplier still in."""
        if org_id not in self.active_suppliers(project, lot):
            raise NotEligible("该供应商不在磋商之列（未有效响应或已退出）")
        return self._note(project, lot, "session", org_id, text, actor)

    def broadcast_change(self, project: Project, lot: Lot, *, text: str,
                         actor: Actor) -> ConsultationNote:
        """A change to the requirements, notified in writing to every remaining supplier."""
        return self._note(project, lot, "change", None, text, actor)

    def close_round(self, project: Project, lot: Lot, *, actor: Actor) -> ConsultationRound:
        current = self._open_round(project, lot)
        current.closed_at = self.clock()
        record(self.db, actor, "consultation.round_closed", "project", project.id,
               now=current.closed_at, lot=lot.number, number=current.number)
        return current

    def withdraw(self, project: Project, lot: Lot, *, reason: str,
                 actor: Actor) -> ConsultationWithdrawal:
        """A supplier quits before the final quote."""
        self._check(project, lot)
        if actor.organisation_id not in self.active_suppliers(project, lot):
            raise NotEligible("贵单位不在本标段磋商之列")
        row = ConsultationWithdrawal(project_id=project.id, lot_id=lot.id,
                                     org_id=actor.organisation_id,
                                     reason=(reason or "").strip()[:500], at=self.clock())
        self.db.add(row)
        self.db.flush()
        record(self.db, actor, "consultation.withdrawn", "project", project.id, now=row.at,
               lot=lot.number)
        return row

    def start_final_quotes(self, project: Project, lot: Lot, *, actor: Actor):
        """The guard (profile ``consult.min_final_suppliers``, the project's flagged
        ``consult.exception``), then the sealed final-quote round of the suppliers in."""
        self._check(project, lot)
        rounds = self.rounds(lot)
        if rounds and rounds[-1].closed_at is None:
            raise ConsultationRefused("请先结束当前磋商轮次")
        active = self.active_suppliers(project, lot)
        check_guard(project, len(active), what="参加磋商的供应商")
        minutes = int(project.params.get("consult.final_quote_minutes", 30))
        return self.sealed.start(project, lot, org_ids=active, minutes=minutes, actor=actor)

    def reveal(self, project: Project, lot: Lot, *, actor: Actor) -> FinalOfferRound:
        """The reveal by hand once the window has ended (the center's button, for a worker
        that is down or behind): the sealed round's own ``reveal_now``. Never early."""
        final_round = self._quote_round(project, lot)
        self.sealed.reveal_now(project, final_round, actor=actor)
        return final_round

    def terminate(self, project: Project, *, reason: str, actor: Actor) -> Project:
        """磋商终止 (214号 Art 34): too few suppliers, the method no longer fits, or an
        illegality affecting fairness; the project fails and may be procured again."""
        if project.procurement_method is not ProcurementMethod.COMPETITIVE_CONSULTATION:
            raise ConsultationRefused("本项目的采购方式不是竞争性磋商")
        if project.status is not S.EVALUATION:
            raise ConsultationRefused("只有评审阶段的磋商可以终止")
        reason = (reason or "").strip()
        if not 2 <= len(reason) <= 500:
            raise ConsultationInvalid("请填写终止理由（2至500个字符）", field="reason")
        ProjectService(self.db, self.clock, self.storage, self.enqueue, self.keys).transition(
            project, S.FAILED, actor=actor, reason=f"磋商终止：{reason}")
        return project

    # -- the suppliers' final quotes ------------------------------------------------------

    def _quote_round(self, project: Project, lot: Lot) -> FinalOfferRound:
        found = self.sealed.round_for(lot)
        if project.procurement_method is not ProcurementMethod.COMPETITIVE_CONSULTATION \
                or found is None or found.project_id != project.id:
            raise ConsultationRefused("该标段尚未开始最后报价")
        return found

    def _still_in(self, lot: Lot, actor: Actor) -> None:
        if actor.organisation_id in self.withdrawn(lot):
            raise SupplierWithdrawn("贵单位已退出磋商，不能提交最后报价")

    def submit_envelope(self, project: Project, lot: Lot, *, stream, actor: Actor):
        """A final quote sealed on the supplier's side (in the page, the offline sealing page
        or the CLI) with the round's public key; the server never receives an amount."""
        final_round = self._quote_round(project, lot)
        self._still_in(lot, actor)
        return self.sealed.submit_envelope(project, final_round, stream=stream, actor=actor)


def consultation_service_factory(context, request) -> ConsultationService:
    return ConsultationService(request.dbsession, request.clock, request.registry["keys"],
                               request.storage, request.enqueue, request.registry.settings)


# -- what the pages and the API show -------------------------------------------------------


def _notes(rounds, *, staff: bool, org_id: int | None) -> list[dict]:
    """Changes are for everyone in; a session's minutes for the panel and that supplier."""
    return [{"number": r.number, "opened_at": r.opened_at.isoformat(),
             "closed_at": r.closed_at.isoformat() if r.closed_at else None,
             "notes": [{"kind": n.kind, "org_id": n.org_id, "text": n.text,
                        "at": n.at.isoformat()}
                       for n in r.notes if n.kind == "change" or staff or n.org_id == org_id]}
            for r in rounds]


def _scores(db, clock, lot: Lot) -> list[dict]:
    """The signed report's ranked candidates (public once every member has signed)."""
    from .service import EvaluationService

    return [{"bidder_org_id": c.bidder_org_id, "name": c.bidder.name, "rank": c.rank,
             "final_quote_fen": c.price, "price_score": str(c.price_score),
             "total_score": str(c.total_score)}
            for c in EvaluationService(db, clock).candidates(lot)]


def consultation_state(service: ConsultationService, project: Project, *, staff: bool,
                       org_id: int | None) -> dict:
    """Per lot: suppliers in and out, rounds and what the viewer may read of them, the
    sealed final-quote round (amounts once revealed), whether enough count, the scores."""
    lots = []
    for lot in project.lots:
        active, gone = service.active_suppliers(project, lot), service.withdrawn(lot)
        quotes = service.sealed.round_for(lot)
        state = round_state(service.sealed, project, quotes, org_id=org_id) if quotes else None
        lots.append({
            "lot_id": lot.id, "lot": lot.number, "lot_name": lot.name,
            "suppliers": active, "withdrawn": sorted(gone),
            "rounds": _notes(service.rounds(lot), staff=staff, org_id=org_id),
            "final_quotes": state,
            "guard": ({k: quotes.result.get(k) for k in ("valid", "minimum", "proceed")}
                      if state and state["phase"] == "decided" else None),
            "scores": _scores(service.db, service.clock, lot),
            "mine": None if org_id is None else {
                "in": org_id in active, "withdrawn": org_id in gone,
                "quote": state["mine"] if state else None}})
    return {"project_id": project.id, "status": str(project.status), "lots": lots}
