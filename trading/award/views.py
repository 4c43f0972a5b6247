"""Award pages (HTML): the final-offer round. Thin views over the services."""

import json

import sqlalchemy as sa
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config

from ..accounts.models import User
from ..bidding.views import attachment, sealed_upload
from ..errors import DomainError
from ..forms import act, redirect, refused, validated
from ..i18n import _
from ..projects.kinds import ProcurementMethod
from ..resources import get_or_404
from ..rounds.service import round_state
from ..security import Permission
from .errors import InvalidAwardInput
from .final_offer import FinalOfferService
from .forms import FinalOfferBody, StartRoundBody, roster_ties
from .rules import BallotKind

PAGE = "award/final_offer.jinja2"


def _offers(request) -> FinalOfferService:
    return request.find_service(FinalOfferService)


def _page(context, request) -> dict:
    service, user = _offers(request), request.identity
    org_id = user.organisation_id if user and str(user.role) == "bidder" else None
    rounds = {r.lot_id: round_state(service, context.project, r, org_id=org_id)
              for r in service.rounds(context.project)}
    logged = any((r.get("result") or {}).get("log") for r in rounds.values())
    return {"project": context.project, "rounds": rounds, "error": None,
            "log_key": _log_key(request) if logged else None,
            "can": lambda p: bool(request.has_permission(p)), "bidder": org_id is not None}


def _log_key(request) -> str:
    from ..audit.merkle import log_verifier

    return log_verifier(request.registry["keys"], request.registry.settings).vkey()


def _act(context, request, action, message):
    return act(request, action, page=lambda: _page(context, request), renderer=PAGE,
               route="award.final_offer", message=message, project_id=context.project.id)


@view_config(route_name="award.final_offer", renderer=PAGE, permission=Permission.PROJECT_VIEW)
def final_offer_page(context, request):
    if context.project.procurement_method is ProcurementMethod.COMPETITIVE_CONSULTATION:
        # 磋商's sealed final quotes have their own pages (consultation_views)
        return HTTPSeeOther(request.route_url("award.consultation",
                                              project_id=context.project.id))
    return _page(context, request)


@view_config(route_name="award.final_offer.start", renderer=PAGE, request_method="POST",
             permission=Permission.AWARD_MANAGE)
def start_round(context, request):
    def action():
        values = validated(StartRoundBody(), {"floor": request.POST.get("floor", "")},
                           InvalidAwardInput)
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
    """Only a sealed envelope: the page seals the amount in the browser (tbid.js)."""
    def action():
        stream = sealed_upload(request)
        _offers(request).submit_envelope(context.project, context.final_round, stream=stream,
                                         actor=request.actor)

    return _act(context, request, action, _("终次报价已密封提交，回执已签发"))


@view_config(route_name="award.final_offer.reveal", renderer=PAGE, request_method="POST",
             permission=Permission.AWARD_MANAGE)
def reveal_round(context, request):
    """The reveal now, by hand: the worker does it at the window's end, but a center must
    not wait on one that is down or behind (and the browser tests' server runs none)."""
    return _act(context, request, lambda: _offers(request).reveal_now(
        context.project, context.final_round, actor=request.actor),
        _("终次报价已全部解密，结果已公布"))


@view_config(route_name="award.final_offer.key", permission=Permission.PROJECT_VIEW)
def download_round_key(context, request):
    """round.pub: `python -m bid_crypto seal --to round.pub --lot L1.FO…`."""
    return attachment(context.final_round.public_key, "round.pub", "application/json")


@view_config(route_name="award.final_offer.offers", permission=Permission.PROJECT_VIEW)
def download_offers(context, request):
    """A decided round's offers with their proof against the transparency log (issue #17):
    `python -m bid_crypto verify-set offers.json --log-key KEY` checks them offline."""
    from ..errors import NotFound

    doc = _offers(request).offers_doc(context.project, context.final_round)
    if doc is None:
        raise NotFound("该轮报价尚未揭示，或未记入审计日志", code="offers_not_logged")
    return attachment(json.dumps(doc, ensure_ascii=False, indent=2) + "\n",
                      f"final-offers-{context.final_round.id}.json", "application/json")


@view_config(route_name="award.final_offer.receipt", permission=Permission.FINAL_OFFER_SUBMIT)
def download_receipt(context, request):
    service = _offers(request)
    party = service.party_of(context.final_round, request.identity.organisation_id)
    if party is None or party.envelope_sha256 is None:
        raise HTTPNotFound()
    receipt = service.receipt(context.project, context.final_round, party)
    return attachment(json.dumps(receipt, indent=2) + "\n",
                       f"final-offer-receipt-{context.final_round.id}.json", "application/json")


# -- publicity, objections, the award (rules §7.6, §7.8, §7.10) ---------------------------------

