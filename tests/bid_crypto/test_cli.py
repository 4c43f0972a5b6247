"""The CLI contract, through real subprocesses: outputs, one-line errors, exit codes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
OFFER = {
    "total_price": 8_888_800,
    "duration_days": 60,
    "quality": "合格",
    "items": [{"name": "UNIQUE-ITEM-MARKER", "total_price": 8_888_800}],
}
IDS = ["--project", "P-2025-001", "--lot", "L1", "--bidder", "B-42"]
EXIT_ENVELOPE, EXIT_KEY, EXIT_HEADER, EXIT_OFFER, EXIT_RECEIPT, EXIT_CUSTODY = (
    3,
    4,
    5,
    6,
    7,
    8,
)


def run(cwd: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    # Project root first on PYTHONPATH: the real package, whatever is installed.
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "bid_crypto", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def ok(cwd: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    result = run(cwd, *args, **kwargs)
    assert result.returncode == 0, result.stderr
    return result


def fails(cwd: Path, code: int, *args: str, match: str = "", **kwargs) -> str:
    result = run(cwd, *args, **kwargs)
    assert result.returncode == code, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("bid_crypto: error: "), result.stderr
    assert match in lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    """A workspace with a project key pair, an offer, a document and a sealed bid."""
    work = tmp_path_factory.mktemp("cli")
    (work / "offer.json").write_text(json.dumps(OFFER, ensure_ascii=False))
    (work / "技术标.pdf").write_bytes(os.urandom(300_000))
    ok(work, "keygen", "--out", "keys")
    result = ok(
        work,
        "seal",
        "--to",
        "keys/opening.pub",
        *IDS,
        "--offer",
        "offer.json",
        "--doc",
        "技术标.pdf",
        "--chunk-size",
        "65536",
        "--progress",
        "--out",
        "bid.tbid",
    )
    assert "sealing:" in result.stderr and "(100%)" in result.stderr
    return work


def test_keygen_writes_both_files_and_never_overwrites(work):
    assert json.loads((work / "keys" / "opening.pub").read_text())["suite"] == "x25519"
    assert (work / "keys" / "opening.key").stat().st_mode & 0o777 == 0o600
    before = (work / "keys" / "opening.key").read_bytes()
    fails(work, 1, "keygen", "--out", "keys", match="refusing to overwrite")
    assert (work / "keys" / "opening.key").read_bytes() == before


@pytest.mark.slow
def test_inspect_prints_the_header_and_never_the_payload(work):
    result = ok(work, "inspect", "bid.tbid")
    info = json.loads(result.stdout)
    assert info["header"]["project"] == "P-2025-001"
    assert info["header"]["suite"] == "x25519"
    assert info["chunks"] >= 5
    assert "UNIQUE-ITEM-MARKER" not in result.stdout
    (work / "cut.tbid").write_bytes((work / "bid.tbid").read_bytes()[:-10])
    fails(work, EXIT_ENVELOPE, "inspect", "cut.tbid", match="ends inside chunk")


def test_open_writes_offer_and_documents(work):
    result = ok(
        work,
        "open",
        "--key",
        "keys/opening.key",
        "bid.tbid",
        "--out",
        "opened",
        "--project",
        "P-2025-001",
        "--lot",
        "L1",
    )
    assert json.loads((work / "opened" / "offer.json").read_text()) == OFFER
    assert (work / "opened" / "技术标.pdf").read_bytes() == (work / "技术标.pdf").read_bytes()
    assert json.loads(result.stdout)["offer"]["total_price"] == 8_888_800


@pytest.mark.slow
def test_open_failures_have_distinct_codes(work):
    ok(work, "keygen", "--out", "other")
    fails(
        work,
        EXIT_KEY,
        "open",
        "--key",
        "other/opening.key",
        "bid.tbid",
        "--out",
        "o1",
        match="sealed to key",
    )
    fails(
        work,
        EXIT_HEADER,
        "open",
        "--key",
        "keys/opening.key",
        "bid.tbid",
        "--out",
        "o2",
        "--project",
        "P-OTHER",
        match="expected 'P-OTHER'",
    )
    data = bytearray((work / "bid.tbid").read_bytes())
    data[len(data) // 2] ^= 0x40
    (work / "flipped.tbid").write_bytes(bytes(data))
    fails(
        work,
        EXIT_ENVELOPE,
        "open",
        "--key",
        "keys/opening.key",
        "flipped.tbid",
        "--out",
        "o3",
        match="failed authentication",
    )
    fails(
        work,
        1,
        "open",
        "--key",
        "keys/opening.key",
        "missing.tbid",
        "--out",
        "o4",
        match="missing.tbid",
    )
    assert not any((work / name).exists() for name in ("o1", "o2", "o3", "o4"))


@pytest.mark.slow
def test_seal_failures_leave_no_output(work):
    (work / "bad.json").write_text('{"total_price": 100.5}')
    fails(
        work,
        EXIT_OFFER,
        "seal",
        "--to",
        "keys/opening.pub",
        *IDS,
        "--offer",
        "bad.json",
        "--out",
        "bad.tbid",
        match="non-integer",
    )
    fails(
        work,
        1,
        "seal",
        "--to",
        "keys/opening.pub",
        *IDS,
        "--offer",
        "offer.json",
        "--doc",
        "nope.pdf",
        "--out",
        "bad.tbid",
        match="nope.pdf",
    )
    fails(
        work,
        1,
        "seal",
        "--to",
        "keys/opening.pub",
        *IDS,
        "--offer",
        "offer.json",
        "--out",
        "bid.tbid",
        match="refusing to overwrite",
    )
    assert not list(work.glob("*bad.tbid*"))


@pytest.mark.slow
def test_xwing_keys_round_trip(work):
    ok(work, "keygen", "--suite", "xwing", "--out", "pq")
    ok(
        work,
        "seal",
        "--to",
        "pq/opening.pub",
        *IDS,
        "--offer",
        "offer.json",
        "--out",
        "pq.tbid",
    )
    ok(work, "open", "--key", "pq/opening.key", "pq.tbid", "--out", "pq-opened")
    assert json.loads((work / "pq-opened" / "offer.json").read_text()) == OFFER


@pytest.mark.slow
def test_receipts(work):
    ok(work, "signing-keygen", "--out", "platform")
    ok(
        work,
        "issue-receipt",
        "--signing-key",
        "platform/platform.key",
        *IDS,
        "--version",
        "1",
        "--received-at",
        "2026-03-02T01:59:59.999Z",
        "bid.tbid",
        "--out",
        "receipt.json",
    )
    result = ok(
        work,
        "verify-receipt",
        "--platform-key",
        "platform/platform.pub",
        "receipt.json",
        "bid.tbid",
    )
    assert "receipt valid" in result.stdout and "version=1" in result.stdout
    receipt = json.loads((work / "receipt.json").read_text())
    (work / "forged.json").write_text(json.dumps(receipt | {"version": 2}))
    fails(
        work,
        EXIT_RECEIPT,
        "verify-receipt",
        "--platform-key",
        "platform/platform.pub",
        "forged.json",
        "bid.tbid",
        match="signature is not valid",
    )
    other = bytearray((work / "bid.tbid").read_bytes())
    other[-1] ^= 1
    (work / "other.tbid").write_bytes(bytes(other))
    fails(
        work,
        EXIT_RECEIPT,
        "verify-receipt",
        "--platform-key",
        "platform/platform.pub",
        "receipt.json",
        "other.tbid",
        match="receipt covers envelope",
    )


@pytest.mark.slow
def test_dual_custody(work):
    ok(work, "keygen", "--name", "bidder", "--out", "mine")
    ok(
        work,
        "seal",
        "--to",
        "keys/opening.pub",
        "--dual-key",
        "mine/bidder.pub",
        *IDS,
        "--offer",
        "offer.json",
        "--out",
        "dual.tbid",
    )
    fails(
        work,
        EXIT_KEY,
        "open",
        "--key",
        "keys/opening.key",
        "dual.tbid",
        "--out",
        "d1",
        match="decryption share is required",
    )
    ok(
        work,
        "bidder-share",
        "--key",
        "mine/bidder.key",
        "dual.tbid",
        "--out",
        "share.json",
    )
    ok(
        work,
        "open",
        "--key",
        "keys/opening.key",
        "dual.tbid",
        "--share",
        "share.json",
        "--out",
        "d2",
    )
    assert json.loads((work / "d2" / "offer.json").read_text()) == OFFER


STRONG = "紫色 长颈鹿 在 月光下 慢慢 弹钢琴"


def custodian_keys(work: Path, names=("alice", "bob", "carol")) -> list[str]:
    for name in names:
        (work / f"{name}.pass").write_text(f"{STRONG} {name}\n")
        ok(work, "custodian", "keygen", "--label", f"{name} 市交易中心", "--name", name,
           "--passphrase-file", f"{name}.pass", "--scrypt-log-n", "14", "--out", "custodians")
    return [f"--custodian=U-{n}=custodians/{n}.pub" for n in names]


def statement(work: Path, share: str, name: str, **changes) -> str:
    doc = json.loads((work / share).read_text())
    fields = {"kind": "bid_crypto.opening_statement", "version": 1, "project": doc["project"],
              "split_id": doc["split_id"], "opening": "ab" * 16, "deadline": doc["not_before"],
              "started_at": doc["not_before"]} | changes
    (work / name).write_text(json.dumps(fields))
    return name


def release(work, share, who, statement_file, out, *, passfile=None):
    return ("custodian", "release", "--share", share, "--statement", statement_file, "--key",
            f"custodians/{who}.key", "--passphrase-file", passfile or f"{who}.pass",
            "--out", out)


@pytest.mark.slow
def test_custodian_keys_split_release_and_combine(work):
    custodians = custodian_keys(work)
    key_doc = json.loads((work / "custodians" / "alice.key").read_text())
    assert key_doc["kind"] == "bid_crypto.protected_key" and "secret" not in key_doc
    assert oct((work / "custodians" / "alice.key").stat().st_mode & 0o777) == "0o600"
    ok(work, "split-key", "--key", "keys/opening.key", "--project", "P-2025-001",
       "--threshold", "2", *custodians, "--not-before", "2026-01-01T00:00:00.000Z",
       "--out", "shares")
    ok(work, "split-key", "--key", "keys/opening.key", "--project", "P-2025-002",
       "--threshold", "2", *custodians, "--not-before", "2099-01-01T00:00:00.000Z",
       "--out", "future")
    now = statement(work, "shares/share-1.json", "statement.json")
    ok(work, *release(work, "shares/share-1.json", "alice", now, "r1.json"))
    fails(work, EXIT_KEY, *release(work, "shares/share-2.json", "bob", now, "x.json",
                                   passfile="alice.pass"), match="wrong passphrase")
    fails(work, EXIT_KEY, *release(work, "shares/share-2.json", "alice", now, "x.json"),
          match="sealed to key")
    early = statement(work, "future/share-2.json", "early.json")
    fails(work, EXIT_CUSTODY, *release(work, "future/share-2.json", "bob", early, "x.json"),
          match="has not passed")
    fails(work, EXIT_CUSTODY, *release(work, "shares/share-2.json", "bob", early, "x.json"),
          match="opening statement is for project P-2025-002")
    assert not (work / "x.json").exists()
    ok(work, *release(work, "shares/share-3.json", "carol", now, "r3.json"))
    fails(work, EXIT_CUSTODY, "custodian", "combine", "--to", "keys/opening.pub",
          "--threshold", "2", "--release", "r1.json", "--out", "one.key",
          match="1 of the 2 shares")
    ok(work, "custodian", "combine", "--to", "keys/opening.pub", "--threshold", "2",
       "--release", "r3.json", "--release", "r1.json", "--out", "rebuilt.key")
    original = json.loads((work / "keys" / "opening.key").read_text())
    assert json.loads((work / "rebuilt.key").read_text()) == original


@pytest.mark.parametrize(("passphrase", "reason"), [
    ("short", "口令太短"), ("passwordpassword", "口令强度不足"),
    ("zhangsan2026!!", "口令强度不足"), ("市交易中心 zhangsan", "口令强度不足")])
def test_custodian_keygen_refuses_a_weak_passphrase(work, passphrase, reason):
    (work / "weak.pass").write_text(passphrase + "\n")
    fails(work, EXIT_CUSTODY, "custodian", "keygen", "--label", "zhangsan 市交易中心",
          "--name", "weak", "--passphrase-file", "weak.pass", "--scrypt-log-n", "14",
          "--out", "weak", match=reason)
    assert not (work / "weak").exists()


@pytest.mark.slow
def test_wrap_and_unwrap_with_the_kek(work):
    kek = "ab" * 32
    (work / "kek.hex").write_text(kek + "\n")
    ok(
        work,
        "wrap-key",
        "--key",
        "keys/opening.key",
        "--project",
        "P-2025-001",
        "--kek-file",
        "kek.hex",
        "--out",
        "opening.wrapped",
    )
    fails(
        work,
        EXIT_KEY,
        "unwrap-key",
        "--wrapped",
        "opening.wrapped",
        "--project",
        "P-OTHER",
        "--kek-env",
        "TEST_KEK",
        "--out",
        "x.key",
        env={"TEST_KEK": kek},
        match="cannot unwrap",
    )
    ok(
        work,
        "unwrap-key",
        "--wrapped",
        "opening.wrapped",
        "--project",
        "P-2025-001",
        "--kek-env",
        "TEST_KEK",
        "--out",
        "unwrapped.key",
        env={"TEST_KEK": kek},
    )
    assert (work / "unwrapped.key").read_text() == (work / "keys" / "opening.key").read_text()


@pytest.mark.slow
def test_usage_errors_exit_2(work):
    result = run(work, "seal", "--to", "keys/opening.pub")
    assert result.returncode == 2
    assert "required" in result.stderr


@pytest.mark.slow
def test_a_national_suite_project_end_to_end(tmp_path):
    """国密: an sm2 opening key, an SM2 platform key, seal, receipt, verify, open."""
    (tmp_path / "offer.json").write_text(json.dumps(OFFER))
    ok(tmp_path, "keygen", "--suite", "sm2", "--out", "keys")
    assert json.loads((tmp_path / "keys/opening.pub").read_text())["suite"] == "sm2"
    ok(tmp_path, "signing-keygen", "--algorithm", "sm2", "--out", "platform")
    assert "BEGIN PUBLIC KEY" in (tmp_path / "platform/platform.pub").read_text()
    ok(tmp_path, "seal", "--to", "keys/opening.pub", *IDS, "--offer", "offer.json",
       "--out", "bid.tbid")
    ok(tmp_path, "issue-receipt", "--signing-key", "platform/platform.key",
       "--sm2-id", "center@example", *IDS, "--version", "1", "bid.tbid", "--out", "r.json")
    verified = ok(tmp_path, "verify-receipt", "--platform-key", "platform/platform.pub",
                  "--sm2-id", "center@example", "r.json", "bid.tbid")
    assert "receipt valid" in verified.stdout
    fails(tmp_path, EXIT_RECEIPT, "verify-receipt", "--platform-key", "platform/platform.pub",
          "r.json", "bid.tbid", match="signer ID")
    opened = json.loads(ok(tmp_path, "open", "--key", "keys/opening.key", "bid.tbid",
                           "--out", "opened").stdout)
    assert opened["offer"]["total_price"] == OFFER["total_price"]
    ok(tmp_path, "keygen", "--out", "x")
    fails(tmp_path, EXIT_KEY, "open", "--key", "x/opening.key", "bid.tbid", "--out", "o2",
          match="suite sm2")
    envelope = bytearray((tmp_path / "bid.tbid").read_bytes())
    position = envelope.index(b'"enc":"') + 7 + 200  # inside C3 of the SM2 ciphertext
    envelope[position : position + 1] = b"0" if envelope[position : position + 1] != b"0" else b"1"
    (tmp_path / "tampered.tbid").write_bytes(bytes(envelope))
    fails(tmp_path, EXIT_ENVELOPE, "open", "--key", "keys/opening.key", "tampered.tbid",
          "--out", "o3", match="encapsulation")
