"""EvaluationService: the report of each lot, its candidates, and leaving `evaluation`.

See the package docstring for the interface the award domain builds on.
"""

import hashlib
from datetime import timedelta
from decimal import Decimal

import sqlalchemy as sa

from ..actor import Actor
from ..audit.service import canonical_json, record
from ..draws.models import Draw
from ..draws.services import DrawService
from ..errors import NotPermitted
from ..keys import project_algorithm, verify_signature
from ..projects.kinds import AwardMethod
from ..projects.models import Lot, Project
from ..projects.service import ProjectService
from ..projects.status import ProjectStatus
from . import rules
from .committee import EvaluationCommitteeService, move_committee
from .consultation import check_qualified, is_consultation, require_revealed
from .errors import EvaluationConflict, EvaluationInvalid, NotAMember, ObjectiveDisagreement
from .models import (
    Committee,
    CommitteeMember,
    CommitteeStatus,
    EvaluationReport,
    LowPriceDecision,
    LowPriceReview,
    ReportCandidate,
    ReportSignature,
    ReportState,
    ScoreSheet,
    ScoreWarning,
    SheetState,
    UnlockRequest,
    WarningKind,
)
from .params import evaluation_params, procedure_of, regime_of
from .scoring import CriteriaService, move_sheet, scored
from .status import check_transition
from .tabulate import (
    D0,
    BidFacts,
    Tabulation,
    group_cells,
    low_price_candidates,
    tabulate,
    warnings,
)

S = ProjectStatus

def next_status_after_evaluation(project: Project) -> ProjectStatus:
    """Where a project goes once every lot's report is signed.

    Both award methods publish candidates next: ranked 中标候选人 (实施条例 Art 54) or the
    unranked 定标候选人 of 评定分离, whose award committee then decides.
    """
    return S.CANDIDATES_PUBLICISED


class EvaluationService:
    def __init__(self, dbsession, clock, keys=None, storage=None, enqueue=None):
        self.db = dbsession
        self.clock = clock
        self.keys = keys
        self.storage = storage
        self.enqueue = enqueue

    # -- the award domain's reading API ---------------------------------------------------

    def report_for(self, lot: Lot) -> EvaluationReport | None:
        """The lot's signed, locked report; None until every member has signed."""
        query = (sa.select(EvaluationReport)
                 .where(EvaluationReport.lot_id == lot.id,
                        EvaluationReport.state == ReportState.SIGNED)
                 .order_by(EvaluationReport.id.desc()).limit(1))
        return self.db.scalar(query)

    def candidates(self, lot: Lot) -> list[ReportCandidate]:
        """The signed report's candidates in display order (rank None when unranked)."""
        report = self.report_for(lot)
        if report is None:
            return []
        query = (sa.select(ReportCandidate).where(ReportCandidate.report_id == report.id)
                 .order_by(ReportCandidate.position))
        return list(self.db.scalars(query))

    def work(self) -> "EvaluationWork":
        return EvaluationWork(self)

    def verify_report(self, report: EvaluationReport) -> bool:
        return self.work().verify(report)

    # -- leaving evaluation -----------------------------------------------------------------

    def evaluated_lots(self, project: Project) -> list[Lot]:
        """The lots the opening sent on to evaluation (enough valid bids)."""
        from ..bidding.models import Opening

        opening = self.db.scalar(sa.select(Opening).where(Opening.project_id == project.id))
        passed = {s["lot_id"] for s in (opening.lots if opening else []) if s.get("passed")}
        return [lot for lot in project.lots if lot.id in passed]

    def complete_if_done(self, project: Project, *, actor: Actor) -> bool:
        """Move the project on once every evaluated lot has a signed report."""
        if project.status is not S.EVALUATION:
            return False
        lots = self.evaluated_lots(project)
        reports = [self.report_for(lot) for lot in lots]
        if not lots or any(r is None for r in reports):
            return False
        ProjectService(self.db, self.clock, self.storage, self.enqueue, self.keys).transition(
            project, next_status_after_evaluation(project), actor=actor,
            reason="评标报告已由评标委员会全体成员签署")
        return True


