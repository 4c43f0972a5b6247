"""Full-text search of public projects: n-gram tokens, the index, queries, highlights.

Chinese has no spaces and the usual words are one or two characters, which neither a
word tokenizer nor a trigram index serves. Every run of letters and digits (any script)
is therefore indexed as its characters (unigrams) and its adjacent pairs (bigrams), both
spelled by this module, so SQLite FTS5 and a PostgreSQL tsvector hold the same tokens:

    "污水管网" -> bigrams 污水 水管 管网, unigrams 污 水 管 网

A query run of one character asks for the unigram; a longer run asks for its bigrams as
a phrase (adjacent, in order), which is exactly "the run occurs in the text". Separate
query runs are ANDed. Every one- and two-character substring made of letters or digits
is therefore found (tests/projects/test_fulltext.py proves it with hypothesis).

The index (table `project_search`, one row per public project: name, number,
notices) is written only by `ProjectService`, the single writer of projects, their
status and their announcements (notices and results). It holds the public projects
only, so a keyword's matches and their count need no look at the projects table.
PostgreSQL gets a literal tsvector built here (no text-search parser involved: its word
splitting depends on the server's locale).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from markupsafe import Markup, escape

TABLE = "project_search"
COLUMNS = ("name", "number", "notices")
# The tsvector's weight letter of each column (tsquery_tiers restricts by it).
PG_WEIGHTS = {"name": "A", "number": "B", "notices": "D"}
# PostgreSQL positions stop at 16383; two tokens per character, so notices are cut here.
MAX_NOTICE_CHARS = 6000


# --- tokens (pure) --------------------------------------------------------------------


def _fold(char: str) -> str:
    """Lower case, one character for one (so highlight offsets stay those of the text)."""
    lower = char.lower()
    return lower if len(lower) == 1 else char


def fold(text: str) -> str:
    """`text` with _fold applied to each character, offsets unchanged. str.lower() is the
    same but where a character's lower case is longer (the length shows it) and for the
    capital sigma (lowered by its context): one C call instead of one Python call per
    character (a listing page folds 40 fields)."""
    lower = text.lower()
    if len(lower) == len(text) and "Σ" not in text:
        return lower
    return "".join(map(_fold, text))


def runs(text: str) -> list[tuple[int, str]]:
    """(start offset, folded run) for each maximal run of letters and digits."""
    found, start = [], None
    for index, char in enumerate(text):
        if char.isalnum():
            if start is None:
                start = index
        elif start is not None:
            found.append((start, "".join(map(_fold, text[start:index]))))
            start = None
    if start is not None:
        found.append((start, "".join(map(_fold, text[start:]))))
    return found


def tokens(text: str) -> list[str]:
    """The index tokens of a text, in order: per run its bigrams, then its unigrams.

    Bigrams come first and consecutively so that a query phrase of bigrams matches only
    where the characters are adjacent in the text.
    """
    out: list[str] = []
    for _start, run in runs(text):
        out.extend(run[i:i + 2] for i in range(len(run) - 1))
        out.extend(run)
    return out


def query_terms(text: str) -> list[tuple[str, ...]]:
    """The query as phrases to AND: (char,) for a one-character run, else its bigrams."""
    terms = []
    for _start, run in runs(text):
        phrase = (run,) if len(run) == 1 else tuple(run[i:i + 2] for i in range(len(run) - 1))
        if phrase not in terms:
            terms.append(phrase)
    return terms


@functools.lru_cache(maxsize=256)
def _query_runs(query: str) -> tuple[str, ...]:
    # A listing page highlights 40 fields with one query: its runs are found once.
    return tuple(run for _start, run in runs(query))


def highlight(text: str, query: str) -> list[tuple[str, bool]]:
    """`text` cut into (segment, matched) pieces: every occurrence of a query run.

    Plain strings: the template escapes each piece, so a name holding markup stays text.
    """
    folded = fold(text)
    spans = []
    for run in _query_runs(query):
        at = folded.find(run)
        while at != -1:
            spans.append((at, at + len(run)))
            at = folded.find(run, at + 1)
    marked: list[list[int]] = []  # overlapping or touching occurrences joined
    for start, end in sorted(spans):
        if marked and start <= marked[-1][1]:
            marked[-1][1] = max(marked[-1][1], end)
        else:
            marked.append([start, end])
    pieces: list[tuple[str, bool]] = []
    done = 0
    for start, end in marked:
        if start > done:
            pieces.append((text[done:start], False))
        pieces.append((text[start:end], True))
        done = end
    if done < len(text):
        pieces.append((text[done:], False))
    return pieces


def highlight_html(text: str, query: str) -> Markup:
    """The `highlight` template filter: matches in <mark>, everything else escaped."""
    pieces = highlight(text, query) if query else ()
    if not any(hit for _piece, hit in pieces):
        return escape(text)  # no match (a listing's numbers, most often)
    return Markup("".join([f"<mark>{escape(piece)}</mark>" if hit else escape(piece)
                           for piece, hit in pieces]))


# --- documents -------------------------------------------------------------------------


def facets(*, project_type: str = "", status: str = "", method: str = "",
           region: str | None = None) -> tuple[str, ...]:
    """The listing's exact filters as index tokens, so a keyword with filters is answered
    by the index alone: a project's all four; a query's those it filters on. Text tokens
    are one or two characters, these longer, so the two never meet. A region is free
    text: its token is a digest of it."""
    found = [f"xt{_plain(project_type)}" if project_type else "",
             f"xs{_plain(status)}" if status else "",
             f"xm{_plain(method)}" if method else ""]
    if region is not None:
        found.append("xr" + hashlib.sha256(region.encode("utf-8")).hexdigest()[:16])
    return tuple(token for token in found if token)


def _plain(code: str) -> str:
    return "".join(char for char in str(code) if char.isascii() and char.isalnum())


@dataclass(frozen=True)
class Document:
    """What is searchable of one project."""

    project_id: int
    name: str
    number: str
    notices: str  # lot names, then every announcement's title and body
    facets: tuple[str, ...] = ()

    @classmethod
    def of(cls, project_id: int, name: str, number: str, lots: Iterable[str],
           notices: Iterable[tuple[str, str]], facets: tuple[str, ...] = ()) -> Document:
        parts = list(lots)
        for title, body in notices:
            parts += [title, body]
        return cls(project_id, name, number or "", "\n".join(parts)[:MAX_NOTICE_CHARS],
                   facets)

    def columns(self) -> dict[str, str]:
        return {"name": self.name, "number": self.number, "notices": self.notices}


def sqlite_row(doc: Document) -> dict:
    """The FTS5 row: each column as its space-separated tokens."""
    return {"rowid": doc.project_id, "facets": " ".join(doc.facets),
            **{key: " ".join(tokens(value)) for key, value in doc.columns().items()}}


def _quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def tsvector_literal(doc: Document) -> str:
    """The document as a tsvector literal: lexeme:position+weight, positions from 1."""
    positions: dict[str, list[str]] = {}
    position = 0
    for key, value in doc.columns().items():
        weight = PG_WEIGHTS[key]
        for token in tokens(value):
            position = min(position + 1, 16383)
            positions.setdefault(token, []).append(f"{position}{weight}")
        position += 1  # no phrase spans two columns
    for facet in doc.facets:
        positions.setdefault(facet, []).append(f"{min(position + 1, 16383)}C")
    return " ".join(f"{_quote(lex)}:{','.join(p)}" for lex, p in positions.items())


def fts5_query(terms: Sequence[tuple[str, ...]]) -> str:
    # Tokens hold letters and digits only, so a double-quoted phrase needs no escaping.
    return " AND ".join('"' + " ".join(phrase) + '"' for phrase in terms)


def _fts5_facets(wanted: Sequence[str]) -> str:
    return "".join(f' AND {{facets}} : "{facet}"' for facet in wanted)


def fts5_match(terms: Sequence[tuple[str, ...]], wanted: Sequence[str] = ()) -> str:
    """The keyword, and the wanted facets (exact filters) if any."""
    return f"({fts5_query(terms)}){_fts5_facets(wanted)}"


def tsquery_literal(terms: Sequence[tuple[str, ...]], weight: str = "") -> str:
    """The query as a tsquery literal; `weight` ("A") restricts it to that column."""
    suffix = f":{weight}" if weight else ""
    return " & ".join("(" + " <-> ".join(_quote(lexeme) + suffix for lexeme in phrase) + ")"
                      for phrase in terms)


def _ts_facets(wanted: Sequence[str]) -> str:
    return "".join(f" & {_quote(facet)}" for facet in wanted)


def tsquery_match(terms: Sequence[tuple[str, ...]], wanted: Sequence[str] = ()) -> str:
    return f"({tsquery_literal(terms)}){_ts_facets(wanted)}"


def fts5_tiers(terms: Sequence[tuple[str, ...]], wanted: Sequence[str] = ()) -> list[str]:
    """Relevance tiers: the whole keyword in the name, else in the number, else anywhere
    (spread over columns or in the notices). Disjoint, and together all the matches."""
    query, also = fts5_query(terms), _fts5_facets(wanted)
    return [f"({{name}} : ({query})){also}",
            f"({{number}} : ({query}) NOT {{name}} : ({query})){also}",
            f"(({query}) NOT {{name}} : ({query}) NOT {{number}} : ({query})){also}"]


def tsquery_tiers(terms: Sequence[tuple[str, ...]], wanted: Sequence[str] = ()) -> list[str]:
    """fts5_tiers for PostgreSQL: the name's lexemes carry weight A, the number's B."""
    every, name, number = (tsquery_literal(terms, w) for w in ("", "A", "B"))
    also = _ts_facets(wanted)
    return [f"({name}){also}", f"({number}) & !({name}){also}",
            f"({every}) & !({name}) & !({number}){also}"]


# --- the index table -------------------------------------------------------------------


def create_table(conn) -> None:
    """The index on either database (the migration calls this)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE {TABLE} USING fts5(name, number, notices, facets, "
            "tokenize = 'unicode61 remove_diacritics 0')")
    else:
        conn.exec_driver_sql(
            f"CREATE TABLE {TABLE} (project_id INTEGER PRIMARY KEY "
            "REFERENCES projects (id) ON DELETE CASCADE, document tsvector NOT NULL)")
        conn.exec_driver_sql(f"CREATE INDEX ix_{TABLE}_document ON {TABLE} USING gin (document)")


