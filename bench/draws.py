"""Benchmark: draw 3 of 10 000 weighted candidates, verify, compare with hashing.

    python bench/draws.py [--quick]

draw_ms     build_record from the raw candidate list: validate, canonicalise and hash
            it, check the seed, sample 3, assemble the record (the service at reveal).
verify_ms   verify_record on that record: shape, list hash, commitment, results.
hash_ms     the floor: the candidate list hashed once as ALGORITHM.md §1 writes it in
            Python (json.dumps + SHA-256), which is what a bare verifier pays.
ratio       (draw_ms + verify_ms) / hash_ms with the platform as installed: orjson writes
            the canonical JSON (the same bytes, tests/draws/test_canonical.py), so the
            list is canonicalised once by the draw and once by the verifier, each far
            below the floor. The issue's goal is ratio <= 1.5.
stdlib_ratio the same on a bare Python (no orjson): each side pays about one floor.
publish_ms  dump_record of the record, the JSON file the platform publishes.

Each figure is the median of 15 runs (5 with --quick), taken in turns.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from trading.draws import engine  # noqa: E402
from trading.draws.record import build_record, dump_record, verify_record  # noqa: E402

CANDIDATES = 10_000
COUNT = 3
SPECIALTIES = ("建筑", "结构", "造价", "给排水", "电气", "暖通")


def candidates() -> list:
    """An expert pool shaped like the real one: id, name, attributes, weight."""
    return [
        {
            "id": f"EXP-{i:05d}",
            "label": f"专家{i:05d}",
            "attributes": {
                "specialty": SPECIALTIES[i % len(SPECIALTIES)],
                "region": "东莞" if i % 3 else "深圳",
                "title": "高级工程师",
                "years": 8 + i % 25,
            },
            "weight": 1 + (i * 7919) % 100,
        }
        for i in range(CANDIDATES)
    ]


def interleaved_ms(actions: dict, runs: int) -> dict:
    """Median milliseconds of each action, run in turns: on a shared machine a burst of
    load then falls on every figure alike instead of on whichever ran during it."""
    timings = {name: [] for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            start = time.perf_counter()
            action()
            timings[name].append((time.perf_counter() - start) * 1000)
    return {name: statistics.median(values) for name, values in timings.items()}


def hash_alone(pool: list) -> str:
    text = json.dumps(
        pool,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        check_circular=False,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@contextlib.contextmanager
def bare_python():
    """The engine as on a machine without orjson."""
    fast, engine._orjson = engine._orjson, None
    try:
        yield
    finally:
        engine._orjson = fast


def build(pool: list, seed: bytes) -> dict:
    return build_record(
        purpose="expert_draw",
        subject={"type": "project", "id": "BENCH"},
        rule="draw 3 weighted",
        count=COUNT,
        candidates=pool,
        seed=seed,
        beacon="bench beacon",
    )


def bare(action):
    def run():
        with bare_python():
            return action()

    return run


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="5 runs per figure instead of 15"
    )
    runs = 5 if parser.parse_args().quick else 15
    pool, seed = candidates(), engine.new_seed()
    record = build(pool, seed)
    with bare_python():
        bare_record = build(pool, seed)
        bare_valid = verify_record(record).valid
    if not (verify_record(record).valid and bare_valid and bare_record == record
            and hash_alone(pool) == record["candidate_list_hash"]):
        print("the fast and the reference paths disagree", file=sys.stderr)
        return 1
    ms = interleaved_ms({
        "hash": lambda: hash_alone(pool),
        "draw": lambda: build(pool, seed),
        "verify": lambda: verify_record(record),
        "stdlib_draw": bare(lambda: build(pool, seed)),
        "stdlib_verify": bare(lambda: verify_record(record)),
        "publish": lambda: dump_record(record),
    }, runs)
    ratio = (ms["draw"] + ms["verify"]) / ms["hash"]
    stdlib_ratio = (ms["stdlib_draw"] + ms["stdlib_verify"]) / ms["hash"]
    print(f"result={record['result']} total_ms={ms['draw'] + ms['verify']:.1f}"
          f" stdlib_draw_ms={ms['stdlib_draw']:.1f} stdlib_verify_ms={ms['stdlib_verify']:.1f}")
    print(
        f"bench draws: candidates={CANDIDATES} k={COUNT} draw_ms={ms['draw']:.1f}"
        f" verify_ms={ms['verify']:.1f} hash_ms={ms['hash']:.1f} ratio={ratio:.2f}"
        f" stdlib_ratio={stdlib_ratio:.2f} publish_ms={ms['publish']:.1f}"
        f" canonical={'orjson' if engine._orjson else 'stdlib'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
