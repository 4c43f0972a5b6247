"""OCDS 1.1.5 releases of small works (小额工程): the tender, one award per drawn enterprise
(a decline cancels it, the next drawn gets the next one), the contract, the parties.

Allocation from the pre-qualified registry is OCDS's `selective` method (only qualified
suppliers take part); the details name the small-works channel and the allocation method,
the rationale why it is not tendered. Nothing confidential: quotes (合理低价) are never in a
release — a price appears only as the value of an award, which exists only after the
opening; the budget approval file, the candidates' workload and the declines' reasons stay
on the platform's own allocation record.
"""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from .ocds import instant, org_id, prune, yuan

# The work's status → the tender's status on OCDS's closed tenderStatus codelist.
TENDER_STATUS = {"pool_frozen": "active", "drawn": "active", "publicity": "complete",
                 "contracted": "complete", "completed": "complete", "evaluated": "complete",
                 "terminated": "complete", "failed": "unsuccessful", "cancelled": "cancelled"}
TAG = {"pool_frozen": "tenderUpdate", "drawn": "award", "publicity": "awardUpdate",
       "contracted": "contract", "completed": "contractUpdate", "evaluated": "contractUpdate",
       "terminated": "contractTermination", "failed": "tenderUpdate",
       "cancelled": "tenderCancellation"}
ACCEPTED = ("publicity", "contracted", "completed", "evaluated", "terminated")
CATEGORY = {"works": "works", "goods": "goods", "services": "services"}
RATIONALE = ("限额以下工程（低于依法必须招标的限额），按小额工程企业库规则从符合条件的在库企业中"
             "产生承包企业；候选名单、排除理由和抽取记录另行公示。")


@dataclass(frozen=True)
class Firm:
    name: str
    credit_code: str | None


@dataclass(frozen=True)
class AwardView:
    """One drawn enterprise: `cancelled` once it declined (or was found out)."""

    firm: Firm
    status: str  # pending | active | cancelled
    date: datetime | None
    price: int | None  # 分: the estimate, or the opened quote under 合理低价


@dataclass(frozen=True)
class SmallWorkView:
    number: str  # SW-000001
    name: str
    status: str
    method_label: str
    award_rule: str
    object_type: str
    amount: int
    owner: Firm
    region: str | None
    published_at: datetime | None
    quotes_due_at: datetime | None
    quote_window_start: datetime | None
    awards: tuple[AwardView, ...]


def build_smallworks_release(view: SmallWorkView, *, prefix: str, seq: int,
                             date: datetime) -> dict:
    """Release `seq` of a small work, in its current state (the first is its tender)."""
    buyer = {"id": _party_id(view.owner), "name": view.owner.name}
    release = {
        "ocid": f"{prefix}-{view.number}", "id": f"{view.number}-{seq:04d}",
        "date": instant(date), "tag": ["tender" if seq == 1 else TAG[view.status]],
        "initiationType": "tender", "language": "zh",
        "parties": [_party(view.owner, ["buyer", "procuringEntity"], view.region),
                    *_suppliers(view.awards)],
        "buyer": buyer, "tender": _tender(view),
        "awards": [_award(view, n, a) for n, a in enumerate(view.awards, start=1)],
        "contracts": _contracts(view),
    }
    return prune(release)


def _party_id(firm: Firm) -> str:
    return org_id(firm.name, firm.credit_code)


def _party(firm: Firm, roles: list[str], region: str | None = None) -> dict:
    return {"id": _party_id(firm), "name": firm.name, "roles": roles,
            "identifier": ({"scheme": "CN-USCC", "id": firm.credit_code,
                            "legalName": firm.name} if firm.credit_code else None),
            "address": {"region": region, "countryName": "中国"} if region else None}


def _suppliers(awards: tuple[AwardView, ...]) -> list[dict]:
    seen: dict[str, Firm] = {}
    for award in awards:
        seen.setdefault(_party_id(award.firm), award.firm)
    return [_party(firm, ["supplier"]) for firm in seen.values()]


