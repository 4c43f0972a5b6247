"""The award JSON API: the same services and schemas as the pages."""

import colander
from pyramid.view import view_config

from ..api import describe, json_body
from ..bidding.api import RECEIPT, sealed_part
from ..forms import Text, id_range
from ..rounds.service import bidder_org, round_state
from ..security import Permission
from .errors import InvalidAwardInput
from .final_offer import FinalOfferService
from .forms import FinalOfferBody, StartRoundBody
from .rules import BallotKind

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


@describe("api.award.final_offer", "GET", "The project's final-offer rounds (终次报价): "
          "windows, floor and ceiling, eligible parties; amounts and the winner once decided",
          response={"type": "object", "properties": {"items": {"type": "array",
                                                               "items": ROUND}}})
@view_config(route_name="api.award.final_offer", request_method="GET", renderer="json",
             permission=Permission.PROJECT_VIEW)
def api_rounds(context, request):
    service = _offers(request)
    return {"items": [round_state(service, context.project, r, org_id=bidder_org(request.identity))
                      for r in service.rounds(context.project)]}


@describe("api.award.final_offer.start", "POST", "Start the final-offer round of a lot after "
          "the opening (trading center); floor in yuan, or null for the profile's default",
          auth=True, request_schema=StartRoundBody, response=ROUND)
@view_config(route_name="api.award.final_offer.start", request_method="POST",
             renderer="json", permission=Permission.AWARD_MANAGE)
def api_start(context, request):
    values = json_body(request, StartRoundBody(), InvalidAwardInput)
    service = _offers(request)
    final_round = service.start(context.project, context.lot, floor_fen=values["floor"],
                                actor=request.actor)
    request.response.status_int = 201
    return round_state(service, context.project, final_round)


@describe("api.award.final_offer.join", "POST", "Accept the floor during the eligibility "
          "window to become eligible (a signed-up bidder without a valid bid)", auth=True,
          response=ROUND)
@view_config(route_name="api.award.final_offer.join", request_method="POST", renderer="json",
             permission=Permission.FINAL_OFFER_SUBMIT)
def api_join(context, request):
    service = _offers(request)
    service.join(context.project, context.final_round, actor=request.actor)
    return round_state(service, context.project, context.final_round,
                       org_id=bidder_org(request.identity))


@describe("api.award.final_offer.submit", "POST", "Submit the one final offer during the "
          "window: multipart field 'envelope', sealed on the client with round.pub (lot = "
          "round_ref; tbid.js, the offline sealing page or `python -m bid_crypto seal`); "
          "floor and ceiling are checked at the reveal. Returns the signed receipt. An amount "
          "in clear is refused (400 plaintext_refused) and nothing is stored.", auth=True,
          response={"type": "object", "properties": {"receipt": RECEIPT}})
@view_config(route_name="api.award.final_offer.submit", request_method="POST",
             renderer="json", permission=Permission.FINAL_OFFER_SUBMIT)
def api_submit(context, request):
    service = _offers(request)
    with sealed_part(request) as stream:
        party = service.submit_envelope(context.project, context.final_round,
                                        stream=stream, actor=request.actor)
    request.response.status_int = 201
    return {"receipt": service.receipt(context.project, context.final_round, party)}


@describe("api.award.final_offer.reveal", "POST", "Open every offer and settle the round now "
          "(trading center), once its offer window is over: the worker's own step, by hand, "
          "for a worker that is down or behind; 409 before the end (window_not_open), once "
          "revealed (award_refused) or while the worker is at it (reveal_in_progress)",
          auth=True, response=ROUND)
@view_config(route_name="api.award.final_offer.reveal", request_method="POST",
             renderer="json", permission=Permission.AWARD_MANAGE)
def api_reveal(context, request):
    service = _offers(request)
    service.reveal_now(context.project, context.final_round, actor=request.actor)
    return round_state(service, context.project, context.final_round)


