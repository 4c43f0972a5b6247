"""The OCDS 1.1.5 schema lives in the repository: the export validates against it and writes
only codes on the codelists, offline, and a fresh clone with nothing beside it runs
an OCDS test (nothing reads ../shared)."""

import csv
import json
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from trading.opendata import ocds, smallworks
from trading.opendata.ocds import SCHEMA_DIR, build_release, dump_json, load_json
from trading.opendata.service import BID_STATUS

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def codes(name: str) -> set[str]:
    with (SCHEMA_DIR / "codelists" / f"{name}.csv").open(encoding="utf-8") as fh:
        return {row["Code"] for row in csv.DictReader(fh)}


def a_project(**extra) -> ocds.ProjectView:
    bids = ocds.BidsView(opened_at=T0 + timedelta(days=20), details=(
        ocds.BidView(id="b-1", lot=1, bidder_name="甲建设有限公司",
                     bidder_code="91330100MA2A000001", date=T0 + timedelta(days=19),
                     status="valid", price=98_765_43),
        ocds.BidView(id="b-2", lot=1, bidder_name="乙工程有限公司", bidder_code=None,
                     date=T0 + timedelta(days=19, hours=1), status="disqualified",
                     price=None),
    ))
    return ocds.ProjectView(
        number="YG2026-0001", name="市民公园照明改造", description="路灯更换", status="opening",
        procurement_method="open_tender", method_label="公开招标", object_type="works",
        budget=120_000_00, region="西湖区", owner_name="市园林局",
        owner_code="11330100002500000X", published_at=T0, doc_start=T0,
        clarification_deadline=T0 + timedelta(days=10), bid_deadline=T0 + timedelta(days=20),
        lots=(ocds.LotView(number=1, name="照明", budget=120_000_00),),
        documents=(ocds.DocumentView(id=7, kind="tender_file", filename="招标文件.pdf",
                                     content_type="application/pdf", sha256="0" * 64,
                                     uploaded_at=T0),),
        notices=(ocds.NoticeView(id=3, kind="tender", title="市民公园照明改造招标公告",
                                 published_at=T0, algorithm="sm2",
                                 url="https://trading.example/projects/1/announcements/3/"
                                     "notice.json"),),
        bids=bids, **extra)


def test_the_vendored_schema_is_ocds_1_1_5_with_its_licence():
    for name in ("release-schema.json", "dereferenced-release-schema.json"):
        schema = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
        assert schema["id"].endswith("/schema/1__1__5/release-schema.json")
    assert "Apache License" in (SCHEMA_DIR / "LICENSE").read_text(encoding="utf-8")
    assert "Open Contracting Partnership" in (SCHEMA_DIR / "NOTICE").read_text(encoding="utf-8")
    assert "1.1.5" in (SCHEMA_DIR / "README.md").read_text(encoding="utf-8")


def test_a_release_built_offline_validates_against_the_vendored_schema():
    schema = json.loads((SCHEMA_DIR / "dereferenced-release-schema.json").read_text("utf-8"))
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())
    release = build_release(a_project(), prefix="ocds-yg0000", seq=3, event="opening",
                            date=T0 + timedelta(days=20))
    published = load_json(dump_json(release))  # the text a consumer reads, exact decimals
    assert [e.message for e in validator.iter_errors(published)] == []
    broken = {k: v for k, v in published.items() if k != "ocid"}  # really enforced
    assert list(validator.iter_errors(broken))


def test_every_code_the_export_writes_is_on_its_codelist():
    assert set(ocds.METHOD.values()) <= codes("method")
    assert set(ocds.TENDER_STATUS.values()) <= codes("tenderStatus")
    assert set(smallworks.TENDER_STATUS.values()) <= codes("tenderStatus")
    assert set(ocds.TAG.values()) | set(smallworks.TAG.values()) <= codes("releaseTag")
    assert set(ocds.DOCUMENT_TYPE.values()) <= codes("documentType")  # open: "other" too
    assert set(ocds.NOTICE_TYPE.values()) <= codes("documentType")
    assert set(BID_STATUS.values()) - {None} <= {"valid", "disqualified", "withdrawn",
                                                 "invited", "pending"}


def test_nothing_in_the_repository_reads_the_shared_folder_beside_it():
    pattern = re.compile(r"""["']\.\./shared|/\s*["']shared["']""")
    offenders = [str(path.relative_to(ROOT))
                 for folder in ("trading", "bid_crypto", "tests", "bench")
                 for path in (ROOT / folder).rglob("*.py")
                 if path != Path(__file__).resolve() and pattern.search(path.read_text("utf-8"))]
    assert offenders == []


def _git(*args, cwd):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.mark.slow
def test_a_fresh_clone_with_nothing_beside_it_runs_an_ocds_test(tmp_path):
    """`git clone` of this repository's HEAD into an empty folder (no ../shared beside it),
    then one OCDS schema test run there, importing the clone's own `trading`."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    head = _git("rev-parse", "HEAD", cwd=ROOT)
    clone = tmp_path / "trading"
    _git("clone", "--quiet", "--no-checkout", str(ROOT), str(clone), cwd=tmp_path)
    _git("fetch", "--quiet", str(ROOT), head, cwd=clone)  # HEAD even when detached
    _git("checkout", "--quiet", "--detach", head, cwd=clone)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trading"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "TRADING_"))}
    env["PYTHONPATH"] = str(clone)
    where = subprocess.run([sys.executable, "-c", "import trading; print(trading.__file__)"],
                           cwd=clone, env=env, capture_output=True, text=True, check=True)
    assert Path(where.stdout.strip()).is_relative_to(clone)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "--durations=0",
         "tests/opendata/test_vendored_schema.py::"
         "test_a_release_built_offline_validates_against_the_vendored_schema"],
        cwd=clone, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "1 passed" in run.stdout