def drop_table(conn) -> None:
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {TABLE}")


def write(conn, docs: Sequence[Document]) -> None:
    """Insert or replace the index rows of `docs` (a connection or a session)."""
    if not docs:
        return
    if dialect(conn) == "sqlite":
        _write_sqlite(conn, docs)
    else:
        _write_postgresql(conn, docs)


def dialect(conn) -> str:
    """The database's name for a Connection or a Session."""
    bound = getattr(conn, "dialect", None) or conn.get_bind().dialect
    return bound.name


def delete(conn, project_id: int) -> None:
    key = "rowid" if dialect(conn) == "sqlite" else "project_id"
    conn.execute(sa.text(f"DELETE FROM {TABLE} WHERE {key} = :id"), {"id": project_id})


def _write_sqlite(conn, docs) -> None:
    ids = [{"rowid": doc.project_id} for doc in docs]
    conn.execute(sa.text(f"DELETE FROM {TABLE} WHERE rowid = :rowid"), ids)
    conn.execute(sa.text(f"INSERT INTO {TABLE} (rowid, name, number, notices, facets) "
                         "VALUES (:rowid, :name, :number, :notices, :facets)"),
                 [sqlite_row(doc) for doc in docs])


def _write_postgresql(conn, docs) -> None:
    conn.execute(sa.text(
        f"INSERT INTO {TABLE} (project_id, document) VALUES (:id, CAST(:doc AS tsvector)) "
        "ON CONFLICT (project_id) DO UPDATE SET document = excluded.document"),
        [{"id": doc.project_id, "doc": tsvector_literal(doc)} for doc in docs])


def rebuild(conn, batch: int = 2000) -> int:
    """Index every public project from the tables (the migration's backfill)."""
    from .status import PUBLIC

    public = sorted(str(status) for status in PUBLIC)
    projects = conn.execute(
        sa.text("SELECT id, name, number, project_type, status, procurement_method, region "
                "FROM projects WHERE status IN :public ORDER BY id")
        .bindparams(sa.bindparam("public", expanding=True)), {"public": public}).all()
    lots: dict[int, list[str]] = {}
    for project_id, name in conn.execute(
            sa.text("SELECT project_id, name FROM lots ORDER BY project_id, number")):
        lots.setdefault(project_id, []).append(name)
    notices: dict[int, list[tuple[str, str]]] = {}
    for project_id, title, body in conn.execute(
            sa.text("SELECT project_id, title, body FROM announcements ORDER BY id")):
        notices.setdefault(project_id, []).append((title, body))
    docs = [Document.of(row.id, row.name, row.number, lots.get(row.id, ()),
                        notices.get(row.id, ()),
                        facets(project_type=row.project_type, status=row.status,
                               method=row.procurement_method, region=row.region))
            for row in projects]
    for start in range(0, len(docs), batch):
        write(conn, docs[start:start + batch])
    return len(docs)
