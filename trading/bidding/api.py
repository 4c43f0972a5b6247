"""The bidding JSON API: the same services as the pages.

A submission's receipt is in the response body: pyramid_tm commits before the response
leaves the application (a failed commit turns it into an error), so a receipt is never
delivered for a bid that was not stored.
"""

import json
import tempfile

from pyramid.httpexceptions import HTTPNotFound
from pyramid.view import view_config

from ..api import InvalidBody, describe, json_body
from ..errors import PlaintextRefused
from ..security import Permission
from ..storage import FileTooLarge
from .forms import ConfirmBody
from .opening import OpeningService
from .service import BidService, project_ref
from .streams import BLOCK, MultipartReader


def _bids(request) -> BidService:
    return request.find_service(BidService)


def _opening(request) -> OpeningService:
    return request.find_service(OpeningService)


RECEIPT = {"type": "object", "required": ["project", "lot", "bidder", "version",
                                          "envelope_sha256", "received_at", "signature"],
           "properties": {"project": {"type": "string"}, "lot": {"type": "string"},
                          "bidder": {"type": "string"}, "version": {"type": "integer"},
                          "envelope_sha256": {"type": "string"},
                          "received_at": {"type": "string", "format": "date-time"},
                          "signature": {"type": "string"}}}
# The transparency log's signed promise to merge the version's audit event (issue #17):
# save it beside the receipt; `python -m bid_crypto verify-receipt --promise` checks it.
LOG_PROMISE = {"type": ["object", "null"], "required": ["promise", "entry", "log_key"],
               "properties": {"promise": {"type": "string", "description": "signed note"},
                              "entry": {"type": "string",
                                        "description": "the audit row the leaf hashes"},
                              "log_key": {"type": "string"},
                              "inclusion": {"type": "string", "format": "uri-reference"}}}
VERSION = {"type": "object", "properties": {
    "version": {"type": "integer"}, "envelope_sha256": {"type": "string"},
    "size": {"type": "integer"}, "source": {"type": "string"},
    "received_at": {"type": "string"}, "withdrawn_at": {"type": ["string", "null"]},
    "receipt": RECEIPT, "log_promise": LOG_PROMISE}}
BID = {"type": "object", "required": ["id", "lot", "state", "current_version", "versions"],
       "properties": {"id": {"type": "string"}, "lot": {"type": "integer"},
                      "state": {"type": "string"}, "current_version": {"type": "integer"},
                      "versions": {"type": "array", "items": VERSION}}}
HALL = {"type": "object", "required": ["phase", "deadline", "seconds_left", "lines"],
        "properties": {"phase": {"type": "string"}, "deadline": {"type": "string"},
                       "seconds_left": {"type": "integer"}, "custody": {"type": "string"},
                       "lines": {"type": "array", "items": {"type": "object"}},
                       "lots": {"type": "array", "items": {"type": "object"}},
                       "outcome": {"type": ["string", "null"]},
                       "started_at": {"type": ["string", "null"], "format": "date-time"},
                       "late_minutes": {"type": ["integer", "null"]}}}


def bid_json(service: BidService, bid) -> dict:
    return {"id": bid.public_id, "lot": bid.lot.number, "state": str(bid.state),
            "current_version": bid.current_version,
            "versions": [{"version": v.version, "envelope_sha256": v.envelope_sha256,
                          "size": v.size, "source": v.source,
                          "received_at": v.received_at.isoformat(),
                          "withdrawn_at": v.withdrawn_at.isoformat() if v.withdrawn_at else None,
                          "receipt": service.receipt(bid, v),
                          "log_promise": service.log_promise(v)} for v in bid.versions]}


@describe("api.bidding.key", "GET", "The project's opening public key, in the bid_crypto "
          "opening.pub format", response={"type": "object"})
@view_config(route_name="api.bidding.key", request_method="GET", renderer="json",
             permission=Permission.PROJECT_VIEW)
