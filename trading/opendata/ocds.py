"""Pure OCDS 1.1.5 release building: plain values in, a release dict out.

Amounts are `Decimal` yuan built from integer 分 and written as exact JSON numbers by
`dump_json` (simplejson's use_decimal), never through float.
"""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import simplejson

PUBLISHER = "公共资源交易中心"
# The OCDS 1.1.5 schema and codelists, vendored (Apache 2.0, Open Contracting Partnership):
# the app and the tests read them from the package, never from the network or ../shared.
SCHEMA_DIR = Path(__file__).resolve().parent / "schema"

# Our procurement methods on OCDS's closed `method` codelist.
METHOD = {
    "open_tender": "open", "invited_tender": "selective", "competitive_consultation": "limited",
    "final_offer": "limited", "small_works": "limited", "intermediary": "limited",
}
# Our statuses on OCDS's `tenderStatus` codelist.
TENDER_STATUS = {
    "published": "active", "bidding": "active", "opening": "complete",
    "evaluation": "complete", "candidates_publicised": "complete", "awarded": "complete",
    "contracted": "complete", "archived": "complete", "cancelled": "cancelled",
    "failed": "unsuccessful",
}
# Which release tag a project event is.
TAG = {
    "published": "tender", "bidding": "tenderUpdate", "opening": "tenderUpdate",
    "evaluation": "tenderUpdate", "candidates_publicised": "tenderUpdate", "awarded": "award",
    "contracted": "contract", "archived": "tenderUpdate", "cancelled": "tenderCancellation",
    "failed": "tenderUpdate", "clarification": "tenderUpdate",
}
DOCUMENT_TYPE = {"tender_file": "biddingDocuments", "attachment": "biddingDocuments",
                 "clarification": "clarifications"}
# Signed notices (公告, bid_crypto FORMAT.md §7.1): each is a document whose url is its
# notice.json, the notice and the platform's signature, checked with `python -m bid_crypto
# verify-notice`.
NOTICE_TYPE = {"tender": "tenderNotice", "clarification": "clarifications",
               "cancellation": "cancellationDetails", "candidates": "evaluationReports",
               "result": "awardNotice", "failure": "cancellationDetails"}
ALGORITHM_LABEL = {"sm2": "SM2（SM3，GB/T 32918.2 签名者标识 1234567812345678）",
                   "ed25519": "Ed25519"}


def yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def instant(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


@dataclass(frozen=True)
class LotView:
    number: int
    name: str
    budget: int


@dataclass(frozen=True)
class DocumentView:
    id: int
    kind: str
    filename: str
    content_type: str
    sha256: str
    uploaded_at: datetime


@dataclass(frozen=True)
class NoticeView:
    """A published, signed notice; `url` is its notice.json."""
    id: int
    kind: str
    title: str
    published_at: datetime
    algorithm: str
    url: str


@dataclass(frozen=True)
class BidView:
    """One line of the opening record as the public may know it (rules §7.5), after the
    opening only: who bid, when, the status and the price read out; never the contents."""

    id: str
    lot: int
    bidder_name: str
    bidder_code: str | None
    date: datetime
    status: str | None  # OCDS bidStatus: valid | disqualified | withdrawn (None: not opened)
    price: int | None  # 分, when the opening read it


@dataclass(frozen=True)
class BidsView:
    opened_at: datetime
    details: tuple[BidView, ...]


@dataclass(frozen=True)
class ProjectView:
    """What the public may know of a project; nothing confidential is ever in here."""

    number: str
    name: str
    description: str
    status: str
    procurement_method: str
    method_label: str
    object_type: str
    budget: int
    region: str
    owner_name: str
    owner_code: str | None
    published_at: datetime | None
    doc_start: datetime
    clarification_deadline: datetime
    bid_deadline: datetime
    lots: tuple[LotView, ...] = ()
    documents: tuple[DocumentView, ...] = ()
    bids: BidsView | None = None  # only once the opening is done
    notices: tuple[NoticeView, ...] = ()
    extra: dict = field(default_factory=dict)


def org_id(name: str, code: str | None) -> str:
    return f"CN-USCC-{code}" if code else f"CN-ORG-{name}"


def party_id(view: ProjectView) -> str:
    return org_id(view.owner_name, view.owner_code)


def build_release(view: ProjectView, *, prefix: str, seq: int, event: str,
                  date: datetime) -> dict:
    """One release for `event` (a status reached, or a clarification) of a public project."""
    ocid = f"{prefix}-{view.number}"
    buyer = {"id": party_id(view), "name": view.owner_name}
    release = {
        "ocid": ocid, "id": f"{view.number}-{seq:04d}", "date": instant(date),
        "tag": [TAG[event]], "initiationType": "tender", "language": "zh",
        "parties": [{
            **buyer,
            "identifier": ({"scheme": "CN-USCC", "id": view.owner_code,
                            "legalName": view.owner_name} if view.owner_code else None),
            "address": {"region": view.region, "countryName": "中国"},
            "roles": ["buyer", "procuringEntity"],
        }],
        "buyer": buyer,
        "tender": _tender(view),
    }
    if view.bids is not None:
        release["parties"] += _tenderers(view.bids)
        release["bids"] = _bids(view.bids)
    release["tender"].update(view.extra.get("tender", {}))
    return prune(release)


def _tenderers(bids: BidsView) -> list[dict]:
    seen = {}
    for bid in bids.details:
        seen.setdefault(org_id(bid.bidder_name, bid.bidder_code), bid)
    return [{"id": key, "name": bid.bidder_name,
             "identifier": ({"scheme": "CN-USCC", "id": bid.bidder_code,
                             "legalName": bid.bidder_name} if bid.bidder_code else None),
             "roles": ["tenderer"]} for key, bid in seen.items()]


def _bids(bids: BidsView) -> dict:
    """The bids extension: per-lot and overall statistics, and each bid's public line."""
    details = [{"id": b.id, "date": instant(b.date), "status": b.status,
                "tenderers": [{"id": org_id(b.bidder_name, b.bidder_code),
                               "name": b.bidder_name}],
                "value": ({"amount": yuan(b.price), "currency": "CNY"}
                          if b.price is not None else None),
                "relatedLots": [str(b.lot)]} for b in bids.details]
    statistics = []
    lots = sorted({b.lot for b in bids.details})
    for lot in [None, *lots]:
        of_lot = [b for b in bids.details if lot is None or b.lot == lot]
        statistics += _statistics(of_lot, lot, bids.opened_at, len(statistics))
    return {"statistics": statistics, "details": details}


def _statistics(bids, lot, at, start) -> list[dict]:
    valid = [b.price for b in bids if b.status == "valid" and b.price is not None]
    rows = [("bids", len(bids), None), ("validBids", len(valid), None),
            ("bidders", len({(b.bidder_name, b.bidder_code) for b in bids}), None)]
    if valid:
        rows += [("lowestValidBidValue", yuan(min(valid)), "CNY"),
                 ("highestValidBidValue", yuan(max(valid)), "CNY")]
    return [{"id": str(start + i + 1), "measure": measure, "value": value, "currency": currency,
             "date": instant(at), "relatedLot": str(lot) if lot is not None else None}
            for i, (measure, value, currency) in enumerate(rows)]


def _tender(view: ProjectView) -> dict:
    return {
        "id": view.number, "title": view.name, "description": view.description or None,
        "status": TENDER_STATUS[view.status],
        "procurementMethod": METHOD[view.procurement_method],
        "procurementMethodDetails": view.method_label,
        "mainProcurementCategory": view.object_type,
        "value": {"amount": yuan(view.budget), "currency": "CNY"},
        "datePublished": instant(view.published_at),
        "tenderPeriod": {"startDate": instant(view.doc_start),
                         "endDate": instant(view.bid_deadline)},
        "enquiryPeriod": {"startDate": instant(view.doc_start),
                          "endDate": instant(view.clarification_deadline)},
        "lots": [{"id": str(lot.number), "title": lot.name,
                  "value": {"amount": yuan(lot.budget), "currency": "CNY"}}
                 for lot in view.lots],
        "documents": [{"id": str(d.id), "documentType": DOCUMENT_TYPE.get(d.kind, "other"),
                       "title": d.filename, "format": d.content_type,
                       "datePublished": instant(d.uploaded_at)}
                      for d in view.documents] + [_notice(n) for n in view.notices],
    }


def _notice(notice: NoticeView) -> dict:
    return {"id": f"notice-{notice.id}", "documentType": NOTICE_TYPE[notice.kind],
            "title": notice.title, "format": "application/json", "url": notice.url,
            "datePublished": instant(notice.published_at),
            "description": f"平台签名公告：{ALGORITHM_LABEL[notice.algorithm]}；"
                           "python -m bid_crypto verify-notice 离线核验"}


def prune(value):
    """OCDS omits empty fields rather than writing null."""
    if isinstance(value, dict):
        out = {k: prune(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, [], {}, "")}
    if isinstance(value, list):
        return [prune(v) for v in value]
    return value


def release_package(releases: list[dict], *, uri: str, published: datetime,
                    publisher: str) -> dict:
    return {"uri": uri, "version": "1.1", "publishedDate": instant(published),
            "publisher": {"name": publisher}, "releases": releases}


def dump_json(value) -> str:
    return simplejson.dumps(value, use_decimal=True, ensure_ascii=False, sort_keys=True,
                            separators=(",", ":"))


def load_json(text: str):
    return simplejson.loads(text, use_decimal=True)