def evaluation_service_factory(context, request) -> EvaluationService:
    return EvaluationService(request.dbsession, request.clock, request.registry["keys"],
                             request.storage, request.enqueue)


# -- the committee's work on one lot: tabulation, warnings, low prices, the report ---------

REPORT_CONFIRMATION = "本人已审阅本评标报告，确认签署"
DEEMED_CONFIRMATION = "签署期限届满，未签署亦未书面说明不同意见，视为同意"
SIGNING_SWEEP = Actor.system("report_signing_deadline")
UNLOCK_TARGETS = ("sheet", "report")


def _str_map(mapping) -> dict:
    return {str(k): str(v) for k, v in mapping.items()}


class EvaluationWork:
    """What the chair, the members, the bidders and a supervisor do during evaluation."""

    def __init__(self, service: "EvaluationService"):
        self.s = service
        self.db, self.clock = service.db, service.clock
        self.committees = EvaluationCommitteeService(service.db, service.clock, service.keys)
        self.criteria = CriteriaService(service.db, service.clock)

    # -- reading

    def committee(self, project: Project) -> Committee:
        committee = self.committees.committee_of(project)
        if committee is None or committee.status is CommitteeStatus.FORMING:
            raise EvaluationConflict("评标尚未开始")
        return committee

    def chair_of(self, committee: Committee, actor: Actor) -> CommitteeMember:
        chair = self.committees.chair(committee)
        if chair is None or chair.user_id != actor.user_id:
            raise NotAMember("只有评标委员会组长可以进行此操作")
        return chair

    def bids(self, lot: Lot) -> list[BidFacts]:
        """The scored bids with the price their price score uses: the opening record's,
        or in 磋商 the final quote (最后报价), once revealed."""
        found = scored(self.db, lot)
        require_revealed(found)
        facts = []
        for line in found.lines:
            sme = (line.offer or {}).get("sme") or {}
            declaration = rules.SmeDeclaration(
                rules.SmeKind(sme.get("kind", "none")),
                Decimal(str(sme.get("partner_share", "0")))) if isinstance(sme, dict) \
                else rules.SmeDeclaration()
            facts.append(BidFacts(line.bid_id, line.bid.bidder_org_id, line.bid.bidder.name,
                                  found.prices[line.bid_id], declaration))
        return facts

    def sheets(self, committee: Committee, lot: Lot) -> list[ScoreSheet]:
        query = (sa.select(ScoreSheet).where(ScoreSheet.committee_id == committee.id,
                                             ScoreSheet.lot_id == lot.id)
                 .order_by(ScoreSheet.member_id))
        return list(self.db.scalars(query))

    def _submitted_cells(self, committee: Committee, lot: Lot) -> dict:
        seated = {m.id for m in self.committees.seated(committee)}
        done = [s for s in self.sheets(committee, lot)
                if s.state is SheetState.SUBMITTED and s.member_id in seated]
        if len(done) < len(seated):
            raise EvaluationConflict(f"还有{len(seated) - len(done)}名成员未提交评分表")
        return group_cells((str(s.member_id), e) for s in done for e in s.entries)

    def reviews(self, committee: Committee, lot: Lot) -> list[LowPriceReview]:
        query = sa.select(LowPriceReview).where(LowPriceReview.committee_id == committee.id,
                                                LowPriceReview.lot_id == lot.id)
        return list(self.db.scalars(query.order_by(LowPriceReview.id)))

    def warnings_of(self, committee: Committee, lot: Lot) -> list[ScoreWarning]:
        query = sa.select(ScoreWarning).where(ScoreWarning.committee_id == committee.id,
                                              ScoreWarning.lot_id == lot.id)
        return list(self.db.scalars(query.order_by(ScoreWarning.id)))

    # -- tabulation

    def tabulate(self, project: Project, lot: Lot, drawn=()) -> tuple[Tabulation, list]:
        committee = self.committee(project)
        criteria = self.criteria.published(project)
        bids = self.bids(lot)
        rejected = frozenset(r.bid_id for r in self.reviews(committee, lot)
                             if r.decision is LowPriceDecision.REJECTED)
        tab = tabulate(items=criteria.items, price=criteria.price, bids=bids,
                       sheets=self._submitted_cells(committee, lot), regime=regime_of(project),
                       object_type=rules.ObjectType(str(project.object_type)),
                       params=evaluation_params(project), rejected=rejected,
                       n_candidates=criteria.n_candidates, drawn=drawn,
                       procedure=procedure_of(project))
        return tab, bids

    def evaluate(self, project: Project, lot: Lot, *, actor: Actor) -> Tabulation:
        """汇总 (chair): tabulate; raise the §4.6 warnings and open §4.7 low-price reviews.

        Objective scores that disagree block here, naming every bid and item, until the
        experts correct them (87号令 Art 64).
        """
        committee = self.committee(project)
        self.chair_of(committee, actor)
        tab, bids = self.tabulate(project, lot)
        if tab.disagreements:
            raise ObjectiveDisagreement(_disagreement_words(tab, bids), field="objective")
        params = evaluation_params(project)
        self._sync_warnings(committee, lot, warnings(self.criteria.published(project).items,
                                                     tab, params))
        ceiling = lot.ceiling_price or lot.budget
        self._open_reviews(committee, lot, bids, low_price_candidates(bids, tab, ceiling, params),
                           params)
        record(self.db, actor, "evaluation.tabulated", "committee", committee.id,
               now=self.clock(), lot_id=lot.id, totals=_str_map(tab.totals))
        return tab

    def _sync_warnings(self, committee, lot, flags: dict) -> None:
        """Keep answered warnings; add new ones; drop unanswered ones no longer raised."""
        wanted = {}
        for kind, found in flags.items():
            for flag in found:
                member = getattr(flag, "expert_id", None)
                bid = int(flag.bidder_id)
                key = (kind, int(member) if member else None, bid, getattr(flag, "item_id", ""))
                wanted[key] = {k: str(v) if not isinstance(v, tuple) else list(v)
                               for k, v in vars(flag).items()}
        existing = {(str(w.kind), w.member_id, w.bid_id, w.item_id): w
                    for w in self.warnings_of(committee, lot)}
        for key, warning in existing.items():
            if key not in wanted and warning.answered_at is None:
                self.db.delete(warning)
        for key, detail in wanted.items():
            if key not in existing:
                kind, member, bid, item = key
                self.db.add(ScoreWarning(committee_id=committee.id, lot_id=lot.id,
                                         kind=WarningKind(kind), member_id=member, bid_id=bid,
                                         item_id=item or "", detail=detail,
                                         created_at=self.clock()))
        self.db.flush()

    def _open_reviews(self, committee, lot, bids, triggered: dict, params) -> None:
        known = {r.bid_id for r in self.reviews(committee, lot)}
        by_id, now = {b.bid_id: b for b in bids}, self.clock()
        for bid_id, found in triggered.items():
            if bid_id in known:
                continue
            codes = [c for c in ("below_mean", "below_second", "below_ceiling")
                     if getattr(found, c)]
            self.db.add(LowPriceReview(
                committee_id=committee.id, lot_id=lot.id, bid_id=bid_id,
                bidder_org_id=by_id[bid_id].org_id, price=by_id[bid_id].price, triggers=codes,
                requested_at=now, decision=LowPriceDecision.PENDING,
                explain_by=now + timedelta(minutes=params.lowprice_explanation_min_minutes)))
        self.db.flush()

    # -- warnings and low prices

    def answer_warning(self, warning: ScoreWarning, *, reason: str, actor: Actor) -> ScoreWarning:
        """A warned expert (or, for committee-wide flags, the chair) states a reason."""
        committee = self.db.get(Committee, warning.committee_id)
        member = self.db.get(CommitteeMember, warning.member_id) if warning.member_id else None
        if member is not None and member.user_id != actor.user_id:
            raise NotAMember("只有被提示的专家本人可以说明理由")
        if member is None:
            self.chair_of(committee, actor)
        if not reason.strip():
            raise EvaluationInvalid("请填写书面理由（或修改评分后重新汇总）", field="reason")
        warning.reason, warning.answered_at = reason.strip()[:2000], self.clock()
        warning.answered_by_id = actor.user_id
        record(self.db, actor, "evaluation.warning_answered", "committee", committee.id,
               now=warning.answered_at, warning_id=warning.id, kind=str(warning.kind))
        return warning

    def explain(self, review: LowPriceReview, *, text: str, actor: Actor) -> LowPriceReview:
        """The bidder's written explanation with its cost evidence (rules §4.7)."""
        if actor.organisation_id != review.bidder_org_id:
            raise NotPermitted("只有被要求说明的投标人可以提交说明")
        if review.decision is not LowPriceDecision.PENDING:
            raise EvaluationConflict("评标委员会已作出认定，不能再提交说明")
        if not text.strip():
            raise EvaluationInvalid("请填写书面说明", field="explanation")
        review.explanation, review.explained_at = text.strip()[:20000], self.clock()
        record(self.db, actor, "evaluation.low_price_explained", "committee",
               review.committee_id, now=review.explained_at, review_id=review.id)
        return review

    def decide(self, review: LowPriceReview, *, accepted: bool, reason: str,
               actor: Actor) -> LowPriceReview:
        """The committee's finding (chair): only after the explanation or its deadline."""
        self.chair_of(self.db.get(Committee, review.committee_id), actor)
        now = self.clock()
        if review.decision is not LowPriceDecision.PENDING:
            raise EvaluationConflict("已作出认定")
        if review.explained_at is None and now < review.explain_by:
            raise EvaluationConflict("投标人的说明期限尚未届满，不能认定")
        if not reason.strip():
            raise EvaluationInvalid("请填写认定理由", field="reason")
        review.decision = LowPriceDecision.ACCEPTED if accepted else LowPriceDecision.REJECTED
        review.decision_reason, review.decided_at = reason.strip()[:2000], now
        record(self.db, actor, "evaluation.low_price_decided", "committee", review.committee_id,
               now=now, review_id=review.id, decision=str(review.decision))
        return review

    # -- the report

    def generate(self, project: Project, lot: Lot, *, actor: Actor) -> EvaluationReport:
        """评标报告 (chair): everything settled — objective scores agree, every warning has
        a reason, every low-price review is decided; ties within the candidates drawn."""
        committee = self.committee(project)
        self.chair_of(committee, actor)
        if self._open_report(lot) is not None:
            raise EvaluationConflict("本标段已有待签署或已签署的评标报告")
        tab = self.evaluate(project, lot, actor=actor)
        self._check_settled(committee, lot)
        check_qualified(project, len(tab.totals))
        draws = []
        if tab.ranking is not None and tab.ranking.pending:
            drawn = [self._break_tie(project, lot, need, draws, actor)
                     for need in tab.ranking.pending]
            tab, _bids = self.tabulate(project, lot, drawn=drawn)
        body = self._body(project, lot, committee, tab, draws)
        now = self.clock()
        report = EvaluationReport(project_id=project.id, lot_id=lot.id,
                                  committee_id=committee.id, state=ReportState.SIGNING,
                                  ranked=body["ranked"], body=body,
                                  body_sha256=hashlib.sha256(canonical_json(body)).hexdigest(),
                                  generated_at=now, sign_by=now + timedelta(
                                      hours=evaluation_params(project).report_signing_hours))
        self.db.add(report)
        self.db.flush()
        self._projects().reschedule(project)  # the chronograph settles the deadline
        record(self.db, actor, "evaluation.report_generated", "project", project.id,
               now=report.generated_at, lot_id=lot.id, report_id=report.id,
               body_sha256=report.body_sha256)
        return report

    def _check_settled(self, committee, lot) -> None:
        pending = [r for r in self.reviews(committee, lot)
                   if r.decision is LowPriceDecision.PENDING]
        if pending:
            raise EvaluationConflict(f"还有{len(pending)}家异常低价投标待说明或认定")
        open_ = [w for w in self.warnings_of(committee, lot) if w.answered_at is None]
        if open_:
            raise EvaluationConflict(f"还有{len(open_)}条评分偏离提示未书面说明理由")

    def _break_tie(self, project, lot, need, draws, actor) -> list[str]:
        names = {b.key: b.name for b in self.bids(lot)}
        order = DrawService(self.db, self.clock, self.s.keys).break_tie(
            candidates=[{"id": c, "label": names.get(c, c)} for c in need.candidates],
            purpose=f"评标并列抽签：{project.number} 第{lot.number}标段",
            subject_type="project", subject_id=project.id, actor=actor)
        draws.append(self.db.scalar(sa.select(sa.func.max(Draw.id))))
        return order

    def _open_report(self, lot: Lot) -> EvaluationReport | None:
        return self.db.scalar(sa.select(EvaluationReport).where(
            EvaluationReport.lot_id == lot.id,
            EvaluationReport.state.in_([ReportState.SIGNING, ReportState.SIGNED])))

    def _body(self, project, lot, committee, tab: Tabulation, draws) -> dict:
        criteria = self.criteria.published(project)
        bids = {b.bid_id: b for b in self.bids(lot)}
        ranked = project.award_method is not AwardMethod.SEPARATED
        picked = tab.ranked_ids[:criteria.n_candidates]
        rank_of = {int(b.bidder_id): b.rank for b in tab.ranking.bids} if tab.ranking else {}
        candidates = [{"bid_id": b, "bidder_org_id": bids[b].org_id, "bidder": bids[b].name,
                       "total": str(tab.totals[b]), "price": bids[b].price,
                       "price_score": str(tab.price_scores.get(b, D0)),
                       "rank": rank_of[b] if ranked else None} for b in picked]
        if not ranked:  # 评定分离: no order is implied by the list
            candidates.sort(key=lambda c: c["bidder"])
        members = self.committees.seated(committee)
        return {
            "project": project.number, "lot": {"id": lot.id, "number": lot.number,
                                                "name": lot.name},
            "criteria": {"items": criteria.items, "price": criteria.price},
            "members": [_member_json(m) for m in members],
            "sheets": [{"member_id": s.member_id, "entries": [
                {"bid_id": e.bid_id, "item_id": e.item_id,
                 "value": None if e.value is None else str(e.value), "passed": e.passed,
                 "reason": e.reason} for e in s.entries]}
                for s in self.sheets(committee, lot) if s.state is SheetState.SUBMITTED],
            "bids": [{"bid_id": b.bid_id, "bidder_org_id": b.org_id, "bidder": b.name,
                      "price": b.price, "eval_price": tab.eval_prices.get(b.bid_id),
                      "conformity": _verdict_json(tab.conformity[b.bid_id]),
                      "expert_totals": _str_map(tab.expert_totals.get(b.bid_id, {})),
                      "aggregated": _opt(tab.aggregated.get(b.bid_id)),
                      "price_score": _opt(tab.price_scores.get(b.bid_id)),
                      "total": _opt(tab.totals.get(b.bid_id))} for b in bids.values()],
            "benchmark_price": tab.benchmark,
            "trimmed": rules.trims_expert_scores(len(members), evaluation_params(project)),
            "ranking": [{"bid_id": int(b.bidder_id), "rank": b.rank}
                        for b in (tab.ranking.bids if tab.ranking else ())],
            "tie_draws": draws,
            "warnings": [_warning_json(w) for w in self.warnings_of(committee, lot)],
            "low_price": [_review_json(r) for r in self.reviews(committee, lot)],
            "ranked": ranked, "candidates": candidates,
            **self._consultation_part(project, lot),
        }

    def _consultation_part(self, project, lot) -> dict:
        """磋商: the prices above are the final quotes; who was left out and why."""
        if not is_consultation(project):
            return {}
        found = scored(self.db, lot)
        return {"procedure": "consultation", "price_source": "final_quote",
                "final_quotes_excluded": {str(k): v for k, v in (found.excluded or {}).items()}}

    def sign(self, report: EvaluationReport, *, confirmation: str, agrees: bool,
             dissent: str, actor: Actor) -> EvaluationReport:
        """签署: typed confirmation; a dissenter states reasons (实施条例 Art 53)."""
        committee = self.db.get(Committee, report.committee_id)
        member = next((m for m in self.committees.seated(committee)
                       if m.user_id == actor.user_id), None)
        if member is None:
            raise NotAMember("只有评标委员会成员可以签署评标报告")
        if report.state is not ReportState.SIGNING:
            raise EvaluationConflict("评标报告已锁定或已作废，不能签署")
        if report.sign_by is not None and self.clock() >= report.sign_by:
            raise EvaluationConflict("签署期限已届满：未签署且未书面说明不同意见的，视为同意",
                                     field="sign_by")
        if any(s.member_id == member.id for s in report.signatures):
            raise EvaluationConflict("您已签署本报告")
        if confirmation.strip() != REPORT_CONFIRMATION:
            raise EvaluationInvalid(f"请完整输入：{REPORT_CONFIRMATION}", field="confirmation")
        if not agrees and not dissent.strip():
            raise EvaluationInvalid("持不同意见的，须书面说明理由", field="dissent")
        now = self.clock()
        signature = ReportSignature(member_id=member.id, confirmation=confirmation.strip(),
                                    agrees=agrees, dissent=dissent.strip()[:2000], signed_at=now)
        signature.signature = self._sign(report, _signature_payload(report, signature))
        report.signatures.append(signature)
        self.db.flush()
        record(self.db, actor, "evaluation.report_signed", "project", report.project_id,
               now=now, report_id=report.id, member_id=member.id, agrees=agrees)
        if len(report.signatures) == len(self.committees.seated(committee)):
            self._lock(report, committee, actor)
        return report

    def _projects(self) -> ProjectService:
        return ProjectService(self.db, self.clock, self.s.storage, self.s.enqueue, self.s.keys)

    def settle_deadline(self, report: EvaluationReport) -> bool:
        """签署期限届满: every seated member with neither a signature nor a written
        dissent is recorded as agreeing (marked `deemed`, signed by the platform, audited),
        then the report locks. Exactly once: a report no longer signing is left alone."""
        if report.state is not ReportState.SIGNING or report.sign_by is None:
            return False
        committee = self.db.get(Committee, report.committee_id)
        seated = {str(m.id): m for m in self.committees.seated(committee)}
        missing = rules.deemed_agreeing(seated, [str(s.member_id) for s in report.signatures],
                                        deadline=report.sign_by, now=self.clock())
        if not missing:
            return False
        now = self.clock()
        for member_id in missing:
            signature = ReportSignature(member_id=int(member_id), agrees=True, dissent="",
                                        confirmation=DEEMED_CONFIRMATION, signed_at=now,
                                        deemed=True)
            signature.signature = self._sign(report, _signature_payload(report, signature))
            report.signatures.append(signature)
            record(self.db, SIGNING_SWEEP, "evaluation.report_deemed_signed", "project",
                   report.project_id, now=now, report_id=report.id, member_id=int(member_id))
        self.db.flush()
        self._lock(report, committee, SIGNING_SWEEP)
        return True

    def signing(self, project: Project) -> list[EvaluationReport]:
        return list(self.db.scalars(sa.select(EvaluationReport).where(
            EvaluationReport.project_id == project.id,
            EvaluationReport.state == ReportState.SIGNING).order_by(EvaluationReport.id)))

    def settle_due(self, project: Project):
        """The chronograph's handler: settle every report past its deadline; return the
        next deadline still ahead."""
        for report in self.signing(project):
            self.settle_deadline(report)
        ahead = [r.sign_by for r in self.signing(project) if r.sign_by is not None]
        return min(ahead) if ahead else None

    @staticmethod
    def _move_report(report: EvaluationReport, target: ReportState) -> None:
        """The only writer of report.state (trading/evaluation/status.py)."""
        check_transition(report.state, target)
        report.state = target

    def _lock(self, report, committee, actor) -> None:
        self._move_report(report, ReportState.SIGNED)
        report.locked_at = self.clock()
        report.signature = self._sign(report, _report_payload(report))
        for position, c in enumerate(report.body["candidates"], start=1):
            report.candidates.append(ReportCandidate(
                project_id=report.project_id, lot_id=report.lot_id,
                bidder_org_id=c["bidder_org_id"], bid_id=c["bid_id"],
                total_score=Decimal(c["total"]), price_score=Decimal(c["price_score"]),
                price=c["price"], rank=c["rank"], position=position))
        self.db.flush()
        from ..award.inputs import log_report

        log_report(self.db, report, now=report.locked_at)  # the award's inputs, logged now
        record(self.db, actor, "evaluation.report_locked", "project", report.project_id,
               now=report.locked_at, report_id=report.id, signature=report.signature)
        project = self.db.get(Project, report.project_id)
        from ..db import registry_of
        from .events import ReportSigned

        registry_of(self.db).notify(ReportSigned(self, project, report))
        if all(self.s.report_for(lot) for lot in self.s.evaluated_lots(project)):
            move_committee(committee, CommitteeStatus.DONE)
            committee.finished_at = self.clock()
        self.s.complete_if_done(project, actor=actor)

    def _algorithm(self, report: EvaluationReport) -> str:
        """Ed25519, or SM2 for a project of a national suite (国密)."""
        return project_algorithm(self.db.get(Project, report.project_id))

    def _sign(self, report: EvaluationReport, payload: dict) -> str:
        return self.s.keys.sign(canonical_json(payload), self._algorithm(report)).hex()

    def verify(self, report: EvaluationReport) -> bool:
        """Body digest, each member's signature and the platform's seal all check."""
        public = self.s.keys.public_key_for(self._algorithm(report))
        if hashlib.sha256(canonical_json(report.body)).hexdigest() != report.body_sha256:
            return False
        for s in report.signatures:
            if not verify_signature(public, canonical_json(
                    _signature_payload(report, s)), bytes.fromhex(s.signature)):
                return False
        return report.signature is not None and verify_signature(
            public, canonical_json(_report_payload(report)), bytes.fromhex(report.signature))

    # -- unlocking (chair + supervisor)

    def request_unlock(self, project: Project, *, target: str, target_id: int, reason: str,
                       actor: Actor) -> UnlockRequest:
        """The chair asks; nothing changes until a supervisor approves."""
        committee = self.committee(project)
        self.chair_of(committee, actor)
        if target not in UNLOCK_TARGETS:
            raise EvaluationInvalid("解锁对象无效", field="target")
        self._unlock_target(committee, target, target_id)
        if not reason.strip():
            raise EvaluationInvalid("请填写解锁理由", field="reason")
        request = UnlockRequest(committee_id=committee.id, target=target, target_id=target_id,
                                reason=reason.strip()[:1000], chair_user_id=actor.user_id,
                                requested_at=self.clock())
        self.db.add(request)
        self.db.flush()
        record(self.db, actor, "evaluation.unlock_requested", "project", project.id,
               now=request.requested_at, request_id=request.id, target=target,
               target_id=target_id)
        return request

    def _unlock_target(self, committee, target, target_id):
        row = self.db.get(ScoreSheet if target == "sheet" else EvaluationReport, target_id)
        locked = (row is not None and row.committee_id == committee.id and (
            row.state is SheetState.SUBMITTED if target == "sheet"
            else row.state in (ReportState.SIGNING, ReportState.SIGNED)))
        if not locked:
            raise EvaluationConflict("只有已提交的评分表或评标报告可以解锁", field="target_id")
        return row

    def decide_unlock(self, request: UnlockRequest, *, approve: bool,
                      actor: Actor) -> UnlockRequest:
        """A supervisor approves (the target is unlocked, audited) or refuses."""
        if request.decided_at is not None:
            raise EvaluationConflict("该解锁申请已处理")
        committee = self.db.get(Committee, request.committee_id)
        row = self._unlock_target(committee, request.target, request.target_id)
        now = self.clock()
        request.supervisor_user_id, request.decided_at, request.approved = \
            actor.user_id, now, approve
        if approve:
            self._unlock(committee, request, row, actor)
        record(self.db, actor, "evaluation.unlock_decided", "project", committee.project_id,
               now=now, request_id=request.id, approved=approve)
        return request

    def _unlock(self, committee, request, row, actor) -> None:
        now = self.clock()
        lot_id = row.lot_id
        if request.target == "sheet":
            move_sheet(row, SheetState.DRAFT)
            row.unlocked_at = now
        report = self._open_report(self.db.get(Lot, lot_id))
        if report is not None:  # a changed sheet voids the report built on it
            self._move_report(report, ReportState.UNLOCKED)
            report.unlocked_at = now
            report.unlock_reason = request.reason
            report.candidates.clear()
        if committee.status is not CommitteeStatus.SITTING:  # done: every lot was signed
            move_committee(committee, CommitteeStatus.SITTING)
        committee.finished_at = None
        project = self.db.get(Project, committee.project_id)
        if project.status is S.CANDIDATES_PUBLICISED:
            ProjectService(self.db, self.clock, self.s.storage, self.s.enqueue,
                           self.s.keys).transition(
                project, S.EVALUATION, actor=actor, reason=f"评审结果解锁重评：{request.reason}")
        self.db.flush()


