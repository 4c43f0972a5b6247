"""Evaluation (评标 / 评审): expert pool, committees, scoring sheets, aggregation, price
rules, abnormally-low price checks and the evaluation report.

The rule algorithms are pure functions in ``rules`` (and ``conflicts``); the services
orchestrate them, write audit rows in the same transaction and raise ``DomainError``s.

Interface for the award domain (评定分离, publicity, result)
-----------------------------------------------------------
* ``EvaluationService(dbsession, clock, keys).report_for(lot)`` — the lot's signed,
  locked ``EvaluationReport`` (None until every member has signed). ``report.ranked`` is
  False under 评定分离 (``project.award_method == AwardMethod.SEPARATED``);
  ``report.body`` is the signed content (sheets, aggregation, warnings, low-price
  reviews, candidates), ``report.body_sha256`` its digest, ``report.signature`` the
  platform's Ed25519 signature (``EvaluationService.verify_report(report)``).
* ``EvaluationService.candidates(lot)`` — the ``ReportCandidate`` rows of that report in
  display order: ``project_id``, ``lot_id``, ``bidder_org_id``, ``bid_id``,
  ``total_score`` (Decimal, 2 dp), ``price_score``, ``price`` (raw quote, 分), ``rank``
  (1-based, or None when unranked). Empty until the report is signed.
* Leaving ``evaluation``: when the last lot's report is signed, the service calls
  ``ProjectService.transition(project, next_status_after_evaluation(project))`` —
  ``candidates_publicised`` for both award methods — so the award domain follows the
  existing ``projects.service.EVENT_HOOKS`` event ``"candidates_publicised"``; change
  ``next_status_after_evaluation`` (``service.py``) if 评定分离 needs another target.
  ``COMPLETION_HOOKS`` (``hook(service, project, reports)``) run just before it.
* An unlocked report (chair + supervisor, audited) deletes its candidates; if the
  project had moved on, it goes back to ``evaluation`` (allowed from
  ``candidates_publicised`` by the status table) and a new report is generated and
  signed the same way.
"""

import sqlalchemy as sa


def lock_criteria(service, project, actor):
    """PUBLISH_HOOKS entry: the scoring criteria are published with the project."""
    from .scoring import CriteriaService

    CriteriaService(service.db, service.clock).lock(project, actor=actor)


def _work(service):
    from ..jobs.runtime import runtime
    from .service import EvaluationService

    return EvaluationService(service.db, service.clock, runtime.keys, service.storage,
                             service.enqueue).work()


def signing_due(service, project, now):
    """DUE_HANDLERS entry: a report past its signing deadline is settled and locked."""
    if str(project.status) != "evaluation":
        return None
    return _work(service).settle_due(project)


def signing_next(service, project):
    """SCHEDULE_HOOKS entry: the earliest signing deadline still open."""
    if str(project.status) != "evaluation":
        return None
    from .models import EvaluationReport, ReportState

    return service.db.scalar(sa.select(sa.func.min(EvaluationReport.sign_by)).where(
        EvaluationReport.project_id == project.id,
        EvaluationReport.state == ReportState.SIGNING))


def includeme(config):
    from ..projects import service as projects_service
    from .service import EvaluationService, evaluation_service_factory

    config.register_service_factory(evaluation_service_factory, EvaluationService)
    config.add_draw_labels(attributes={"specialty": "专业", "region": "地区"})
    if lock_criteria not in projects_service.PUBLISH_HOOKS:
        projects_service.PUBLISH_HOOKS.append(lock_criteria)
    if signing_due not in projects_service.DUE_HANDLERS:
        projects_service.DUE_HANDLERS.append(signing_due)
    if signing_next not in projects_service.SCHEDULE_HOOKS:
        projects_service.SCHEDULE_HOOKS.append(signing_next)
