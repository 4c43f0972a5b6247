"""EvaluationService: the report of each lot, its candidates, and leaving `evaluation`.

See the package docstring for the interface the award domain builds on.
"""

from collections.abc import Callable

import sqlalchemy as sa

from ..actor import Actor
from ..projects.models import Lot, Project
from ..projects.service import ProjectService
from ..projects.status import ProjectStatus
from .models import EvaluationReport, ReportCandidate, ReportState

S = ProjectStatus

# `hook(service, project, reports)` before the project leaves evaluation; may refuse with
# a DomainError (nothing is then changed).
COMPLETION_HOOKS: list[Callable] = []


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
        for hook in COMPLETION_HOOKS:
            hook(self, project, reports)
        ProjectService(self.db, self.clock, self.storage, self.enqueue).transition(
            project, next_status_after_evaluation(project), actor=actor,
            reason="评标报告已由评标委员会全体成员签署")
        return True


def evaluation_service_factory(context, request) -> EvaluationService:
    return EvaluationService(request.dbsession, request.clock, request.registry["keys"],
                             request.storage, request.enqueue)
