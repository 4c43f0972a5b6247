"""`trading-witness`: a witness of the platform's audit log (issue #17), for a supervisor, a
notary or anyone. No database, no platform import: bid_crypto.tlog, the standard library and
HTTP to the platform's public API.

    trading-witness keygen --name supervisor-witness --out DIR
    trading-witness run --log-url URL --log-key VKEY --key DIR/NAME.key --state STATE.txt [--submit]
                        [--every SECONDS]

`run` fetches the latest signed checkpoint, checks it against the pinned log key, and — if
it saw one before (STATE.txt) — checks that the new tree extends the old one with the
platform's consistency proof. A smaller tree (a rollback) or a different root for the same
or an inconsistent history (a fork) is refused with exit code 1 and the witness does not
sign. Otherwise it cosigns (C2SP tlog-cosignature, Ed25519 type 0x04), keeps the checkpoint
as its new state, prints the cosigned checkpoint and, with --submit, gives it back to the
platform, which publishes cosignatures beside its checkpoints. With --every it keeps
watching: a round every SECONDS, one line each; an unreachable platform is retried; a
refused checkpoint stops it (exit 1), as one-shot does.
"""

import argparse
import base64
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from urllib.error import HTTPError, URLError
from urllib.request import Request, urlopen

from . import tlog

Fetch = Callable[[str], dict]


def witness_signer(name: str, seed: bytes) -> tlog.NoteSigner:
    return tlog.NoteSigner(name, seed, tlog.SIG_COSIGNATURE)


def observe(fetch: Fetch, log_key: tlog.NoteVerifier, signer: tlog.NoteSigner,
            state: Path, now: int) -> str:
    """One round: the latest checkpoint checked against what this witness saw before, then
    cosigned. Returns the cosigned note; raises tlog.ProofError (and signs nothing) for a
    checkpoint that is not the log's, a rollback or a fork."""
    latest = fetch("/api/v1/audit/log/checkpoint")["checkpoint"]
    cp, note = tlog.open_checkpoint(latest, log_key)
    if state.exists():
        old, _ = tlog.open_checkpoint(state.read_text(encoding="utf-8"), log_key, cp.origin)
        _check_extends(fetch, old, cp)
    cosignature = tlog.cosign(cp.body(), signer, now)
    cosigned = tlog.Note(note.text, (*note.signatures, cosignature)).render()
    state.write_text(latest, encoding="utf-8")  # the log's own note: what was checked
    return cosigned


def _check_extends(fetch: Fetch, old: tlog.Checkpoint, new: tlog.Checkpoint) -> None:
    if new.size < old.size:
        raise tlog.ProofError(f"rollback: this witness saw {old.size} entries, the log now "
                              f"shows {new.size}")
    if new.size == old.size:
        tlog.verify_consistency(old.size, new.size, old.root, new.root, [])
        return
    doc = fetch(f"/api/v1/audit/log/consistency?old={old.size}&new={new.size}")
    proof = [tlog.unb64(p, "consistency proof element") for p in doc.get("proof", [])]
    try:
        tlog.verify_consistency(old.size, new.size, old.root, new.root, proof)
    except tlog.ProofError as exc:
        raise tlog.ProofError(f"fork: the log of {new.size} entries does not extend the one "
                              f"of {old.size} this witness saw ({exc})") from None


def http_fetch(base: str) -> Fetch:
    def fetch(path: str) -> dict:
        with urlopen(base.rstrip("/") + path, timeout=30) as answer:  # noqa: S310
            return json.loads(answer.read())
    return fetch


def submit(base: str, cosigned: str) -> dict:
    request = Request(base.rstrip("/") + "/api/v1/audit/log/cosignatures",
                      data=json.dumps({"checkpoint": cosigned}).encode(),
                      headers={"Content-Type": "application/json"}, method="POST")
    with urlopen(request, timeout=30) as answer:  # noqa: S310
        return json.loads(answer.read())


