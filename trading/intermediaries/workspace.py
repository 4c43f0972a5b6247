"""The supermarket's part of the workspace (trading.workspace): an intermediary's entry and
the purchases waiting for it, an owner's purchases waiting for the owner, the center's
review queues."""

import sqlalchemy as sa

from ..i18n import N_
from ..workspace import Row, Section
from .models import Entry, Purchase, Registration
from .status import EntryStatus as E
from .status import PurchaseStatus as P

QUEUE_ROWS = 10
# What the selected intermediary must do next, by the purchase's status.
FOR_INTERMEDIARY = {P.SELECTED: N_("已中选：请确认是否承接"),
                    P.CONTRACT_UPLOAD: N_("请上传中介服务合同"),
                    P.SERVICE_IN_PROGRESS: N_("服务中：完成后上传服务成果")}
WAITING = (P.REGISTRATION, P.BIDDING, P.SELECTING, P.SELECTION_START, P.WAIT_CHOOSE)
# What the owner must do next.
FOR_OWNER = {P.DRAFT: N_("草稿：提交审核"), P.RETURNED: N_("已退回：修改后重新提交"),
             P.WAIT_CHOOSE: N_("请选取中介机构"), P.CONTRACT_CONFIRM: N_("请确认服务合同"),
             P.SERVICE_RESULT_UPLOADED: N_("请验收服务成果"),
             P.SERVICE_FINISHED: N_("请评价中介服务")}


def part(request) -> list[Section]:
    user = request.identity
    role = str(user.role)
    if role == "intermediary" and user.organisation_id:
        return [_intermediary(request, user.organisation_id)]
    if role == "owner" and user.organisation_id:
        return [_owner(request, user.organisation_id)]
    if role == "center":
        return [_center(request)]
    return []


def _link(request, purchase: Purchase) -> str:
    return request.route_url("im.purchase", purchase_id=purchase.id)


def _intermediary(request, org_id: int) -> Section:
    db = request.dbsession
    section = Section(N_("中介超市待办"), empty=N_("暂无待办"), links=[
        (N_("入驻信息"), request.route_url("im.entry")),
        (N_("中介服务采购公告"), request.route_url("im.purchases"))])
    entry = db.scalar(sa.select(Entry).where(Entry.org_id == org_id))
    if entry is None or entry.status is not E.ACTIVE:
        section.rows.append(Row(N_("入驻信息"), request.route_url("im.entry"),
                                N_("尚未入驻：完成入驻后方可报名") if entry is None
                                or entry.status is not E.SUSPENDED
                                else N_("已暂停：续期资质后恢复")))
    chosen = db.scalars(sa.select(Purchase).where(
        Purchase.selected_org_id == org_id, Purchase.status.in_(list(FOR_INTERMEDIARY)))
        .order_by(Purchase.id.desc()).limit(QUEUE_ROWS))
    section.rows += [Row(p.title, _link(request, p), FOR_INTERMEDIARY[p.status])
                     for p in chosen]
    registered = db.scalars(sa.select(Purchase).join(
        Registration, Registration.purchase_id == Purchase.id).where(
        Registration.org_id == org_id, Registration.declined_at.is_(None),
        Purchase.status.in_(WAITING)).order_by(Purchase.selection_time).limit(QUEUE_ROWS))
    section.rows += [Row(p.title, _link(request, p), N_("已报名：等待选取"), p.selection_time)
                     for p in registered]
    return section


def _owner(request, org_id: int) -> Section:
    purchases = request.dbsession.scalars(sa.select(Purchase).where(
        Purchase.owner_org_id == org_id, Purchase.status.in_(list(FOR_OWNER)))
        .order_by(Purchase.id.desc()).limit(QUEUE_ROWS))
    return Section(N_("中介服务采购待办"), empty=N_("暂无待办"),
                   rows=[Row(p.title, _link(request, p), FOR_OWNER[p.status])
                         for p in purchases],
                   links=[(N_("我的中介服务采购"), request.route_url("im.purchases.mine")),
                          (N_("发布中介服务采购"), request.route_url("im.purchase.new"))])


def _center(request) -> Section:
    db = request.dbsession
    waiting = sa.select(Purchase).where(Purchase.status == P.UNDER_REVIEW)
    count = db.scalar(sa.select(sa.func.count()).select_from(waiting.subquery()))
    entries = db.scalar(sa.select(sa.func.count()).select_from(Entry).where(
        Entry.status == E.ENTRY_SUBMITTED))
    rows = [Row(p.title, _link(request, p), N_("中介服务采购待审核"))
            for p in db.scalars(waiting.order_by(Purchase.id).limit(QUEUE_ROWS))]
    if entries:
        rows.append(Row(N_("中介机构入驻申请"), request.route_url("im.entries"),
                        N_("待审核 %(n)s 家"), args={"n": entries}))
    return Section(N_("中介超市审核"), rows=rows, count=count + entries,
                   empty=N_("暂无待审核事项"),
                   links=[(N_("采购审核"), request.route_url("im.purchases.review")),
                          (N_("入驻审核"), request.route_url("im.entries"))])
