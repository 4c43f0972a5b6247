"""Bidding pages (HTML): submission, receipts, the opening hall, custody. Thin views."""

import base64
import hashlib
import re
from pathlib import Path

from markupsafe import Markup
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.renderers import render
from pyramid.response import Response
from pyramid.view import view_config

from ..accounts.labels import ROLE_LABELS
from ..audit.merkle import log_verifier
from ..errors import DomainError, PlaintextRefused
from ..files import serve_bytes, serve_stored
from ..forms import redirect, refused
from ..i18n import _
from ..projects.kinds import LABELS, CustodyMode
from ..security import Permission
from .errors import OfferInvalid
from .opening import OpeningService
from .service import BidService, bidder_ref, lot_ref, project_ref
from .uploads import PART_BYTES, EnvelopeUploads, UploadOffset

MAX_KEY_FILE = 64 * 1024


def _bids(request) -> BidService:
    return request.find_service(BidService)


def _opening(request) -> OpeningService:
    return request.find_service(OpeningService)


def attachment(body: str | bytes, filename: str, content_type: str) -> Response:
    return serve_bytes(body, filename, content_type)


NO_PLAINTEXT = _("平台不接收未加密的报价：请在本页由浏览器加密后提交（需启用 JavaScript），"
                 "或下载本轮公钥，用离线加密页面或命令行工具 bid_crypto 加密后上传 .tbid 信封。")


def sealed_upload(request):
    """The posted `envelope` file of a sealed offer (final offer, final quote, 中介超市
    quote), or a refusal: an amount typed into a form is never accepted, because the
    server then would hold it in clear (issue #15)."""
    upload = request.POST.get("envelope")
    if hasattr(upload, "file"):
        return upload.file
    raise PlaintextRefused(NO_PLAINTEXT, field="envelope")


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
        "bidding.bid", project_id=version.bid.project_id, bid_id=version.bid.public_id,
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


# -- sealing in the browser: the seal page and the chunked upload of its envelope --------------


@view_config(route_name="bidding.seal", renderer="bidding/seal.jinja2",
             permission=Permission.BID_SUBMIT, request_method="GET")
