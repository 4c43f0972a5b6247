"""What the supermarket's pages show: read-only queries shared by the HTML and JSON views."""

from collections import defaultdict
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from ..accounts.models import Organisation, Role
from ..i18n import N_
from .models import CreditRecord, Entry, Purchase, ServiceItem, ServiceRating
from .rules import SelectionMethod
from .service import ENTRY_LABELS, IntermediaryService, local_date
from .status import EntryStatus, PurchaseStatus

P, E = PurchaseStatus, EntryStatus
STATUS_LABELS = {
    P.DRAFT: N_("草稿"), P.UNDER_REVIEW: N_("审核中"), P.RETURNED: N_("已退回"),
    P.REGISTRATION: N_("报名中"), P.BIDDING: N_("竞价中"), P.SELECTING: N_("待选取"),
    P.SELECTION_START: N_("选取中"), P.WAIT_CHOOSE: N_("待业主选定"),
    P.SELECTED: N_("已选取，待中介确认"), P.CONTRACT_UPLOAD: N_("待上传合同"),
    P.CONTRACT_CONFIRM: N_("待业主确认合同"), P.SERVICE_IN_PROGRESS: N_("服务中"),
    P.SERVICE_RESULT_UPLOADED: N_("服务成果待确认"), P.SERVICE_FINISHED: N_("服务完成，待评价"),
    P.EVALUATED: N_("已评价"), P.EXPIRED: N_("采购失败（已重新发布）"), P.INVALID: N_("已撤销"),
    P.TERMINATED: N_("服务中止"),
    **{status: N_(label) for status, label in ENTRY_LABELS.items()},
}
OPEN = (P.REGISTRATION, P.BIDDING)
RESULTS = (P.SELECTED, P.CONTRACT_UPLOAD, P.CONTRACT_CONFIRM, P.SERVICE_IN_PROGRESS,
           P.SERVICE_RESULT_UPLOADED, P.SERVICE_FINISHED, P.EVALUATED)
FINISHED = (P.SERVICE_FINISHED, P.EVALUATED)
UNPUBLISHED = (P.DRAFT, P.UNDER_REVIEW, P.RETURNED)


def _purchases(db, statuses, limit=50):
    query = (sa.select(Purchase).where(Purchase.status.in_(statuses))
             .order_by(Purchase.status_changed_at.desc()).limit(limit))
    return list(db.scalars(query))


def active_intermediaries(service: IntermediaryService) -> list[dict]:
    query = (sa.select(Entry).where(Entry.status == E.ACTIVE).join(Organisation)
             .order_by(Organisation.name))
    rows = []
    for entry in service.db.scalars(query):
        sanction = service.sanction_of(entry.org_id)
        rows.append({"org": entry.organisation, "entry": entry,
                     "credit": service.credit_of(entry.org_id), "sanction": sanction,
                     "types": [line.service_type.name for line in entry.lines]})
    return sorted(rows, key=lambda row: (-row["credit"], row["org"].name))


def home_data(service: IntermediaryService) -> dict:
    db = service.db
    return {"types": service.service_types(), "intermediaries": active_intermediaries(service),
            "open": _purchases(db, OPEN), "results": _purchases(db, RESULTS),
            "failed": _purchases(db, (P.EXPIRED,), 10)}


def intermediary_profile(service: IntermediaryService, org: Organisation) -> dict | None:
    if org.role is not Role.INTERMEDIARY:
        return None
    entry = service.entry_of(org.id)
    ratings = list(service.db.scalars(sa.select(ServiceRating).where(
        ServiceRating.org_id == org.id).order_by(ServiceRating.id.desc())))
    events = list(service.db.scalars(sa.select(CreditRecord).where(
        CreditRecord.org_id == org.id).order_by(CreditRecord.id.desc())))
    return {"org": org, "entry": entry, "credit": service.credit_of(org.id),
            "sanction": service.sanction_of(org.id), "ratings": ratings, "events": events}


