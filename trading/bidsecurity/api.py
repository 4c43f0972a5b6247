"""The bid-security JSON API: the bank's notification webhook and the bidder's own view."""

from pyramid.view import view_config

from ..api import describe
from ..projects.models import Lot, Project, SignUp
from ..resources import get_or_404
from ..security import Permission
from .bank import SIGNATURE_HEADER
from .guarantee import SIGNATURE_HEADER as GUARANTOR_HEADER
from .service import BidSecurityService

ANSWER = {"type": "object", "required": ["message", "notification_id"],
          "properties": {"result": {"type": "string"}, "error": {"type": "string"},
                         "message": {"type": "string"},
                         "notification_id": {"type": "integer"}}}

@describe("api.bidsecurity.notify", "POST",
          "The bank's payment notification (银行到账通知): a canonical JSON body signed with "
          f"the bank's Ed25519 key in the {SIGNATURE_HEADER} header. Every notification is "
          "stored; 200 recorded, 401 bad_signature, 400 malformed/stale, 409 replay, 422 "
          "unknown_reference/late_payment/short_amount/wrong_account (recorded, refunded).",
          response=ANSWER)
@view_config(route_name="api.bidsecurity.notify", request_method="POST", renderer="json",
             permission=Permission.PUBLIC_VIEW, require_csrf=False)
def notify(request):
    # Answered, never raised: a refusal must still commit the stored notification.
    answer = request.find_service(BidSecurityService).receive(
        request.body, request.headers.get(SIGNATURE_HEADER))
    request.response.status_int = answer.status
    return answer.as_json()


GUARANTEE_ANSWER = {"type": "object", "required": ["message", "guarantee_id"],
                    "properties": {"result": {"type": "string"}, "error": {"type": "string"},
                                   "message": {"type": "string"},
                                   "guarantee_id": {"type": ["integer", "null"]}}}

@describe("api.bidsecurity.guarantees", "POST",
          "The guarantee provider delivers an issued electronic guarantee (电子保函): a "
          "canonical JSON document signed with the provider's Ed25519 key in the "
          f"{GUARANTOR_HEADER} header. Verified, then sealed to the project's opening key; a "
          "refusal stores nothing. 200 recorded, 401 bad_signature, 400 malformed/stale, 409 "
          "replay, 422 unknown_application/wrong_lot/wrong_applicant/wrong_beneficiary/"
          "short_amount/short_validity/late, 503 not_sealable.", response=GUARANTEE_ANSWER)
@view_config(route_name="api.bidsecurity.guarantees", request_method="POST", renderer="json",
             permission=Permission.PUBLIC_VIEW, require_csrf=False)
def receive_guarantee(request):
    answer = request.find_service(BidSecurityService).receive_guarantee(
        request.body, request.headers.get(GUARANTOR_HEADER))
    request.response.status_int = answer.status
    return answer.as_json()


def _project_lots(request):
    return get_or_404(request, Project, "project_id")


def security_json(request, project) -> dict:
    """The bidder's own view: per signed-up lot what to pay, where, status; refunds."""
    import sqlalchemy as sa

    from .models import Refund, SecurityCheck
    from .service import requirement_of

    svc = request.find_service(BidSecurityService)
    org_id = request.identity.organisation_id
    lots = set(request.dbsession.scalars(sa.select(SignUp.lot_id).where(
        SignUp.project_id == project.id, SignUp.bidder_org_id == org_id)))
    checks = {c.lot_id: c for c in request.dbsession.scalars(sa.select(SecurityCheck).where(
        SecurityCheck.project_id == project.id, SecurityCheck.organisation_id == org_id))}
    items = []
    for lot in project.lots:
        if lot.id not in lots:
            continue
        req, sub, check = requirement_of(project, lot), svc.sub_account_of(lot, org_id), \
            checks.get(lot.id)
        application = svc.application_of(lot, org_id)
        items.append({"lot": lot.number, "form": str(req.form), "required_fen": req.required_fen,
                      "deadline": req.deadline.isoformat(), "on_missing": req.on_missing,
                      "sub_account": sub.number if sub else None,
                      "guarantee_application": application.number if application else None,
                      "guarantee_pay_url": application.pay_url if application else None,
                      "status": str(check.status) if check else None,
                      "paid_fen": check.paid_fen if check else None})
    refunds = request.dbsession.scalars(sa.select(Refund).where(
        Refund.project_id == project.id, Refund.organisation_id == org_id)).all()
    return {"project": project.number, "lots": items, "refunds": [{
        "form": "guarantee" if x.guarantee_id else "deposit",
        "cause": str(x.cause), "status": str(x.status), "principal_fen": x.principal_fen,
        "interest_fen": x.interest_fen, "due_on": x.due_on.isoformat() if x.due_on else None,
        "bank_reference": x.bank_reference or None} for x in refunds]}


SECURITY = {"type": "object", "required": ["project", "lots", "refunds"], "properties": {
    "project": {"type": "string"},
    "lots": {"type": "array", "items": {"type": "object"}},
    "refunds": {"type": "array", "items": {"type": "object"}}}}


@describe("api.bidsecurity.project", "GET", "My bid security in this project: per signed-up "
          "lot the form, amount (分), deadline, sub-account and guarantee application; after "
          "the opening the status; refunds with interest, guarantee releases (bidder)",
          auth=True, response=SECURITY)
@view_config(route_name="api.bidsecurity.project", request_method="GET", renderer="json",
             permission=Permission.BIDDER_WORKSPACE)
def api_project(request):
    return security_json(request, _project_lots(request))


@describe("api.bidsecurity.sub_account", "POST", "Get (or create) my virtual sub-account for "
          "this lot before the deadline (bidder, signed up)", auth=True, response=SECURITY)
@view_config(route_name="api.bidsecurity.sub_account", request_method="POST", renderer="json",
             permission=Permission.BIDDER_WORKSPACE)
def api_sub_account(request):
    project = _project_lots(request)
    lot = get_or_404(request, Lot, "lot_id", project_id=project.id)
    request.find_service(BidSecurityService).sub_account(
        project, lot, org_id=request.identity.organisation_id, actor=request.actor)
    return security_json(request, project)


@describe("api.bidsecurity.guarantee", "POST", "Apply for an electronic guarantee (电子保函) for "
          "this lot through the configured provider before the deadline (bidder, signed up; "
          "idempotent); guarantee_pay_url is the provider's page where it is issued",
          auth=True, response=SECURITY)
@view_config(route_name="api.bidsecurity.guarantee", request_method="POST", renderer="json",
             permission=Permission.BIDDER_WORKSPACE)
def api_guarantee(request):
    project = _project_lots(request)
    lot = get_or_404(request, Lot, "lot_id", project_id=project.id)
    request.find_service(BidSecurityService).apply_guarantee(
        project, lot, org_id=request.identity.organisation_id, actor=request.actor,
        notify_url=request.route_url("api.bidsecurity.guarantees"),
        return_url=request.route_url("bidsecurity.project", project_id=project.id))
    return security_json(request, project)
