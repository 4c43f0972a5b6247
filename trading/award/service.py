"""AwardService: candidate publicity, objections, the award, notices, declines, contract.

Rules enforced here (rules §7.6, §7.8, §7.10):
- when a project reaches `candidates_publicised` its candidates (the signed evaluation
  report's, or a final-offer round's winner) are published for
  `publicity.candidates_days_min` days (实施条例 Art 54);
- a bidder of the project may object (异议) only during the publicity; the owner answers
  within `objection.answer_days`; while an objection is unanswered the process is
  suspended: no award committee, ballot or award;
- the award needs the publicity over: rank 1 (ranked report), the round's winner (终次报价)
  or the award committee's decision (评定分离); a result announcement and notices to the
  winner (中标通知书) and every other candidate (结果通知书) follow;
- a winner that declines is replaced by the next in order; with nobody left the project
  fails and may be re-tendered (实施条例 Art 55, 87号令 Art 68);
- the signed contract moves the project to `contracted` (the archive job then runs).
"""

from datetime import datetime, timedelta

import sqlalchemy as sa

from ..accounts.models import Organisation, Role
from ..actor import Actor
from ..audit.service import record
from ..bidding.models import Bid
from ..errors import DeadlinePassed
from ..forms import format_yuan
from ..projects.kinds import AwardMethod, ProcurementMethod
from ..projects.models import Lot, Project
from ..projects.service import ProjectService
from ..projects.status import ProjectStatus
from ..rounds.errors import NotEligible
from ..rounds.models import FinalOfferRound, RoundState
from . import rules
from .errors import AwardRefused, InvalidAwardInput
from .models import (
    Award,
    AwardCommittee,
    AwardNotice,
    Objection,
    Publicity,
)

S = ProjectStatus
SYSTEM = Actor.system("award")
MIN_TEXT, MAX_TEXT = 5, 5000


class ObjectionClosed(DeadlinePassed):
    code = "objection_closed"


class Suspended(AwardRefused):
    code = "suspended_by_objection"


def candidate_id(org_id: int) -> str:
    """The id a candidate has in ballots, draws and rules: the bidder's envelope id."""
    return f"B{org_id}"


def org_of(candidate: str) -> int:
    return int(candidate[1:])