AWARD_PAGE = "award/award.jinja2"
COMMITTEE_PAGE = "award/committee.jinja2"


def _awards(request):
    from .service import AwardService

    return request.find_service(AwardService)


def _committees(request):
    from .committee import AwardCommitteeService

    return request.find_service(AwardCommitteeService)


def _award_page(context, request) -> dict:
    project, user = context.project, request.identity
    service, committees = _awards(request), _committees(request)
    org_id = user.organisation_id if user else None
    manage = bool(request.has_permission(Permission.PROJECT_MANAGE))
    staff = manage or (user is not None and str(user.role) in ("center", "supervisor"))
    publicity = service.publicity(project)
    objections = [o for o in (publicity.objections if publicity else [])
                  if staff or o.org_id == org_id]
    lots = []
    for lot in project.lots:
        committee = committees.committee_for(lot)
        lots.append({"lot": lot, "candidates": service.candidates_of(project, lot),
                     "committee": committee,
                     "auction": committees.auction_for(committee) if committee else None})
    awards = {a.lot_id: a for a in service.awards(project)}
    from ..audit.merkle import log_verifier

    log_key = log_verifier(request.registry["keys"], request.registry.settings).vkey() \
        if publicity is not None and publicity.log_inputs else None
    return {"project": project, "publicity": publicity, "objections": objections,
            "log_key": log_key,
            "lots": lots, "awards": awards, "now": request.clock(), "error": None,
            "notices": service.notices_for(project, org_id), "manage": manage, "staff": staff,
            "pending": service.pending_objections(project), "methods": _method_labels(),
            "roster_size": len(committees.roster(project.owner_org_id)),
            "heads": [e for e in committees.roster(project.owner_org_id) if e.may_chair]
            if manage else [],
            "can": lambda p: bool(request.has_permission(p))}


def _award_act(context, request, action, message):
    return act(request, action, page=lambda: _award_page(context, request),
               renderer=AWARD_PAGE, route="award.page", message=message,
               project_id=context.project.id)


@view_config(route_name="award.page", renderer=AWARD_PAGE, permission=Permission.PROJECT_VIEW)
def award_page(context, request):
    return _award_page(context, request)


@view_config(route_name="award.inputs", permission=Permission.PROJECT_VIEW)
def download_inputs(context, request):
    """A lot's award inputs with their proof against the transparency log (issue #17):
    `python -m bid_crypto verify-set inputs.json --log-key KEY` checks them offline."""
    import json

    from ..errors import NotFound
    from ..files import serve_bytes

    doc = _awards(request).inputs_doc(context.project, context.lot)
    if doc is None:
        raise NotFound("该标段的定标依据未记入审计日志", code="inputs_not_logged")
    body = json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
    return serve_bytes(body.encode(), f"award-inputs-{context.project.number}-"
                       f"{context.lot.number}.json", "application/json")


@view_config(route_name="award.objection", renderer=AWARD_PAGE, request_method="POST",
             permission=Permission.AWARD_OBJECT)
def raise_objection(context, request):
    return _award_act(context, request, lambda: _awards(request).raise_objection(
        context.project, text=request.POST.get("text", ""), actor=request.actor),
        _("异议已提交，招标人须在规定期限内答复"))


@view_config(route_name="award.answer", renderer=AWARD_PAGE, request_method="POST",
             permission=Permission.PROJECT_MANAGE)
def answer_objection(context, request):
    return _award_act(context, request, lambda: _awards(request).answer_objection(
        context.objection, answer=request.POST.get("answer", ""), actor=request.actor),
        _("异议已答复"))


def _int_field(request, name, default=None):
    raw = request.POST.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidAwardInput(_("请输入整数"), field=name) from None


def _stage_fields(request, prefix: str) -> dict | None:
    method = request.POST.get(f"{prefix}method", "").strip()
    if not method:
        return None
    auction = request.POST.get(f"{prefix}descending_auction") == "on"
    step = request.POST.get(f"{prefix}step", "").strip()
    if auction and not step:
        raise InvalidAwardInput(_("降价竞价须填写降幅（元）"), field=f"{prefix}step")
    return {"method": method, "draw_count": _int_field(request, f"{prefix}draw_count"),
            "n": _int_field(request, f"{prefix}n"),
            "rounds": _int_field(request, f"{prefix}rounds"),
            "finalists": _int_field(request, f"{prefix}finalists"),
            "descending_auction": auction or None,
            "step_fen": validated(FinalOfferBody(), {"amount": step},
                                  InvalidAwardInput)["amount"] if auction else None}


@view_config(route_name="award.committee.form", renderer=AWARD_PAGE, request_method="POST",
             permission=Permission.PROJECT_MANAGE)
