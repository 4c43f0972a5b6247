"""Benchmark: build a small work's eligible list from a registry of 10 000 enterprises with
every fairness control, then draw — against the draw alone.

    python bench/smallworks.py [--quick]

pool_draw_ms  rules.build_pool over the whole registry (category, tier grade, licences,
              status, blacklist, violations, concurrent contracts per firm and per project
              manager, cool-down, annual count and amount caps) + the lottery request +
              build_record (freeze, hash, sample, record) on the eligible list.
db_ms         the same through SmallWorksService on SQLite (in memory): load every entry
              with its qualifications and current workload, build the pool, draw. That
              registry has no awards recorded, so the workload controls run but exclude
              nobody there: its pool is a superset of the pure one.
draw_ms       build_record on the eligible list alone: the floor (the draw must hash the
              list it draws from).
ratio         pool_draw_ms / draw_ms; db_ratio = db_ms / draw_ms.
*_cpu_ms      the same medians in CPU time of this process (steadier on a busy machine);
              db_cpu_ratio = db_cpu_ms / draw_cpu_ms; db_over_pure_cpu = what loading the
              registry from the database adds to the pure rules.

Each figure is the median of several runs (7, or 3 with --quick; --quick also uses a
registry of 2 000).
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from trading.draws import engine  # noqa: E402
from trading.draws.record import build_record  # noqa: E402
from trading.smallworks import rules  # noqa: E402
from trading.smallworks.status import RegistryStatus  # noqa: E402

TODAY = date(2026, 3, 2)
CATEGORIES = list(rules.Category)
PARAMS = rules.SmallWorksParams()


def firm(i: int) -> rules.Enterprise:
    """Enterprise i: a spread of categories, grades and the things that exclude firms."""
    category = CATEGORIES[i % 4]
    return rules.Enterprise(
        id=f"{i:05d}",
        status=RegistryStatus.SUSPENDED if i % 97 == 0 else RegistryStatus.ACTIVE,
        business_licence_until=date.max,
        safety_licence_until=TODAY - timedelta(days=1) if i % 41 == 0
        else TODAY + timedelta(days=400),
        qualifications=(
            rules.Qualification(str(category), rules.Grade(1 + i % 3), TODAY - timedelta(500),
                                TODAY + timedelta(days=500 - (i % 53 == 0) * 600)),
            rules.Qualification(str(CATEGORIES[(i + 1) % 4]), rules.Grade.THIRD,
                                TODAY - timedelta(500), TODAY + timedelta(500)),
        ),
        active_contracts=i % 3,
        manager_active_contracts=(i % 2, 0 if i % 5 else 1),
        credit_score=Decimal(60 + i % 40),
        last_wins=((str(category), TODAY - timedelta(days=i % 400)),),
        open_win_categories=frozenset(),
        awards_this_year=i % 6,
        awarded_fen_this_year=(i % 9) * 100_000_000,
        blacklisted=i % 211 == 0,
    )


def project() -> rules.SmallWorksProject:
    return rules.SmallWorksProject("BENCH", "owner", "某道路修补工程", "某区", str(CATEGORIES[1]),
                                   rules.ObjectType.WORKS, 50_000_000, TODAY)


CPU: dict[str, float] = {}  # the same figures in CPU time of this process


def median_ms(action, runs: int, name: str = ""):
    """Median wall time of `runs` calls; the median CPU time goes to CPU[name]. On a
    shared machine the CPU time is the steadier figure (nothing here waits on I/O:
    SQLite runs in this process, in memory)."""
    timings, cpu, value = [], [], None
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        value = action()
        timings.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    CPU[name] = statistics.median(cpu)
    return statistics.median(timings), value


def draw(candidates: list, seed: bytes) -> dict:
    return build_record(purpose="smallworks.lottery", subject={"type": "bench", "id": "1"},
                        rule="lottery", count=1, candidates=candidates, seed=seed)


def pure(registry, seed):
    pool = rules.build_pool(registry, project(), TODAY, PARAMS)
    needs = rules.lottery_request(pool, PARAMS)
    return pool, draw(needs.draw_candidates(), seed)


# -- through the service, on SQLite ---------------------------------------------------------


def service_world(size: int):
    """An in-memory database with `size` registry entries and one approved small work."""
    import sqlalchemy as sa
    from sqlalchemy.orm import Session

    import trading.db.all  # noqa: F401 - every table
    from trading.accounts.models import Organisation, Role
    from trading.db.meta import Base
    from trading.smallworks.models import Enterprise, Qualification, SmallWork
    from trading.smallworks.service import SmallWorksService

    engine_ = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine_)
    now = datetime(2026, 3, 2, 1, tzinfo=UTC)
    session = Session(engine_)
    session.execute(sa.insert(Organisation), [
        {"id": i + 1, "name": f"企业{i}", "credit_code": f"C{i:017d}", "role": Role.BIDDER,
         "created_at": now} for i in range(size + 1)])
    firms = [firm(i) for i in range(size)]
    session.execute(sa.insert(Enterprise), [
        {"id": i + 1, "organisation_id": i + 1, "credit_code": f"C{i:017d}",
         "name": f"企业{i}", "status": f.status, "business_licence_until": date(9999, 12, 31),
         "safety_licence_until": f.safety_licence_until, "local_office": "本地",
         "local_insured_staff": 5, "managers": ["甲", "乙"], "integrity_commitment": True,
         "credit_score": f.credit_score, "blacklisted": f.blacklisted, "applied_at": now}
        for i, f in enumerate(firms)])
    session.execute(sa.insert(Qualification), [
        {"enterprise_id": i + 1, "category": q.category, "grade": int(q.grade),
         "certificate_no": "X", "valid_from": q.valid_from, "valid_until": q.valid_until}
        for i, f in enumerate(firms) for q in f.qualifications])
    p = project()
    work = SmallWork(owner_org_id=size + 1, name=p.name, category=rules.Category(p.category),
                     object_type=p.object_type, amount=p.amount_fen, site=p.site,
                     approved_on=p.approved_on, budget_proof="x", method="lottery",
                     status="submitted", created_at=now)
    session.add(work)
    session.commit()
    return SmallWorksService(session, lambda: now, keys=None), work


def through_service(service, work, seed):
    pool = service.build_pool(work)
    needs = rules.lottery_request(pool, PARAMS)
    return draw(needs.draw_candidates(), seed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="2 000 enterprises, 3 runs per figure instead of 7")
    quick = parser.parse_args().quick
    size, runs = (2_000, 3) if quick else (10_000, 7)
    registry, seed = [firm(i) for i in range(size)], engine.new_seed()
    pool_draw_ms, (pool, record) = median_ms(lambda: pure(registry, seed), runs, "pure")
    eligible = rules.lottery_request(pool, PARAMS).draw_candidates()
    draw_ms, alone = median_ms(lambda: draw(eligible, seed), runs, "draw")
    if alone["result"] != record["result"]:
        print("the draw alone disagrees with the full path", file=sys.stderr)
        return 1
    service, work = service_world(size)
    db_ms, via_db = median_ms(lambda: through_service(service, work, seed), runs, "db")
    if not via_db["result"] or len(via_db["candidates"]) < len(eligible):
        print("the service's pool lost eligible enterprises", file=sys.stderr)
        return 1
    reasons = sum(len(e.reasons) for e in pool.excluded)
    print(f"eligible={len(pool.eligible)} excluded={len(pool.excluded)} reasons={reasons} "
          f"winner={record['result'][0]}")
    print(f"bench smallworks: enterprises={size} eligible={len(pool.eligible)} "
          f"pool_draw_ms={pool_draw_ms:.1f} db_ms={db_ms:.1f} draw_ms={draw_ms:.1f} "
          f"ratio={pool_draw_ms / draw_ms:.2f} db_ratio={db_ms / draw_ms:.2f} "
          f"db_cpu_ms={CPU['db']:.1f} draw_cpu_ms={CPU['draw']:.1f} "
          f"db_cpu_ratio={CPU['db'] / CPU['draw']:.2f} "
          f"db_over_pure_cpu={CPU['db'] / CPU['pure']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
