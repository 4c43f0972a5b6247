"""The package format and its offline verification (pure: no database, no app).

A package is a ZIP holding the files under `files/`, `manifest.json` (every file's path,
SHA-256, size and retention class, plus the project and the signing key) and
`manifest.sig` (Ed25519, or SM2 with SM3 for a 国密 project, over the exact bytes of
manifest.json, hex). `files/audit-log-proofs.json` places every row of `files/audit.jsonl`
in the platform's transparency log: its leaf index and inclusion proof against a signed
checkpoint (C2SP note), so a row rewritten in the package — even with the manifest signed
again by whoever holds the platform key — does not verify against the checkpoint the log
published and its witnesses cosigned.
"""

import hashlib
import json
import zipfile
from dataclasses import dataclass, field

from bid_crypto import tlog
from bid_crypto.receipts import verify_signature

FORMAT = "trading-archive-v1"
LOG_PROOFS = "audit-log-proofs.json"
# The audit.jsonl fields that are not the row itself (the leaf hashes the row alone).
_NOT_ROW = ("prev_hash", "hash")

# Retention classes (rules §7.7, DA/T 103—2024): the longest applicable wins.
PERMANENT, Y30, Y15, Y10 = "permanent", "30y", "15y", "10y"
ORDER = (Y10, Y15, Y30, PERMANENT)


def longest(classes) -> str:
    return max(classes, key=ORDER.index, default=Y10)


@dataclass
class Entry:
    path: str  # inside files/
    data: bytes
    retention: str


@dataclass
class VerifyReport:
    ok: bool
    problems: list = field(default_factory=list)
    manifest: dict = field(default_factory=dict)


def manifest_for(project: dict, entries: list[Entry], key_raw: bytes, created_at: str) -> bytes:
    files = [{"path": e.path, "sha256": hashlib.sha256(e.data).hexdigest(),
              "size": len(e.data), "retention": e.retention} for e in entries]
    doc = {"format": FORMAT, "project": project, "created_at": created_at,
           "retention": longest(e.retention for e in entries),
           "signing_key": key_raw.hex(), "files": files}
    return json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def write_package(out, manifest: bytes, signature: bytes, entries: list[Entry],
                  date_time: tuple) -> None:
    """Deterministic bytes (fixed timestamps, fixed order): a rerun reproduces the package."""
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in [*((f"files/{e.path}", e.data) for e in entries),
                           ("manifest.json", manifest), ("manifest.sig", signature.hex())]:
            info = zipfile.ZipInfo(name, date_time=date_time)
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)


def verify_package(path, expected_key: bytes | None = None) -> VerifyReport:
    """Check the signature, then every file's presence, size and hash; name each problem."""
    try:
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return VerifyReport(False, [f"not a readable package: {exc}"])
    with zf:
        names = set(zf.namelist())
        if not {"manifest.json", "manifest.sig"} <= names:
            return VerifyReport(False, ["manifest.json or manifest.sig is missing"])
        raw = zf.read("manifest.json")
        manifest = json.loads(raw)
        problems = _signature_problems(raw, zf.read("manifest.sig"), manifest, expected_key)
        problems += _file_problems(zf, names, manifest)
        if f"files/{LOG_PROOFS}" in names and "files/audit.jsonl" in names:
            problems += log_problems(zf.read("files/audit.jsonl"),
                                     zf.read(f"files/{LOG_PROOFS}"), expected_key)
    return VerifyReport(not problems, problems, manifest)


def _signature_problems(raw, sig_hex, manifest, expected_key) -> list[str]:
    key_raw = bytes.fromhex(manifest.get("signing_key", ""))
    if expected_key is not None and key_raw != expected_key:
        return ["signed with another key than the platform key given"]
    try:
        # Ed25519 (32-byte key) or SM2 (65-byte key, 国密 projects): the key says which.
        ok = verify_signature(key_raw, raw, bytes.fromhex(sig_hex.decode()))
    except (ValueError, TypeError, UnicodeDecodeError):
        ok = False
    if not ok:
        return ["manifest signature does not verify: manifest.json was altered or forged"]
    return []


def _file_problems(zf, names, manifest) -> list[str]:
    problems, listed = [], set()
    for item in manifest.get("files", []):
        name = f"files/{item['path']}"
        listed.add(name)
        if name not in names:
            problems.append(f"missing file: {item['path']}")
            continue
        data = zf.read(name)
        if len(data) != item["size"] or hashlib.sha256(data).hexdigest() != item["sha256"]:
            problems.append(f"altered file: {item['path']}")
    extra = sorted(n for n in names if n.startswith("files/") and n not in listed)
    problems += [f"file not in the manifest: {n[len('files/'):]}" for n in extra]
    return problems


def log_problems(lines: bytes, proofs_raw: bytes, expected_key: bytes | None) -> list[str]:
    """Every audit row is the log's leaf it claims, under a checkpoint signed by the log
    key — the pinned platform key when one is given (Ed25519: the log's key)."""
    try:
        rows = [json.loads(line) for line in lines.decode("utf-8").splitlines() if line]
        if not rows:
            return []
        proofs = json.loads(proofs_raw)
        log_key = tlog.NoteVerifier.from_vkey(proofs["log_key"])
        if expected_key is not None and len(expected_key) == 32 \
                and log_key.public_raw != expected_key:
            return ["audit-log-proofs.json: the log key is not the platform key given"]
        cp, _note = tlog.open_checkpoint(proofs["checkpoint"], log_key)
        placed = {int(e["seq"]): (int(e["index"]), [tlog.unb64(h, "proof element")
                                                     for h in e["proof"]])
                  for e in proofs["entries"]}
    except (ValueError, KeyError, TypeError, AttributeError, tlog.ProofError) as exc:
        return [f"audit-log-proofs.json unreadable or not signed by the log: {exc}"]
    problems = []
    for row in rows:
        seq = row.get("seq")
        if seq not in placed:
            problems.append(f"audit row seq {seq} has no place in the log")
            continue
        index, proof = placed[seq]
        leaf = tlog.leaf_hash(_canonical({k: v for k, v in row.items() if k not in _NOT_ROW}))
        try:
            tlog.verify_inclusion(index, cp.size, leaf, proof, cp.root)
        except tlog.ProofError:
            problems.append(f"audit row seq {seq} is not entry {index} of the log's signed "
                            f"checkpoint of {cp.size} entries (altered or not logged)")
    return problems


def _canonical(value) -> bytes:
    """The audit row's canonical JSON, as the platform hashed it (trading.audit.service)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")
