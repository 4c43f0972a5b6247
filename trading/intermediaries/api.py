"""The supermarket's JSON API: the same schemas and services as the pages."""

import json

import sqlalchemy as sa
from pyramid.view import view_config

from .. import notices
from ..api import describe, json_body, json_object
from ..bidding.api import sealed_part
from ..errors import DomainError, NotFound
from ..security import Permission
from . import forms as f
from .models import Purchase
from .public import active_intermediaries, statistics
from .rules import CreditEventKind
from .service import EntryInput, IntermediaryService, PurchaseInput
from .views import uploaded_file


def _service(request) -> IntermediaryService:
    return request.find_service(IntermediaryService)


def _instant(value):
    return value.isoformat() if value else None


def purchase_json(service: IntermediaryService, p: Purchase, user=None) -> dict:
    """A purchase and, once public, its selection record (registrants after the deadline,
    prices after the opening, draws, the winner with the figures that decided it)."""
    data = {
        "id": p.id, "number": p.number, "title": p.title, "project_name": p.project_name,
        "owner": p.owner.name, "status": str(p.status), "service_type": p.service_type.code,
        "item_ids": p.item_ids, "content": p.content, "time_limit": p.time_limit,
        "service_days": p.service_days, "service_working_days": p.service_working_days,
        "service_due_on": p.service_due_on.isoformat() if p.service_due_on else None,
        "service_started_at": _instant(p.service_started_at),
        "service_due": (due := service.service_due(p)) and due.isoformat(),
        "qualification_requirements": p.qualification_requirements,
        "funding": str(p.funding), "amount_mode": str(p.amount_mode),
        "fixed_fen": p.fixed_fen, "base_fen": p.base_fen, "highest_fen": p.highest_fen,
        "rate_base_fen": p.rate_base_fen, "min_rate": p.min_rate, "max_rate": p.max_rate,
        # quotes are sealed to this key on the intermediary's side (bid_crypto opening.pub)
        "opening_public_key": json.loads(p.opening_public_key) if p.opening_public_key
        else None,
        "method": str(p.method), "long_list_size": p.long_list_size,
        "short_list_size": p.short_list_size, "avoid": p.avoid,
        "registration_deadline": _instant(p.registration_deadline),
        "selection_time": _instant(p.selection_time), "published_at": _instant(p.published_at),
        "republished_from_id": p.republished_from_id,
        "selected_org_id": p.selected_org_id, "confirm_deadline": _instant(p.confirm_deadline),
        "coefficient_percent": p.coefficient_percent,
        "history": (p.selection_evidence or {}).get("history", []),
        "draws": [d.id for d in service.draws_of(p)],
    }
    if service.counts_visible_to(p, user):
        data["registrations"] = [{
            "org_id": g.org_id, "name": g.organisation.name,
            "eligible": str(g.org_id) in p.candidate_ids, "price_fen": g.price_fen,
            "quote": g.quote_value, "sealed_quote_sha256": g.quote_sha256,
            "declined": g.declined_at is not None, "decline_reason": g.decline_reason or None,
        } for g in p.registrations]
        data["short_list"] = [int(i) for i in p.short_list]
    return data


PURCHASE = {"type": "object", "required": ["id", "number", "status", "method"]}


def _ok(request, body, status=200):
    request.response.status_int = status
    return body


@describe("api.im.service_types", "GET", "The service catalogue (中介服务事项清单)")
@view_config(route_name="api.im.service_types", request_method="GET", renderer="json",
             permission=Permission.PUBLIC_VIEW)
def api_catalogue(request):
    return {"items": [{"id": t.id, "code": t.code, "name": t.name,
                       "required_qualification": t.required_qualification,
                       "items": [{"id": i.id, "code": i.code, "name": i.name,
                                  "approval_item": i.approval_item,
                                  "required_qualification": i.required_qualification}
                                 for i in t.items]}
                      for t in _service(request).service_types()]}


@describe("api.im.service_types", "POST", "Add a service type (trading center)", auth=True,
          request_schema=f.ServiceTypeBody)
@view_config(route_name="api.im.service_types", request_method="POST", renderer="json",
             permission=Permission.IM_CATALOGUE_MANAGE)
def api_add_type(request):
    row = _service(request).add_service_type(actor=request.actor,
                                             **json_body(request, f.ServiceTypeBody()))
    return _ok(request, {"id": row.id, "code": row.code}, 201)


