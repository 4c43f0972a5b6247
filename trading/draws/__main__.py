"""Command line: `python -m trading.draws verify RECORD.json` and `… vector INPUT.json`.

verify: prints "valid" and exits 0, or prints every difference and exits 1; exits 2 when
the file cannot be read or is not a verifiable draw record. `-` reads standard input.

vector: computes a test vector (list hash, commitment, the first DRBG blocks,
results) from an input document, to check a second implementation (ALGORITHM.md §12).

Standard library only, so it runs from a bare checkout.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from . import engine
from .errors import DrawError
from .record import load_record, verify_record

EXIT_VALID, EXIT_INVALID, EXIT_UNVERIFIABLE = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return args.command(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m trading.draws", description="Verifiable random draws (draw-v1)."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    verify = commands.add_parser("verify", help="recompute a public draw record")
    verify.add_argument("record", help="record JSON file, or - for standard input")
    verify.set_defaults(command=_verify)
    vector = commands.add_parser(
        "vector", help="compute a test vector from an input file"
    )
    vector.add_argument("input", help="input JSON file, or - for standard input")
    vector.set_defaults(command=_vector)
    return parser


def _verify(args: argparse.Namespace) -> int:
    try:
        record = load_record(_read(args.record))
    except (OSError, DrawError) as exc:
        return _unverifiable(f"cannot verify {args.record}", exc)
    result = verify_record(record)
    if result.unverifiable:
        reason = "; ".join(map(str, result.problems))
        return _unverifiable(f"cannot verify {args.record}", reason)
    print(result.summary())
    return EXIT_VALID if result.valid else EXIT_INVALID


def _vector(args: argparse.Namespace) -> int:
    try:
        spec = load_record(_read(args.input))
        # A stored vector file holds its input under "input"; accept it as is.
        vector = compute_vector(spec.get("input", spec))
    except KeyError as exc:
        return _unverifiable(f"cannot compute {args.input}", f"missing field {exc}")
    except (OSError, DrawError, AttributeError, TypeError, ValueError) as exc:
        return _unverifiable(f"cannot compute {args.input}", exc)
    print(json.dumps(vector, ensure_ascii=False, indent=2))
    return EXIT_VALID


def _read(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as handle:
        return handle.read()


def _unverifiable(what: str, reason: Any) -> int:
    print(f"error: {what}: {reason}", file=sys.stderr)
    return EXIT_UNVERIFIABLE


def compute_vector(spec: dict) -> dict:
    """Expected outputs for a vector input (ALGORITHM.md §12, tests/draws/vectors).

    kind "draw" (default): seed, beacon, candidates, count, follow_ups [{"count"}…];
    kind "tie_break": seed, beacon, candidates; kind "uniform": seed, beacon, list_hash,
    n (decimal string), samples — the rejection sampler on its own.
    """
    kind = spec.get("kind", "draw")
    if kind == "uniform":
        return _uniform_vector(spec)
    seed, beacon = bytes.fromhex(spec["seed"]), spec.get("beacon")
    frozen = engine.freeze(spec["candidates"])
    drbg = engine.Drbg(seed, beacon, frozen.list_hash)
    vector = {
        "candidates_canonical": engine.canonical_json(spec["candidates"]).decode(
            "utf-8"
        ),
        "candidate_list_hash": frozen.list_hash,
        "commitment": engine.commitment(seed),
        "drbg_message_0": drbg.message(0).hex(),
        "drbg_blocks": [
            drbg.block(counter).hex() for counter in range(spec.get("blocks", 4))
        ],
    }
    if kind == "tie_break":
        vector["result"] = engine.tie_break(seed, beacon, frozen)
        return vector
    vector["result"] = drawn = engine.draw(seed, beacon, frozen, spec["count"])
    vector["follow_up_results"] = []
    for follow_up in spec.get("follow_ups", ()):
        more = engine.continue_draw(seed, beacon, frozen, drawn, follow_up["count"])
        vector["follow_up_results"].append(more)
        drawn = drawn + more
    return vector


def _uniform_vector(spec: dict) -> dict:
    """Each sample with the counters it consumed: n near 2^256 shows rejections."""
    drbg = engine.Drbg(
        bytes.fromhex(spec["seed"]), spec.get("beacon"), spec["list_hash"]
    )
    samples = []
    for _ in range(spec["samples"]):
        first = drbg.counter
        value = engine.uniform_below(drbg, int(spec["n"]))
        samples.append(
            {"value": str(value), "counters": list(range(first, drbg.counter))}
        )
    return {"samples": samples}


if __name__ == "__main__":
    sys.exit(main())