def _tender(view: SmallWorkView) -> dict:
    tender = {
        "id": view.number, "title": view.name, "status": TENDER_STATUS[view.status],
        "procurementMethod": "selective",
        "procurementMethodDetails": f"小额工程·{view.method_label}",
        "procurementMethodRationale": RATIONALE,
        "awardCriteriaDetails": view.award_rule,
        "mainProcurementCategory": CATEGORY[view.object_type],
        "value": {"amount": yuan(view.amount), "currency": "CNY"},
        "datePublished": instant(view.published_at),
    }
    if view.quotes_due_at is not None:  # 合理低价: the short list's quoting window
        tender["tenderPeriod"] = {"startDate": instant(view.quote_window_start),
                                  "endDate": instant(view.quotes_due_at)}
    return tender


def _award_id(view: SmallWorkView, n: int) -> str:
    return f"{view.number}-A{n}"


def _award(view: SmallWorkView, n: int, award: AwardView) -> dict:
    return {"id": _award_id(view, n), "title": view.name, "status": award.status,
            "date": instant(award.date),
            "value": ({"amount": yuan(award.price), "currency": "CNY"}
                      if award.price is not None else None),
            "suppliers": [{"id": _party_id(award.firm), "name": award.firm.name}]}


def _contracts(view: SmallWorkView) -> list[dict]:
    if view.status not in ("contracted", "completed", "evaluated", "terminated"):
        return []
    n = len(view.awards)
    award = view.awards[-1]
    return [{"id": f"{view.number}-C1", "awardID": _award_id(view, n), "title": view.name,
             "status": "active" if view.status == "contracted" else "terminated",
             "value": ({"amount": yuan(award.price), "currency": "CNY"}
                       if award.price is not None else None)}]


# -- reading a work (the small-works domain's rows, read only) ------------------------------


def smallwork_view(dbsession, work, *, published_at: datetime,
                   quote_window) -> SmallWorkView:
    """What the public may know of a work: the drawn enterprises in order (those that
    declined first, as cancelled awards), the winner, the price once it is public."""
    from ..smallworks.forms import METHOD_LABELS
    from ..smallworks.models import Decline, Enterprise
    from ..smallworks.service import DRAW_RULES

    declined = dbsession.execute(
        sa.select(Enterprise.name, Enterprise.credit_code).select_from(Decline)
        .join(Enterprise, Enterprise.id == Decline.enterprise_id)
        .where(Decline.project_id == work.id).order_by(Decline.id)).all()
    awards = [AwardView(Firm(name, code), "cancelled", None, None) for name, code in declined]
    if work.winner is not None and work.status in ("drawn", *ACCEPTED):
        awards.append(AwardView(
            Firm(work.winner.name, work.winner.credit_code),
            "active" if work.status in ACCEPTED else "pending", work.notified_at,
            _winning_price(dbsession, work)))
    return SmallWorkView(
        number=smallwork_number(work.id), name=work.name, status=str(work.status),
        method_label=str(METHOD_LABELS[work.method]), award_rule=DRAW_RULES[work.method],
        object_type=str(work.object_type), amount=work.amount,
        owner=Firm(work.owner.name, work.owner.credit_code), region=None,
        published_at=published_at, quotes_due_at=work.quotes_due_at,
        quote_window_start=(work.quotes_due_at - quote_window
                            if work.quotes_due_at is not None else None),
        awards=tuple(awards))


def smallwork_number(work_id: int) -> str:
    return f"SW-{work_id:06d}"


def _winning_price(dbsession, work) -> int | None:
    """The estimate, or under 合理低价 the winner's quote (public once opened)."""
    if work.quotes_due_at is None:
        return work.amount
    from ..smallworks.models import Quote

    return dbsession.scalar(sa.select(Quote.price).where(
        Quote.project_id == work.id, Quote.enterprise_id == work.winner_id))