@describe("api.im.service_items", "POST", "Add an item to a service type (trading center)",
          auth=True, request_schema=f.ServiceItemBody)
@view_config(route_name="api.im.service_items", request_method="POST", renderer="json",
             permission=Permission.IM_CATALOGUE_MANAGE)
def api_add_item(context, request):
    item = _service(request).add_service_item(context.row, actor=request.actor,
                                              **json_body(request, f.ServiceItemBody()))
    return _ok(request, {"id": item.id, "code": item.code}, 201)


@describe("api.im.intermediaries", "GET", "Entered intermediaries with their credit score")
@view_config(route_name="api.im.intermediaries", renderer="json",
             permission=Permission.PUBLIC_VIEW)
def api_intermediaries(request):
    return {"items": [{"org_id": row["org"].id, "name": row["org"].name,
                       "credit_code": row["org"].credit_code, "credit_score": str(row["credit"]),
                       "service_types": row["types"],
                       "sanction": str(row["sanction"].kind) if row["sanction"] else None,
                       "sanction_until": row["sanction"].until.isoformat()
                       if row["sanction"] and row["sanction"].until else None}
                      for row in active_intermediaries(_service(request))]}


def entry_json(entry) -> dict:
    return {"id": entry.id, "org_id": entry.org_id, "status": str(entry.status),
            "review_reasons": entry.review_reasons,
            "lines": [{"id": line.id, "service_type_id": line.service_type_id,
                       "certificate_no": line.certificate_no, "grade": line.grade,
                       "valid_from": line.valid_from.isoformat(),
                       "valid_until": line.valid_until.isoformat(),
                       "suspended": line.suspended_at is not None} for line in entry.lines]}


@describe("api.im.entry", "GET", "The caller's entry application (intermediary)", auth=True)
@view_config(route_name="api.im.entry", request_method="GET", renderer="json",
             permission=Permission.IM_ENTRY_APPLY)
def api_entry(request):
    entry = _service(request).entry_of(request.identity.organisation_id)
    if entry is None:
        raise NotFound("尚未提交入驻申请")
    return entry_json(entry)


@describe("api.im.entry", "PUT", "Save the entry application (intermediary)", auth=True,
          request_schema=f.EntryBody)
@view_config(route_name="api.im.entry", request_method="PUT", renderer="json",
             permission=Permission.IM_ENTRY_APPLY)
def api_save_entry(request):
    values = json_body(request, f.EntryBody())
    entry = _service(request).save_application(request.identity.organisation,
                                               EntryInput.from_appstruct(values),
                                               actor=request.actor)
    return entry_json(entry)


@describe("api.im.entry.submit", "POST", "Submit the entry application for review", auth=True)
@view_config(route_name="api.im.entry.submit", request_method="POST", renderer="json",
             permission=Permission.IM_ENTRY_APPLY)
def api_submit_entry(request):
    service = _service(request)
    entry = service.entry_of(request.identity.organisation_id)
    if entry is None:
        raise NotFound("请先保存入驻申请")
    return entry_json(service.submit_application(entry, actor=request.actor))


@describe("api.im.line.renew", "POST", "Renew one of the caller's qualification lines",
          auth=True, request_schema=f.RenewBody)
@view_config(route_name="api.im.line.renew", request_method="POST", renderer="json",
             permission=Permission.IM_ENTRY_APPLY)
def api_renew_line(context, request):
    values = json_body(request, f.RenewBody())
    line = _service(request).renew_line(context.row, actor=request.actor, **values)
    return entry_json(line.entry)


@describe("api.im.entry.review", "POST",
          "Approve (decision=approve) or return (decision=return) an entry (trading center)",
          auth=True, request_schema=f.ReviewBody)
def _decision(request) -> str:
    decision = json_object(request).get("decision") if request.body else None
    if decision not in ("approve", "return"):
        raise DomainError("decision 须为 approve 或 return", field="decision", code="invalid")
    return decision


@view_config(route_name="api.im.entry.review", request_method="POST", renderer="json",
             permission=Permission.IM_ENTRY_REVIEW)
def api_review_entry(context, request):
    decision, values = _decision(request), json_body(request, f.ReviewBody())
    service = _service(request)
    if decision == "approve":
        service.approve_entry(context.row, actor=request.actor, reasons=values["reasons"])
    else:
        service.return_entry(context.row, reasons=values["reasons"], actor=request.actor)
    return entry_json(context.row)


@describe("api.im.entry.status", "POST",
          "Suspend, reinstate or remove an entered intermediary (trading center)", auth=True,
          request_schema=f.EntryStatusBody)