def form_committee(context, request):
    def action():
        stage1 = _stage_fields(request, "")
        if stage1 is None:
            raise InvalidAwardInput(_("请选择定标方法"), field="method")
        _committees(request).form(context.project, context.lot,
                                  size=_int_field(request, "size", 5), stage1=stage1,
                                  stage2=_stage_fields(request, "stage2_"), actor=request.actor,
                                  chair_entry_id=_int_field(request, "chair_entry_id"))

    return _award_act(context, request, action, _("定标委员会已随机抽取组建"))


@view_config(route_name="award.decide", renderer=AWARD_PAGE, request_method="POST",
             permission=Permission.PROJECT_MANAGE)
def decide_award(context, request):
    return _award_act(context, request, lambda: _awards(request).decide(
        context.project, actor=request.actor), _("定标完成，中标结果公告与通知书已发出"))


@view_config(route_name="award.decline", renderer=AWARD_PAGE, request_method="POST",
             permission=Permission.AWARD_RESPOND)
def decline_award(context, request):
    return _award_act(context, request, lambda: _awards(request).decline(
        context.award, reason=request.POST.get("reason", ""), actor=request.actor),
        _("已放弃中标"))


@view_config(route_name="award.contract", renderer=AWARD_PAGE, request_method="POST",
             permission=Permission.PROJECT_MANAGE)
def record_contract(context, request):
    return _award_act(context, request, lambda: _awards(request).record_contract(
        context.project, actor=request.actor), _("合同签订已登记"))


# -- the award committee's own page (members, the owner, center, supervisors) --------------------


def _committee_page(context, request) -> dict:
    committees = _committees(request)
    committee, user = context.committee, request.identity
    member = committees.member_of(committee, user.id if user else None)
    current = committees.open_round(committee)
    voted = bool(current and member and any(b.user_id == member.user_id
                                            for b in current.ballots))
    names = {f"B{c['org_id']}": c["name"]
             for c in _awards(request).candidates_of(context.project, committee.lot)}
    users = {u.id: u for u in request.dbsession.scalars(sa.select(User).where(
        User.id.in_([x["user_id"] for x in committee.excluded or []])))}
    excluded = [{**x, "name": users[x["user_id"]].display_name if x["user_id"] in users
                 else x["pseudonym"]} for x in committee.excluded or []]
    return {"project": context.project, "committee": committee, "member": member,
            "current": current, "voted": voted, "names": names, "error": None,
            "excluded": excluded,
            "stage": committees.current_stage(committee)[0], "methods": _method_labels(),
            "ballot_labels": _ballot_labels(), "kinds": BallotKind,
            "auction": committees.auction_for(committee),
            "report": committees.report(context.project, committee)}


def _method_labels() -> dict:
    from .committee import METHOD_LABELS

    return {str(k): v for k, v in METHOD_LABELS.items()}


def _ballot_labels() -> dict:
    from .committee import BALLOT_LABELS

    return {str(k): v for k, v in BALLOT_LABELS.items()}


def _committee_act(context, request, action, message):
    return act(request, action, page=lambda: _committee_page(context, request),
               renderer=COMMITTEE_PAGE, route="award.committee", message=message,
               project_id=context.project.id, committee_id=context.committee.id)


@view_config(route_name="award.committee", renderer=COMMITTEE_PAGE,
             permission=Permission.AWARD_COMMITTEE_VIEW)
def committee_page(context, request):
    return _committee_page(context, request)


def _pair_choices(posted) -> list:
    return [[*pair.split("|")[:2], posted.get(f"pair_{pair}", "")]
            for pair in posted.getall("pair")]


def _stacked_choices(posted) -> list:
    out = []
    for cand in posted.getall("cand"):
        raw = posted.get(f"votes_{cand}", "").strip() or "0"
        if not raw.isdigit() or int(raw) > 100:
            raise InvalidAwardInput(_("票数须为非负整数"), field="choices")
        out += [cand] * int(raw)
    return out


def _id_choices(posted) -> list:
    return [c for c in posted.getall("choice") if c]


# The posted ballot form of each round kind, as the rules read a ballot: ids, stacked
# votes or pair choices (templates/award/ballot/<kind>.jinja2 is the form).
BALLOT_FORMS = {BallotKind.PLURALITY: _id_choices, BallotKind.CUMULATIVE: _stacked_choices,
                BallotKind.ELIMINATION: _id_choices, BallotKind.PAIRWISE: _pair_choices,
                BallotKind.COLLECTIVE: _id_choices}


def ballot_choices(kind: str, posted) -> list:
    """The posted form as the rules read a ballot."""
    return BALLOT_FORMS[BallotKind(kind)](posted)


def report_published(request, committee) -> bool:
    """The signed 定标报告 names the members: public once the lot is awarded (names
    secret until the award, rules §3.2); before that only the committee's own viewers."""
    from .models import Award

    awarded = request.dbsession.scalar(sa.select(Award.id).where(
        Award.lot_id == committee.lot_id)) is not None
    return awarded or bool(request.has_permission(Permission.AWARD_COMMITTEE_VIEW))