class AwardService:
    def __init__(self, dbsession, clock, keys=None, storage=None, enqueue=None):
        self.db = dbsession
        self.clock = clock
        self.keys = keys
        self.storage = storage
        self.enqueue = enqueue

    def _projects(self) -> ProjectService:
        return ProjectService(self.db, self.clock, self.storage, self.enqueue, self.keys)

    # -- candidates and publicity ------------------------------------------------------------

    def gather_candidates(self, project: Project) -> tuple[str, list[dict]]:
        """(source, candidates): a final-offer round's winner, or the signed report's."""
        if project.procurement_method is ProcurementMethod.FINAL_OFFER:
            return "final_offer", self._final_offer_candidates(project)
        from ..evaluation.service import EvaluationService

        evaluation = EvaluationService(self.db, self.clock, self.keys)
        found = []
        for lot in project.lots:
            for c in evaluation.candidates(lot):
                found.append({"lot_id": lot.id, "org_id": c.bidder_org_id,
                              "name": c.bidder.name, "rank": c.rank, "price_fen": c.price,
                              "score": str(c.total_score)})
        return "evaluation", found

    def _final_offer_candidates(self, project: Project) -> list[dict]:
        rounds = self.db.scalars(sa.select(FinalOfferRound).where(
            FinalOfferRound.project_id == project.id,
            FinalOfferRound.state == RoundState.DECIDED).order_by(FinalOfferRound.lot_id))
        found = []
        for final_round in rounds:
            winner = final_round.result.get("winner")
            if winner:
                org = self.db.get(Organisation, org_of(winner))
                found.append({"lot_id": final_round.lot_id, "org_id": org.id,
                              "name": org.name, "rank": 1,
                              "price_fen": final_round.result["price_fen"], "score": None})
        return found

    def publicity(self, project: Project) -> Publicity | None:
        """The current publicity (a new one supersedes it after a re-evaluation)."""
        return self.db.scalar(sa.select(Publicity).where(
            Publicity.project_id == project.id, Publicity.superseded_at.is_(None))
            .order_by(Publicity.id.desc()).limit(1))

    def start_publicity(self, project: Project, *, actor: Actor = SYSTEM) -> Publicity | None:
        """中标候选人公示: frozen candidates, the announcement, the period. Idempotent."""
        source, candidates = self.gather_candidates(project)
        if not candidates:
            return None  # nothing to publish (e.g. an imported project with no report)
        current = self.publicity(project)
        if current is not None and current.candidates == candidates:
            return current
        now = self.clock()
        if current is not None:
            current.superseded_at = now
        days = int(project.params.get("publicity.candidates_days_min", 3))
        word = "定标候选人" if project.award_method is AwardMethod.SEPARATED else "中标候选人"
        notice = self._projects().announce(
            project, "candidates", f"{project.name}{word}公示",
            self._candidates_body(project, candidates, word, now + timedelta(days=days)),
            actor=actor)
        publicity = Publicity(project_id=project.id, source=source, candidates=candidates,
                              started_at=now, ends_at=now + timedelta(days=days),
                              announcement_id=notice.id,
                              log_inputs=self._fix_inputs(project, candidates, now))
        self.db.add(publicity)
        self.db.flush()
        record(self.db, actor, "award.publicity_started", "project", project.id, now=now,
               publicity_id=publicity.id, candidates=len(candidates), days=days)
        # The chronograph wakes the project when the publicity ends (see `advance`).
        self._projects().reschedule(project)
        return publicity

    def _fix_inputs(self, project: Project, candidates: list[dict], now) -> dict | None:
        """The inputs are fixed: sign the log's checkpoint and name, per lot, each
        candidate's input entry; refuse candidates that are not the logged inputs, or
        whose figures differ from them (issue #17 pt 4)."""
        from ..audit import logset
        from ..db import registry_of
        from .inputs import facts, inputs_key, member

        fixed = {}
        for lot in project.lots:
            key = inputs_key(lot.id)
            if not logset.exists(self.db, key):
                continue
            sealed = logset.seal(self.db, self.keys, registry_of(self.db).settings, key,
                                 now=now)
            of_lot = {member(c["org_id"]): c for c in candidates if c["lot_id"] == lot.id}
            logged = {e.member: e.event.data for e in logset.entries(self.db, key, sealed.size)}
            wrong = sorted(set(of_lot) ^ set(sealed.members)) + sorted(
                i for i, c in of_lot.items() if i in sealed.members and any(
                    logged[i].get(k) != v for k, v in
                    facts(c["rank"], c["price_fen"], c["score"]).items()))
            if wrong:
                raise AwardRefused(f"第{lot.number}标段的中标候选人与审计日志记录的评标结果不符："
                                   + "、".join(wrong))
            fixed[str(lot.id)] = {"set": key, **sealed.as_record()}
        return fixed or None

    def inputs_doc(self, project: Project, lot: Lot) -> dict | None:
        """The award's inputs for one lot, with their proof against the log (check with
        python -m bid_crypto verify-set); None when they were not logged."""
        from ..audit import logset
        from ..db import registry_of
        from .inputs import facts, member

        publicity = self.publicity(project)
        fixed = (publicity.log_inputs or {}).get(str(lot.id)) if publicity else None
        if fixed is None:
            return None
        inputs = [{"id": member(c["org_id"]), "name": c["name"],
                   **facts(c["rank"], c["price_fen"], c["score"])}
                  for c in self.candidates_of(project, lot)]
        return {"project": project.number, "lot": lot.number,
                "publicity_started_at": publicity.started_at.isoformat(),
                "inputs": inputs,
                "log": logset.doc(self.db, self.keys, registry_of(self.db).settings,
                                  fixed["set"], fixed)}

    @staticmethod
    def _candidates_body(project, candidates, word, ends_at) -> str:
        from ..i18n import localtime

        lines = []
        for lot in project.lots:
            of_lot = [c for c in candidates if c["lot_id"] == lot.id]
            if of_lot:
                lines.append(f"第{lot.number}标段 {lot.name}：")
            for c in of_lot:
                rank = f"第{c['rank']}名 " if c["rank"] else ""
                lines.append(f"  {rank}{c['name']}，投标报价 {format_yuan(c['price_fen'])} 元")
        lines.append(f"公示期至 {localtime(ends_at)}（北京时间）。对公示结果有异议的投标人或"
                     "其他利害关系人可在公示期内通过平台提出。")
        return f"{word}如下：\n" + "\n".join(lines)

    def candidates_of(self, project: Project, lot: Lot) -> list[dict]:
        publicity = self.publicity(project)
        if publicity is None:
            return []
        return [c for c in publicity.candidates if c["lot_id"] == lot.id]

    # -- objections ---------------------------------------------------------------------------

    def pending_objections(self, project: Project) -> list[Objection]:
        return list(self.db.scalars(sa.select(Objection).where(
            Objection.project_id == project.id, Objection.answered_at.is_(None))
            .order_by(Objection.id)))

    def check_not_suspended(self, project: Project) -> None:
        """An unanswered objection suspends the process (实施条例 Art 54)."""
        if self.pending_objections(project):
            raise Suspended("有异议尚未答复，定标程序暂停；招标人答复后方可继续")

    def raise_objection(self, project: Project, *, text: str, actor: Actor) -> Objection:
        """异议 during the publicity, by a bidder that bid in the project."""
        publicity = self.publicity(project)
        if publicity is None or project.status is not S.CANDIDATES_PUBLICISED:
            raise AwardRefused("本项目当前没有候选人公示")
        now = self.clock()
        if now >= publicity.ends_at:
            raise ObjectionClosed("公示期已结束，不能再提出异议")
        if actor.role != str(Role.BIDDER) or not self._bid_in(project, actor.organisation_id):
            raise NotEligible("只有参加本项目投标的投标人可以提出异议")
        text = (text or "").strip()
        if not MIN_TEXT <= len(text) <= MAX_TEXT:
            raise InvalidAwardInput(f"异议内容应为{MIN_TEXT}至{MAX_TEXT}个字符", field="text")
        days = int(project.params.get("objection.answer_days", 3))
        objection = Objection(publicity=publicity, project_id=project.id,
                              org_id=actor.organisation_id, raised_by_id=actor.user_id,
                              text=text, raised_at=now, answer_due_at=now + timedelta(days=days))
        self.db.add(objection)
        self.db.flush()
        record(self.db, actor, "award.objection_raised", "project", project.id, now=now,
               objection_id=objection.id)
        self._projects().reschedule(project)  # suspended: the clock waits for the answer
        return objection

    def _bid_in(self, project: Project, org_id: int | None) -> bool:
        return bool(org_id) and self.db.scalar(sa.select(Bid.id).where(
            Bid.project_id == project.id, Bid.bidder_org_id == org_id).limit(1)) is not None

    def answer_objection(self, objection: Objection, *, answer: str,
                         actor: Actor) -> Objection:
        """The owner's written answer; it lifts the suspension once none is left."""
        if objection.answered_at is not None:
            raise AwardRefused("该异议已答复")
        answer = (answer or "").strip()
        if not MIN_TEXT <= len(answer) <= MAX_TEXT:
            raise InvalidAwardInput(f"答复内容应为{MIN_TEXT}至{MAX_TEXT}个字符", field="answer")
        now = self.clock()
        objection.answer, objection.answered_at = answer, now
        objection.answered_by_id = actor.user_id
        record(self.db, actor, "award.objection_answered", "project", objection.project_id,
               now=now, objection_id=objection.id, late=now > objection.answer_due_at)
        project = self.db.get(Project, objection.project_id)
        if not self.pending_objections(project):
            self.wake(project)  # the suspension is lifted: the sweep takes the next step
        return objection

    def check_publicity_over(self, project: Project) -> Publicity:
        publicity = self.publicity(project)
        if project.status is not S.CANDIDATES_PUBLICISED or publicity is None:
            raise AwardRefused("项目不在候选人公示阶段")
        if self.clock() < publicity.ends_at:
            raise AwardRefused("候选人公示期尚未结束")
        self.check_not_suspended(project)
        return publicity

    # -- the end of the publicity drives the award (chronograph) ------------------------------

    def reschedule(self, project: Project) -> None:
        """A new instant the chronograph must wake the project at (an auction's end)."""
        self._projects().reschedule(project)

    def wake(self, project: Project) -> None:
        """Something the award waited for has happened: due at the next sweep."""
        self._projects().due_now(project)

    def ready(self, project: Project) -> bool:
        """Whether the award can follow by itself: publicity over, no objection waiting,
        and (评定分离) every lot's committee decided and its report signed."""
        publicity = self.publicity(project)
        if project.status is not S.CANDIDATES_PUBLICISED or publicity is None:
            return False
        if self.clock() < publicity.ends_at or self.pending_objections(project):
            return False
        if project.award_method is not AwardMethod.SEPARATED:
            return True
        lots = [lot for lot in project.lots if self.candidates_of(project, lot)]
        committees = {c.lot_id: c for c in self.db.scalars(sa.select(AwardCommittee).where(
            AwardCommittee.project_id == project.id))}
        return all(lot.id in committees and committees[lot.id].report_sha256 for lot in lots)

    def next_instant(self, project: Project) -> datetime | None:
        """ProjectScheduling (award.publicity_next): the publicity's end, while nothing else
        holds the award back. An answered objection or a finished committee wakes the
        project itself."""
        publicity = self.publicity(project)
        if project.status is not S.CANDIDATES_PUBLICISED or publicity is None \
                or self.pending_objections(project):
            return None
        if self.clock() < publicity.ends_at or self.ready(project):
            return publicity.ends_at
        return None

    def advance(self, project: Project) -> None:
        """ProjectDue (award.publicity_due): the end of the 中标候选人公示 moves on to the
        result (rules §7.8): 定标, 中标结果公告, notices — once. Early, twice or while
        suspended: nothing."""
        if self.ready(project):
            self.decide(project, actor=SYSTEM)

    # -- the award ------------------------------------------------------------------------------

    def awards(self, project: Project) -> list[Award]:
        return list(self.db.scalars(sa.select(Award).where(Award.project_id == project.id)
                                    .order_by(Award.lot_id)))

    def notices_for(self, project: Project, org_id: int | None) -> list[AwardNotice]:
        if not org_id:
            return []
        return list(self.db.scalars(sa.select(AwardNotice).join(Award).where(
            Award.project_id == project.id, AwardNotice.org_id == org_id)
            .order_by(AwardNotice.id)))

    def decide(self, project: Project, *, actor: Actor) -> list[Award]:
        """定标: after the publicity, per the award method; then result and notices."""
        self.check_publicity_over(project)
        decided = []
        lots = [lot for lot in project.lots if self.candidates_of(project, lot)]
        for lot in lots:
            order, method = self._order(project, lot)
            decided.append(self._award(project, lot, order, method, actor))
        self._projects().transition(project, S.AWARDED, actor=actor, reason="定标完成")
        self._result_announcement(project, decided, actor, "中标结果公告")
        return decided

    def _order(self, project: Project, lot: Lot) -> tuple[list[int], str]:
        candidates = self.candidates_of(project, lot)
        if project.award_method is AwardMethod.SEPARATED:
            committee = self.db.scalar(sa.select(AwardCommittee).where(
                AwardCommittee.lot_id == lot.id))
            if committee is None or committee.winner is None or committee.report_sha256 is None:
                raise AwardRefused(f"第{lot.number}标段的定标委员会尚未完成定标并签署定标报告")
            return [org_of(c) for c in committee.ranking], "committee"
        method = "final_offer" if project.procurement_method is ProcurementMethod.FINAL_OFFER \
            else "rank_one"
        ranked = sorted(candidates, key=lambda c: (c["rank"] is None, c["rank"] or 0))
        return [c["org_id"] for c in ranked], method

    def _award(self, project, lot, order, method, actor) -> Award:
        now = self.clock()
        award = Award(project_id=project.id, lot_id=lot.id, winner_org_id=order[0],
                      price_fen=self._price(project, lot, order[0]), method=method,
                      order=order, declined=[], decided_at=now, decided_by_id=actor.user_id)
        self.db.add(award)
        self.db.flush()
        self._notices(project, award)
        record(self.db, actor, "award.decided", "project", project.id, now=now, lot=lot.number,
               winner=order[0], method=method)
        return award

    def _price(self, project, lot, org_id) -> int | None:
        """The candidate's price: its opened one, or what a 降价竞价 brought it down to."""
        committee = self.db.scalar(sa.select(AwardCommittee).where(
            AwardCommittee.lot_id == lot.id))
        auctioned = next((s["prices"] for s in reversed(committee.steps) if s.get("auction")),
                         {}) if committee is not None else {}
        if candidate_id(org_id) in auctioned:
            return auctioned[candidate_id(org_id)]
        return next((c["price_fen"] for c in self.candidates_of(project, lot)
                     if c["org_id"] == org_id), None)

    def _notices(self, project: Project, award: Award) -> None:
        """中标通知书 to the winner, 结果通知书 to every other candidate still in; a loser
        is told its own score and rank and nothing about anyone else (87号令 Art 69)."""
        now, lot = self.clock(), award.lot
        for candidate in self.candidates_of(project, lot):
            org_id = candidate["org_id"]
            won = org_id == award.winner_org_id
            if any(d["org_id"] == org_id for d in award.declined):
                continue
            body = (f"{candidate['name']}：经评审和定标，贵单位为{project.name}第{lot.number}标段"
                    f"（{lot.name}）中标人，中标价 {format_yuan(award.price_fen)} 元。请自本通知书"
                    "发出之日起30日内与招标人签订书面合同。" if won else
                    f"{candidate['name']}：{project.name}第{lot.number}标段（{lot.name}）已确定中标人，"
                    f"贵单位未中标。{self._standing_words(project, award, candidate)}感谢参与。")
            self.db.add(AwardNotice(award_id=award.id, org_id=org_id,
                                    kind="award" if won else "result", body=body,
                                    issued_at=now))
        if not award.declined:  # the others were told at the award; a decline changes nothing
            for other in self._other_bidders(project, lot):
                standing = self._standing_words(project, award, other)
                self.db.add(AwardNotice(
                    award_id=award.id, org_id=other["org_id"], kind="result", issued_at=now,
                    body=f"{other['name']}：{project.name}第{lot.number}标段（{lot.name}）"
                         f"已确定中标人，贵单位未中标。{standing}感谢参与。"))
        self.db.flush()

    def _other_bidders(self, project: Project, lot: Lot) -> list[dict]:
        """Evaluated bidders that were not candidates, with their own total and rank from
        the signed evaluation report (a bid that failed review has neither)."""
        if project.procurement_method is ProcurementMethod.FINAL_OFFER:
            return self._other_parties(project, lot)
        from ..evaluation.service import EvaluationService

        report = EvaluationService(self.db, self.clock).report_for(lot)
        body = report.body if report is not None else {}
        named = {c["org_id"] for c in self.candidates_of(project, lot)}
        rank_of = {r["bid_id"]: r["rank"] for r in body.get("ranking", [])}
        others = []
        for bid in body.get("bids", []):
            if bid["bidder_org_id"] in named:
                continue
            others.append({"org_id": bid["bidder_org_id"], "name": bid["bidder"],
                           "score": bid.get("total"), "rank": rank_of.get(bid["bid_id"]),
                           "failed": not bid.get("conformity", {}).get("passed", True)})
        return others

    def _other_parties(self, project: Project, lot: Lot) -> list[dict]:
        """终次报价: every other eligible party of the lot's round is told the result too
        (招标投标法 Art 45), with its own final offer and nothing about anyone else's."""
        final_round = self.db.scalar(sa.select(FinalOfferRound).where(
            FinalOfferRound.lot_id == lot.id, FinalOfferRound.state == RoundState.DECIDED))
        if final_round is None:
            return []
        named = {c["org_id"] for c in self.candidates_of(project, lot)}
        return [{"org_id": p.bidder_org_id, "name": p.bidder.name, "offer_fen": p.amount_fen}
                for p in final_round.parties if p.bidder_org_id not in named]

    @staticmethod
    def _standing_words(project: Project, award: Award, candidate: dict) -> str:
        """The candidate's own evaluation score and its rank: the report's rank, or for
        评定分离 (unranked candidates) its place in the award committee's order."""
        if candidate.get("failed"):
            return "贵单位的投标未通过资格审查或符合性审查，未进入评分排序。"
        parts = []
        if candidate.get("offer_fen") is not None:
            parts.append(f"贵单位终次报价 {format_yuan(candidate['offer_fen'])} 元")
        if candidate.get("score") is not None:
            parts.append(f"贵单位评审得分 {candidate['score']} 分")
        if candidate.get("rank"):
            parts.append(f"排名第 {candidate['rank']} 名")
        elif candidate["org_id"] in award.order:
            place = award.order.index(candidate["org_id"]) + 1
            word = "定标排序" if project.award_method is AwardMethod.SEPARATED else "排序"
            parts.append(f"{word}第 {place} 位")
        return "，".join(parts) + "。" if parts else ""

    def _result_announcement(self, project, awards, actor, title) -> None:
        lines = []
        for award in awards:
            winner = award.winner.name if award.winner else "无（重新招标）"
            price = f"，中标价 {format_yuan(award.price_fen)} 元" if award.winner else ""
            lines.append(f"第{award.lot.number}标段 {award.lot.name}：中标人 {winner}{price}"
                         f"（定标方式：{METHOD_LABELS.get(award.method, award.method)}）")
        self._projects().announce(project, "result", f"{project.name}{title}",
                                  "\n".join(lines), actor=actor)

    # -- after the award ---------------------------------------------------------------------------

    def decline(self, award: Award, *, reason: str, actor: Actor) -> Award:
        """The winner declines (放弃中标): next in order, or the lot fails (§7.10)."""
        project = self.db.get(Project, award.project_id)
        if project.status is not S.AWARDED or award.contract_signed_at is not None:
            raise AwardRefused("当前不能放弃中标")
        if actor.organisation_id != award.winner_org_id:
            raise NotEligible("只有中标人可以放弃中标")
        if not (reason or "").strip():
            raise InvalidAwardInput("请说明放弃中标的原因", field="reason")
        now = self.clock()
        gone = [d["org_id"] for d in award.declined] + [award.winner_org_id]
        award.declined = [*award.declined, {"org_id": award.winner_org_id,
                                            "reason": reason.strip()[:500],
                                            "at": now.isoformat()}]
        for notice in self.db.scalars(sa.select(AwardNotice).where(
                AwardNotice.award_id == award.id, AwardNotice.withdrawn_at.is_(None))):
            notice.withdrawn_at = now
        following = rules.next_candidate([candidate_id(o) for o in award.order],
                                         [candidate_id(o) for o in gone])
        award.winner_org_id = org_of(following) if following else None
        award.price_fen = self._price(project, award.lot, award.winner_org_id) \
            if following else None
        self.db.flush()
        self.db.refresh(award)
        record(self.db, actor, "award.declined", "project", project.id, now=now,
               lot=award.lot.number, next=award.winner_org_id)
        if following:
            self._notices(project, award)
            self._result_announcement(project, [award], actor, "中标结果变更公告")
        elif all(a.winner_org_id is None for a in self.awards(project)):
            self._projects().transition(project, S.FAILED, actor=actor,
                                        reason="中标候选人均放弃中标，应重新招标")
        return award

    def record_contract(self, project: Project, *, actor: Actor,
                        signed_at: datetime | None = None) -> Project:
        """合同已签订: every awarded lot; the project is `contracted`, then archived."""
        awards = [a for a in self.awards(project) if a.winner_org_id is not None]
        if project.status is not S.AWARDED or not awards:
            raise AwardRefused("定标完成后才能登记合同签订")
        now = signed_at or self.clock()
        for award in awards:
            award.contract_signed_at = now
        self._projects().transition(project, S.CONTRACTED, actor=actor, reason="合同已签订")
        return project