def seal_page(context, request):
    """The bid is sealed by script in the browser; this page never receives its fields."""
    page = _mine(context, request)
    if page["key"] is None or not page["key"].public_key:
        raise HTTPNotFound()
    return {**page, "lot": context.lot, "lot_ref": lot_ref(context.lot),
            "max_mib": _bids(request).config.max_envelope_bytes // (1024 * 1024)}


def _refusal(request, error: DomainError) -> dict:
    request.response.status_int = error.status
    return error.as_json()


def _owner(context, request) -> tuple[int, int]:
    return request.identity.id, context.lot.id


@view_config(route_name="bidding.uploads", renderer="json", permission=Permission.BID_SUBMIT,
             request_method="POST")
def start_upload(context, request):
    try:
        _bids(request).check_accepting(context.project, context.lot, request.actor)
        token = request.find_service(EnvelopeUploads).start(*_owner(context, request))
    except DomainError as error:
        return _refusal(request, error)
    ids = {"project_id": context.project.id, "lot_id": context.lot.id, "token": token}
    request.response.status_int = 201
    return {"upload": token, "part_bytes": PART_BYTES,
            "part_url": request.route_url("bidding.upload_part", **ids),
            "finish_url": request.route_url("bidding.upload_finish", **ids)}


@view_config(route_name="bidding.upload_part", renderer="json", permission=Permission.BID_SUBMIT,
             request_method=("PUT", "GET"))
def upload_part(context, request):
    """PUT ?offset=N appends one part of ciphertext; GET says how much has arrived."""
    uploads, token = request.find_service(EnvelopeUploads), request.matchdict["token"]
    try:
        if request.method == "GET":
            return {"received": uploads.received(*_owner(context, request), token)}
        try:
            offset = int(request.GET.get("offset", ""))
        except ValueError:
            raise UploadOffset(uploads.received(*_owner(context, request), token)) from None
        received = uploads.append(*_owner(context, request), token, offset=offset,
                                  stream=request.body_file, length=request.content_length or 0)
        if offset == 0:
            _check_start(context, request, uploads, token)
    except DomainError as error:
        return _refusal(request, error)
    return {"received": received}


def _check_start(context, request, uploads, token) -> None:
    """Only an envelope for this lot may be uploaded here: its header comes first."""
    try:
        with uploads.open(*_owner(context, request), token) as stream:
            _bids(request).check_envelope_start(context.project, context.lot, stream,
                                                actor=request.actor)
    except DomainError:
        uploads.discard(*_owner(context, request), token)
        raise


@view_config(route_name="bidding.upload_finish", renderer="json",
             permission=Permission.BID_SUBMIT, request_method="POST")
def finish_upload(context, request):
    uploads, token = request.find_service(EnvelopeUploads), request.matchdict["token"]
    owner = _owner(context, request)
    try:
        # Refused as a whole, the upload is gone: sealing again starts anew.
        with uploads.claimed(*owner, token) as path:
            version = _bids(request).submit_upload(context.project, context.lot, path=path,
                                                   actor=request.actor, source="browser")
    except DomainError as error:
        return _refusal(request, error)
    return {"version": version.version, "envelope_sha256": version.envelope_sha256,
            "receipt_url": _to_receipt(request, version).location}


# -- the offline sealing page: a download, never a page that runs on the platform --------------

OFFLINE_BUNDLE = Path(__file__).resolve().parents[1] / "static" / "js" / "offline.bundle.js"


def offline_script() -> str:
    """The page's one script (built by `make js`); nothing in it may end the element."""
    script = OFFLINE_BUNDLE.read_text(encoding="utf-8")
    if re.search(r"</script|<!--", script, re.IGNORECASE):
        raise RuntimeError("offline.bundle.js cannot be inlined: rebuild it with make js")
    return script


def _offline(request, *, refs=None, lots=(), custody="dual", filename="offline-seal.html"):
    script = offline_script()
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    html = render("bidding/offline.jinja2", {
        "script": Markup(script), "script_hash": f"sha256-{digest}", "refs": refs,
        "lots": lots, "custody": custody,
        "custody_modes": [(str(mode), request.localizer.translate(LABELS[mode]))
                          for mode in CustodyMode],
        "max_mib": _bids(request).config.max_envelope_bytes // (1024 * 1024)}, request=request)
    response = attachment(html, filename, "text/html")
    response.charset = "utf-8"
    # Handed out to save and open from disk: served here it must not run (sandbox).
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@view_config(route_name="bidding.offline", permission=Permission.BID_SUBMIT)
def offline_page_for_project(context, request):
    """The offline page with this project's and this bidder's ids filled in."""
    project, org_id = context.project, request.identity.organisation_id
    refs = {"project": project_ref(project), "bidder": bidder_ref(org_id) if org_id else ""}
    lots = [(lot_ref(lot), lot.name) for lot in project.lots]
    return _offline(request, refs=refs, lots=lots, custody=str(project.custody_mode),
                    filename=f"offline-seal-{refs['project']}.html")


@view_config(route_name="bidding.offline_blank", permission=Permission.PUBLIC_VIEW)
def offline_page(request):
    return _offline(request)


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

    return {"project": context.project, "bid": bid, "versions": versions, "shown": shown,
            "log_key": log_verifier(request.registry["keys"], request.registry.settings).vkey()}


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
                      f"receipt-{context.bid.public_id}-v{version.version}.json",
                      "application/json")


@view_config(route_name="bidding.promise", permission=Permission.BID_VIEW)
def download_promise(context, request):
    """The log's signed promise to merge this version's audit event, with the event row:
    `python -m bid_crypto verify-receipt --promise` checks it, its inclusion and the
    opening's completeness offline (issue #17)."""
    import json

    version = _version(context, request)
    promise = _bids(request).log_promise(version)
    if promise is None:  # a version from before the log: its receipt is all there is
        raise HTTPNotFound()
    return attachment(json.dumps(promise, ensure_ascii=False, indent=2) + "\n",
                      f"promise-{context.bid.public_id}-v{version.version}.json",
                      "application/json")


@view_config(route_name="bidding.envelope", permission=Permission.BID_VIEW)
def download_envelope(context, request):
    version = _version(context, request)
    return serve_stored(request, request.storage.path_for(version.envelope_sha256),
                        f"bid-{context.bid.public_id}-v{version.version}.tbid")


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
    """The release file made by the custodian's own tool (browser page or CLI)."""
    upload = request.POST.get("release")
    data = upload.file.read(MAX_KEY_FILE) if hasattr(upload, "file") else \
        (request.POST.get("release_text") or "").encode()
    return _hall_action(context, request, lambda: _opening(request).release_share(
        context.project, user=request.identity, release_json=data, actor=request.actor),
        _("密钥份额已释放"))


@view_config(route_name="bidding.statement", permission=Permission.PROJECT_VIEW)
def opening_statement(context, request):
    try:
        statement = _opening(request).statement(context.project)
    except DomainError:
        raise HTTPNotFound() from None
    return attachment(statement.to_json(), f"opening-statement-{context.project.number}.json",
                      "application/json")


@view_config(route_name="bidding.my_share", permission=Permission.CUSTODY_RELEASE)
def my_sealed_share(context, request):
    try:
        custodian = _opening(request).my_share(context.project, request.identity)
    except DomainError:
        raise HTTPNotFound() from None
    return attachment(custodian.sealed_share,
                      f"share-{context.project.number}-{custodian.position}.json",
                      "application/json")


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
            "threshold": key.threshold if key else 2, "error": None,
            "role_labels": ROLE_LABELS}


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
    """Enrol a custodian's PUBLIC key (custodian.pub): generated in this page's script or
    with the CLI; no passphrase or private key is ever sent."""
    service = _bids(request)
    user = request.identity
    page = {"key": service.custody_key(user), "error": None,
            "label": f"{user.display_name} {_role_label(request, user)}"}
    if request.method == "GET":
        return page
    upload = request.POST.get("public_key")
    data = upload.file.read(MAX_KEY_FILE) if hasattr(upload, "file") else \
        (request.POST.get("public_key_text") or "").encode()
    try:
        service.enrol_custody_key(user, public_key=data, actor=request.actor)
    except DomainError as error:
        return refused(request, error, page, "bidding/custody_key.jinja2")
    return redirect(request, "bidding.custody_key", _("保管公钥已登记"))


def _role_label(request, user) -> str:
    """Whose key this is, as the key file's label shows it (the organisation, else role)."""
    if user.organisation is not None:
        return user.organisation.name
    return request.localizer.translate(ROLE_LABELS[user.role])
