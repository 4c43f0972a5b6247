"""Benchmark: the public project listing over 100 000 projects.

    python bench/listing.py [--quick] [--projects N] [--requests N]

Loads N projects into a fresh database (SQLite in a temporary folder, and PostgreSQL too
when TRADING_TEST_DATABASE_URL is set), then times, through the WSGI app, the HTML listing
and the JSON listing for typical filters (median and p95 over the requests), twice:
cold, every request a miss of the anonymous listing cache (emptied, outside the timing,
before each one: what the first visitor of a query waits), and warm, the same request
again (served from the cache after one read of the listing's generation). The floor is
the same page's SQL statements (captured from one cold request of the app, the cache's
generation read left out) run on a raw DBAPI cursor in the same run; `ratio` is the app's
p95 over the floor's p95. The last line gives, for cold and for warm, the slowest page's
p95 (`*_worst_p95_ms`), its ratio (`*_ratio_at_worst`), the largest ratio of any page
(`*_max_ratio`, the cheapest pages: a fixed cost over sub-millisecond SQL) and the load
average while it ran.
"""

import argparse
import base64
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
import webtest  # noqa: E402
from alembic import command  # noqa: E402
from alembic.config import Config  # noqa: E402
from pyramid.paster import get_appsettings  # noqa: E402

from trading import main  # noqa: E402
from trading.db import get_engine  # noqa: E402
from trading.projects import fulltext, listing_cache  # noqa: E402

NOW = datetime(2026, 6, 1, tzinfo=UTC)
REGIONS = ["鼓楼区", "台江区", "仓山区", "晋安区", "马尾区", "长乐区", "市本级"]
WORDS = ["道路", "桥梁", "污水", "学校", "医院", "公园", "管网", "照明", "绿化", "设备",
         "物业", "信息化", "改造", "维修", "新建", "扩建"]
TYPES = [("works", "tendering", "works", "open_tender"),
         ("government_procurement", "government_procurement", "goods", "open_tender"),
         ("government_procurement", "government_procurement", "services",
          "competitive_consultation"),
         ("small_works", "tendering", "works", "small_works")]
STATUSES = ["bidding", "opening", "evaluation", "candidates_publicised", "awarded",
            "contracted", "archived", "failed", "cancelled", "published"]
FILTERS = [
    ("page 1, newest", {}),
    ("type=works", {"type": "works"}),
    ("keyword 污水 (relevance)", {"q": "污水"}),
    ("keyword 桥, newest", {"q": "桥", "sort": "newest"}),
    ("keyword 学校+type", {"q": "学校", "type": "works"}),
    ("keyword 污水管网 (phrase)", {"q": "污水管网"}),
    ("status+region", {"status": "bidding", "region": "鼓楼区"}),
    ("budget range, by budget", {"budget_min": "1000000", "budget_max": "5000000",
                                 "sort": "budget"}),
    ("page 50", {"page": "50"}),
]


def settings_for(url: str, files: str) -> dict:
    settings = dict(get_appsettings(str(ROOT / "development.ini")))
    settings.update({
        "sqlalchemy.url": url, "storage.root": files, "huey.backend": "memory",
        "huey.immediate": "true", "keys.generate_missing": "false",
        "keys.kek": base64.b64encode(b"k" * 32).decode(),
        "keys.signing_key": base64.b64encode(b"s" * 32).decode(),
        "pyramid.reload_templates": "false",
    })
    return settings


