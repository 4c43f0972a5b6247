"""Bidding pages (HTML): submission, receipts, the opening hall, custody. Thin views."""

import hmac

import colander
from pyramid.csrf import check_csrf_origin, get_csrf_token
from pyramid.exceptions import BadCSRFToken
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from bid_crypto import BidCryptoError, PublicKey

from ..errors import DomainError
from ..files import serve_bytes, serve_stored
from ..forms import redirect, refused
from ..i18n import _
from ..security import Permission, bearer_token
from .errors import OfferInvalid
from .forms import offer_from_fields
from .opening import OpeningService
from .service import BidService, bidder_ref, lot_ref, project_ref
from .streams import MultipartReader

MAX_KEY_FILE = 64 * 1024


def _bids(request) -> BidService:
    return request.find_service(BidService)


def _opening(request) -> OpeningService:
    return request.find_service(OpeningService)


def attachment(body: str | bytes, filename: str, content_type: str) -> Response:
    return serve_bytes(body, filename, content_type)


# -- keys ------------------------------------------------------------------------------


@view_config(route_name="bidding.key", permission=Permission.PROJECT_VIEW)
def download_opening_key(context, request):
    """opening.pub in the bid_crypto CLI format: `python -m bid_crypto seal --to opening.pub`."""
    key = _bids(request).public_key(context.project)
    if key is None:
        raise HTTPNotFound()
    return attachment(key.to_json(), "opening.pub", "application/json")


@view_config(route_name="bidding.platform_key", permission=Permission.PUBLIC_VIEW)
def download_platform_key(request):
    """The receipt-signing public key (PEM): `verify-receipt --platform-key platform.pub`;
    `?alg=sm2` gives the SM2 key that signs the receipts of 国密 projects."""
    algorithm = request.GET.get("alg", "ed25519")
    if algorithm not in ("ed25519", "sm2") or (algorithm == "sm2"
                                                and not request.registry["keys"].has_sm2):
        raise HTTPNotFound()
    name = "platform-sm2.pub" if algorithm == "sm2" else "platform.pub"
    return attachment(_bids(request).platform_public_key_pem(algorithm), name,
                       "application/x-pem-file")


# -- a bidder's own bids -------------------------------------------------------------------


def _mine(context, request) -> dict:
    project, service, user = context.project, _bids(request), request.identity
    bids = {bid.lot_id: bid for bid in service.bids_of(project, user.organisation_id)}
    signed_up = set(_signed_up(request, project))
    key = service.key_row(project)
    return {
        "project": project, "key": key, "bids": bids, "signed_up": signed_up,
        "now": request.clock(), "open": project.status == "bidding"
        and request.clock() < project.bid_deadline,
        "refs": {"project": project_ref(project), "bidder": bidder_ref(user.organisation_id)
                 if user.organisation_id else "", "lots": {lot.id: lot_ref(lot)
                                                           for lot in project.lots}},
        "error": None,
    }


def _signed_up(request, project):
    from ..projects.service import ProjectService

    return request.find_service(ProjectService).signed_up_lots(
        project, request.identity.organisation_id)


@view_config(route_name="bidding.mine", renderer="bidding/mine.jinja2",
             permission=Permission.BID_SUBMIT)
def my_bids(context, request):
    return _mine(context, request)


def _to_receipt(request, version):
    return HTTPSeeOther(request.route_url(
        "bidding.bid", project_id=version.bid.project_id, bid_id=version.bid_id,
        _query={"version": version.version}, _anchor="receipt"))


@view_config(route_name="bidding.upload", permission=Permission.BID_SUBMIT,
             request_method="POST", renderer="bidding/mine.jinja2")
def upload_envelope(context, request):
    upload = request.POST.get("envelope")
    try:
        if upload is None or not hasattr(upload, "file"):
            raise OfferInvalid(_("请选择已加密的投标信封文件（.tbid）"), field="envelope")
        version = _bids(request).submit_envelope(context.project, context.lot,
                                                 stream=upload.file, actor=request.actor)
    except DomainError as error:
        return refused(request, error, _mine(context, request), "bidding/mine.jinja2")
    # Redirect after POST: the receipt page reads the committed row, so a receipt is
    # never shown for a bid whose transaction did not commit.
    return _to_receipt(request, version)


