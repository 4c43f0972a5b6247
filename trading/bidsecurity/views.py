"""Bid-security pages: the bidder's (what to pay, where, status, refunds), the center's
reconciliation and daily report, the supervisors' figures and forfeiture decisions."""

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from pyramid.httpexceptions import HTTPForbidden, HTTPSeeOther
from pyramid.view import view_config

from ..errors import DomainError
from ..i18n import DISPLAY_TZ
from ..projects.models import Lot, Project, SignUp
from ..resources import get_or_404
from ..security import Permission
from . import rules as r
from .models import (
    BankNotification,
    Disposition,
    Forfeiture,
    ForfeitureStatus,
    Refund,
    RefundStatus,
    SecurityCheck,
)
from .service import (
    ANSWERS,
    DISPOSITION_LABELS,
    FORFEITURE_LABELS,
    REFUND_LABELS,
    STATUS_LABELS,
    BidSecurityService,
    local_date,
    refund_label,
    requirement_of,
)

OPEN = (RefundStatus.WAITING, RefundStatus.DUE, RefundStatus.RETRYING, RefundStatus.HELD)


def labels() -> dict:
    return {"FORM_LABELS": r.FORM_LABELS, "PAYMENT_LABELS": r.PAYMENT_LABELS,
            "CAUSE_LABELS": r.CAUSE_LABELS, "GROUND_LABELS": r.GROUND_LABELS,
            "REFUND_LABELS": REFUND_LABELS, "CHECK_LABELS": STATUS_LABELS,
            "DISPOSITION_LABELS": DISPOSITION_LABELS, "FORFEITURE_LABELS": FORFEITURE_LABELS,
            "REASON_LABELS": {code: message for code, (_s, _c, message) in ANSWERS.items()},
            "refund_label": refund_label}


def service(request) -> BidSecurityService:
    return request.find_service(BidSecurityService)


def _project(request) -> Project:
    return get_or_404(request, Project, "project_id")


def _back(request, route, message, queue="success", **kw):
    request.session.flash(message, queue)
    return HTTPSeeOther(request.route_url(route, **kw))


# -- bidder -----------------------------------------------------------------------------

@view_config(route_name="bidsecurity.mine", renderer="bidsecurity/mine.jinja2",
             permission=Permission.BIDDER_WORKSPACE)
def mine(request):
    """投标保证金: my basic accounts and the projects I signed up for."""
    org_id = request.identity.organisation_id
    projects = request.dbsession.scalars(
        sa.select(Project).join(SignUp, SignUp.project_id == Project.id)
        .where(SignUp.bidder_org_id == org_id).distinct().order_by(Project.id.desc())).all()
    return {"accounts": service(request).accounts(org_id), "projects": projects, **labels()}


@view_config(route_name="bidsecurity.accounts", request_method="POST",
             permission=Permission.BIDDER_WORKSPACE)
def add_account(request):
    try:
        service(request).add_account(
            request.identity.organisation_id, account_no=request.POST.get("account_no", ""),
            account_name=request.POST.get("account_name", ""),
            bank_name=request.POST.get("bank_name", ""), actor=request.actor)
    except DomainError as error:
        request.tm.doom()
        return _back(request, "bidsecurity.mine", error.message, "error")
    return _back(request, "bidsecurity.mine", "基本账户已登记")


@view_config(route_name="bidsecurity.project", renderer="bidsecurity/project.jinja2",
             permission=Permission.BIDDER_WORKSPACE)
def bidder_project(request):
    """What to pay, where, until when; after the opening, the status and the refund."""
    project, svc = _project(request), service(request)
    org_id = request.identity.organisation_id
    lot_ids = set(request.dbsession.scalars(sa.select(SignUp.lot_id).where(
        SignUp.project_id == project.id, SignUp.bidder_org_id == org_id)))
    if not lot_ids:
        raise HTTPForbidden()  # only a bidder signed up to a lot has anything here
    checks = {c.lot_id: c for c in request.dbsession.scalars(sa.select(SecurityCheck).where(
        SecurityCheck.project_id == project.id, SecurityCheck.organisation_id == org_id))}
    refunds = request.dbsession.scalars(sa.select(Refund).where(
        Refund.project_id == project.id, Refund.organisation_id == org_id)
        .order_by(Refund.id)).all()
    rows = [{"lot": lot, "req": requirement_of(project, lot),
             "sub": svc.sub_account_of(lot, org_id), "check": checks.get(lot.id),
             "application": svc.application_of(lot, org_id)}
            for lot in project.lots if lot.id in lot_ids]
    settings = request.registry.settings
    return {"project": project, "rows": rows, "refunds": refunds,
            "opened": request.clock() >= project.bid_deadline,
            "accounts": svc.accounts(org_id),
            "payee_name": settings.get("bidsecurity.account_name",
                                       "公共资源交易中心投标保证金专户"),
            "payee_bank": settings.get("bidsecurity.bank_name", "模拟银行"),
            "guarantor": svc.provider.name, **labels()}


@view_config(route_name="bidsecurity.sub_account", request_method="POST",
             permission=Permission.BIDDER_WORKSPACE)
def get_sub_account(request):
    project = _project(request)
    lot = get_or_404(request, Lot, "lot_id", project_id=project.id)
    try:
        service(request).sub_account(project, lot, org_id=request.identity.organisation_id,
                                     actor=request.actor)
    except DomainError as error:
        request.tm.doom()
        return _back(request, "bidsecurity.project", error.message, "error",
                     project_id=project.id)
    return _back(request, "bidsecurity.project", "子账号已生成，请从基本账户转账",
                 project_id=project.id)


@view_config(route_name="bidsecurity.guarantee", request_method="POST",
             permission=Permission.BIDDER_WORKSPACE)