def migrate(engine) -> None:
    cfg = Config(str(ROOT / "development.ini"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def load(engine, n: int) -> None:
    rnd = random.Random(7)
    meta = sa.MetaData()
    meta.reflect(engine, only=["organisations", "users", "rule_profiles", "projects"])
    orgs, users, profiles, projects = (meta.tables[t] for t in
                                       ("organisations", "users", "rule_profiles", "projects"))
    with engine.begin() as conn:
        org_id = conn.execute(orgs.insert().values(
            name="基准业主", role="owner", region="", contact_name="", contact_phone="",
            contact_email="", created_at=NOW)).inserted_primary_key[0]
        user_id = conn.execute(users.insert().values(
            username="bench", display_name="bench", password_hash="!", role="owner",
            organisation_id=org_id, is_active=True, created_at=NOW,
            password_changed_at=NOW)).inserted_primary_key[0]
        profile_id = conn.execute(profiles.insert().values(
            code="bench", version=1, regime="tendering", procurement_method="open_tender",
            params={}, created_at=NOW)).inserted_primary_key[0]
        rows = []
        for i in range(n):
            ptype, regime, obj, method = TYPES[i % len(TYPES)]
            published = NOW - timedelta(minutes=7 * i)
            rows.append(dict(
                number=f"YG-B-{i:07d}",
                name=f"{rnd.choice(REGIONS)}{rnd.choice(WORDS)}{rnd.choice(WORDS)}项目{i}",
                project_type=ptype, regime=regime, object_type=obj, procurement_method=method,
                evaluation_method="comprehensive", award_method="rank_one", custody_mode="auto",
                region=rnd.choice(REGIONS), description="", owner_org_id=org_id,
                created_by_id=user_id, rule_profile_id=profile_id,
                status=STATUSES[i % len(STATUSES)], status_changed_at=published,
                status_reason="", frozen_reason="", budget=rnd.randrange(50_000_00, 50_000_000_00),
                doc_start=published, doc_end=published + timedelta(days=10),
                clarification_deadline=published + timedelta(days=15),
                bid_deadline=published + timedelta(days=25), published_at=published,
                created_at=published, updated_at=published, version_id=1))
            if len(rows) == 5000:
                conn.execute(projects.insert(), rows)
                rows = []
        if rows:
            conn.execute(projects.insert(), rows)
        # The search index as the migration's backfill builds it (the service keeps it after).
        fulltext.rebuild(conn)
    if engine.dialect.name == "postgresql":
        # VACUUM too: a long-lived table has its visibility map set by autovacuum, which
        # index-only scans (the capped counts) rely on; a bulk load has not had one yet.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))


def timed(fn, repeat: int, before=None) -> list[float]:
    fn()  # warm caches
    out = []
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return out


def invalidate(engine):
    """The listing changed elsewhere: the generation moves, every cached page is stale."""
    def run():
        with engine.begin() as conn:
            listing_cache.bump(conn, NOW)
    return run


def p95(values: list[float]) -> float:
    return sorted(values)[max(0, int(len(values) * 0.95) - 1)]


def floor_query(engine, app, path: str, params: dict):
    """The same page's SQL, captured from one app request, replayed on a raw cursor."""
    captured = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if "listing_generation" not in statement:  # the cache's, not the page's
            captured.append((statement, parameters))

    invalidate(engine)()

    sa.event.listen(engine, "before_cursor_execute", capture)
    try:
        app.get(path, params)
    finally:
        sa.event.remove(engine, "before_cursor_execute", capture)
    raw = engine.raw_connection()

    def run():
        cur = raw.cursor()
        for sql, args in captured:
            cur.execute(sql, args)
            cur.fetchall()
        cur.close()

    return run, raw


def bench_backend(label: str, url: str, n: int, repeat: int) -> list[str]:
    engine = get_engine({"sqlalchemy.url": url})
    migrate(engine)
    started = time.perf_counter()
    load(engine, n)
    load_s = time.perf_counter() - started
    files = tempfile.mkdtemp()
    app = webtest.TestApp(main({}, dbengine=engine, **settings_for(url, files)))
    lines = [f"{label}: loaded {n} projects in {load_s:.1f} s"]
    cold, warm = [], []
    # A miss without a write: a write would also make SQLite drop every connection's page
    # cache, which the floor (no write) does not pay either.
    miss = app.app.registry["listing_cache"].clear
    for name, params in FILTERS:
        floor_run, raw = floor_query(engine, app, "/projects", params)
        floor = p95(timed(floor_run, repeat))
        raw.close()
        runs = {}
        for kind, before in (("cold", miss), ("warm", None)):
            for page in ("/projects", "/api/v1/projects"):
                runs[kind, page] = timed(lambda p=params, u=page: app.get(u, p), repeat, before)
        html, api = runs["cold", "/projects"], runs["cold", "/api/v1/projects"]
        warm_html, warm_api = runs["warm", "/projects"], runs["warm", "/api/v1/projects"]
        lines.append(
            f"  {name:<26} cold html p50 {statistics.median(html):5.1f} p95 {p95(html):5.1f} "
            f"json p50 {statistics.median(api):5.1f} p95 {p95(api):5.1f} | warm html p95 "
            f"{p95(warm_html):5.1f} json p95 {p95(warm_api):5.1f} ms | sql p95 {floor:6.2f} ms"
            f" | ratio cold {max(p95(html), p95(api)) / floor:5.1f}x "
            f"warm {max(p95(warm_html), p95(warm_api)) / floor:5.1f}x")
        cold.append((p95(html), p95(api), floor))
        warm.append((p95(warm_html), p95(warm_api), floor))
    figures = []
    for kind, worst in (("cold", cold), ("warm", warm)):
        # The goal's "worst case": the slowest page, against that page's own SQL.
        slowest = max(worst, key=lambda w: max(w[0], w[1]))
        figures.append(
            f"{kind}_html_p95_ms={max(w[0] for w in worst):.1f} "
            f"{kind}_json_p95_ms={max(w[1] for w in worst):.1f} "
            f"{kind}_worst_p95_ms={max(slowest[0], slowest[1]):.1f} "
            f"{kind}_ratio_at_worst={max(slowest[0], slowest[1]) / slowest[2]:.1f} "
            f"{kind}_max_ratio={max(max(w[0], w[1]) / w[2] for w in worst):.1f}")
    loadavg = " ".join(f"{x:.1f}" for x in os.getloadavg())
    lines.append(f"bench listing: db={label} projects={n} requests={repeat} "
                 f"{' '.join(figures)} load=\"{loadavg}\"")
    engine.dispose()
    return lines


def fresh_postgres(base: str) -> str:
    url = sa.make_url(base)
    name = f"{url.database}_bench_listing"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def main_(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="5 000 projects, 30 requests")
    parser.add_argument("--projects", type=int)
    parser.add_argument("--requests", type=int)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both",
                        help="which databases (PostgreSQL needs TRADING_TEST_DATABASE_URL)")
    args = parser.parse_args(argv)
    n = args.projects or (5_000 if args.quick else 100_000)
    repeat = args.requests or (30 if args.quick else 200)
    if args.db != "postgresql":
        with tempfile.TemporaryDirectory() as folder:
            for line in bench_backend("sqlite", f"sqlite:///{folder}/bench.sqlite3", n, repeat):
                print(line, flush=True)
    if args.db != "sqlite" and os.environ.get("TRADING_TEST_DATABASE_URL"):
        url = fresh_postgres(os.environ["TRADING_TEST_DATABASE_URL"])
        for line in bench_backend("postgresql", url, n, repeat):
            print(line, flush=True)


if __name__ == "__main__":
    main_()
