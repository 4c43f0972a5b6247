"""Benchmark: OCDS releases for 100 000 projects — building them, and the bulk export.

    python bench/ocds.py [--quick] [--projects N]

1. Build: one release per project (two lots, two documents; two projects in three past
   their opening, with two bids a lot in the bids extension) through `build_release` and
   `dump_json`, as `OpenDataService.record_event` does; the floor is the standard
   library's `json.dumps` of the same release dicts, in the same run.
2. Export: the releases are stored as rows in a fresh SQLite database and written by
   `export_releases` (what `trading ocds export` runs) in a child process, once over a
   tenth of them and once over all, to show that its peak RSS does not grow with the
   number of projects; the floor is a raw sqlite3 cursor copying the same column to a file.
"""

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from trading.opendata.ocds import (  # noqa: E402
    BidsView,
    BidView,
    DocumentView,
    LotView,
    ProjectView,
    build_release,
    dump_json,
)

NOW = datetime(2026, 6, 1, tzinfo=UTC)
STATUSES = ("evaluation", "awarded", "published")  # two in three are past their opening
BIDDERS = ("华建工程有限公司", "闽江路桥建设有限公司")


def view(i: int) -> ProjectView:
    start = NOW - timedelta(minutes=7 * i)
    status = STATUSES[i % len(STATUSES)]
    lots = (LotView(1, "土建施工", 1_800_000_00 + i), LotView(2, "设备安装", 950_000_00 + i))
    documents = tuple(DocumentView(2 * i + k, "tender_file", f"招标文件{k}.pdf",
                                   "application/pdf", f"{i:064x}", start) for k in (1, 2))
    bids = None
    if status != "published":
        bids = BidsView(start + timedelta(days=25), tuple(
            BidView(f"YG-B-{i:07d}-{lot.number}-{b}", lot.number, name,
                    f"91350100MA2XK{b:04d}{lot.number}", start + timedelta(days=24, hours=b),
                    "valid", lot.budget * (950 + 10 * b) // 1000)
            for lot in lots for b, name in enumerate(BIDDERS, 1)))
    return ProjectView(
        number=f"YG-B-{i:07d}", name=f"基准项目{i}", description="资金已落实，公开招标。",
        status=status, procurement_method="open_tender", method_label="公开招标",
        object_type="works", budget=sum(lot.budget for lot in lots), region="市本级",
        owner_name="市城市建设投资集团有限公司", owner_code="91350100MA2XK00010",
        published_at=start, doc_start=start, clarification_deadline=start + timedelta(days=15),
        bid_deadline=start + timedelta(days=25), lots=lots, documents=documents, bids=bids)


def build(n: int, db_path: Path) -> dict:
    """Build, serialise and store n releases; time building against json.dumps."""
    conn = sqlite3.connect(db_path)
    conn.execute("CREATE TABLE ocds_releases (id INTEGER PRIMARY KEY, data_json TEXT)")
    built_s = floor_s = 0.0
    batch = []
    for i in range(n):
        project = view(i)
        start = time.perf_counter()
        release = build_release(project, prefix="ocds-bench", seq=1, event=project.status,
                                date=NOW)
        text = dump_json(release)
        built_s += time.perf_counter() - start
        start = time.perf_counter()
        json.dumps(release, default=str, ensure_ascii=False, sort_keys=True,
                   separators=(",", ":"))
        floor_s += time.perf_counter() - start
        batch.append((i + 1, text))
        if len(batch) == 5000:
            conn.executemany("INSERT INTO ocds_releases VALUES (?, ?)", batch)
            batch = []
    conn.executemany("INSERT INTO ocds_releases VALUES (?, ?)", batch)
    conn.commit()
    conn.close()
    return {"build_s": built_s, "floor_s": floor_s}


def subset(big: Path, small: Path, n: int) -> None:
    conn = sqlite3.connect(small)
    conn.execute("CREATE TABLE ocds_releases (id INTEGER PRIMARY KEY, data_json TEXT)")
    conn.execute("ATTACH DATABASE ? AS big", (str(big),))
    conn.execute("INSERT INTO ocds_releases SELECT * FROM big.ocds_releases WHERE id <= ?",
                 (n,))
    conn.commit()
    conn.close()


def peak_rss_mb() -> float:
    """This process's peak resident set. VmHWM, where there is /proc: it starts afresh at
    exec, whereas ru_maxrss keeps the high-water mark of the parent forked from."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(db_path: str, out_path: str, mode: str) -> None:
    """One export in a fresh process, so its peak RSS is its own."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    from trading.opendata.export import export_releases

    baseline = peak_rss_mb()  # the interpreter and the imports
    start = time.perf_counter()
    if mode == "export":
        engine = sa.create_engine(f"sqlite:///{db_path}")
        with Session(engine) as session, open(out_path, "w", encoding="utf-8") as out:
            count = export_releases(session, out, now=NOW)
    else:  # the floor: the same column copied by a raw cursor
        conn = sqlite3.connect(db_path)
        count = 0
        with open(out_path, "w", encoding="utf-8") as out:
            out.write('{"releases":[')
            for (text,) in conn.execute("SELECT data_json FROM ocds_releases ORDER BY id"):
                out.write(("," if count else "") + text)
                count += 1
            out.write("]}\n")
    seconds = time.perf_counter() - start
    print(json.dumps({"count": count, "seconds": seconds, "rss_mb": peak_rss_mb(),
                      "baseline_mb": baseline}))


def run_child(db_path: Path, mode: str) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json") as out:
        result = subprocess.run([sys.executable, __file__, "--child", str(db_path), out.name,
                                 mode], capture_output=True, text=True, check=True)
        if mode == "export":
            with open(out.name, encoding="utf-8") as fh:
                package = json.load(fh)
            assert len(package["releases"]) == json.loads(result.stdout)["count"]
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 000 projects (CI)")
    parser.add_argument("--projects", type=int, default=None)
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    n = args.projects or (5_000 if args.quick else 100_000)
    with tempfile.TemporaryDirectory() as tmp:
        big, small = Path(tmp) / "big.sqlite3", Path(tmp) / "small.sqlite3"
        built = build(n, big)
        build_rps = n / built["build_s"]
        print(f"build: {n} releases in {built['build_s']:.1f} s ({build_rps:,.0f}/s); "
              f"json.dumps floor {built['floor_s']:.1f} s, ratio "
              f"{built['build_s'] / built['floor_s']:.2f}", flush=True)
        subset(big, small, n // 10)
        few, many = run_child(small, "export"), run_child(big, "export")
        floor = run_child(big, "floor")
        export_rps = many["count"] / many["seconds"]
        print(f"export: {many['count']} releases in {many['seconds']:.1f} s "
              f"({export_rps:,.0f}/s); raw cursor floor {floor['seconds']:.1f} s, ratio "
              f"{many['seconds'] / floor['seconds']:.2f}", flush=True)
        print(f"peak RSS of the export: {few['rss_mb']:.0f} MB for {few['count']} releases, "
              f"{many['rss_mb']:.0f} MB for {many['count']} (floor {floor['rss_mb']:.0f} MB)")
        print(f"bench ocds: projects={n} build_rps={build_rps:.0f} "
              f"build_ratio={built['build_s'] / built['floor_s']:.2f} "
              f"export_rps={export_rps:.0f} "
              f"export_ratio={many['seconds'] / floor['seconds']:.2f} "
              f"rss_mb_tenth={few['rss_mb']:.0f} rss_mb={many['rss_mb']:.0f} "
              f"rss_growth={many['rss_mb'] / few['rss_mb']:.2f}")


if __name__ == "__main__":
    main()