def apply_guarantee(request):
    """申请电子保函: registered with the provider, then on to its page to have it issued."""
    project = _project(request)
    lot = get_or_404(request, Lot, "lot_id", project_id=project.id)
    try:
        service(request).apply_guarantee(
            project, lot, org_id=request.identity.organisation_id, actor=request.actor,
            notify_url=request.route_url("api.bidsecurity.guarantees"),
            return_url=request.route_url("bidsecurity.project", project_id=project.id))
    except DomainError as error:
        request.tm.doom()
        return _back(request, "bidsecurity.project", error.message, "error",
                     project_id=project.id)
    # Back to our own page, whose link leads on to the provider: the CSP's form-action
    # 'self' makes browsers refuse a form post redirected to another origin.
    return _back(request, "bidsecurity.project",
                 "已向担保机构提交申请，请点击下方链接前往担保机构办理", project_id=project.id)


# -- center: reconciliation and daily report -------------------------------------------

def _day(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        return local_date(request.clock())


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), DISPLAY_TZ)
    return start, start + timedelta(days=1)


def daily_report(dbsession, day: date) -> dict:
    """One Beijing day: notifications by outcome, refunds made, refunds falling due."""
    start, end = _bounds(day)
    notes = dbsession.scalars(sa.select(BankNotification).where(
        BankNotification.received_at >= start, BankNotification.received_at < end)
        .order_by(BankNotification.id)).all()
    made = dbsession.scalars(sa.select(Refund).where(
        Refund.refunded_at >= start, Refund.refunded_at < end)).all()
    falling = dbsession.scalars(sa.select(Refund).where(Refund.due_on == day)).all()
    outcome: dict[str, int] = {}
    for n in notes:
        key = n.reason or ("sealed" if n.sealed is not None and n.opened is None
                           else str(n.state or n.disposition))
        outcome[key] = outcome.get(key, 0) + 1
    return {"day": day, "notes": notes, "outcome": outcome, "made": made,
            "made_fen": sum(x.principal_fen + x.interest_fen for x in made),
            "interest_fen": sum(x.interest_fen for x in made), "falling": falling}


@view_config(route_name="bidsecurity.center", renderer="bidsecurity/center.jinja2",
             permission=Permission.CENTER_WORKSPACE)
def center(request):
    day = _day(request)
    refunds = request.dbsession.scalars(sa.select(Refund).where(Refund.status.in_(OPEN))
                                        .order_by(Refund.due_on, Refund.id)).all()
    return {"report": daily_report(request.dbsession, day), "refunds": refunds,
            "overdue": {x.id for x in service(request).overdue()},
            "grounds": list(r.ForfeitureGround), "today": local_date(request.clock()),
            **labels()}


@view_config(route_name="bidsecurity.forfeit", request_method="POST",
             permission=Permission.CENTER_WORKSPACE)
def propose(request):
    refund = get_or_404(request, Refund, "refund_id")
    try:
        service(request).propose_forfeiture(refund, ground=request.POST.get("ground", ""),
                                            statement=request.POST.get("statement", ""),
                                            actor=request.actor)
    except DomainError as error:
        request.tm.doom()
        return _back(request, "bidsecurity.center", error.message, "error")
    return _back(request, "bidsecurity.center", "没收申请已提交监督审批，该笔款项暂停退还")


# -- supervisors: figures and decisions -------------------------------------------------

def figures(dbsession, svc: BidSecurityService) -> dict:
    def total(*statuses):
        # PostgreSQL's SUM of a bigint is numeric (a Decimal): money stays integer 分.
        # Money only: a guarantee is no deposit the center holds.
        return int(dbsession.scalar(sa.select(sa.func.coalesce(sa.func.sum(
            Refund.principal_fen), 0)).where(Refund.status.in_(statuses),
                                              Refund.guarantee_id.is_(None))) or 0)

    overdue = svc.overdue()
    counts = dict(dbsession.execute(sa.select(BankNotification.disposition, sa.func.count())
                                    .group_by(BankNotification.disposition)).all())
    return {"held_fen": total(*OPEN), "refunded_fen": total(RefundStatus.REFUNDED),
            "forfeited_fen": total(RefundStatus.FORFEITED),
            "overdue": overdue,
            "overdue_fen": sum(x.principal_fen for x in overdue if x.guarantee_id is None),
            "retrying": dbsession.scalar(sa.select(sa.func.count()).where(
                Refund.status == RefundStatus.RETRYING)),
            "recorded": counts.get(Disposition.RECORDED, 0),
            "rejected": counts.get(Disposition.REJECTED, 0)}


@view_config(route_name="bidsecurity.supervision", renderer="bidsecurity/supervision.jinja2",
             permission=Permission.AUDIT_VIEW)
def supervision(request):
    svc = service(request)
    return {"f": figures(request.dbsession, svc),
            "pending": svc.forfeitures(ForfeitureStatus.PROPOSED),
            "decided": [f for f in svc.forfeitures() if f.status is not
                        ForfeitureStatus.PROPOSED][:20], **labels()}


@view_config(route_name="bidsecurity.decide", request_method="POST",
             permission=Permission.SUPERVISOR_WORKSPACE)
def decide(request):
    item = get_or_404(request, Forfeiture, "forfeiture_id")
    approve = request.POST.get("decision") == "approve"
    try:
        service(request).decide_forfeiture(item, approve=approve,
                                           note=request.POST.get("note", ""),
                                           actor=request.actor)
    except DomainError as error:
        request.tm.doom()
        return _back(request, "bidsecurity.supervision", error.message, "error")
    return _back(request, "bidsecurity.supervision",
                 "已批准没收" if approve else "已驳回，该笔保证金照常退还")