@view_config(route_name="api.im.entry.status", request_method="POST", renderer="json",
             permission=Permission.IM_ENTRY_REVIEW)
def api_entry_status(context, request):
    values = json_body(request, f.EntryStatusBody())
    return entry_json(_service(request).change_entry_status(context.row, actor=request.actor,
                                                            **values))


@describe("api.im.credit_events", "POST", "Record a bad-conduct event (trading center)",
          auth=True, request_schema=f.CreditEventBody)
@view_config(route_name="api.im.credit_events", request_method="POST", renderer="json",
             permission=Permission.IM_CREDIT_MANAGE)
def api_credit_event(context, request):
    values = json_body(request, f.CreditEventBody())
    service = _service(request)
    row = service.record_credit_event(context.row, kind=CreditEventKind(values["kind"]),
                                      note=values["note"], actor=request.actor)
    sanction = service.sanction_of(context.row.id)
    return _ok(request, {"id": row.id, "credit_score": str(service.credit_of(context.row.id)),
                         "sanction": str(sanction.kind) if sanction else None}, 201)


@describe("api.im.statistics", "GET", "Purchases by month: completed, success rate, time")
@view_config(route_name="api.im.statistics", renderer="json", permission=Permission.PUBLIC_VIEW)
def api_statistics(request):
    return {"months": [{**row, "success_rate": None if row["success_rate"] is None
                        else str(row["success_rate"]),
                        "avg_days_to_select": None if row["avg_days_to_select"] is None
                        else str(row["avg_days_to_select"])}
                       for row in statistics(request.dbsession)]}


@describe("api.im.purchases", "GET", "Published purchases, newest first")
@view_config(route_name="api.im.purchases", request_method="GET", renderer="json",
             permission=Permission.PUBLIC_VIEW)
def api_purchases(request):
    service = _service(request)
    query = (sa.select(Purchase).where(Purchase.published_at.is_not(None))
             .order_by(Purchase.published_at.desc()).limit(200))
    return {"items": [purchase_json(service, p, request.identity)
                      for p in request.dbsession.scalars(query)]}


@describe("api.im.purchases", "POST", "Create a draft purchase (owner)", auth=True,
          request_schema=f.PurchaseBody, response=PURCHASE)
@view_config(route_name="api.im.purchases", request_method="POST", renderer="json",
             permission=Permission.IM_PURCHASE_CREATE)
def api_create_purchase(request):
    values = f.purchase_values(json_body(request, f.PurchaseBody()))
    service = _service(request)
    purchase = service.create_purchase(request.identity.organisation,
                                       PurchaseInput.from_appstruct(values), actor=request.actor)
    return _ok(request, purchase_json(service, purchase, request.identity), 201)


@describe("api.im.purchase", "GET", "One purchase with its selection record", response=PURCHASE)
@view_config(route_name="api.im.purchase", request_method="GET", renderer="json",
             permission=Permission.IM_PURCHASE_VIEW)
def api_purchase(context, request):
    purchase = context.purchase
    notice = notices.latest(request.dbsession, "intermediaries", purchase.id)
    return {**purchase_json(_service(request), purchase, request.identity),
            "result_notice": notices.api_json(
                notice, f"/supermarket/purchases/{purchase.id}/notice.json")}


def _action(route, summary, permission, schema=None):
    """One POST verb on a purchase: parse with `schema`, call the service, return it."""
    def decorate(fn):
        @describe(route, "POST", summary, auth=True, request_schema=schema, response=PURCHASE)
        @view_config(route_name=route, request_method="POST", renderer="json",
                     permission=permission)
        def view(context, request):
            values = json_body(request, schema()) if schema is not None else {}
            service = _service(request)
            fn(service, context.purchase, request, values)
            return purchase_json(service, context.purchase, request.identity)

        return view

    return decorate


@_action("api.im.purchase.submit", "Submit a draft for review (owner)",
         Permission.IM_PURCHASE_EDIT)
def api_submit(service, purchase, request, values):
    service.submit_purchase(purchase, actor=request.actor)


@_action("api.im.purchase.review", "Approve (decision=approve) or return a purchase (center)",
         Permission.IM_PURCHASE_REVIEW, f.ReviewBody)
def api_review(service, purchase, request, values):
    if _decision(request) == "approve":
        service.approve_purchase(purchase, actor=request.actor, reasons=values["reasons"])
    else:
        service.return_purchase(purchase, reasons=values["reasons"], actor=request.actor)


