"""Award pages (HTML): the final-offer round. Thin views over the services."""

import json

from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config

from ..bidding.views import attachment
from ..errors import DomainError
from ..forms import redirect
from ..i18n import _
from ..security import Permission
from .errors import InvalidAwardInput
from .final_offer import FinalOfferService, round_state
from .forms import FinalOfferBody, StartRoundBody, deserialize

PAGE = "award/final_offer.jinja2"


def _offers(request) -> FinalOfferService:
    return request.find_service(FinalOfferService)


def _page(context, request) -> dict:
    service, user = _offers(request), request.identity
    org_id = user.organisation_id if user and str(user.role) == "bidder" else None
    rounds = {r.lot_id: round_state(service, context.project, r, org_id=org_id)
              for r in service.rounds(context.project)}
    return {"project": context.project, "rounds": rounds, "error": None,
            "can": lambda p: bool(request.has_permission(p)), "bidder": org_id is not None}


def _failed(request, error: DomainError, context) -> dict:
    """Shown again with the reason; the error status makes pyramid_tm abort."""
    request.override_renderer = PAGE
    request.response.status_int = error.status if error.status < 500 else 400
    return {**_page(context, request), "error": error.message}


def _act(context, request, action, message):
    try:
        action()
    except DomainError as error:
        return _failed(request, error, context)
    return redirect(request, "award.final_offer", message, project_id=context.project.id)


@view_config(route_name="award.final_offer", renderer=PAGE, permission=Permission.PROJECT_VIEW)
def final_offer_page(context, request):
    return _page(context, request)


@view_config(route_name="award.final_offer.start", renderer=PAGE, request_method="POST",
             permission=Permission.AWARD_MANAGE)
def start_round(context, request):
    def action():
        values = deserialize(StartRoundBody(), {"floor": request.POST.get("floor", "")})
        _offers(request).start(context.project, context.lot, floor_fen=values["floor"],
                               actor=request.actor)

    return _act(context, request, action, _("终次报价已发起"))


@view_config(route_name="award.final_offer.join", renderer=PAGE, request_method="POST",
             permission=Permission.FINAL_OFFER_SUBMIT)
def join_round(context, request):
    return _act(context, request, lambda: _offers(request).join(
        context.project, context.final_round, actor=request.actor),
        _("已接受底价，取得终次报价资格"))


@view_config(route_name="award.final_offer.submit", renderer=PAGE, request_method="POST",
             permission=Permission.FINAL_OFFER_SUBMIT)
def submit_offer(context, request):
    upload = request.POST.get("envelope")

    def action():
        service = _offers(request)
        if hasattr(upload, "file"):
            service.submit_envelope(context.project, context.final_round, stream=upload.file,
                                    actor=request.actor)
            return
        amount = request.POST.get("amount", "")
        if not amount.strip():
            raise InvalidAwardInput(_("请填写终次报价金额，或上传已加密的报价信封"), field="amount")
        values = deserialize(FinalOfferBody(), {"amount": amount})
        service.submit_amount(context.project, context.final_round, amount_fen=values["amount"],
                              actor=request.actor)

    return _act(context, request, action, _("终次报价已密封提交，回执已签发"))


@view_config(route_name="award.final_offer.key", permission=Permission.PROJECT_VIEW)
def download_round_key(context, request):
    """round.pub: `python -m bid_crypto seal --to round.pub --lot L1.FO…`."""
    return attachment(context.final_round.public_key, "round.pub", "application/json")


@view_config(route_name="award.final_offer.receipt", permission=Permission.FINAL_OFFER_SUBMIT)
def download_receipt(context, request):
    service = _offers(request)
    party = service.party_of(context.final_round, request.identity.organisation_id)
    if party is None or party.envelope_sha256 is None:
        raise HTTPNotFound()
    receipt = service.receipt(context.project, context.final_round, party)
    return attachment(json.dumps(receipt, indent=2) + "\n",
                       f"final-offer-receipt-{context.final_round.id}.json", "application/json")