def api_key(context, request):
    import json

    row = _bids(request).key_row(context.project)
    if row is None or row.public_key is None:
        raise HTTPNotFound()
    return {"project": project_ref(context.project), "custody": str(row.custody),
            "key_id": row.key_id, "suite": row.suite, "opening_pub": json.loads(row.public_key)}


@describe("api.bidding.bids", "GET", "My bids in this project, every version with its receipt "
          "(bidder)", auth=True, response={"type": "object", "properties": {
              "items": {"type": "array", "items": BID}}})
@view_config(route_name="api.bidding.bids", request_method="GET", renderer="json",
             permission=Permission.BID_SUBMIT)
def api_my_bids(context, request):
    service = _bids(request)
    bids = service.bids_of(context.project, request.identity.organisation_id)
    return {"items": [bid_json(service, bid) for bid in bids]}


@describe("api.bidding.submit", "POST", "Submit a sealed envelope (multipart/form-data field "
          "'envelope', a .tbid sealed to the opening key) before the deadline; returns the "
          "signed receipt. The same envelope again returns the same receipt.", auth=True,
          response={"type": "object", "properties": {"bid_id": {"type": "string"},
                                                     "receipt": RECEIPT,
                                                     "log_promise": LOG_PROMISE}})
def envelope_part(request, limit: int):
    """The `envelope` file, copied to a temporary file as the body streams in.

    WebOb's parser reads file parts line by line, which is slow for binary uploads in a
    deadline rush; the envelope is ciphertext, so a plain temporary file is fine.
    """
    for part in MultipartReader.from_request(request).parts():
        if part.name != "envelope" or part.filename is None:
            continue
        spool, size = tempfile.TemporaryFile(), 0
        while chunk := part.read(BLOCK):
            size += len(chunk)
            if size > limit:
                spool.close()
                raise FileTooLarge(f"投标信封超过大小上限 {limit // (1024 * 1024)} MiB")
            spool.write(chunk)
        spool.seek(0)
        return spool
    raise InvalidBody("缺少文件字段 envelope", field="envelope")


def sealed_part(request, limit: int = 1024 * 1024):
    """A small sealed offer (final offer, final quote, 中介超市 quote) as multipart field
    `envelope`; a body of any other kind is an amount in clear and is refused unread."""
    if request.content_type != "multipart/form-data":
        raise PlaintextRefused("平台不接收未加密的报价：请以 multipart/form-data 的 envelope "
                               "字段上传在客户端加密的 .tbid 信封", field="envelope")
    return envelope_part(request, limit)


def envelope_stream(request):
    """The `envelope` file part itself, unread: the service streams it into storage."""
    for part in MultipartReader.from_request(request).parts():
        if part.name == "envelope" and part.filename is not None:
            return part
    raise InvalidBody("缺少文件字段 envelope", field="envelope")


@view_config(route_name="api.bidding.submit", request_method="POST", renderer="json",
             permission=Permission.BID_SUBMIT)
def api_submit(context, request):
    service = _bids(request)
    version = service.submit_envelope(context.project, context.lot,
                                      stream=envelope_stream(request), actor=request.actor)
    request.response.status_int = 201
    return {"bid_id": version.bid.public_id, "version": version.version,
            "receipt": service.receipt(version.bid, version),
            "log_promise": service.log_promise(version)}


@describe("api.bidding.withdraw", "POST", "Withdraw my bid for this lot before the deadline "
          "(bidder)", auth=True, response=BID)
@view_config(route_name="api.bidding.withdraw", request_method="POST", renderer="json",
             permission=Permission.BID_SUBMIT)
def api_withdraw(context, request):
    service = _bids(request)
    bid = service.withdraw(context.project, context.lot, actor=request.actor)
    return bid_json(service, bid)


@describe("api.bidding.bid", "GET", "One of my bids with every version and receipt (its "
          "bidder only)", auth=True, response=BID)
