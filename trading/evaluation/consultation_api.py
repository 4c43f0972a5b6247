"""The 竞争性磋商 JSON API: the same services and schemas as the consultation pages.

Every refusal is `{"error": code, "message": text, "field": name}` with nothing changed:
`window_closed` (a quote after the deadline), `supplier_withdrawn`, `already_submitted`,
`not_an_envelope` / `envelope_incomplete` / `envelope_refused` (a damaged, cut or
foreign envelope), `too_few_suppliers`, `invalid`; a reveal before the deadline is a
refusal too.
"""

from pyramid.view import view_config

from ..api import describe, json_body
from ..bidding.api import RECEIPT, sealed_part
from ..rounds.service import bidder_org, round_state
from ..security import Permission
from .consultation import ConsultationService, consultation_state
from .errors import ConsultationInvalid
from .forms import NoteBody, SessionBody, TerminateBody, WithdrawBody

LOT_STATE = {"type": "object", "required": ["lot_id", "suppliers", "rounds"],
             "properties": {
                 "lot_id": {"type": "integer"}, "lot": {"type": "integer"},
                 "suppliers": {"type": "array", "items": {"type": "integer"}},
                 "withdrawn": {"type": "array", "items": {"type": "integer"}},
                 "rounds": {"type": "array", "items": {"type": "object"}},
                 "final_quotes": {"type": ["object", "null"]},
                 "guard": {"type": ["object", "null"]},
                 "scores": {"type": "array", "items": {"type": "object"}},
                 "mine": {"type": ["object", "null"]}}}
STATE = {"type": "object", "required": ["project_id", "lots"],
         "properties": {"project_id": {"type": "integer"}, "status": {"type": "string"},
                        "lots": {"type": "array", "items": LOT_STATE}}}


def _service(request) -> ConsultationService:
    return request.find_service(ConsultationService)


def _staff(request) -> bool:
    user = request.identity
    return user is not None and (str(user.role) in ("center", "supervisor") or bool(
        request.has_permission(Permission.PROJECT_MANAGE)))


def _state(context, request) -> dict:
    return consultation_state(_service(request), context.project, staff=_staff(request),
                              org_id=bidder_org(request.identity))


@describe("api.award.consultation", "GET", "竞争性磋商: per lot the suppliers still in and "
          "withdrawn, the rounds (changes for all; a session's minutes for the panel and that "
          "supplier), the sealed final-quote round (amounts once revealed), whether enough "
          "quotes count, and the signed scores", response=STATE)
@view_config(route_name="api.award.consultation", request_method="GET", renderer="json",
             permission=Permission.PROJECT_VIEW)
def api_consultation(context, request):
    return _state(context, request)


def _panel_step(route, summary, schema=None):
    return describe(route, "POST", summary, auth=True, request_schema=schema, response=STATE)


def _done(context, request, status=200) -> dict:
    request.response.status_int = status
    return _state(context, request)


@_panel_step("api.award.consultation.rounds", "Open the next consultation round (center, "
             "for the panel); the previous one must be closed")
@view_config(route_name="api.award.consultation.rounds", request_method="POST",
             renderer="json", permission=Permission.AWARD_MANAGE)
def api_open_round(context, request):
    _service(request).open_round(context.project, context.lot, actor=request.actor)
    return _done(context, request, 201)


@_panel_step("api.award.consultation.close", "Close the current round (center)")
@view_config(route_name="api.award.consultation.close", request_method="POST",
             renderer="json", permission=Permission.AWARD_MANAGE)
def api_close_round(context, request):
    _service(request).close_round(context.project, context.lot, actor=request.actor)
    return _done(context, request)


@_panel_step("api.award.consultation.sessions", "Minutes of the panel's separate session "
             "with one supplier still in (center)", SessionBody)
@view_config(route_name="api.award.consultation.sessions", request_method="POST",
             renderer="json", permission=Permission.AWARD_MANAGE)
