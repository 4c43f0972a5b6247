"""``python -m bid_crypto``: the bidder's and the operator's command line (README.md).

Every failure prints one line ``bid_crypto: error: ...`` on stderr and exits non-zero,
with a distinct code per kind of failure so scripts can tell a tampered envelope from a
wrong key. Outputs are never overwritten: a key or a bid on disk is too costly to lose.
"""

import argparse
import getpass
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from . import (
    SUITES,
    BidCryptoError,
    Custodian,
    CustodyError,
    CustodyRelease,
    DecryptionShare,
    Document,
    EnvelopeError,
    HeaderMismatch,
    InvalidOffer,
    InvalidPackage,
    InvalidReceipt,
    KeyFormatError,
    OpenedBid,
    OpeningStatement,
    PrivateKey,
    ReceiptError,
    SealedShare,
    SigningKey,
    WrongKey,
    WrongPassphrase,
    check_passphrase,
    combine_releases,
    generate_private_key,
    issue_receipt,
    load_private_key,
    load_public_key,
    load_signing_key,
    load_verify_key,
    make_decryption_share,
    make_release,
    open_bid,
    protect_private_key,
    read_header,
    read_private_key,
    scan_envelope,
    seal_bid,
    split_private_key,
    unwrap_private_key,
    verify_notice,
    verify_receipt,
    wrap_private_key,
    write_key_pair,
)
from .custody import KEK_LEN
from .gm import DEFAULT_SM2_ID
from .header import DEFAULT_CHUNK_SIZE
from .keys import write_new_file
from .protected import DEFAULT_LOG_N

# Checked in order: the first matching class decides the exit code.
EXIT_CODES = (
    (EnvelopeError, 3),
    (WrongKey, 4),
    (WrongPassphrase, 4),
    (HeaderMismatch, 5),
    (InvalidOffer, 6),
    (InvalidPackage, 6),
    (ReceiptError, 7),
    (CustodyError, 8),
)
MIB = 1024 * 1024


