"""Benchmark: draw 3 of 10 000 weighted candidates, verify, compare with hashing.

    python bench/draws.py [--quick]

draw_ms   build_record from the raw candidate list: validate, canonicalise and hash
          it, check the seed, sample 3, assemble the record (the service at reveal).
verify_ms verify_record on that record: shape, list hash, commitment, results.
hash_ms   canonical JSON + SHA-256 of the candidate list alone: the floor, since the
          draw and the verification must each hash the list once.
ratio     (draw_ms + verify_ms) / hash_ms; about 2 is the best possible.

Each figure is the median of several runs (7, or 3 with --quick). Standard library only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from trading.draws import engine  # noqa: E402
from trading.draws.record import build_record, verify_record  # noqa: E402

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


def median_ms(action, runs: int):
    timings, value = [], None
    for _ in range(runs):
        start = time.perf_counter()
        value = action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings), value


def hash_alone(pool: list) -> str:
    text = json.dumps(
        pool,
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        check_circular=False,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="3 runs per figure instead of 7"
    )
    runs = 3 if parser.parse_args().quick else 7
    pool, seed = candidates(), engine.new_seed()

    def draw():
        return build_record(
            purpose="expert_draw",
            subject={"type": "project", "id": "BENCH"},
            rule="draw 3 weighted",
            count=COUNT,
            candidates=pool,
            seed=seed,
            beacon="bench beacon",
        )

    draw_ms, record = median_ms(draw, runs)
    verify_ms, result = median_ms(lambda: verify_record(record), runs)
    hash_ms, digest = median_ms(lambda: hash_alone(pool), runs)
    if not result.valid or digest != record["candidate_list_hash"]:
        print(result.summary(), file=sys.stderr)
        return 1
    ratio = (draw_ms + verify_ms) / hash_ms
    print(f"result={record['result']} total_ms={draw_ms + verify_ms:.1f}")
    print(
        f"bench draws: candidates={CANDIDATES} k={COUNT} draw_ms={draw_ms:.1f}"
        f" verify_ms={verify_ms:.1f} hash_ms={hash_ms:.1f} ratio={ratio:.2f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
