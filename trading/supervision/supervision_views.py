"""The supervision dashboard (一屏统览) with server-side SVG charts and overdue steps."""

from datetime import datetime, time

import colander
import pygal
from pyramid.response import Response
from pyramid.view import view_config

from ..bidsecurity.service import BidSecurityService
from ..bidsecurity.views import figures as security_figures
from ..forms import Text
from ..i18n import DISPLAY_TZ, N_, _
from ..projects.kinds import LABELS as KIND_LABELS
from ..projects.kinds import ProjectType
from ..projects.status import LABELS as STATUS_LABELS
from ..security import Permission
from ..smallworks.views import labels as small_works_labels
from .collusion import LEVEL_LABELS
from .collusion_service import CollusionService
from .dashboard import figures

# An SVG shown through <img> runs no script; its own inline styles are all it needs.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'"


class Filters(colander.MappingSchema):
    since = colander.SchemaNode(colander.Date(), missing=None)
    type = colander.SchemaNode(
        Text(), missing=None, validator=colander.OneOf([str(t) for t in ProjectType])
    )


def _filters(request) -> dict:
    params = {k: v for k, v in request.GET.items() if v and k in ("since", "type")}
    try:
        values = Filters().deserialize(params)
    except colander.Invalid:
        values = {"since": None, "type": None}
    since = datetime.combine(values["since"], time.min, DISPLAY_TZ) if values["since"] else None
    return {"since": since, "project_type": values["type"]}


@view_config(
    route_name="supervision.dashboard",
    renderer="supervision/dashboard.jinja2",
    permission=Permission.AUDIT_VIEW,
)
def dashboard(request):
    data = figures(request.dbsession, request.clock(), **_filters(request))
    flagged = request.find_service(CollusionService).flagged_lots()
    security = security_figures(request.dbsession, request.find_service(BidSecurityService))
    return {
        "f": data,
        "now": request.clock(),
        "query": dict(request.GET.items()),
        "security": security,
        "flagged": flagged,
        "LEVEL_LABELS": LEVEL_LABELS,
        "SW_LABELS": small_works_labels()["STATUS_LABELS"],
    }


CHARTS = {
    # name: (title, chart, the figure, labels of its keys, the series' name)
    "type": (N_("按项目类型"), pygal.Pie, lambda f: f.by_type, KIND_LABELS, N_("项目数")),
    "status": (
        N_("按项目状态"),
        pygal.HorizontalBar,
        lambda f: f.by_status,
        STATUS_LABELS,
        N_("项目数"),
    ),
    "month": (N_("按发布月份"), pygal.Bar, lambda f: f.by_month, {}, N_("项目数")),
    "bids": (
        N_("平均投标数（按投标截止月份）"),
        pygal.Bar,
        lambda f: f.bids.by_month,
        {},
        N_("平均投标数"),
    ),
    "bidcount": (
        N_("投标数分布（横轴：投标数）"),
        pygal.Bar,
        lambda f: f.bids.distribution,
        {},
        N_("项目数"),
    ),
    "smallworks": (
        N_("小额工程：各月成交"),
        pygal.Bar,
        lambda f: f.small_works.by_month,
        {},
        N_("项目数"),
    ),
    "supermarket": (
        N_("中介超市：各月选取"),
        pygal.Bar,
        lambda f: f.supermarket.by_month,
        {},
        N_("项目数"),
    ),
}


@view_config(route_name="supervision.chart", permission=Permission.AUDIT_VIEW)
def chart(request):
    """One dashboard chart as SVG, its words in the reader's language (the <img> is not
    text the page's template translates)."""
    title, kind, field, labels, series = CHARTS.get(request.matchdict["name"], CHARTS["status"])
    values = field(figures(request.dbsession, request.clock(), **_filters(request)))

    def words(text):
        return request.localizer.translate(_(text)) if isinstance(text, str) else text

    svg = kind(
        title=words(title),
        js=[],
        disable_xml_declaration=True,
        width=560,
        height=320,
        show_legend=kind is pygal.Pie,
        font_family="sans-serif",
    )
    if kind is pygal.Pie:
        for key, n in values.items():
            svg.add(words(labels.get(key, key)), n)
    else:
        svg.x_labels = [words(labels.get(k, k)) for k in values]
        svg.add(words(series), list(values.values()))
    response = Response(svg.render(is_unicode=True), content_type="image/svg+xml", charset="utf-8")
    response.headers["Content-Security-Policy"] = SVG_CSP
    return response