def api_session(context, request):
    values = json_body(request, SessionBody(), ConsultationInvalid)
    _service(request).record_session(context.project, context.lot, org_id=values["org_id"],
                                     text=values["text"], actor=request.actor)
    return _done(context, request, 201)


@_panel_step("api.award.consultation.changes", "Broadcast a change of requirements to every "
             "supplier still in (center)", NoteBody)
@view_config(route_name="api.award.consultation.changes", request_method="POST",
             renderer="json", permission=Permission.AWARD_MANAGE)
def api_change(context, request):
    values = json_body(request, NoteBody(), ConsultationInvalid)
    _service(request).broadcast_change(context.project, context.lot, text=values["text"],
                                       actor=request.actor)
    return _done(context, request, 201)


@_panel_step("api.award.consultation.final", "Start the sealed final quotes of the suppliers "
             "still in; 409 too_few_suppliers below the minimum, nothing changed (center)")
@view_config(route_name="api.award.consultation.final", request_method="POST",
             renderer="json", permission=Permission.AWARD_MANAGE)
def api_start_final(context, request):
    _service(request).start_final_quotes(context.project, context.lot, actor=request.actor)
    return _done(context, request, 201)


@_panel_step("api.award.consultation.reveal", "Reveal the final quotes now that their window "
             "has ended — the chronograph's own step, for when the worker has not taken it "
             "yet; 409 window_not_open before the deadline, award_refused once revealed, "
             "reveal_in_progress while the worker is at it; nothing opened (center)")
@view_config(route_name="api.award.consultation.reveal", request_method="POST",
             renderer="json", permission=Permission.AWARD_MANAGE)
def api_reveal(context, request):
    _service(request).reveal(context.project, context.lot, actor=request.actor)
    return _done(context, request)


@_panel_step("api.award.consultation.terminate", "Terminate the consultation (磋商终止, "
             "214号 Art 34) with a reason: the project fails (center)", TerminateBody)
@view_config(route_name="api.award.consultation.terminate", request_method="POST",
             renderer="json", permission=Permission.AWARD_MANAGE)
def api_terminate(context, request):
    values = json_body(request, TerminateBody(), ConsultationInvalid)
    _service(request).terminate(context.project, reason=values["reason"], actor=request.actor)
    return _done(context, request)


@_panel_step("api.award.consultation.withdraw", "Withdraw from the consultation before the "
             "final quote (a supplier still in)", WithdrawBody)
@view_config(route_name="api.award.consultation.withdraw", request_method="POST",
             renderer="json", permission=Permission.FINAL_OFFER_SUBMIT)
def api_withdraw(context, request):
    values = json_body(request, WithdrawBody(), ConsultationInvalid)
    _service(request).withdraw(context.project, context.lot, reason=values["reason"],
                               actor=request.actor)
    return _done(context, request)


@describe("api.award.consultation.quote", "POST", "Submit the one final quote (最后报价) in "
          "the window: multipart field 'envelope', sealed on the client with the round's "
          "round.pub (lot = its round_ref); the ceiling is checked at the reveal. Returns the "
          "signed receipt. 400 plaintext_refused (an amount in clear; nothing is stored); 409 "
          "window_closed / window_not_open / supplier_withdrawn / already_submitted / "
          "not_eligible; 422 not_an_envelope / envelope_incomplete",
          auth=True, response={"type": "object", "properties": {"receipt": RECEIPT}})
@view_config(route_name="api.award.consultation.quote", request_method="POST",
             renderer="json", permission=Permission.FINAL_OFFER_SUBMIT)
def api_quote(context, request):
    service, project, lot = _service(request), context.project, context.lot
    with sealed_part(request) as stream:
        party = service.submit_envelope(project, lot, stream=stream, actor=request.actor)
    request.response.status_int = 201
    final_round = service.sealed.round_for(lot)
    return {"receipt": service.sealed.receipt(project, final_round, party),
            "round": round_state(service.sealed, project, final_round,
                                 org_id=bidder_org(request.identity))}
