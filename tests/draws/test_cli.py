"""`python -m trading.draws` as a real subprocess, also from a bare interpreter."""

import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from trading.draws import engine
from trading.draws.record import build_record, dump_record

CHECKOUT = pathlib.Path(engine.__file__).resolve().parents[2]
VECTORS = pathlib.Path(__file__).parent / "vectors"
SEED = bytes.fromhex("c3" * 32)


@pytest.fixture
def record_file(tmp_path):
    candidates = [{"id": f"S{i}", "label": f"供应商{i}"} for i in range(1, 8)]
    first = engine.draw(SEED, "beacon 42", candidates, 3)
    record = build_record(
        purpose="supplier_draw",
        subject={"type": "procurement", "id": "ZC-2025-009"},
        rule="从供应商库随机抽取 3 家",
        count=3,
        candidates=candidates,
        seed=SEED,
        beacon="beacon 42",
        follow_ups=[
            {
                "declined": [first[2]],
                "reason": "放弃",
                "count": 1,
                "at": "2025-07-01T10:00:00+08:00",
            }
        ],
        witnesses=[{"name": "甲", "role": "采购人"}, {"name": "乙", "role": "采购人"}],
        timestamps={"drawn_at": "2025-07-01T09:30:00+08:00"},
    )
    path = tmp_path / "record.json"
    path.write_text(dump_record(record), encoding="utf-8")
    return path


def run(*args, stdin=None):
    return subprocess.run(
        [sys.executable, "-m", "trading.draws", *map(str, args)],
        cwd=CHECKOUT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def tamper(path, change):
    record = json.loads(path.read_text(encoding="utf-8"))
    change(record)
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")


def test_valid_record_exits_0(record_file):
    done = run("verify", record_file)
    assert (done.returncode, done.stdout, done.stderr) == (0, "valid\n", "")


def test_standard_input(record_file):
    done = run("verify", "-", stdin=record_file.read_text(encoding="utf-8"))
    assert (done.returncode, done.stdout) == (0, "valid\n")


def test_tampered_record_exits_1_listing_differences(record_file):
    def swap(record):
        record["result"][0], record["result"][1] = (
            record["result"][1],
            record["result"][0],
        )

    tamper(record_file, swap)
    done = run("verify", record_file)
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == "invalid"
    assert lines[1].startswith("- result mismatch at position 0: recomputed ")
    assert lines[2].startswith("- result mismatch at position 1: recomputed ")


def test_tampered_seed_exits_1(record_file):
    tamper(record_file, lambda r: r.update(seed="11" * 32))
    done = run("verify", record_file)
    assert done.returncode == 1 and "commitment mismatch" in done.stdout


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "No such file"),
        ("{not json", "not valid JSON"),
        ('{"algorithm": "draw-v1"}', "malformed field purpose: missing"),
        ('{"algorithm": "draw-v9"}', "unknown algorithm version 'draw-v9'"),
        (b"\xff\xfe\x00", "not valid JSON"),
    ],
)
def test_unverifiable_input_exits_2(tmp_path, content, message):
    path = tmp_path / "input.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content, encoding="utf-8")
    done = run("verify", path)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"error: cannot verify {path}: ")
    assert message in done.stderr


def test_usage_error_exits_2():
    assert run().returncode == 2
    assert run("frobnicate").returncode == 2


@pytest.mark.parametrize("whole_file", [False, True])
def test_vector_command_reproduces_a_stored_vector(tmp_path, whole_file):
    stored = VECTORS / "02_unweighted_beacon_declines.json"
    vector = json.loads(stored.read_text(encoding="utf-8"))
    spec = tmp_path / "input.json"
    spec.write_text(json.dumps(vector["input"], ensure_ascii=False), encoding="utf-8")
    done = run("vector", stored if whole_file else spec)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == vector["expected"]


def test_vector_command_names_a_missing_field():
    done = run("vector", "-", stdin='{"seed": "00"}')
    assert done.returncode == 2
    assert done.stderr == "error: cannot compute -: missing field 'candidates'\n"


# --- no third-party packages ----------------------------------------------------------

# Runs the verifier under `-I -S` (no site-packages, no PYTHONPATH, no user site, cwd
# not on the path) with only the checkout added, then lists every imported module that
# lives neither in the standard library nor in the checkout.
AUDIT = r"""
import os, runpy, sys, sysconfig
checkout, record = sys.argv[1], sys.argv[2]
sys.path.insert(0, checkout)
sys.argv = ["trading.draws", "verify", record]
try:
    runpy.run_module("trading.draws", run_name="__main__", alter_sys=True)
    code = 0
except SystemExit as stop:
    code = stop.code
allowed = {os.path.realpath(sysconfig.get_paths()[k]) for k in ("stdlib", "platstdlib")}
allowed.add(os.path.realpath(checkout))
for name, module in sorted(sys.modules.items()):
    path = getattr(module, "__file__", None)
    real = os.path.realpath(path) if path else ""
    if path and not any(real.startswith(root + os.sep) for root in allowed):
        print("FOREIGN", name, path)
    if path and os.path.realpath(path).startswith(os.path.realpath(checkout) + os.sep):
        print("CHECKOUT", name)
print("SITE", "site" in sys.modules, "EXIT", code)
"""


def test_verifier_imports_nothing_outside_stdlib_and_checkout(record_file):
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-c", AUDIT, str(CHECKOUT), str(record_file)],
        cwd="/",
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": os.defpath},
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "valid"
    assert not [line for line in lines if line.startswith("FOREIGN")]
    checkout_modules = {
        line.split()[1] for line in lines if line.startswith("CHECKOUT")
    }
    assert checkout_modules <= {
        "trading",
        "trading.draws",
        "trading.draws.__main__",
        "trading.draws.engine",
        "trading.draws.errors",
        "trading.draws.record",
    }
    assert lines[-1] == "SITE False EXIT 0"


@pytest.mark.skipif(
    not shutil.which("python3", path="/usr/bin:/bin"), reason="no system python3"
)
def test_system_python_with_empty_environment(record_file):
    """The public instructions: bare system python3 in the checkout, nothing else."""
    done = subprocess.run(
        ["python3", "-S", "-E", "-m", "trading.draws", "verify", str(record_file)],
        cwd=CHECKOUT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "valid\n", "")
