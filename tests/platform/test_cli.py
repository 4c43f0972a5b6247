"""The operator commands, run as a user would: migrate, demo, audit verify, tamper, verify."""

import base64
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import TEST_OVERRIDES

ROOT = Path(__file__).resolve().parents[2]
TRADING = str(Path(sys.executable).with_name("trading"))


@pytest.fixture
def env(tmp_path):
    return {
        **os.environ,
        "TRADING_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "TRADING_STORAGE_ROOT": str(tmp_path / "files"),
        "TRADING_HUEY_BACKEND": "memory",
        "TRADING_KEK": base64.b64encode(b"k" * 32).decode(),
        "TRADING_SIGNING_KEY": base64.b64encode(b"s" * 32).decode(),
        # The demo approves 国密 projects: they need the platform's SM2 key.
        "TRADING_SM2_SIGNING_KEY": TEST_OVERRIDES["keys.sm2_signing_key"],
    }


def run(env, *args):
    return subprocess.run([TRADING, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=900)  # a hang guard, not a speed test


@pytest.mark.slow
def test_demo_then_verify_then_tamper(env, tmp_path):
    assert run(env, "migrate", "development.ini").returncode == 0
    demo = run(env, "demo", "development.ini")
    assert demo.returncode == 0, demo.stderr
    assert "center1" in demo.stdout and "supervisor1" in demo.stdout
    assert run(env, "demo", "development.ini").returncode == 0  # idempotent
    ok = run(env, "audit", "verify", "development.ini")
    assert ok.returncode == 0 and "audit chain valid" in ok.stdout, ok.stdout
    assert "audit log valid" in ok.stdout and "signed checkpoints match" in ok.stdout
    _proofs_by_cli(env)
    with sqlite3.connect(tmp_path / "cli.sqlite3") as db:
        # The database owner drops the protection first; the log still names the row.
        db.execute("DROP TRIGGER audit_events_no_update")
        db.execute("UPDATE audit_events SET subject_id = '42' WHERE seq = 3")
    broken = run(env, "audit", "verify", "development.ini")
    assert broken.returncode == 1
    assert "audit log BROKEN: entry 2 (event seq 3): the event was rewritten" in broken.stdout


def _proofs_by_cli(env):
    """`trading audit log`: the API's documents, checked here as an outsider would."""
    import json

    from bid_crypto import tlog

    latest = json.loads(run(env, "audit", "log", "development.ini", "checkpoint").stdout)
    pinned = tlog.NoteVerifier.from_vkey(latest["log_key"])
    body, _ = tlog.open_checkpoint(latest["checkpoint"], pinned)
    doc = json.loads(run(env, "audit", "log", "development.ini", "inclusion", "--seq",
                         "3").stdout)
    tlog.verify_inclusion(doc["index"], body.size, tlog.unb64(doc["leaf_hash"]),
                          [tlog.unb64(p) for p in doc["proof"]], body.root)
    consistent = json.loads(run(env, "audit", "log", "development.ini", "consistency",
                                "--old", "1").stdout)
    assert consistent["new"] == body.size
    refused = run(env, "audit", "log", "development.ini", "consistency", "--old",
                  str(body.size + 1))
    assert refused.returncode == 1 and "proof_refused" in refused.stderr


@pytest.mark.slow
def test_unavailable_database_is_a_clear_error(env):
    env["TRADING_DATABASE_URL"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    result = run(env, "demo", "development.ini")
    assert result.returncode == 1
    assert "database unavailable" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.slow
def test_keys_generate_prints_fresh_values():
    first = subprocess.run([TRADING, "keys", "generate"], capture_output=True, text=True)
    second = subprocess.run([TRADING, "keys", "generate"], capture_output=True, text=True)
    assert "TRADING_KEK=" in first.stdout and first.stdout != second.stdout