def _opt(value) -> str | None:
    return None if value is None else str(value)


def _member_json(m: CommitteeMember) -> dict:
    name = m.expert.name if m.expert else (m.user.display_name if m.user else "")
    return {"member_id": m.id, "name": name, "role": str(m.role), "specialty": m.specialty,
            "chair": m.is_chair, "pseudonym": m.pseudonym}


def _verdict_json(v: rules.ConformityVerdict) -> dict:
    return {"passed": v.passed, "failed_key_items": list(v.failed_key_items),
            "general_deviations": list(v.general_deviations)}


def _warning_json(w: ScoreWarning) -> dict:
    return {"kind": str(w.kind), "member_id": w.member_id, "bid_id": w.bid_id,
            "item_id": w.item_id, "detail": w.detail, "reason": w.reason}


def _review_json(r: LowPriceReview) -> dict:
    return {"bid_id": r.bid_id, "price": r.price, "triggers": r.triggers,
            "explanation": r.explanation, "decision": str(r.decision),
            "reason": r.decision_reason}


def _signature_payload(report, s: ReportSignature) -> dict:
    payload = {"report_id": report.id, "body_sha256": report.body_sha256,
               "member_id": s.member_id, "agrees": s.agrees, "dissent": s.dissent,
               "confirmation": s.confirmation, "signed_at": s.signed_at.isoformat()}
    if s.deemed:  # only then: signatures made before the mark existed still verify
        payload["deemed"] = True
    return payload


def _report_payload(report) -> dict:
    return {"report_id": report.id, "project_id": report.project_id, "lot_id": report.lot_id,
            "body_sha256": report.body_sha256,
            "signatures": sorted(s.signature for s in report.signatures)}


def _disagreement_words(tab: Tabulation, bids) -> str:
    names = {b.bid_id: b.name for b in bids}
    parts = [f"{names.get(d['bid_id'], d['bid_id'])}的“{d['item_id']}”（"
             + "，".join(f"成员{k}：{v}" for k, v in d["values"].items()) + "）"
             for d in tab.disagreements]
    return "客观分评分不一致，须经专家核对一致后才能汇总：" + "；".join(parts)