@view_config(route_name="api.bidding.bid", request_method="GET", renderer="json",
             permission=Permission.BID_VIEW)
def api_bid(context, request):
    return bid_json(_bids(request), context.bid)


@describe("api.bidding.receipt", "GET", "A version's receipt, as signed; verify it offline with "
          "`python -m bid_crypto verify-receipt`", auth=True, response=RECEIPT)
@view_config(route_name="api.bidding.receipt", request_method="GET", renderer="json",
             permission=Permission.BID_VIEW)
def api_receipt(context, request):
    service = _bids(request)
    try:
        version = service.version(context.bid, int(request.matchdict["version"]))
    except ValueError:
        version = None
    if version is None:
        raise HTTPNotFound()
    return service.receipt(context.bid, version)


@describe("api.bidding.opening", "GET", "The opening hall: countdown, custodians' releases, "
          "decryption progress and, once done, the opening record (开标记录)", response=HALL)
@view_config(route_name="api.bidding.opening", request_method="GET", renderer="json",
             permission=Permission.PROJECT_VIEW)
def api_opening(context, request):
    user = request.identity
    return _opening(request).hall(context.project,
                                  org_id=user.organisation_id if user else None)


@describe("api.bidding.statement", "GET", "The opening statement of a `custodians` opening in "
          "progress (FORMAT.md §4.2.4): custodians release their shares for it",
          response={"type": "object"})
@view_config(route_name="api.bidding.statement", request_method="GET", renderer="json",
             permission=Permission.PROJECT_VIEW)
def api_statement(context, request):
    return json.loads(_opening(request).statement(context.project).to_json())


@describe("api.bidding.my_share", "GET", "The signed-in custodian's sealed share file "
          "(FORMAT.md §4.2.3), sealed to the custodian's own key", auth=True,
          response={"type": "object"})
@view_config(route_name="api.bidding.my_share", request_method="GET", renderer="json",
             permission=Permission.CUSTODY_RELEASE)
def api_my_share(context, request):
    custodian = _opening(request).my_share(context.project, request.identity)
    return json.loads(custodian.sealed_share)


@describe("api.bidding.release", "POST", "A custodian submits the release file made by its "
          "own tool (`python -m bid_crypto custodian release`, the request body) after the "
          "deadline, for this opening's statement", auth=True, response=HALL)
@view_config(route_name="api.bidding.release", request_method="POST", renderer="json",
             permission=Permission.CUSTODY_RELEASE)
def api_release(context, request):
    service = _opening(request)
    service.release_share(context.project, user=request.identity,
                          release_json=request.body[:64 * 1024], actor=request.actor)
    return service.hall(context.project, org_id=request.identity.organisation_id)


@describe("api.bidding.share", "POST", "Dual custody: submit the decryption share file made by "
          "`python -m bid_crypto bidder-share` (the request body) during the decryption window",
          auth=True, response=HALL)
@view_config(route_name="api.bidding.share", request_method="POST", renderer="json",
             permission=Permission.BID_DECRYPT)
def api_share(context, request):
    service = _opening(request)
    service.submit_share(context.project, context.bid, share_json=request.body[:64 * 1024],
                         actor=request.actor)
    return service.hall(context.project, org_id=request.identity.organisation_id)


@describe("api.bidding.confirm", "POST", "The bidder confirms its line of the opening record, "
          "optionally with an objection", auth=True, request_schema=ConfirmBody,
          response={"type": "object"})
@view_config(route_name="api.bidding.confirm", request_method="POST", renderer="json",
             permission=Permission.BID_CONFIRM)
def api_confirm(context, request):
    values = json_body(request, ConfirmBody())
    line = _opening(request).confirm_line(context.project, context.bid, actor=request.actor,
                                          objection=values["objection"])
    return {"bid_id": line.bid.public_id, "confirmed_at": line.confirmed_at.isoformat(),
            "objection": line.objection or None}