class Progress:
    """Byte counter on stderr, redrawn at most ten times a second."""

    def __init__(self, label: str, total: int, enabled: bool) -> None:
        self._label, self._total, self._enabled = label, max(total, 1), enabled
        self._last, self._done = 0, None

    def __call__(self, done: int) -> None:
        self._done = done
        now = time.monotonic_ns()
        if self._enabled and now - self._last >= 100_000_000:
            self._last = now
            self._draw()

    def _draw(self) -> None:
        percent = min(100, self._done * 100 // self._total)
        done, total = _mib(self._done), _mib(self._total)
        sys.stderr.write(f"\r{self._label}: {done}/{total} MiB ({percent}%)")
        sys.stderr.flush()

    def finish(self) -> None:
        if self._enabled and self._done is not None:
            self._draw()
            sys.stderr.write("\n")


def _mib(size: int) -> str:
    # Integer arithmetic, like every quantity in this package: tenths of a MiB.
    tenths = size * 10 // MIB
    return f"{tenths // 10}.{tenths % 10}"


def _progress(args: argparse.Namespace, label: str, total: int) -> Progress:
    return Progress(label, total, args.progress or sys.stderr.isatty())


def _refuse_existing(path: Path) -> None:
    if path.exists():
        raise BidCryptoError(f"{path} already exists; refusing to overwrite it")


def _print_json(value: object) -> None:
    print(json.dumps(value, indent=2, ensure_ascii=False))


def cmd_keygen(args: argparse.Namespace) -> None:
    key = generate_private_key(args.suite)
    pub_path, key_path = write_key_pair(key, args.out, args.name)
    print(f"wrote {pub_path} and {key_path} (suite {key.suite}, key id {key.key_id})")


def cmd_seal(args: argparse.Namespace) -> None:
    out = Path(args.out)
    _refuse_existing(out)
    inputs = [Path(args.offer), *map(Path, args.doc)]
    progress = _progress(args, "sealing", sum(path.stat().st_size for path in inputs))
    recipient, options = load_public_key(args.to), _seal_options(args, progress)
    partial = out.with_name(f".{out.name}.partial")
    # Opened before the try: a stale partial file from a crash is reported, not removed.
    handle = open(partial, "xb")
    try:
        with handle:
            header = seal_bid(handle, recipient, **options)
        partial.rename(out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        progress.finish()
    print(f"sealed {out} (header sha256 {header.sha256.hex()})")


def _seal_options(args: argparse.Namespace, progress: Progress) -> dict:
    dual_key = load_public_key(args.dual_key) if args.dual_key else None
    return {
        "offer": Path(args.offer).read_bytes(),
        "documents": [Document.from_path(path) for path in args.doc],
        "project": args.project,
        "lot": args.lot,
        "bidder": args.bidder,
        "custody": "dual" if dual_key else args.custody,
        "bidder_key": dual_key,
        "created_at": None if args.no_created_at else datetime.now(UTC),
        "chunk_size": args.chunk_size,
        "progress": progress,
    }


def cmd_open(args: argparse.Namespace) -> None:
    key = _load_key(args.key)
    share = None
    if args.share:
        share = DecryptionShare.from_json(Path(args.share).read_bytes())
    expected = {"project": args.project, "lot": args.lot, "bidder": args.bidder}
    progress = _progress(args, "opening", Path(args.envelope).stat().st_size)
    try:
        with open(args.envelope, "rb") as handle:
            opened = open_bid(handle, key, args.out, share=share, progress=progress, **expected)
    finally:
        progress.finish()
    _print_json(_opened_summary(opened))


def _opened_summary(opened: OpenedBid) -> dict:
    header = opened.header
    documents = [{"name": d.name, "size": d.size, "sha256": d.sha256} for d in opened.documents]
    return {
        "project": header.project,
        "lot": header.lot,
        "bidder": header.bidder,
        "offer": opened.offer,
        "offer_sha256": opened.offer_sha256,
        "documents": documents,
    }


def cmd_inspect(args: argparse.Namespace) -> None:
    with open(args.envelope, "rb") as handle:
        info = scan_envelope(handle)
    _print_json(
        {
            "format_version": 1,
            "header": info.header.to_dict(),
            "header_sha256": info.header.sha256.hex(),
            "envelope_sha256": info.sha256,
            "chunks": info.chunks,
            "payload_bytes": info.payload_size,
        }
    )


def cmd_verify_receipt(args: argparse.Namespace) -> None:
    platform_key = load_verify_key(Path(args.platform_key).read_bytes(),
                                   user_id=args.sm2_id.encode())
    fields = verify_receipt(platform_key, Path(args.receipt).read_bytes(), args.envelope)
    print("receipt valid: " + " ".join(f"{name}={fields[name]}" for name in fields))
    if args.promise:
        _verify_promise(args, fields)


def cmd_verify_notice(args: argparse.Namespace) -> None:
    platform_key = load_verify_key(Path(args.platform_key).read_bytes(),
                                   user_id=args.sm2_id.encode())
    fields = verify_notice(platform_key, Path(args.notice).read_bytes())
    print(f"notice valid ({fields['algorithm']}): project={fields['project']} "
          f"notice={fields['notice']} kind={fields['kind']} "
          f"published_at={fields['published_at']} title={fields['title']}")


def _verify_promise(args: argparse.Namespace, fields: dict) -> None:
    """The log's promise to merge the receipt's audit event, and (given a proof, saved or
    fetched) that the event is in a checkpoint the pinned log key signed."""
    from . import tlog

    if not args.log_key:
        raise InvalidReceipt("--promise needs --log-key: the log's key, pinned from the "
                             "platform's published checkpoints page, never from the promise")
    try:
        log_key = tlog.NoteVerifier.from_vkey(_text_or_file(args.log_key))
        doc = json.loads(Path(args.promise).read_text(encoding="utf-8"))
        promise = tlog.open_promise(doc["promise"], log_key)
        _check_entry(promise, doc["entry"], fields)
        print(f"promise valid: entry seq {promise.seq} of log {promise.origin}, to be merged "
              f"within {promise.mmd} s of {_instant(promise.time)}")
        opening = _opening_record(args, log_key, promise.origin)
        proof = _inclusion_proof(args, promise, opening[0].size if opening else None)
        if proof is None:
            print(f"no inclusion proof given: fetch it after {_instant(promise.time + promise.mmd)}"
                  f" from {doc.get('inclusion', '/api/v1/audit/log/inclusion?seq=...')}")
            return
        merged = proof.get("integrated_at")
        merged_at = int(datetime.fromisoformat(merged).timestamp()) if merged else None
        cp = tlog.check_promise_kept(promise, log_key, proof, merged_at)
    except (tlog.ProofError, KeyError, TypeError, ValueError) as exc:
        raise InvalidReceipt(f"log promise: {exc}") from None
    print(f"included: entry seq {promise.seq} at index {proof['index']} of the checkpoint of "
          f"{cp.size} entries (root {tlog.b64(cp.root)}), signed by {log_key.name}")
    if opening:
        _check_opening(opening, cp, int(proof["index"]), promise, doc["entry"], fields)


def _opening_record(args: argparse.Namespace, log_key, origin: str):
    """The opening record (the opening hall's JSON, saved) and its deadline checkpoint."""
    from . import tlog

    if not args.opening:
        return None
    record = json.loads(Path(args.opening).read_text(encoding="utf-8"))
    if not record.get("log"):
        raise tlog.ProofError("the opening record names no audit log checkpoint")
    cp, _ = tlog.open_checkpoint(record["log"]["checkpoint"], log_key, origin)
    return cp, record


def _check_opening(opening, cp, index: int, promise, entry: str, fields: dict) -> None:
    """Completeness, for this bid: logged below the deadline checkpoint means it is in the
    opening record (or a later version of the same bid is)."""
    deadline, record = opening
    if cp.size != deadline.size or cp.root != deadline.root:
        raise InvalidReceipt(f"log promise: the inclusion proof is against the checkpoint of "
                             f"{cp.size} entries, the opening's is {deadline.size}: fetch the "
                             f"proof with size={deadline.size}")
    bid = json.loads(entry).get("subject_id")
    lines = record.get("lines") or []
    mine = [x for x in lines if x.get("envelope_sha256") == fields["envelope_sha256"]
            and x.get("log_index") == index]
    if mine:
        print(f"in the opening: line of bid {bid}, version {fields['version']}, entry {index} "
              f"below its deadline checkpoint of {deadline.size} entries")
        return
    later = [x for x in lines if x.get("bid_id") == bid
             and int(x.get("version") or 0) > fields["version"]]
    if later:
        print(f"superseded: the opening has version {later[0]['version']} of bid {bid}")
        return
    raise InvalidReceipt(f"left out of the opening: entry {index} (seq {promise.seq}) was "
                         f"logged below the deadline checkpoint of {deadline.size} entries, "
                         "and the opening record has no line for it")


def cmd_verify_set(args: argparse.Namespace) -> None:
    """A draw's frozen candidate list (pool.json) or an award's inputs (inputs.json)
    against the transparency log: exactly the members logged before its checkpoint."""
    from . import logset, tlog

    try:
        log_key = tlog.NoteVerifier.from_vkey(_text_or_file(args.log_key))
        doc = json.loads(Path(args.record).read_text(encoding="utf-8"))
        report = logset.check(doc, log_key)
        if args.promise:
            promise = json.loads(Path(args.promise).read_text(encoding="utf-8"))
            report.lines += logset.check_promise(doc, promise, log_key)
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidReceipt(f"{args.record}: {exc}") from None
    for line in report.lines:
        print(line)
    print(f"checkpoint of {report.checkpoint.size} entries signed by {log_key.name}: "
          "the record is exactly the set the log holds")


def _check_entry(promise, entry: str, fields: dict) -> None:
    from . import tlog

    if tlog.leaf_hash(entry.encode()) != promise.leaf:
        raise tlog.ProofError("the entry given is not the one the promise hashes")
    row = json.loads(entry)
    data = row.get("data") or {}
    if (row.get("action") != "bid.submitted" or row.get("seq") != promise.seq
            or data.get("envelope_sha256") != fields["envelope_sha256"]
            or data.get("version") != fields["version"]):
        raise tlog.ProofError("the promised entry logs another submission than this receipt")


def _inclusion_proof(args: argparse.Namespace, promise, size: int | None) -> dict | None:
    if args.proof:
        return json.loads(Path(args.proof).read_text(encoding="utf-8"))
    if not args.log_url:
        return None
    from urllib.request import urlopen

    url = f"{args.log_url.rstrip('/')}/api/v1/audit/log/inclusion?seq={promise.seq}"
    url += f"&size={size}" if size else ""
    with urlopen(url, timeout=30) as answer:  # noqa: S310 (the user's own https URL)
        return json.loads(answer.read())


def _text_or_file(value: str) -> str:
    path = Path(value)
    return path.read_text(encoding="utf-8").strip() if path.is_file() else value


def _instant(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cmd_bidder_share(args: argparse.Namespace) -> None:
    out = Path(args.out)
    _refuse_existing(out)
    with open(args.envelope, "rb") as handle:
        header = read_header(handle)
    share = make_decryption_share(header, _load_key(args.key))
    write_new_file(out, share.to_json().encode(), mode=0o600)
    print(f"wrote decryption share {out} for project {header.project} lot {header.lot}")


def cmd_split_key(args: argparse.Namespace) -> None:
    """Platform side of `custodians` custody, for scripts and audits: seal the shares."""
    out = Path(args.out)
    custodians = [_named_public_key(spec) for spec in args.custodian]
    shares = split_private_key(
        load_private_key(args.key),
        project=args.project,
        threshold=args.threshold,
        custodians=custodians,
        not_before=args.not_before,
    )
    paths = [out / f"share-{share.index}.json" for share in shares]
    for path in paths:
        _refuse_existing(path)
    out.mkdir(parents=True, exist_ok=True)
    for share, path in zip(shares, paths, strict=True):
        write_new_file(path, share.to_json().encode(), mode=0o644)
        print(f"wrote {path} for custodian {share.custodian}")


def _named_public_key(spec: str) -> Custodian:
    name, sep, pubfile = spec.partition("=")
    if not sep:
        raise BidCryptoError(f"--custodian expects NAME=PUBFILE, got {spec!r}")
    return Custodian(name, load_public_key(pubfile))


def _load_key(path: str) -> PrivateKey:
    """A key file of either kind; a passphrase-protected one asks on the terminal."""
    def ask(label: str) -> str:
        if not sys.stdin.isatty():
            raise BidCryptoError(f"key file {path} is passphrase-protected and there is no "
                                 "terminal to ask on")
        return getpass.getpass(f"passphrase for {label}: ")

    return read_private_key(Path(path).read_bytes(), ask)


def _read_passphrase(passfile: str) -> str:
    lines = Path(passfile).read_text(encoding="utf-8").splitlines()
    if not lines or not lines[0]:
        raise BidCryptoError(f"passphrase file {passfile} is empty")
    return lines[0]


def _ask_passphrase(args: argparse.Namespace, prompt: str, *, confirm: bool = False) -> str:
    """From --passphrase-file, else typed on the terminal (never an argument: it would
    sit in the shell history and the process list)."""
    if args.passphrase_file:
        return _read_passphrase(args.passphrase_file)
    if not sys.stdin.isatty():
        raise BidCryptoError("no --passphrase-file and no terminal to ask for the passphrase on")
    passphrase = getpass.getpass(prompt)
    if confirm and getpass.getpass("again: ") != passphrase:
        raise BidCryptoError("the two passphrases differ")
    return passphrase


def cmd_custodian_keygen(args: argparse.Namespace) -> None:
    out = Path(args.out)
    pub_path, key_path = out / f"{args.name}.pub", out / f"{args.name}.key"
    for path in (pub_path, key_path):
        _refuse_existing(path)
    passphrase = _ask_passphrase(args, f"passphrase for the key of {args.label}: ", confirm=True)
    # Checked where it is typed: the key file cannot enforce it, the platform never sees it.
    check_passphrase(passphrase, [args.label, *args.user_input])
    key = generate_private_key(args.suite)
    protected = protect_private_key(key, passphrase, label=args.label, log_n=args.scrypt_log_n)
    out.mkdir(parents=True, exist_ok=True)
    write_new_file(key_path, protected.to_json().encode(), mode=0o600)
    write_new_file(pub_path, key.public_key().to_json().encode(), mode=0o644)
    print(f"wrote {pub_path} (upload it to the platform) and {key_path} (keep it; key id "
          f"{key.key_id})")


def cmd_custodian_release(args: argparse.Namespace) -> None:
    out = Path(args.out)
    _refuse_existing(out)
    sealed = SealedShare.from_json(Path(args.share).read_bytes())
    statement = OpeningStatement.from_json(Path(args.statement).read_bytes())
    key = read_private_key(Path(args.key).read_bytes(),
                           lambda label: _ask_passphrase(args, f"passphrase for {label}: "))
    # The custodian's own clock: the platform's word about the time is not taken.
    release = make_release(sealed, key, statement, now=datetime.now(UTC))
    write_new_file(out, release.to_json().encode(), mode=0o600)
    print(f"wrote {out}: share {release.index} of project {release.project} for opening "
          f"{release.opening[:8]}…; upload it in the opening hall")


def cmd_custodian_combine(args: argparse.Namespace) -> None:
    out = Path(args.out)
    _refuse_existing(out)
    public = load_public_key(args.to)
    releases = [CustodyRelease.from_json(Path(path).read_bytes()) for path in args.release]
    key = combine_releases(releases, suite=public.suite, public_key=public.raw,
                           threshold=args.threshold)
    write_new_file(out, key.to_json().encode(), mode=0o600)
    print(f"wrote {out} (key id {key.key_id})")


def cmd_wrap_key(args: argparse.Namespace) -> None:
    out = Path(args.out)
    _refuse_existing(out)
    key = load_private_key(args.key)
    wrapped = wrap_private_key(_read_kek(args), key.to_bytes(), args.project)
    write_new_file(out, wrapped, mode=0o600)
    print(f"wrote {out} (key id {key.key_id}, project {args.project})")


def cmd_unwrap_key(args: argparse.Namespace) -> None:
    out = Path(args.out)
    _refuse_existing(out)
    raw = unwrap_private_key(_read_kek(args), Path(args.wrapped).read_bytes(), args.project)
    key = PrivateKey.from_bytes(raw)
    write_new_file(out, key.to_json().encode(), mode=0o600)
    print(f"wrote {out} (key id {key.key_id})")


def _read_kek(args: argparse.Namespace) -> bytes:
    if args.kek_env:
        value = os.environ.get(args.kek_env)
        if value is None:
            raise KeyFormatError(f"environment variable {args.kek_env} is not set")
        data = value.encode()
    else:
        data = Path(args.kek_file).read_bytes()
    if len(data) == KEK_LEN:
        return data
    try:
        kek = bytes.fromhex(data.decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        kek = b""
    if len(kek) != KEK_LEN:
        raise KeyFormatError(f"the KEK must be {KEK_LEN} raw bytes or {2 * KEK_LEN} hex digits")
    return kek


def cmd_signing_keygen(args: argparse.Namespace) -> None:
    out = Path(args.out)
    key_path, pub_path = out / "platform.key", out / "platform.pub"
    for path in (key_path, pub_path):
        _refuse_existing(path)
    out.mkdir(parents=True, exist_ok=True)
    key = SigningKey.generate(args.algorithm)
    write_new_file(key_path, key.to_pem().encode(), mode=0o600)
    write_new_file(pub_path, key.public_key().to_pem().encode(), mode=0o644)
    print(f"wrote {key_path} and {pub_path} ({key.algorithm}, key id {key.public_key().key_id})")


def cmd_issue_receipt(args: argparse.Namespace) -> None:
    out = Path(args.out)
    _refuse_existing(out)
    with open(args.envelope, "rb") as handle:
        info = scan_envelope(handle)  # a receipt only for a complete, well-formed envelope
    fields = {
        "project": args.project,
        "lot": args.lot,
        "bidder": args.bidder,
        "version": args.version,
        "envelope_sha256": info.sha256,
        "received_at": args.received_at or datetime.now(UTC),
    }
    signing_key = load_signing_key(Path(args.signing_key).read_bytes(),
                                   user_id=args.sm2_id.encode())
    receipt = issue_receipt(signing_key, fields)
    write_new_file(out, (json.dumps(receipt, indent=2) + "\n").encode(), mode=0o644)
    print(f"wrote {out}")


def _add_ids(parser: argparse.ArgumentParser, *, required: bool) -> None:
    for name in ("project", "lot", "bidder"):
        parser.add_argument(
            f"--{name}",
            required=required,
            metavar="ID",
            help=f"{name} id" + ("" if required else " expected in the header"),
        )


def _add_sm2_id(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sm2-id",
        default=DEFAULT_SM2_ID.decode(),
        metavar="ID",
        help="SM2 signer ID (GB/T 32918.2; default %(default)s); ignored for Ed25519 keys",
    )


def _add_kek(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--kek-file", help="file with the KEK: 32 raw bytes or 64 hex digits")
    group.add_argument("--kek-env", metavar="VAR", help="environment variable with the KEK (hex)")


def _keygen_parsers(commands) -> None:
    p = commands.add_parser("keygen", help="generate a key pair: DIR/NAME.pub, DIR/NAME.key")
    p.add_argument("--suite", choices=sorted(SUITES), default="x25519",
                   help="x25519 (default), xwing, sm2 or sm2mlkem (国密)")
    p.add_argument("--name", default="opening", help="file stem (default: opening)")
    p.add_argument("--out", required=True, metavar="DIR")
    p.set_defaults(handler=cmd_keygen)
    p = commands.add_parser("signing-keygen", help="generate the platform receipt key")
    p.add_argument("--algorithm", choices=("ed25519", "sm2"), default="ed25519")
    p.add_argument("--out", required=True, metavar="DIR")
    p.set_defaults(handler=cmd_signing_keygen)


def _seal_parser(commands) -> None:
    p = commands.add_parser("seal", help="seal offer.json and documents")
    p.add_argument("--to", required=True, metavar="PUBFILE", help="project opening key")
    _add_ids(p, required=True)
    p.add_argument("--offer", required=True, metavar="OFFER.json")
    p.add_argument("--doc", action="append", default=[], metavar="FILE")
    p.add_argument("--dual-key", metavar="PUBFILE", help="bidder key: dual custody")
    p.add_argument(
        "--custody",
        choices=("auto", "custodians"),
        default="auto",
        help="how the project key is held (recorded in the header)",
    )
    # Tests seal with tiny chunks; bidders have no reason to change the default.
    p.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help=argparse.SUPPRESS)
    p.add_argument("--no-created-at", action="store_true", help="omit the sealing time")
    p.add_argument("--progress", action="store_true")
    p.add_argument("--out", required=True, metavar="BID.tbid")
    p.set_defaults(handler=cmd_seal)


def _open_parsers(commands) -> None:
    p = commands.add_parser("open", help="open an envelope into DIR")
    p.add_argument("--key", required=True, metavar="KEYFILE")
    p.add_argument("envelope", metavar="BID.tbid")
    p.add_argument("--share", metavar="SHARE.json", help="bidder's share (dual)")
    _add_ids(p, required=False)
    p.add_argument("--progress", action="store_true")
    p.add_argument("--out", required=True, metavar="DIR")
    p.set_defaults(handler=cmd_open)
    p = commands.add_parser("inspect", help="print the header as JSON, never payload")
    p.add_argument("envelope", metavar="BID.tbid")
    p.set_defaults(handler=cmd_inspect)


def _receipt_parsers(commands) -> None:
    p = commands.add_parser("verify-receipt", help="check a receipt against an envelope")
    p.add_argument("--platform-key", required=True, metavar="PUBFILE")
    _add_sm2_id(p)
    p.add_argument("receipt", metavar="RECEIPT.json")
    p.add_argument("envelope", metavar="BID.tbid")
    p.add_argument("--promise", metavar="PROMISE.json",
                   help="the receipt's log_promise (transparency log): check it too")
    p.add_argument("--log-key", metavar="VKEY",
                   help="the log's verifier key (or a file holding it), pinned")
    proof = p.add_mutually_exclusive_group()
    proof.add_argument("--proof", metavar="PROOF.json",
                       help="a saved /api/v1/audit/log/inclusion answer")
    proof.add_argument("--log-url", metavar="URL",
                       help="the platform's address: fetch the inclusion proof from it")
    p.add_argument("--opening", metavar="OPENING.json",
                   help="the opening record (the opening hall's JSON, saved): check the bid "
                        "logged before its deadline checkpoint is in it")
    p.set_defaults(handler=cmd_verify_receipt)
    p = commands.add_parser("verify-set", help="check a draw's frozen candidate list or an "
                            "award's inputs against the transparency log")
    p.add_argument("record", metavar="POOL.json",
                   help="the draw's pool.json or the award's inputs.json, saved")
    p.add_argument("--log-key", required=True, metavar="VKEY",
                   help="the log's verifier key (or a file holding it), pinned")
    p.add_argument("--promise", metavar="PROMISE.json",
                   help="a registrant's signed promise (registration-promise.json, saved when "
                        "it registered): check its entry is in the frozen pool")
    p.set_defaults(handler=cmd_verify_set)
    p = commands.add_parser("verify-notice", help="check a published notice (公告) and its "
                            "signature")
    p.add_argument("--platform-key", required=True, metavar="PUBFILE",
                   help="platform.pub (Ed25519) or platform-sm2.pub (国密 projects)")
    _add_sm2_id(p)
    p.add_argument("notice", metavar="NOTICE.json", help="the notice's signed document")
    p.set_defaults(handler=cmd_verify_notice)
    p = commands.add_parser("issue-receipt", help="sign a receipt (platform side)")
    p.add_argument("--signing-key", required=True, metavar="KEYFILE")
    _add_sm2_id(p)
    _add_ids(p, required=True)
    p.add_argument("--version", required=True, type=int, help="bid version (1, 2, ...)")
    p.add_argument("--received-at", help="RFC 3339 UTC with ms (default: now)")
    p.add_argument("envelope", metavar="BID.tbid")
    p.add_argument("--out", required=True, metavar="RECEIPT.json")
    p.set_defaults(handler=cmd_issue_receipt)


def _custody_parsers(commands) -> None:
    p = commands.add_parser("bidder-share", help="dual custody: derive my share")
    p.add_argument("--key", required=True, metavar="KEYFILE", help="own bidder key")
    p.add_argument("envelope", metavar="BID.tbid")
    p.add_argument("--out", required=True, metavar="SHARE.json")
    p.set_defaults(handler=cmd_bidder_share)
    p = commands.add_parser("split-key", help="split a key k-of-n, shares sealed to custodians")
    p.add_argument("--key", required=True, metavar="KEYFILE")
    p.add_argument("--project", required=True, metavar="ID")
    p.add_argument("--threshold", required=True, type=int, metavar="K")
    p.add_argument("--custodian", action="append", required=True, metavar="NAME=PUBFILE")
    p.add_argument("--not-before", required=True, metavar="TIMESTAMP",
                   help="the bid deadline, e.g. 2026-03-02T01:30:00.000Z")
    p.add_argument("--out", required=True, metavar="DIR")
    p.set_defaults(handler=cmd_split_key)
    _custodian_parsers(commands)


def _custodian_parsers(commands) -> None:
    group = commands.add_parser("custodian", help="a custodian's own tool: keygen, release, "
                                "combine")
    sub = group.add_subparsers(dest="custodian_command", required=True, metavar="COMMAND")
    p = sub.add_parser("keygen", help="my custodian key: DIR/NAME.pub (upload) and "
                       "DIR/NAME.key (passphrase-protected, keep)")
    p.add_argument("--label", required=True, help="whose key this is, e.g. '张三 市交易中心'")
    p.add_argument("--name", default="custodian", help="file stem (default: custodian)")
    p.add_argument("--suite", choices=("x25519", "sm2"), default="x25519",
                   help="x25519 (default), or sm2 for the projects of a 国密 suite (their "
                        "shares are sealed to SM2 custodian keys)")
    p.add_argument("--user-input", action="append", default=[], metavar="WORD",
                   help="a word an attacker would try first (my name, organisation)")
    _add_passphrase_file(p)
    # Tests lower the scrypt cost; custodians have no reason to, so it stays unlisted.
    p.add_argument("--scrypt-log-n", type=int, default=DEFAULT_LOG_N, help=argparse.SUPPRESS)
    p.add_argument("--out", required=True, metavar="DIR")
    p.set_defaults(handler=cmd_custodian_keygen)
    p = sub.add_parser("release", help="release my share for this opening, after the deadline")
    p.add_argument("--share", required=True, metavar="SHARE.json", help="my sealed share file")
    p.add_argument("--statement", required=True, metavar="STATEMENT.json",
                   help="the opening statement published in the opening hall")
    p.add_argument("--key", required=True, metavar="KEYFILE", help="my custodian key file")
    _add_passphrase_file(p)
    p.add_argument("--out", required=True, metavar="RELEASE.json")
    p.set_defaults(handler=cmd_custodian_release)
    p = sub.add_parser("combine", help="rebuild an opening key from k releases (auditors)")
    p.add_argument("--to", required=True, metavar="PUBFILE", help="the project's opening.pub")
    p.add_argument("--threshold", required=True, type=int, metavar="K")
    p.add_argument("--release", action="append", required=True, metavar="RELEASE.json")
    p.add_argument("--out", required=True, metavar="KEYFILE")
    p.set_defaults(handler=cmd_custodian_combine)


def _add_passphrase_file(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--passphrase-file", metavar="FILE",
                        help="read the passphrase from the first line of FILE (default: ask)")


def _kek_parsers(commands) -> None:
    for name, handler, source in (
        ("wrap-key", cmd_wrap_key, "--key"),
        ("unwrap-key", cmd_unwrap_key, "--wrapped"),
    ):
        verb = name.split("-")[0]
        p = commands.add_parser(name, help=f"{verb} a key under the platform KEK")
        p.add_argument(source, required=True, metavar="FILE")
        p.add_argument("--project", required=True, metavar="ID")
        _add_kek(p)
        p.add_argument("--out", required=True, metavar="FILE")
        p.set_defaults(handler=handler)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bid_crypto",
        description="Seal, open and verify sealed bids (see README.md).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    groups = (_keygen_parsers, _seal_parser, _open_parsers, _receipt_parsers)
    for add in (*groups, _custody_parsers, _kek_parsers):
        add(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except BidCryptoError as exc:
        return _fail(str(exc), _exit_code(exc))
    except OSError as exc:
        return _fail(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc), 1)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    return 0


def _exit_code(exc: BidCryptoError) -> int:
    return next((code for kind, code in EXIT_CODES if isinstance(exc, kind)), 1)


def _fail(message: str, code: int) -> int:
    print(f"bid_crypto: error: {message}", file=sys.stderr)
    return code
