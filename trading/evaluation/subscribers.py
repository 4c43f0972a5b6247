"""What evaluation does when a project is approved, due or scheduled (projects.events).
Not in the package's __init__: importing the pure `evaluation.rules` must not load the
database layer (tests/test_rule_purity.py)."""

import sqlalchemy as sa

from ..db import registry_of
from .consultation import FinalQuoteRounds, is_consultation
from .models import EvaluationReport, ReportState
from .scoring import CriteriaService
from .service import EvaluationService


def lock_criteria(event):
    """ProjectApproving: the scoring criteria are published with the project."""
    service, project, actor = event.service, event.project, event.actor

    CriteriaService(service.db, service.clock).lock(project, actor=actor)


def _work(service):
    return EvaluationService(service.db, service.clock, registry_of(service.db)["keys"],
                             service.storage, service.enqueue).work()


def signing_due(event):
    """ProjectDue: a report past its signing deadline is settled and locked."""
    if str(event.project.status) == "evaluation":
        event.wake_at(_work(event.service).settle_due(event.project))


def signing_next(event):
    """ProjectScheduling: the earliest signing deadline still open."""
    service, project = event.service, event.project
    if str(project.status) != "evaluation":
        return

    event.wake_at(service.db.scalar(sa.select(sa.func.min(EvaluationReport.sign_by)).where(
        EvaluationReport.project_id == project.id,
        EvaluationReport.state == ReportState.SIGNING)))


def _final_quotes(service) -> FinalQuoteRounds:
    registry = service.registry
    return FinalQuoteRounds(service.db, service.clock, registry["keys"],
                            service.storage or registry["storage"], service.enqueue,
                            registry.settings)


def final_quotes_due(event):
    """ProjectDue: 磋商's sealed final quotes are revealed once their window has ended."""
    if is_consultation(event.project):
        event.wake_at(_final_quotes(event.service).run_due(event.service, event.project))


def final_quotes_next(event):
    """ProjectScheduling: keep the chronograph on unrevealed final quotes."""
    if is_consultation(event.project):
        event.wake_at(_final_quotes(event.service).next_instant(event.project))