@_action("api.im.purchase.register", "Register for a purchase (intermediary)",
         Permission.IM_PURCHASE_PARTICIPATE)
def api_register(service, purchase, request, values):
    service.register(purchase, user=request.identity, actor=request.actor)


@_action("api.im.purchase.quote", "Submit a sealed quote and plan (registered intermediary): "
         "multipart field 'envelope', sealed on the client to the purchase's opening key "
         "(`opening_public_key` of the purchase; project IM-<id>, lot Q, bidder <org id>, "
         "offer.json {total_price, currency, remarks: plan, extra: {quote: as typed}}); the "
         "bounds are checked when the quotes are opened. An amount in clear is refused "
         "(400 plaintext_refused).", Permission.IM_PURCHASE_PARTICIPATE)
def api_quote(service, purchase, request, values):
    with sealed_part(request) as stream:
        service.submit_envelope(purchase, user=request.identity, stream=stream,
                                actor=request.actor)


@_action("api.im.purchase.choose", "The owner's pick (direct, credit-best, plan-best)",
         Permission.IM_PURCHASE_MANAGE, f.ChooseBody)
def api_choose(service, purchase, request, values):
    service.choose(purchase, org_id=values["org_id"], reasons=values["reasons"],
                   actor=request.actor)


@_action("api.im.purchase.confirm", "Confirm the selection (selected intermediary)",
         Permission.IM_PURCHASE_PARTICIPATE)
def api_confirm(service, purchase, request, values):
    service.confirm(purchase, user=request.identity, actor=request.actor)


@_action("api.im.purchase.decline", "Decline the selection (selected intermediary)",
         Permission.IM_PURCHASE_PARTICIPATE, f.DeclineBody)
def api_decline(service, purchase, request, values):
    service.decline(purchase, user=request.identity, reason=values["reason"],
                    actor=request.actor)


@_action("api.im.purchase.contract", "Upload the contract (multipart field file)",
         Permission.IM_PURCHASE_PARTICIPATE)
def api_contract(service, purchase, request, values):
    service.upload_contract(purchase, user=request.identity, actor=request.actor,
                            **uploaded_file(request))


@_action("api.im.purchase.contract_review", "Confirm the contract valid or not (owner)",
         Permission.IM_PURCHASE_MANAGE, f.ContractReviewBody)
def api_contract_review(service, purchase, request, values):
    service.review_contract(purchase, valid=values["valid"], reason=values["reason"],
                            actor=request.actor)


@_action("api.im.purchase.result", "Upload the service result (multipart field file)",
         Permission.IM_PURCHASE_PARTICIPATE)
def api_result(service, purchase, request, values):
    service.upload_result(purchase, user=request.identity, actor=request.actor,
                          **uploaded_file(request))


@_action("api.im.purchase.accept", "Confirm receipt of the result (owner)",
         Permission.IM_PURCHASE_MANAGE)
def api_accept(service, purchase, request, values):
    service.accept_result(purchase, actor=request.actor)


@_action("api.im.purchase.rate", "Rate the service, each dimension 1–5 (owner)",
         Permission.IM_PURCHASE_MANAGE, f.RatingBody)
def api_rate(service, purchase, request, values):
    comment = values.pop("comment", "")
    service.rate(purchase, scores=values, comment=comment, actor=request.actor)


@_action("api.im.purchase.terminate", "Withdraw a draft or terminate the service (owner)",
         Permission.IM_PURCHASE_MANAGE, f.ReasonBody)
def api_terminate(service, purchase, request, values):
    service.terminate(purchase, reason=values["reason"], actor=request.actor)


@_action("api.im.purchase.run", "Run the steps due at the server's now (trading center)",
         Permission.IM_PURCHASE_RUN)
def api_run(service, purchase, request, values):
    service.advance(purchase)


@describe("api.im.purchase.waive", "POST",
          "Accept a decline's reason: no bad-conduct record (owner or trading center)",
          auth=True, request_schema=f.ReasonBody, response=PURCHASE)
@view_config(route_name="api.im.purchase.waive", request_method="POST", renderer="json",
             permission=Permission.IM_PURCHASE_WAIVE)
def api_waive(context, request):
    values = json_body(request, f.ReasonBody())
    service = _service(request)
    service.waive_credit_event(context.child, reason=values["reason"], actor=request.actor)
    return purchase_json(service, context.purchase, request.identity)
