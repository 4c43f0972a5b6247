"""A cache of the anonymous public listing (交易项目列表), page and JSON.

Most visitors of /projects and /api/v1/projects are anonymous and ask the same few
questions; every answer is the same for each of them until a project, a notice or a
result changes. So a process keeps the finished response of each (locale, host, path,
query) and serves it again while the listing's generation is unchanged:

- The generation is one row (`listing_generation`), shared by every web process. A write
  that changes what the listing shows fires `PublicListingChanged` (ProjectService is the
  one writer of projects, their status and notices); the subscriber here bumps the row
  just before the transaction commits, so the bump and the change commit together, and
  the lock on the row is held for one statement (writers of different projects never wait
  on each other in between, nor deadlock on it).
- The tween reads the row (one primary-key read, in the request's own transaction) before
  the page's query: an answer computed after that read is never older than the generation
  it is stored under. Within the writing transaction itself (a request whose session has
  marked a change) the cache is not used: its own change is not committed yet.
- Only anonymous requests (no session cookie, no Authorization header), 200 answers that
  set no cookie. A signed-in user's page names them, so it is never cached.
- HTTP: ETag (a hash of the body) and Last-Modified (the generation's time), `no-cache`
  so a browser asks again each time and gets 304 while nothing changed.
"""

import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from pyramid.response import Response
from pyramid.tweens import EXCVIEW

from ..i18n import negotiate_locale
from ..security import SESSION_COOKIE
from .events import PublicListingChanged
from .models import ListingGeneration

PATHS = frozenset({"/projects", "/api/v1/projects"})
MAX_QUERY = 1000  # a longer query string is answered but not kept
CHANGED = "listing_changed_in"  # session.info: the transaction that changed the listing
READ = sa.select(ListingGeneration.value, ListingGeneration.changed_at).where(
    ListingGeneration.id == 1
)


@dataclass(frozen=True)
class Entry:
    body: bytes
    content_type: str
    etag: str
    last_modified: datetime | None


class ListingCache:
    """Finished listing responses of one generation, least recently used dropped first."""

    def __init__(self, size: int = 256):
        self.size = size
        self.generation = None
        self._entries: OrderedDict = OrderedDict()
        self._lock = threading.Lock()  # waitress serves from several threads

    def get(self, generation: int, key) -> Entry | None:
        with self._lock:
            if generation != self.generation:
                self._entries.clear()
                self.generation = generation
                return None
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, generation: int, key, entry: Entry) -> None:
        with self._lock:
            if generation != self.generation:
                return  # a newer generation was seen meanwhile: this answer may be older
            self._entries[key] = entry
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.generation = None


# -- invalidation ----------------------------------------------------------------------


def bump(dbsession, now: datetime) -> None:
    dbsession.execute(
        sa.update(ListingGeneration)
        .where(ListingGeneration.id == 1)
        .values(value=ListingGeneration.value + 1, changed_at=now)
    )


def mark_changed(dbsession, now: datetime) -> None:
    """The listing changes in this session's transaction: bump the generation as the last
    statement before it commits (at once when no transaction manager holds the session)."""
    manager = dbsession.info.get("tm")
    if manager is None:
        bump(dbsession, now)
        return
    transaction = manager.get()
    if dbsession.info.get(CHANGED) is transaction:
        return
    dbsession.info[CHANGED] = transaction
    transaction.addBeforeCommitHook(bump, (dbsession, now))


def on_listing_changed(event: PublicListingChanged) -> None:
    mark_changed(event.service.db, event.service.clock())


# -- serving ---------------------------------------------------------------------------


def _cacheable(request) -> bool:
    return (
        request.method == "GET"
        and request.path_info in PATHS
        and SESSION_COOKIE not in request.cookies
        and "Authorization" not in request.headers
        and len(request.query_string) <= MAX_QUERY
    )


def _key(request) -> tuple:
    # As the views read it: the last value of a repeated parameter; empty means absent.
    params = {k: v for k, v in dict(request.GET.items()).items() if v != ""}
    return (
        request.path_info,
        negotiate_locale(request),
        request.host_url,
        tuple(sorted(params.items())),
    )


def _http_headers(response, entry: Entry) -> None:
    response.etag = entry.etag
    response.last_modified = entry.last_modified
    response.cache_control = "no-cache"  # stored, but asked again every time
    response.vary = ("Cookie", "Authorization")


def _answer(request, entry: Entry) -> Response:
    if entry.etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(body=entry.body, headerlist=[("Content-Type", entry.content_type)])
    _http_headers(response, entry)
    return response


# The listing only reads: a request served here takes its connection in autocommit, so
# PostgreSQL is not sent a BEGIN before its first statement and a ROLLBACK after its
# last (two round trips, as many as a cheap page's SQL). Each statement still sees what
# was committed before it began, which is all the read committed transaction gave: the
# generation read before the page's query keeps an answer no older than its generation.
READ_ONLY = {"isolation_level": "AUTOCOMMIT"}


def _generation(request) -> tuple[int, datetime | None]:
    # On the session's connection: a Core read needs none of the ORM's execution path.
    # Only the request's own session, not begun yet, is put in autocommit: one lent to
    # the request (a test's, in its own transaction) is left as it is.
    session = request.dbsession
    own = session.info.get("request") is request and not session.in_transaction()
    connection = session.connection(execution_options=READ_ONLY if own else None)
    return tuple(connection.execute(READ).one())


def tween_factory(handler, registry):
    cache = registry["listing_cache"]

    def tween(request):
        if not _cacheable(request):
            return handler(request)
        session = request.dbsession
        if session.info.get(CHANGED) is not None and session.info[CHANGED] is request.tm.get():
            return handler(request)  # this transaction's own change is not committed yet
        generation, changed_at = _generation(request)
        key = _key(request)
        entry = cache.get(generation, key)
        if entry is not None:
            return _answer(request, entry)
        response = handler(request)
        # Pending response callbacks may still change it (a session's cookie): not kept.
        if (
            response.status_int != 200
            or "Set-Cookie" in response.headers
            or request.response_callbacks
        ):
            return response
        body = response.body
        entry = Entry(
            body,
            response.headers["Content-Type"],
            hashlib.sha256(body).hexdigest()[:32],
            changed_at,
        )
        cache.put(generation, key, entry)
        if entry.etag in request.if_none_match:
            return _answer(request, entry)
        _http_headers(response, entry)
        return response

    return tween


def includeme(config):
    config.registry["listing_cache"] = ListingCache(
        int(config.get_settings().get("listing_cache.size", 256))
    )
    config.add_subscriber(on_listing_changed, PublicListingChanged)
    # Under the exception view: a database that fails the generation read gets the same
    # clear 503 as one failing the page's own query.
    config.add_tween("trading.projects.listing_cache.tween_factory", under=EXCVIEW)