@view_config(route_name="award.report", permission=Permission.PROJECT_VIEW)
def download_report(context, request):
    """The signed report document: `trading award verify report.json` checks it offline."""
    document = _committees(request).signed_report(context.committee)
    if document is None or not report_published(request, context.committee):
        raise HTTPNotFound()
    name = f"award-report-{context.project.number}-{context.committee.lot.number}.json"
    return attachment(json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True)
                      + "\n", name, "application/json")


@view_config(route_name="award.ballot", renderer=COMMITTEE_PAGE, request_method="POST",
             permission=Permission.AWARD_VOTE)
def cast_ballot(context, request):
    committees = _committees(request)

    def action():
        current = committees.open_round(context.committee)
        if current is None:
            from .committee import RoundClosed

            raise RoundClosed(_("本轮投票已结束，不能再投票"))
        if str(request.POST.get("round_id", "")) != str(current.id):
            from .committee import RoundClosed

            raise RoundClosed(_("该轮投票已结束，请按当前轮次重新投票"))
        committees.cast(context.project, context.committee, current,
                        choices=ballot_choices(current.kind, request.POST),
                        reason=request.POST.get("reason", ""), actor=request.actor)

    return _committee_act(context, request, action, _("选票已提交"))


@view_config(route_name="award.chair", renderer=COMMITTEE_PAGE, request_method="POST",
             permission=Permission.AWARD_VOTE)
def chair_decide(context, request):
    return _committee_act(context, request, lambda: _committees(request).chair_decide(
        context.project, context.committee, choice=request.POST.get("choice", ""),
        actor=request.actor), _("主任委员已作出决定"))


@view_config(route_name="award.sign", renderer=COMMITTEE_PAGE, request_method="POST",
             permission=Permission.AWARD_VOTE)
def sign_report(context, request):
    return _committee_act(context, request, lambda: _committees(request).sign(
        context.project, context.committee, actor=request.actor), _("定标报告已签署"))


# -- the roster (the owner's own staff) ------------------------------------------------------


@view_config(route_name="award.roster", renderer="award/roster.jinja2",
             permission=Permission.OWNER_WORKSPACE, request_method=("GET", "POST"))
def roster_page(request):
    committees, org_id = _committees(request), request.identity.organisation_id
    page = {"entries": committees.roster(org_id), "error": None}
    if request.method == "GET":
        return page
    try:
        committees.add_to_roster(org_id, username=request.POST.get("username", ""),
                                 title=request.POST.get("title", ""),
                                 may_chair=request.POST.get("may_chair") == "on",
                                 actor=request.actor, **roster_ties(request.POST))
    except DomainError as error:
        request.response.status_int = error.status
        return {**page, "error": error.message}
    return redirect(request, "award.roster", _("已加入定标委员会成员库"))


@view_config(route_name="award.roster.remove", permission=Permission.OWNER_WORKSPACE,
             request_method="POST")
def roster_remove(request):
    from .models import RosterEntry

    entry = get_or_404(request, RosterEntry, "entry_id",
                       owner_org_id=request.identity.organisation_id)
    _committees(request).remove_from_roster(entry, actor=request.actor)
    return redirect(request, "award.roster", _("已移出成员库"))


# -- 降价竞价: the descending auction (a form and a refresh, no JavaScript) -------------------

AUCTION_PAGE = "award/auction.jinja2"


def _auction_page(context, request) -> dict:
    committees, auction, user = _committees(request), context.auction, request.identity
    org_id = user.organisation_id if user and str(user.role) == "bidder" else None
    mine = f"B{org_id}" if org_id and f"B{org_id}" in auction.candidates else None
    return {"project": context.project, "auction": auction, "now": request.clock(),
            "state": committees.auction_state(auction), "mine": mine, "org_id": org_id,
            "error": None}


@view_config(route_name="award.auction", renderer=AUCTION_PAGE,
             permission=Permission.PROJECT_VIEW)
def auction_page(context, request):
    return _auction_page(context, request)


@view_config(route_name="award.auction.bid", renderer=AUCTION_PAGE, request_method="POST",
             permission=Permission.AWARD_AUCTION_BID)
def auction_bid(context, request):
    try:
        values = validated(FinalOfferBody(), {"amount": request.POST.get("amount", "")},
                           InvalidAwardInput)
        _committees(request).bid(context.project, context.auction,
                                 amount_fen=values["amount"], actor=request.actor)
    except DomainError as error:
        return refused(request, error, _auction_page(context, request), AUCTION_PAGE)
    return redirect(request, "award.auction", _("报价已提交"), project_id=context.project.id,
                    auction_id=context.auction.id)
