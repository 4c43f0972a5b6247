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
  ``projects.events.ProjectStatusChanged`` to ``"candidates_publicised"``; change
  ``next_status_after_evaluation`` (``service.py``) if 评定分离 needs another target.
* An unlocked report (chair + supervisor, audited) deletes its candidates; if the
  project had moved on, it goes back to ``evaluation`` (allowed from
  ``candidates_publicised`` by the status table) and a new report is generated and
  signed the same way.
"""


def _audit_actions() -> dict[str, str]:
    """The audit actions this domain records, in words (trading.audit.actions)."""
    from ..i18n import N_

    return {
        "expert.created": N_("新增评标专家"),
        "expert.updated": N_("修改专家信息"),
        "expert.status_changed": N_("专家状态变更"),
        "committee.formed": N_("组建评标委员会"),
        "committee.drawn": N_("抽取评标专家"),
        "committee.member_reserve": N_("专家列为候补"),
        "committee.member_notified": N_("通知专家参加评标"),
        "committee.member_accepted": N_("专家确认参加"),
        "committee.member_signed_in": N_("专家签到"),
        "committee.member_declined": N_("专家拒绝参加"),
        "committee.member_no_answer": N_("专家未应答"),
        "committee.member_excluded": N_("专家回避"),
        "committee.chair_voted": N_("推选组长投票"),
        "committee.chair_elected": N_("推选评标组长"),
        "committee.started": N_("开始评标"),
        "criteria.saved": N_("保存评分标准"),
        "criteria.published": N_("评分标准随公告发布"),
        "sheet.submitted": N_("提交评分表"),
        "evaluation.bid_document_read": N_("评标委员查阅投标文件"),
        "evaluation.tabulated": N_("评分汇总"),
        "evaluation.warning_answered": N_("处理评分偏离提示"),
        "evaluation.low_price_explained": N_("投标人说明异常低价"),
        "evaluation.low_price_decided": N_("异常低价审查结论"),
        "evaluation.report_generated": N_("生成评标报告"),
        "evaluation.report_signed": N_("签署评标报告"),
        "evaluation.report_deemed_signed": N_("评标报告视为已签署"),
        "evaluation.report_locked": N_("评标报告锁定"),
        "evaluation.unlock_requested": N_("申请重新评审"),
        "evaluation.unlock_decided": N_("重新评审申请决定"),
        "consultation.round_opened": N_("开启磋商轮次"),
        "consultation.session_recorded": N_("记录磋商情况"),
        "consultation.change_recorded": N_("记录磋商文件变更"),
        "consultation.round_closed": N_("结束磋商轮次"),
        "consultation.withdrawn": N_("退出磋商"),
        "final_quote.started": N_("发起最后报价"),
        "final_quote.revealed": N_("揭示最后报价"),
    }


def includeme(config):
    from ..projects.events import ProjectApproving, ProjectDue, ProjectScheduling
    from .consultation import ConsultationService, consultation_service_factory
    from .service import EvaluationService, evaluation_service_factory
    from .subscribers import (
        final_quotes_due,
        final_quotes_next,
        lock_criteria,
        signing_due,
        signing_next,
    )

    config.add_audit_actions(_audit_actions())
    config.register_service_factory(evaluation_service_factory, EvaluationService)
    config.register_service_factory(consultation_service_factory, ConsultationService)
    config.add_draw_labels(attributes={"specialty": "专业", "region": "地区"})
    config.add_subscriber(lock_criteria, ProjectApproving)
    config.add_subscriber(signing_due, ProjectDue)
    config.add_subscriber(signing_next, ProjectScheduling)
    config.add_subscriber(final_quotes_due, ProjectDue)
    config.add_subscriber(final_quotes_next, ProjectScheduling)