METHOD_LABELS = {"rank_one": "排名第一的中标候选人为中标人", "final_offer": "终次报价",
                 "committee": "评定分离，定标委员会定标"}


def award_service_factory(context, request) -> AwardService:
    return AwardService(request.dbsession, request.clock, request.registry["keys"],
                        request.storage, request.enqueue)


def ocds_part(event) -> None:
    """ReleaseAssembling: awards, their suppliers and signed contracts."""
    event.add(_ocds_part(event.dbsession, event.project))


def _ocds_part(dbsession, project: Project) -> dict:
    from ..opendata.ocds import instant, yuan

    awards = [a for a in AwardService(dbsession, None).awards(project) if a.winner is not None]
    if not awards:
        return {}
    parties, seen = [], set()
    for award in awards:
        org = award.winner
        party = f"CN-USCC-{org.credit_code}" if org.credit_code else f"CN-ORG-{org.name}"
        if party not in seen:
            seen.add(party)
            parties.append({"id": party, "name": org.name, "roles": ["supplier"],
                            **({"identifier": {"scheme": "CN-USCC", "id": org.credit_code,
                                               "legalName": org.name}}
                               if org.credit_code else {})})
    out = {"parties": parties, "awards": [{
        "id": f"{project.number}-award-{a.lot.number}",
        "title": f"第{a.lot.number}标段 {a.lot.name}",
        "status": "active", "date": instant(a.decided_at),
        "value": {"amount": yuan(a.price_fen), "currency": "CNY"} if a.price_fen else None,
        "suppliers": [{"id": p["id"], "name": p["name"]} for p in parties
                      if p["name"] == a.winner.name][:1],
        "relatedLots": [str(a.lot.number)]} for a in awards]}
    signed = [a for a in awards if a.contract_signed_at is not None]
    if signed:
        out["contracts"] = [{"id": f"{project.number}-contract-{a.lot.number}",
                             "awardID": f"{project.number}-award-{a.lot.number}",
                             "status": "active", "dateSigned": instant(a.contract_signed_at)}
                            for a in signed]
    return {k: [_pruned(x) for x in v] for k, v in out.items()}


def _pruned(item: dict) -> dict:
    return {k: v for k, v in item.items() if v is not None}
