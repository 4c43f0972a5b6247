"""The public listing: criteria (one colander schema for page and API) and the query."""

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import colander
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import joinedload

from ..forms import Money, Text
from ..i18n import DISPLAY_TZ
from . import fulltext
from .kinds import ProcurementMethod, ProjectType
from .models import Project
from .status import PUBLIC

MAX_PAGE = 1000  # deeper pages are what the filters and the OCDS feed are for
# Counting every match of a broad search costs a full scan; past this many the listing says
# "10 000+" instead, which is all a person needs to narrow the search.
COUNT_CAP = 10_000
SORTS = {
    # With a keyword: best match first (bm25 on SQLite, ts_rank on PostgreSQL), then newest.
    "relevance": (Project.published_at.desc(), Project.id.desc()),
    "newest": (Project.published_at.desc(), Project.id.desc()),
    "oldest": (Project.published_at.asc(), Project.id.asc()),
    "deadline": (Project.bid_deadline.asc(), Project.id.asc()),
    "budget": (Project.budget.desc(), Project.id.desc()),
}


def _one_of(values):
    return colander.OneOf(sorted(str(v) for v in values))


class SearchSchema(colander.MappingSchema):
    q = colander.SchemaNode(Text(), missing="", validator=colander.Length(0, 100))
    type = colander.SchemaNode(Text(), missing="", validator=_one_of(ProjectType))
    status = colander.SchemaNode(Text(), missing="", validator=_one_of(PUBLIC))
    method = colander.SchemaNode(Text(), missing="",
                                 validator=_one_of(ProcurementMethod))
    region = colander.SchemaNode(Text(), missing="",
                                 validator=colander.Length(0, 100))
    date_from = colander.SchemaNode(colander.Date(), missing=None)
    date_to = colander.SchemaNode(colander.Date(), missing=None)
    budget_min = colander.SchemaNode(Money(), missing=None)
    budget_max = colander.SchemaNode(Money(), missing=None)
    # No sort given: by relevance with a keyword, else newest first.
    sort = colander.SchemaNode(Text(), missing="", validator=_one_of(SORTS))
    page = colander.SchemaNode(colander.Integer(), missing=1,
                               validator=colander.Range(1, MAX_PAGE, min_err="页码从1开始",
                                                        max_err=f"页码不能超过{MAX_PAGE}"))
    per_page = colander.SchemaNode(colander.Integer(), missing=20,
                                   validator=colander.Range(1, 100))

    def validator(self, node, values):
        if values["date_from"] and values["date_to"] and values["date_from"] > values["date_to"]:
            raise colander.Invalid(node["date_to"], "结束日期不能早于开始日期")
        low, high = values["budget_min"], values["budget_max"]
        if low is not None and high is not None and low > high:
            raise colander.Invalid(node["budget_max"], "预算上限不能低于下限")


def parse_criteria(params) -> dict:
    """Raise colander.Invalid with every bad parameter; empty strings count as absent."""
    cleaned = {k: v for k, v in params.items() if v not in ("", None)}
    return SearchSchema().deserialize(cleaned)


def _day_start(day) -> datetime:
    return datetime.combine(day, time.min, DISPLAY_TZ).astimezone(UTC)


def _filters(c: dict) -> list:
    clauses = [Project.status.in_([str(s) for s in PUBLIC])]
    for key, column in (("type", Project.project_type), ("status", Project.status),
                        ("method", Project.procurement_method), ("region", Project.region)):
        if c[key]:
            clauses.append(column == c[key])
    if c["date_from"]:
        clauses.append(Project.published_at >= _day_start(c["date_from"]))
    if c["date_to"]:
        clauses.append(Project.published_at < _day_start(c["date_to"]) + timedelta(days=1))
    if c["budget_min"] is not None:
        clauses.append(Project.budget >= c["budget_min"])
    if c["budget_max"] is not None:
        clauses.append(Project.budget <= c["budget_max"])
    return clauses


@dataclass(frozen=True)
class Page:
    items: list
    total: int  # capped at COUNT_CAP + 1
    page: int
    per_page: int
    query: str = ""  # the keyword, for highlighting
    sort: str = "newest"  # the order used

    @property
    def capped(self) -> bool:
        return self.total > COUNT_CAP

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-min(self.total, COUNT_CAP) // self.per_page)))


def _keyword(dbsession, terms) -> tuple:
    """(index table, its join to projects, the match, best-first order) on this database."""
    if fulltext.dialect(dbsession) == "sqlite":
        index = sa.table(fulltext.TABLE, sa.column("rowid"))
        whole = sa.literal_column(fulltext.TABLE)
        match = whole.op("MATCH")(fulltext.fts5_query(terms))
        return (index, index.c.rowid == Project.id, match,
                sa.func.bm25(whole, *fulltext.SQLITE_WEIGHTS).asc())
    index = sa.table(fulltext.TABLE, sa.column("project_id"), sa.column("document"))
    query = sa.cast(fulltext.tsquery_literal(terms), TSQUERY)
    return (index, index.c.project_id == Project.id, index.c.document.op("@@")(query),
            sa.func.ts_rank(index.c.document, query).desc())


def search(dbsession, criteria: dict) -> Page:
    clauses = _filters(criteria)
    terms = fulltext.query_terms(criteria["q"])
    sort = criteria["sort"] or ("relevance" if terms else "newest")
    order = list(SORTS[sort if terms or sort != "relevance" else "newest"])
    ids = sa.select(Project.id)
    rows = sa.select(Project)
    if terms:
        index, join_on, match, best = _keyword(dbsession, terms)
        ids = ids.join(index, join_on).where(match)
        rows = rows.join(index, join_on).where(match)
        if sort == "relevance":
            order.insert(0, best)
    matching = ids.where(*clauses).limit(COUNT_CAP + 1).subquery()
    total = dbsession.scalar(sa.select(sa.func.count()).select_from(matching))
    query = (
        rows.where(*clauses).options(joinedload(Project.owner))
        .order_by(*order)
        .limit(criteria["per_page"]).offset((criteria["page"] - 1) * criteria["per_page"])
    )
    return Page(list(dbsession.scalars(query)), total, criteria["page"], criteria["per_page"],
                criteria["q"] if terms else "", sort if terms or sort != "relevance" else "newest")
