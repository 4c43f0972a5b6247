"""Small works' part of the workspace (trading.workspace): a drawn enterprise's
confirmation with its deadline, the center's review queues."""

import sqlalchemy as sa

from ..i18n import N_
from ..workspace import Row, Section
from .models import Enterprise, SmallWork
from .status import AllocationStatus as A
from .status import RegistryStatus as R

QUEUE_ROWS = 10


def part(request) -> list[Section]:
    user = request.identity
    role = str(user.role)
    if role == "bidder" and user.organisation_id:
        return _enterprise(request, user.organisation_id)
    if role == "center":
        return [_center(request)]
    return []


def _link(request, work: SmallWork) -> str:
    return request.route_url("smallworks.project", work_id=work.id)


def _enterprise(request, org_id: int) -> list[Section]:
    db = request.dbsession
    entry = db.scalar(sa.select(Enterprise).where(Enterprise.organisation_id == org_id))
    if entry is None:
        return []  # not in the small-works registry: nothing to do there
    drawn = db.scalars(sa.select(SmallWork).where(
        SmallWork.winner_id == entry.id, SmallWork.status == A.DRAWN)
        .order_by(SmallWork.respond_by))
    rows = [Row(w.name, _link(request, w), N_("已抽中：请在期限前确认承接或放弃"), w.respond_by)
            for w in drawn]
    return [Section(N_("小额工程待办"), rows=rows, empty=N_("暂无待办"),
                    links=[(N_("我的入库信息"), request.route_url("smallworks.mine"))])]


def _center(request) -> Section:
    db = request.dbsession
    waiting = sa.select(SmallWork).where(SmallWork.status == A.SUBMITTED)
    count = db.scalar(sa.select(sa.func.count()).select_from(waiting.subquery()))
    applied = db.scalar(sa.select(sa.func.count()).select_from(Enterprise).where(
        Enterprise.status == R.APPLIED))
    rows = [Row(w.name, _link(request, w), N_("小额工程待审核（限额与拆分）"))
            for w in db.scalars(waiting.order_by(SmallWork.id).limit(QUEUE_ROWS))]
    if applied:
        rows.append(Row(N_("企业入库申请"), request.route_url("smallworks.reviews"),
                        N_("待审核 %(n)s 家"), args={"n": applied}))
    return Section(N_("小额工程审核"), rows=rows, count=count + applied,
                   empty=N_("暂无待审核事项"),
                   links=[(N_("审核入口"), request.route_url("smallworks.reviews"))])
