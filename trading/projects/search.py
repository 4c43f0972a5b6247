"""The public listing: criteria (one colander schema for page and API) and the query."""

import functools
import operator
from collections import namedtuple
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import colander
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import TSQUERY

from ..accounts.models import Organisation
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
# A keyword's matches are counted to this many only: PostgreSQL's GIN index holds no
# visibility, so each match counted is a heap row read (12 000 of them: ~90 ms).
KEYWORD_COUNT_CAP = 1_000
# With a keyword the listing can also be ordered best match first (_Keyword.best_first):
# RELEVANCE, the default when a keyword is given.
RELEVANCE = "relevance"
SORTS = {
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
    sort = colander.SchemaNode(Text(), missing="", validator=_one_of([*SORTS, RELEVANCE]))
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


# Built once: deserializing keeps no state in the schema, and building its twelve nodes
# cost more than checking a request's parameters.
_SCHEMA = SearchSchema()


def parse_criteria(params) -> dict:
    """Raise colander.Invalid with every bad parameter; empty strings count as absent."""
    cleaned = {k: v for k, v in params.items() if v not in ("", None)}
    return _SCHEMA.deserialize(cleaned)


def _day_start(day) -> datetime:
    return datetime.combine(day, time.min, DISPLAY_TZ).astimezone(UTC)


# The public statuses as constants in the SQL text (enum values, sorted): the statement is
# then cached whole, where a bound list is expanded again on every execution.
PUBLIC_SQL = tuple(sa.literal_column(f"'{s}'") for s in sorted(map(str, PUBLIC)))
EXACT = (("type", Project.project_type), ("status", Project.status),
         ("method", Project.procurement_method), ("region", Project.region))


# What the JSON shows of a listed project, read as plain rows: loading 20 ORM entities
# (every column, the identity map, the owner joined as an entity) cost more CPU than the
# page's SQL. The owner's name comes last (as `owner_name`, and `owner.name` as on a
# Project).
LISTED = (Project.id, Project.number, Project.name, Project.project_type, Project.regime,
          Project.object_type, Project.procurement_method, Project.evaluation_method,
          Project.award_method, Project.custody_mode, Project.crypto_suite, Project.region,
          Project.status, Project.frozen_reason, Project.budget, Project.published_at,
          Project.doc_start, Project.doc_end, Project.clarification_deadline,
          Project.bid_deadline, Organisation.name)
# What the HTML page's table shows: half the columns, and each column read is a value
# converted per row (a date parsed, an enum looked up): 20 rows of all of them cost as
# much as the page's cheapest SQL.
ON_PAGE = (Project.id, Project.number, Project.name, Project.project_type,
           Project.procurement_method, Project.region, Project.status, Project.budget,
           Project.bid_deadline, Organisation.name)
Owner = namedtuple("Owner", "name")


class _Owned:
    __slots__ = ()

    @property
    def owner(self) -> Owner:
        return Owner(self.owner_name)


@dataclass(frozen=True, eq=False)
class Shown:
    """The columns a listing reads of each project on its page: the statement reading
    them by id and the named tuple of a row."""

    statement: sa.Select
    row: type

    @staticmethod
    def of(columns: tuple) -> "Shown":
        fields = [c.key for c in columns[:-1]] + ["owner_name"]
        row = type("Listed", (_Owned, namedtuple("_Listed", fields)), {"__slots__": ()})
        return Shown(sa.select(*columns)
                     .join(Organisation, Organisation.id == Project.owner_org_id)
                     .where(Project.id.in_(sa.bindparam("ids", expanding=True))), row)


EVERY_FIELD = Shown.of(LISTED)
PAGE_FIELDS = Shown.of(ON_PAGE)


# The listing's statements are built once per shape (which filters are given, the order,
# the keyword's side of the index) and their values bound when run: building a statement
# and its cache key on every request cost more CPU than running it.
RANGES = (("date_from", Project.published_at, operator.ge),
          ("date_to", Project.published_at, operator.lt),
          ("budget_min", Project.budget, operator.ge),
          ("budget_max", Project.budget, operator.le))


def _values(c: dict, keyword: bool) -> dict:
    """The criteria as the values of the statements' parameters, absent ones left out;
    with a keyword the exact filters are the index's facets (in its match), not these."""
    values = {} if keyword else {key: c[key] for key, _column in EXACT if c[key]}
    if c["date_from"]:
        values["date_from"] = _day_start(c["date_from"])
    if c["date_to"]:
        values["date_to"] = _day_start(c["date_to"]) + timedelta(days=1)
    for key in ("budget_min", "budget_max"):
        if c[key] is not None:
            values[key] = c[key]
    return values


def _clauses(shape: frozenset, keyword: bool) -> list:
    """The criteria but the keyword as SQL, with a parameter for each filter named in
    `shape`. With a keyword the index (public projects, their exact filters as facets)
    answers those: only the ranges are left here."""
    clauses = [] if keyword else [Project.status.in_(PUBLIC_SQL)]
    clauses += [column == sa.bindparam(key) for key, column in EXACT
                if key in shape and not keyword]
    clauses += [compare(column, sa.bindparam(key)) for key, column, compare in RANGES
                if key in shape]
    return clauses


@functools.lru_cache(maxsize=1024)
def _counted(ids: sa.Select, cap: int | None) -> sa.Select:
    """How many ids, counted up to cap + 1 (None: all of them)."""
    matching = (ids if cap is None else ids.limit(cap + 1)).subquery()
    return sa.select(sa.func.count()).select_from(matching)


@functools.lru_cache(maxsize=1024)
def _paged(ids: sa.Select, order: tuple) -> sa.Select:
    return ids.order_by(*order).limit(sa.bindparam("limit")).offset(sa.bindparam("offset"))


@functools.lru_cache(maxsize=256)
def _plain(shape: frozenset) -> sa.Select:
    """The ids of a listing without a keyword."""
    return sa.select(Project.id).where(*_clauses(shape, keyword=False))


@dataclass(frozen=True)
class Page:
    items: list
    total: int  # capped at cap + 1
    page: int
    per_page: int
    query: str = ""  # the keyword, for highlighting
    sort: str = "newest"  # the order used
    cap: int = COUNT_CAP  # counted up to this many

    @property
    def capped(self) -> bool:
        return self.total > self.cap

    @property
    def pages(self) -> int:
        return min(MAX_PAGE, max(1, -(-min(self.total, self.cap) // self.per_page)))


@dataclass(frozen=True, eq=False)
class _Keyword:
    """The search index's side of a keyword query, on this database."""

    sqlite: bool
    key: sa.ColumnElement  # the project id column of the index
    match: sa.ColumnElement  # the full-text condition
    tiers: tuple  # disjoint conditions, best first, that together make `match`

    @staticmethod
    @functools.lru_cache(maxsize=2)
    def on(sqlite: bool) -> "_Keyword":
        """The index's side on SQLite or PostgreSQL, the query's text bound when run
        (`match`, `tier0`..`tier2`: values_of)."""
        bound = [sa.bindparam(name) for name in ("match", "tier0", "tier1", "tier2")]
        if sqlite:
            index = sa.table(fulltext.TABLE, sa.column("rowid"))
            matches = sa.literal_column(fulltext.TABLE).op("MATCH")
            return _Keyword(True, index.c.rowid, matches(bound[0]),
                            tuple(map(matches, bound[1:])))
        index = sa.table(fulltext.TABLE, sa.column("project_id"), sa.column("document"))

        def matches(literal):
            return index.c.document.op("@@")(sa.cast(literal, TSQUERY))

        return _Keyword(False, index.c.project_id, matches(bound[0]),
                        tuple(map(matches, bound[1:])))

    def values_of(self, terms, criteria: dict) -> dict:
        wanted = fulltext.facets(project_type=criteria["type"], status=criteria["status"],
                                 method=criteria["method"], region=criteria["region"] or None)
        if self.sqlite:
            match, tiers = fulltext.fts5_match(terms, wanted), fulltext.fts5_tiers(terms, wanted)
        else:
            match = fulltext.tsquery_match(terms, wanted)
            tiers = fulltext.tsquery_tiers(terms, wanted)
        return {"match": match, **{f"tier{i}": tier for i, tier in enumerate(tiers)}}

    @functools.cache  # noqa: B019 (two instances, kept for the process)
    def filtered(self, shape: frozenset, many: bool) -> sa.Select:
        """Project ids among the matches, within the ranges named in `shape`."""
        return sa.select(Project.id).where(*_clauses(shape, keyword=True), self.holds(many))

    @functools.cache  # noqa: B019
    def tier(self, i: int, shape: frozenset) -> sa.Select:
        query = self.ids(self.tiers[i])
        return query.where(self.among(_clauses(shape, keyword=True))) if shape else query

    @functools.cached_property
    def matching(self) -> sa.Select:
        return self.ids()

    @functools.cached_property
    def newest_first(self) -> tuple:
        return (self.key.desc(),)

    def ids(self, condition=None) -> sa.Select:
        return sa.select(self.key).where(self.match if condition is None else condition)

    def holds(self, many: bool) -> sa.ColumnElement:
        """Project.id among the matches. With many matches SQLite is told (by `+ 0`) not to
        look each one up by primary key but to probe the set from the order's index;
        PostgreSQL's planner weighs that itself."""
        project_id = Project.id + 0 if many and self.sqlite else Project.id
        return project_id.in_(self.matching)

    def among(self, clauses: list) -> sa.ColumnElement:
        # `+ 0` again: FTS5 would run the match once per id of the set otherwise.
        key = self.key + 0 if self.sqlite else self.key
        return key.in_(sa.select(Project.id).where(*clauses))

    def best_first(self, conn, values: dict, offset: int, limit: int,
                   total: int, cap: int) -> list[int]:
        """A page in relevance order: name matches, then number, then the rest, each tier
        newest project first. Read tier by tier from the index (cheap doclists), where a
        ranking function would score every match; it stops once `total` are passed."""
        ids: list[int] = []
        if total <= cap:  # an exact total
            limit = min(limit, max(0, total - offset))
        shape = frozenset(k for k in values if k in _RANGE_KEYS)
        for i in range(len(self.tiers)):
            if len(ids) == limit:
                break
            query = self.tier(i, shape)
            if offset:  # page 1 needs no count: a tier that runs short is used up
                size = conn.scalar(_counted(query, None if offset > cap else cap), values)
                if offset >= size:
                    offset -= size
                    continue
            ids += conn.scalars(_paged(query, self.newest_first),
                                {**values, "limit": limit - len(ids), "offset": offset})
            offset = 0
        return ids


_RANGE_KEYS = frozenset(key for key, _column, _compare in RANGES)


def search(dbsession, criteria: dict, shown: Shown = EVERY_FIELD) -> Page:
    """The capped count, the page's ids, the page's rows (and a keyword's own count).

    With a keyword the index (public projects only) gives the matches, counted there
    first; with no other filter that is the total, and relevance is ranked in the index
    alone. Only the page's ids are ordered; its rows are loaded after, by id.
    """
    # Core statements on the session's connection (in its transaction): the Session's
    # ORM execution path (autoflush, ORM result set-up) cost more per statement than its
    # SQL, and these plain rows need none of it.
    conn = dbsession.connection()
    terms = fulltext.query_terms(criteria["q"])
    sort = criteria["sort"] or (RELEVANCE if terms else "newest")
    if sort == RELEVANCE and not terms:
        sort = "newest"
    cap = KEYWORD_COUNT_CAP if terms else COUNT_CAP
    values = _values(criteria, keyword=bool(terms))
    shape = frozenset(values)
    if terms:
        keyword = _Keyword.on(fulltext.dialect(conn) == "sqlite")
        values.update(keyword.values_of(terms, criteria))
        matches = conn.scalar(_counted(keyword.matching, cap), values)
        # Past the cap a page is found by walking the order's own index and probing the
        # set of matches; below it, by looking each match up (cheaper when few).
        filtered = keyword.filtered(shape, matches > cap)
        total = conn.scalar(_counted(filtered, cap), values) if shape else matches
    else:
        filtered = _plain(shape)
        total = conn.scalar(_counted(filtered, cap), values)
    start = (criteria["page"] - 1) * criteria["per_page"]
    if sort == RELEVANCE:
        ids = keyword.best_first(conn, values, start, criteria["per_page"], total, cap)
    else:
        values.update(limit=criteria["per_page"], offset=start)
        ids = list(conn.scalars(_paged(filtered, SORTS[sort]), values))
    rows = conn.execute(shown.statement, {"ids": ids}) if ids else ()
    by_id = {row[0]: shown.row._make(row) for row in rows}
    return Page([by_id[i] for i in ids], total, criteria["page"], criteria["per_page"],
                criteria["q"] if terms else "", sort, cap)