@view_config(route_name="bidding.withdraw", permission=Permission.BID_SUBMIT,
             request_method="POST", renderer="bidding/mine.jinja2")
def withdraw_bid(context, request):
    try:
        _bids(request).withdraw(context.project, context.lot, actor=request.actor)
    except DomainError as error:
        return refused(request, error, _mine(context, request), "bidding/mine.jinja2")
    return redirect(request, "bidding.mine", _("投标文件已撤回；截止前可重新递交"),
                    project_id=context.project.id)


# -- the web form, sealed by the server ------------------------------------------------------


def _form_page(context, request, **extra) -> dict:
    return {"project": context.project, "lot": context.lot, "values": {}, "error": None,
            "dual": context.project.custody_mode == "dual",
            "max_mib": _bids(request).config.max_envelope_bytes // (1024 * 1024), **extra}


@view_config(route_name="bidding.form", renderer="bidding/form.jinja2",
             permission=Permission.BID_SUBMIT, request_method="GET")
def bid_form(context, request):
    return _form_page(context, request)


def _check_csrf(request, part) -> None:
    if bearer_token(request) is not None:
        return
    check_csrf_origin(request, raises=True)
    token = part.text(256) if part is not None and part.name == "csrf_token" else ""
    if not hmac.compare_digest(token.encode(), get_csrf_token(request).encode()):
        raise BadCSRFToken()


# CSRF is checked inside the view, on the stream's first part: Pyramid's own check reads
# request.POST, and WebOb would then copy every plaintext document into a temporary file.
@view_config(route_name="bidding.form", renderer="bidding/form.jinja2",
             permission=Permission.BID_SUBMIT, request_method="POST", require_csrf=False)
def submit_form(context, request):
    parts = MultipartReader.from_request(request).parts()
    _check_csrf(request, next(parts, None))
    fields, bidder_key, first = {}, None, None
    for part in parts:
        if part.filename is None:
            fields.setdefault(part.name, []).append(part.text())
        elif part.name == "bidder_key":
            bidder_key = part.read(MAX_KEY_FILE + 1) if part.filename else None
        else:
            first = part
            break
    page = _form_page(context, request, values={k: v[0] for k, v in fields.items() if v})
    try:
        offer = offer_from_fields(fields)
        key = PublicKey.from_json(bidder_key) if bidder_key else None
    except colander.Invalid as invalid:
        message = "；".join(invalid.asdict().values())
        return refused(request, OfferInvalid(message), page, "bidding/form.jinja2")
    except BidCryptoError:
        return refused(request, OfferInvalid(_("投标人公钥文件无效（应为 bidder.pub）")), page,
                       "bidding/form.jinja2")

    def documents():
        part = first
        while part is not None:
            if part.name == "documents" and part.filename:
                yield part.filename, part
            part = next(parts, None)

    try:
        version = _bids(request).submit_form(context.project, context.lot, offer=offer,
                                             documents=documents(), bidder_key=key,
                                             actor=request.actor)
    except DomainError as error:
        return refused(request, error, page, "bidding/form.jinja2")
    return _to_receipt(request, version)


# -- one bid: versions and receipts (its bidder only) -------------------------------------------


@view_config(route_name="bidding.bid", renderer="bidding/bid.jinja2",
             permission=Permission.BID_VIEW)
def bid_detail(context, request):
    service, bid = _bids(request), context.bid
    versions = [(v, service.receipt(bid, v)) for v in bid.versions]
    try:
        shown = int(request.GET.get("version", bid.current_version))
    except ValueError:
        shown = bid.current_version
    return {"project": context.project, "bid": bid, "versions": versions, "shown": shown}


def _version(context, request):
    try:
        number = int(request.matchdict["version"])
    except ValueError:
        raise HTTPNotFound() from None
    version = _bids(request).version(context.bid, number)
    if version is None:
        raise HTTPNotFound()
    return version


@view_config(route_name="bidding.receipt", permission=Permission.BID_VIEW)
def download_receipt(context, request):
    import json

    version = _version(context, request)
    receipt = _bids(request).receipt(context.bid, version)
    return attachment(json.dumps(receipt, indent=2) + "\n",
                       f"receipt-{context.bid.id}-v{version.version}.json", "application/json")


@view_config(route_name="bidding.envelope", permission=Permission.BID_VIEW)
def download_envelope(context, request):
    version = _version(context, request)
    return serve_stored(request, request.storage.path_for(version.envelope_sha256),
                        f"bid-{context.bid.id}-v{version.version}.tbid")


# -- the opening hall ------------------------------------------------------------------------


def _hall(context, request) -> dict:
    user = request.identity
    service = _opening(request)
    state = service.hall(context.project, org_id=user.organisation_id if user else None)
    custodian = next((c for c in service.bids.custodians(context.project)
                      if user and c.user_id == user.id), None)
    return {"project": context.project, "state": state, "custodian": custodian,
            "error": None, "can": lambda p: bool(request.has_permission(p))}


@view_config(route_name="bidding.opening", renderer="bidding/opening.jinja2",
             permission=Permission.PROJECT_VIEW)
def opening_hall(context, request):
    return _hall(context, request)


def _hall_action(context, request, action, message):
    try:
        action()
    except DomainError as error:
        return refused(request, error, _hall(context, request), "bidding/opening.jinja2")
    return redirect(request, "bidding.opening", message, project_id=context.project.id)


@view_config(route_name="bidding.release", permission=Permission.CUSTODY_RELEASE,
             request_method="POST", renderer="bidding/opening.jinja2")
def release_share(context, request):
    return _hall_action(context, request, lambda: _opening(request).release_share(
        context.project, user=request.identity, passphrase=request.POST.get("passphrase", ""),
        actor=request.actor), _("密钥份额已释放"))


@view_config(route_name="bidding.share", permission=Permission.BID_DECRYPT,
             request_method="POST", renderer="bidding/opening.jinja2")
def submit_share(context, request):
    upload = request.POST.get("share")
    data = upload.file.read(MAX_KEY_FILE) if hasattr(upload, "file") else \
        (request.POST.get("share_text") or "").encode()
    return _hall_action(context, request, lambda: _opening(request).submit_share(
        context.project, context.bid, share_json=data, actor=request.actor),
        _("解密份额已提交"))


@view_config(route_name="bidding.confirm", permission=Permission.BID_CONFIRM,
             request_method="POST", renderer="bidding/opening.jinja2")
def confirm_line(context, request):
    return _hall_action(context, request, lambda: _opening(request).confirm_line(
        context.project, context.bid, actor=request.actor,
        objection=request.POST.get("objection", "")), _("已确认开标记录"))


# -- custody -----------------------------------------------------------------------------------


def _custodians_page(context, request) -> dict:
    service = _bids(request)
    key = service.key_row(context.project)
    return {"project": context.project, "eligible": service.eligible_custodians(context.project),
            "chosen": {c.user_id for c in service.custodians(context.project)},
            "threshold": key.threshold if key else 2, "error": None}


@view_config(route_name="bidding.custodians", renderer="bidding/custodians.jinja2",
             permission=Permission.CUSTODY_DESIGNATE, request_method=("GET", "POST"))
def designate_custodians(context, request):
    if request.method == "GET":
        return _custodians_page(context, request)
    try:
        user_ids = [int(v) for v in request.POST.getall("user_id")]
        threshold = int(request.POST.get("threshold", "0"))
    except ValueError:
        user_ids, threshold = [], 0
    try:
        _bids(request).designate_custodians(context.project, user_ids=user_ids,
                                            threshold=threshold, actor=request.actor)
    except DomainError as error:
        return refused(request, error, _custodians_page(context, request),
                       "bidding/custodians.jinja2")
    return redirect(request, "bidding.custodians", _("密钥保管人已指定"),
                    project_id=context.project.id)


@view_config(route_name="bidding.custody_key", renderer="bidding/custody_key.jinja2",
             permission=Permission.CUSTODY_ENROL, request_method=("GET", "POST"))
def custody_key(request):
    service = _bids(request)
    page = {"key": service.custody_key(request.identity), "error": None}
    if request.method == "GET":
        return page
    passphrase = request.POST.get("passphrase", "")
    try:
        if passphrase != request.POST.get("confirm", ""):
            raise OfferInvalid(_("两次输入的保管口令不一致"), field="confirm")
        service.enrol_custody_key(request.identity, passphrase=passphrase,
                                  actor=request.actor)
    except DomainError as error:
        return refused(request, error, page, "bidding/custody_key.jinja2")
    return redirect(request, "bidding.custody_key", _("保管口令已设置"))