def purchase_view(service: IntermediaryService, purchase: Purchase, user) -> dict:
    """Everything the purchase page shows, with what this user may see."""
    db, org_id = service.db, user.organisation_id if user else None
    names = {g.org_id: g.organisation.name for g in purchase.registrations}
    staff = user is not None and user.role in (Role.CENTER, Role.SUPERVISOR)
    parties = org_id is not None and org_id in (purchase.owner_org_id, purchase.selected_org_id)
    declined = {g.org_id for g in purchase.registrations if g.declined_at}
    events = list(db.scalars(sa.select(CreditRecord).where(
        CreditRecord.purchase_id == purchase.id).order_by(CreditRecord.id)))
    return {
        "purchase": purchase,
        "items": [db.get(ServiceItem, i) for i in purchase.item_ids],
        "counts_visible": service.counts_visible_to(purchase, user),
        "names": names,
        "my_registration": service.registration_of(purchase, org_id),
        "is_owner": org_id == purchase.owner_org_id,
        "is_winner": org_id is not None and org_id == purchase.selected_org_id,
        "draws": service.draws_of(purchase),
        "history": [{**h, "at": datetime.fromisoformat(h["at"])}
                    for h in (purchase.selection_evidence or {}).get("history", [])],
        "credit": (purchase.selection_evidence or {}).get("credit", {}),
        "documents": purchase.documents if staff or parties else [],
        "events": events,
        "rating": db.scalar(sa.select(ServiceRating).where(
            ServiceRating.purchase_id == purchase.id)),
        "rating_due": service.rating_due(purchase),
        "service_due": service.service_due(purchase),
        "choices": _choices(purchase, names, declined),
        "republished": db.scalar(sa.select(Purchase).where(
            Purchase.republished_from_id == purchase.id)),
    }


def _choices(purchase: Purchase, names: dict, declined: set) -> list[tuple[int, str]]:
    """Whom the owner may pick while it is the owner's turn."""
    if purchase.status is not P.WAIT_CHOOSE:
        return []
    if purchase.method is SelectionMethod.CREDIT_BEST:
        ids = [int(i) for i in purchase.short_list]
    elif purchase.method is SelectionMethod.PLAN_BEST:
        ids = [g.org_id for g in purchase.registrations if g.price_fen is not None]
    else:
        ids = [int(i) for i in purchase.candidate_ids]
    return [(i, names.get(i, str(i))) for i in ids if i not in declined]


def _month(moment: datetime) -> str:
    return local_date(moment).strftime("%Y-%m")


def statistics(db) -> list[dict]:
    """By month of publication: published, completed, failed, success rate, mean days from
    publication to the first selection."""
    months: dict[str, dict] = defaultdict(lambda: {"published": 0, "completed": 0, "failed": 0,
                                                   "selected": 0, "days": []})
    query = sa.select(Purchase).where(Purchase.published_at.is_not(None))
    for purchase in db.scalars(query):
        row = months[_month(purchase.published_at)]
        row["published"] += 1
        row["completed"] += purchase.status in FINISHED
        row["failed"] += purchase.status is P.EXPIRED
        history = (purchase.selection_evidence or {}).get("history", [])
        if history:
            row["selected"] += 1
            first = datetime.fromisoformat(history[0]["at"])
            row["days"].append(Decimal((first - purchase.published_at).total_seconds())
                               / Decimal(86400))
    return [_stat_row(month, row) for month, row in sorted(months.items(), reverse=True)]


def _stat_row(month: str, row: dict) -> dict:
    decided = row["selected"] + row["failed"]
    rate = (Decimal(100 * row["selected"]) / decided).quantize(Decimal("0.1"), ROUND_HALF_UP) \
        if decided else None
    days = (sum(row["days"]) / len(row["days"])).quantize(Decimal("0.1"), ROUND_HALF_UP) \
        if row["days"] else None
    return {"month": month, "published": row["published"], "completed": row["completed"],
            "failed": row["failed"], "success_rate": rate, "avg_days_to_select": days}
