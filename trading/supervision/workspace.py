"""电子监察 in the workspace (trading.workspace): the center and supervisors see the steps
past their deadline (the supervision dashboard's rules) and the collusion alerts."""

from ..i18n import N_
from ..workspace import Row, Section
from .collusion_service import CollusionService
from .dashboard import figures

ALERT_ROWS = 10


def part(request) -> list[Section]:
    if str(request.identity.role) not in ("center", "supervisor"):
        return []
    overdue = figures(request.dbsession, request.clock()).overdue
    flagged = request.find_service(CollusionService).flagged_lots()
    rows = [Row(o.name, _link(request, o), o.step, o.due) for o in overdue[:ALERT_ROWS]]
    if flagged:
        rows.append(Row(N_("串标预警标段"), request.route_url("supervision.dashboard"),
                        N_("%(n)s 个标段待核查"), args={"n": len(flagged)}))
    return [Section(N_("电子监察预警"), rows=rows, count=len(overdue) + len(flagged),
                    empty=N_("没有超期事项"),
                    links=[(N_("一屏统览"), request.route_url("supervision.dashboard"))])]


def _link(request, alert) -> str:
    if alert.kind == "small_work":
        return request.route_url("smallworks.project", work_id=alert.project_id)
    if alert.kind == "purchase":
        return request.route_url("im.purchase", purchase_id=alert.project_id)
    return request.route_url("projects.detail", project_id=alert.project_id)
