"""The award JSON API: the same services and schemas as the pages."""

from pyramid.view import view_config

from ..api import describe
from ..bidding.api import RECEIPT, envelope_part
from ..security import Permission
from .errors import InvalidAwardInput
from .final_offer import FinalOfferService, round_state
from .forms import FinalOfferBody, StartRoundBody, deserialize

ROUND = {"type": "object", "required": ["id", "lot", "phase", "ends_at", "parties"],
         "properties": {
             "id": {"type": "integer"}, "lot": {"type": "integer"},
             "round_ref": {"type": "string"},
             "phase": {"type": "string", "enum": ["eligibility", "open", "closed", "decided"]},
             "eligibility_ends_at": {"type": "string"}, "ends_at": {"type": "string"},
             "floor_fen": {"type": ["integer", "null"]},
             "ceiling_fen": {"type": ["integer", "null"]},
             "key_id": {"type": "string"}, "parties": {"type": "array",
                                                       "items": {"type": "object"}},
             "result": {"type": ["object", "null"]}, "mine": {"type": ["object", "null"]}}}


def _offers(request) -> FinalOfferService:
    return request.find_service(FinalOfferService)


def _json(request) -> dict:
    try:
        data = request.json_body
    except ValueError:
        raise InvalidAwardInput("请求体不是有效的 JSON") from None
    if not isinstance(data, dict):
        raise InvalidAwardInput("请求体应为 JSON 对象")
    return data


def _org(request) -> int | None:
    user = request.identity
    return user.organisation_id if user and str(user.role) == "bidder" else None


describe("api.award.final_offer", "GET", "The project's final-offer rounds (终次报价): "
         "windows, floor and ceiling, eligible parties; amounts and the winner once decided",
         response={"type": "object", "properties": {"items": {"type": "array",
                                                              "items": ROUND}}})


@view_config(route_name="api.award.final_offer", request_method="GET", renderer="json",
             permission=Permission.PROJECT_VIEW)
def api_rounds(context, request):
    service = _offers(request)
    return {"items": [round_state(service, context.project, r, org_id=_org(request))
                      for r in service.rounds(context.project)]}


describe("api.award.final_offer.start", "POST", "Start the final-offer round of a lot after "
         "the opening (trading center); floor in yuan, or null for the profile's default",
         auth=True, request_schema=StartRoundBody, response=ROUND)


@view_config(route_name="api.award.final_offer.start", request_method="POST",
             renderer="json", permission=Permission.AWARD_MANAGE)
def api_start(context, request):
    values = deserialize(StartRoundBody(), _json(request))
    service = _offers(request)
    final_round = service.start(context.project, context.lot, floor_fen=values["floor"],
                                actor=request.actor)
    request.response.status_int = 201
    return round_state(service, context.project, final_round)


describe("api.award.final_offer.join", "POST", "Accept the floor during the eligibility "
         "window to become eligible (a signed-up bidder without a valid bid)", auth=True,
         response=ROUND)


@view_config(route_name="api.award.final_offer.join", request_method="POST", renderer="json",
             permission=Permission.FINAL_OFFER_SUBMIT)
def api_join(context, request):
    service = _offers(request)
    service.join(context.project, context.final_round, actor=request.actor)
    return round_state(service, context.project, context.final_round, org_id=_org(request))


describe("api.award.final_offer.submit", "POST", "Submit the one final offer during the "
         "window: JSON {\"amount\": yuan} (sealed by the platform, floor and ceiling checked "
         "at once) or multipart field 'envelope' (sealed with round.pub, lot = round_ref); "
         "returns the signed receipt", auth=True, request_schema=FinalOfferBody,
         response={"type": "object", "properties": {"receipt": RECEIPT}})


@view_config(route_name="api.award.final_offer.submit", request_method="POST",
             renderer="json", permission=Permission.FINAL_OFFER_SUBMIT)
def api_submit(context, request):
    service = _offers(request)
    if request.content_type == "multipart/form-data":
        with envelope_part(request, 1024 * 1024) as stream:
            party = service.submit_envelope(context.project, context.final_round,
                                            stream=stream, actor=request.actor)
    else:
        values = deserialize(FinalOfferBody(), _json(request))
        party = service.submit_amount(context.project, context.final_round,
                                      amount_fen=values["amount"], actor=request.actor)
    request.response.status_int = 201
    return {"receipt": service.receipt(context.project, context.final_round, party)}