# -- publicity, objections, ballots, the award -----------------------------------------------


class ObjectionBody(colander.MappingSchema):
    text = colander.SchemaNode(Text(), validator=colander.Length(1, 5000))


class Choices(colander.SequenceSchema):
    choice = colander.SchemaNode(Text(), validator=colander.Length(0, 32))


class BallotBody(colander.MappingSchema):
    """plurality, elimination, collective: candidate ids ("B12"); cumulative: one id per
    vote (repeat to stack); pairwise: "first|second|preferred" per pair."""

    round_id = colander.SchemaNode(colander.Integer(), validator=id_range())
    choices = Choices()
    reason = colander.SchemaNode(Text(), missing="",
                                 validator=colander.Length(0, 2000))


def _award_state(request, project) -> dict:
    from .committee import AwardCommitteeService
    from .service import AwardService
    from .views import report_published

    service = request.find_service(AwardService)
    committees = request.find_service(AwardCommitteeService)
    publicity = service.publicity(project)
    lots = []
    for lot in project.lots:
        committee = committees.committee_for(lot)
        current = committees.open_round(committee) if committee else None
        lots.append({"lot": lot.number, "candidates": service.candidates_of(project, lot),
                     "committee": None if committee is None else {
                         "id": committee.id, "draw_id": committee.draw_id,
                         "winner": committee.winner, "report_sha256": committee.report_sha256,
                         "report_signature": committee.report_signature,
                         "report_url": request.route_url(
                             "award.report", project_id=project.id, committee_id=committee.id)
                         if committee.report_signature and report_published(request, committee)
                         else None,
                         "open_round": None if current is None else {
                             "id": current.id, "kind": current.kind, "among": current.among,
                             "seats": current.seats, "ballots": len(current.ballots)}}})
    return {"status": str(project.status),
            "publicity": None if publicity is None else {
                "started_at": publicity.started_at.isoformat(),
                "ends_at": publicity.ends_at.isoformat(),
                "pending_objections": len(service.pending_objections(project))},
            "lots": lots,
            "awards": [{"lot": a.lot.number, "winner_org_id": a.winner_org_id,
                        "price_fen": a.price_fen, "method": a.method,
                        "contract_signed_at": a.contract_signed_at.isoformat()
                        if a.contract_signed_at else None} for a in service.awards(project)]}


@describe("api.award", "GET", "Publicity (中标候选人公示), committees' progress and the award",
          response={"type": "object"})
@view_config(route_name="api.award", request_method="GET", renderer="json",
             permission=Permission.PROJECT_VIEW)
def api_award(context, request):
    return _award_state(request, context.project)


@describe("api.award.objections", "POST", "Raise an objection (异议) during the publicity "
          "(a bidder of the project)", auth=True, request_schema=ObjectionBody)
@view_config(route_name="api.award.objections", request_method="POST", renderer="json",
             permission=Permission.AWARD_OBJECT)
def api_objection(context, request):
    from .service import AwardService

    values = json_body(request, ObjectionBody(), InvalidAwardInput)
    objection = request.find_service(AwardService).raise_objection(
        context.project, text=values["text"], actor=request.actor)
    request.response.status_int = 201
    return {"id": objection.id, "answer_due_at": objection.answer_due_at.isoformat()}


@describe("api.award.ballot", "POST", "Cast my ballot in the committee's open round (award "
          "committee member); refused for a non-candidate, a second vote or a closed round",
          auth=True, request_schema=BallotBody)
@view_config(route_name="api.award.ballot", request_method="POST", renderer="json",
             permission=Permission.AWARD_VOTE)