def make_key(name: str, out: Path) -> str:
    """A new witness key in OUT/NAME.key (0600, never overwritten) and its verifier key in
    OUT/NAME.vkey; returns the verifier key."""
    out.mkdir(parents=True, exist_ok=True)
    seed = tlog.generate_seed()
    fd = os.open(out / f"{name}.key", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(base64.b64encode(seed).decode() + "\n")
    vkey = witness_signer(name, seed).verifier.vkey()
    (out / f"{name}.vkey").write_text(vkey + "\n", encoding="utf-8")
    return vkey


def cmd_keygen(args) -> int:
    vkey = make_key(args.name, Path(args.out))
    print(f"wrote {Path(args.out) / args.name}.key; the platform's audit.witnesses lists "
          f"this verifier key:\n{vkey}")
    return 0


class Unreachable(Exception):
    """The platform did not answer (down, restarting): a watching witness tries again."""


def one_round(args) -> str:
    """Check, cosign and (with --submit) give back the latest checkpoint; the cosigned
    note. tlog.ProofError for a refused checkpoint, Unreachable when nobody answered."""
    seed = base64.b64decode(Path(args.key).read_text().strip(), validate=True)
    name = Path(args.key).stem if not args.name else args.name
    log_key_text = args.log_key
    if Path(log_key_text).is_file():
        log_key_text = Path(log_key_text).read_text(encoding="utf-8").strip()
    log_key = tlog.NoteVerifier.from_vkey(log_key_text)
    try:
        cosigned = observe(http_fetch(args.log_url), log_key, witness_signer(name, seed),
                           Path(args.state), int(time.time()))
        if args.submit:
            submit(args.log_url, cosigned)
    except HTTPError:
        raise
    except (URLError, ConnectionError, TimeoutError) as exc:
        raise Unreachable(str(getattr(exc, "reason", exc))) from None
    return cosigned


def cmd_run(args) -> int:
    if args.every:
        return watch(lambda: one_round(args), args.every)
    try:
        cosigned = one_round(args)
    except tlog.ProofError as exc:
        print(f"REFUSED: {exc}", file=sys.stderr)
        return 1
    except HTTPError as exc:
        print(f"the platform answered {exc.code} to {exc.url}: "
              f"{exc.read().decode(errors='replace')[:300]}", file=sys.stderr)
        return 1
    except Unreachable as exc:
        print(f"trading-witness: the platform did not answer: {exc}", file=sys.stderr)
        return 2
    print(cosigned, end="")
    return 0


def watch(round_fn: Callable[[], str], every: float, *, sleep=time.sleep,
          rounds: int | None = None) -> int:
    """A round every `every` seconds (`rounds` bounds it, for tests). A refused checkpoint
    ends the watch with exit 1: the witness has seen a rollback or a fork and must not
    cosign anything after it until a person looks."""
    done = 0
    while rounds is None or done < rounds:
        done += 1
        try:
            body = tlog.parse_checkpoint_body(tlog.parse_note(round_fn()).text)
            print(f"cosigned checkpoint: {body.size} entries, root {tlog.b64(body.root)}",
                  flush=True)
        except tlog.ProofError as exc:
            print(f"REFUSED: {exc}", file=sys.stderr, flush=True)
            return 1
        except Unreachable as exc:
            print(f"the platform did not answer ({exc}); trying again", file=sys.stderr,
                  flush=True)
        except HTTPError as exc:
            print(f"the platform answered {exc.code}; trying again", file=sys.stderr,
                  flush=True)
        sleep(every)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="trading-witness", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    keygen = sub.add_parser("keygen", help="make a witness key (Ed25519, cosignature type)")
    keygen.add_argument("--name", required=True, help="the witness's name, no spaces or '+'")
    keygen.add_argument("--out", required=True, metavar="DIR")
    keygen.set_defaults(func=cmd_keygen)
    run = sub.add_parser("run", help="check the latest checkpoint and cosign it")
    run.add_argument("--log-url", required=True, help="the platform's address")
    run.add_argument("--log-key", required=True, help="the log's verifier key (or its file)")
    run.add_argument("--key", required=True, help="this witness's key file (from keygen)")
    run.add_argument("--name", help="the witness's name (default: the key file's stem)")
    run.add_argument("--state", required=True, help="file keeping the last checkpoint seen")
    run.add_argument("--submit", action="store_true", help="give the cosignature back")
    run.add_argument("--every", type=float, metavar="SECONDS",
                     help="keep watching: a round every SECONDS (one line each)")
    run.set_defaults(func=cmd_run)
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (OSError, ValueError) as exc:
        print(f"trading-witness: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