def api_ballot(context, request):
    from .committee import AwardCommitteeService, RoundClosed

    values = json_body(request, BallotBody(), InvalidAwardInput)
    committees = request.find_service(AwardCommitteeService)
    current = committees.open_round(context.committee)
    if current is None or current.id != values["round_id"]:
        raise RoundClosed("该轮投票已结束，不能再投票")
    choices = values["choices"]
    if current.kind == BallotKind.PAIRWISE:  # "first|second|preferred" per pair
        choices = [c.split("|") for c in choices]
    committees.cast(context.project, context.committee, current, choices=choices,
                    reason=values["reason"], actor=request.actor)
    request.response.status_int = 201
    return _award_state(request, context.project)


@describe("api.award.decide", "POST", "定标 after the publicity: results announced, notices "
          "sent (the owner)", auth=True)
@view_config(route_name="api.award.decide", request_method="POST", renderer="json",
             permission=Permission.PROJECT_MANAGE)
def api_decide(context, request):
    from .service import AwardService

    request.find_service(AwardService).decide(context.project, actor=request.actor)
    return _award_state(request, context.project)


# -- 降价竞价 --------------------------------------------------------------------------------

AUCTION = {"type": "object", "required": ["id", "lot", "current_fen", "step_fen", "floor_fen",
                                          "ends_at", "closed"],
           "properties": {
               "id": {"type": "integer"}, "lot": {"type": "integer"},
               "current_fen": {"type": "integer"}, "start_fen": {"type": "integer"},
               "step_fen": {"type": "integer"}, "floor_fen": {"type": "integer"},
               "ends_at": {"type": "string"}, "hard_end_at": {"type": "string"},
               "bids": {"type": "integer"}, "closed": {"type": "boolean"},
               "leading": {"type": ["boolean", "null"],
                           "description": "mine is the current lowest (candidates only)"},
               "history": {"type": ["array", "null"], "items": {"type": "object"},
                           "description": "every bid, once the auction is closed"}}}


def auction_json(request, auction) -> dict:
    from .committee import AwardCommitteeService

    state = request.find_service(AwardCommitteeService).auction_state(auction)
    org = bidder_org(request.identity)
    mine = f"B{org}" if org and f"B{org}" in auction.candidates else None
    return {"id": auction.id, "lot": auction.committee.lot.number,
            "current_fen": state.current_fen, "start_fen": auction.start_fen,
            "step_fen": auction.step_fen, "floor_fen": auction.floor_fen,
            "ends_at": auction.ends_at.isoformat(),
            "hard_end_at": auction.hard_end_at.isoformat(), "bids": len(auction.bids),
            "closed": auction.closed_at is not None,
            "leading": None if mine is None else state.leader == mine,
            "history": None if auction.closed_at is None else [
                {"candidate": f"B{b.org_id}", "amount_fen": b.amount_fen,
                 "at": b.placed_at.isoformat()} for b in auction.bids]}


@describe("api.award.auction", "GET", "A descending auction (降价竞价) of a price-competition "
          "award stage: current lowest price, step, floor, end; who bid what once closed",
          response=AUCTION)
@view_config(route_name="api.award.auction", request_method="GET", renderer="json",
             permission=Permission.PROJECT_VIEW)
def api_auction(context, request):
    return auction_json(request, context.auction)


@describe("api.award.auction.bid", "POST", "Bid in a descending auction (a candidate): "
          "{\"amount\": yuan}, the current lowest price minus a whole number of steps, not "
          "below the floor, before the end; refused with bid_off_step, below_floor, "
          "not_below_current, already_lowest, window_closed, not_a_candidate",
          auth=True, request_schema=FinalOfferBody, response=AUCTION)
@view_config(route_name="api.award.auction.bid", request_method="POST", renderer="json",
             permission=Permission.AWARD_AUCTION_BID)
def api_auction_bid(context, request):
    from .committee import AwardCommitteeService

    values = json_body(request, FinalOfferBody(), InvalidAwardInput)
    request.find_service(AwardCommitteeService).bid(context.project, context.auction,
                                               amount_fen=values["amount"], actor=request.actor)
    request.response.status_int = 201
    return auction_json(request, context.auction)
