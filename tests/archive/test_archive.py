"""Archive packages: written once when a project ends, verifiable offline, tamper-evident."""

import base64
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from factories import actor_for, make_project, make_user, project_service

from bid_crypto import verify_notice
from trading.accounts.models import Role
from trading.archive.models import ArchivePackage
from trading.archive.package import verify_package
from trading.archive.service import ArchiveService
from trading.archive.tasks import archive_due
from trading.demo.helpers import seal_and_submit
from trading.projects.status import ProjectStatus as S

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cancelled(dbsession, clock, settings, registry):
    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    project = make_project(dbsession, clock, settings, registry, owner=owner, publish=True)
    project_service(dbsession, clock, registry).cancel(project, reason="资金调整",
                                                       actor=actor_for(owner))
    clock.advance(minutes=1)
    archive_due()  # what the scheduled job or the periodic catch-up does
    return project


def package_of(dbsession, project):
    return dbsession.scalar(sa.select(ArchivePackage).where(
        ArchivePackage.project_id == project.id))


def test_a_final_project_is_archived_once(cancelled, dbsession, clock, registry):
    package = package_of(dbsession, cancelled)
    assert package is not None and package.files >= 5  # incl. the cancellation notice
    service = ArchiveService(dbsession, clock, registry["storage"], registry["keys"])
    assert service.archive(cancelled) is package
    archive_due()
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(ArchivePackage).where(
        ArchivePackage.project_id == cancelled.id)) == 1


def test_a_live_project_is_not_archived(dbsession, clock, settings, registry):
    project = make_project(dbsession, clock, settings, registry, open_bidding=True)
    service = ArchiveService(dbsession, clock, registry["storage"], registry["keys"])
    assert service.archive(project) is None and package_of(dbsession, project) is None


def test_the_package_verifies_and_names_every_problem(cancelled, dbsession, registry,
                                                      tmp_path):
    package = package_of(dbsession, cancelled)
    path = registry["storage"].path_for(package.sha256)
    report = verify_package(path, expected_key=registry["keys"].public_key_bytes)
    assert report.ok, report.problems
    paths = {f["path"] for f in report.manifest["files"]}
    assert {"project.json", "audit.jsonl"} <= paths
    assert any(p.startswith("documents/") for p in paths)
    assert any(p.startswith("announcements/") for p in paths)
    # The notices travel signed (issue #21): each checks offline from the package alone.
    signed = sorted(p for p in paths if p.endswith(".notice.json"))
    assert len(signed) == len(cancelled.announcements) >= 2  # tender and cancellation
    with zipfile.ZipFile(path) as package_zip:
        for name in signed:
            document = package_zip.read(f"files/{name}")
            key = registry["keys"].signer(json.loads(document)["algorithm"]).public_key()
            assert verify_notice(key, document)["kind"] in name

    victim = next(p for p in paths if p.startswith("documents/"))
    altered = tmp_path / "altered.zip"
    _rewrite(path, altered, replace={f"files/{victim}": b"forged"})
    assert verify_package(altered).problems == [f"altered file: {victim}"]

    missing = tmp_path / "missing.zip"
    _rewrite(path, missing, drop={"files/audit.jsonl"})
    assert verify_package(missing).problems == ["missing file: audit.jsonl"]

    assert "another key" in verify_package(path, expected_key=b"x" * 32).problems[0]


def _rewrite(source, target, replace=None, drop=()):
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            if item.filename in drop:
                continue
            data = (replace or {}).get(item.filename, old.read(item.filename))
            new.writestr(item, data)


def test_rebuilding_reproduces_the_same_bytes(cancelled, dbsession, clock, registry):
    """A worker that crashed after writing the file but before committing rebuilds the
    identical package: content addressing keeps one copy, nothing half-written remains."""
    package = package_of(dbsession, cancelled)
    dbsession.delete(package)
    dbsession.flush()
    clock.advance(hours=2)
    service = ArchiveService(dbsession, clock, registry["storage"], registry["keys"])
    again = service.archive(cancelled)
    assert again.sha256 == package.sha256


def test_a_crash_mid_build_leaves_no_package(cancelled, dbsession, clock, registry,
                                             monkeypatch):
    from trading.archive import service as module

    package = package_of(dbsession, cancelled)
    dbsession.delete(package)
    dbsession.flush()

    def boom(*args):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(module, "SOURCES", [boom])
    service = ArchiveService(dbsession, clock, registry["storage"], registry["keys"])
    with pytest.raises(RuntimeError):
        service.archive(cancelled)
    assert package_of(dbsession, cancelled) is None
    monkeypatch.setattr(module, "SOURCES", [])
    assert service.archive(cancelled).sha256 == package.sha256


def test_cli_verifies_offline_and_fails_on_tampering(cancelled, dbsession, registry, tmp_path):
    package = package_of(dbsession, cancelled)
    path = registry["storage"].path_for(package.sha256)
    trading = str(Path(sys.executable).with_name("trading"))
    for key in (registry["keys"].public_key_bytes.hex(),
                base64.b64encode(registry["keys"].public_key_bytes).decode()):
        ok = subprocess.run([trading, "archive", "verify", str(path), "--platform-key", key],
                            capture_output=True, text=True)
        assert ok.returncode == 0 and "archive package valid" in ok.stdout
    bad = tmp_path / "bad.zip"
    _rewrite(path, bad, replace={"files/project.json": b"{}"})
    failed = subprocess.run([trading, "archive", "verify", str(bad)], capture_output=True,
                            text=True)
    assert failed.returncode == 1 and "altered file: project.json" in failed.stdout


def test_index_and_download_for_supervisors_only(testapp, cancelled, dbsession, clock,
                                                 settings):
    make_user(dbsession, clock, settings, role=Role.SUPERVISOR, username="a_sup")
    make_user(dbsession, clock, settings, role=Role.BIDDER, username="a_bid")
    testapp.login("a_bid")
    testapp.get("/archive", status=403)
    testapp.reset()
    testapp.login("a_sup")
    page = testapp.get("/archive")
    assert cancelled.name in page.text
    package = package_of(dbsession, cancelled)
    body = testapp.get(f"/archive/{package.id}/download").body
    assert body[:2] == b"PK" and cancelled.status is S.CANCELLED


def test_the_package_holds_the_opening_record_and_the_draws(dbsession, clock, settings,
                                                            registry):
    import io
    import json

    from trading.bidding.service import BidService
    from trading.draws.services import DrawService
    from trading.jobs import chronograph

    project = make_project(dbsession, clock, settings, registry, open_bidding=True)
    service = project_service(dbsession, clock, registry)
    bids = BidService(dbsession, clock, registry["keys"], registry["storage"], None, settings)
    bidders = [make_user(dbsession, clock, settings, role=Role.BIDDER) for _ in range(2)]
    for bidder in bidders:
        service.sign_up(project, project.lots[0], bidder=bidder, actor=actor_for(bidder))
        seal_and_submit(bids, project, project.lots[0], offer={"total_price": 80_000_000},
                         documents=[("技术标.pdf", io.BytesIO(b"%PDF own"))],
                         actor=actor_for(bidder))
    center = make_user(dbsession, clock, settings, role=Role.CENTER)
    draws = DrawService(dbsession, clock, registry["keys"])
    draw = draws.freeze(purpose="评标专家抽取", subject_type="project", subject_id=project.id,
                        candidates=[{"id": "a"}, {"id": "b"}], count=1, rule="r",
                        actor=actor_for(center))
    draws.commit(draw, actor=actor_for(center))
    clock.set(project.bid_deadline)
    chronograph.sweep_kind("project")
    assert project.status is S.FAILED  # two bids: not opened, the project fails
    entries = {e.path: e for e in ArchiveService(dbsession, clock, registry["storage"],
                                                 registry["keys"]).entries(project)}
    record = json.loads(entries["opening/record.json"].data)
    assert record["outcome"] == "failed" and len(record["lines"]) == 2
    assert {line["bidder"] for line in record["lines"]} == {b.organisation.name
                                                            for b in bidders}
    [draw_path] = [p for p in entries if p.startswith("draws/")]
    assert json.loads(entries[draw_path].data)["commitment"]
    assert entries[draw_path].retention == "permanent"


@pytest.fixture
def contracted(dbsession, clock, settings, registry, monkeypatch):
    """An open tender through evaluation, publicity (with an answered objection), award,
    a decline and the contract: the project ends `contracted` and is archived."""
    from award_support import CEILING, AwardWorld, bid_offer, sign_report

    from trading.award.service import AwardService
    from trading.projects.kinds import ProcurementMethod

    monkeypatch.setitem(settings, "bidding.chunk_size", "1024")
    w = AwardWorld(dbsession, clock, settings, registry)
    w.owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    w.project = make_project(dbsession, clock, settings, registry, owner=w.owner,
                             open_bidding=True, lots=(("一标段", 2_500_000_00, CEILING),),
                             procurement_method=ProcurementMethod.OPEN_TENDER)
    w.bidders = [make_user(dbsession, clock, settings, role=Role.BIDDER) for _ in range(3)]
    for i, bidder in enumerate(w.bidders):
        w.projects().sign_up(w.project, w.lot, bidder=bidder, actor=actor_for(bidder))
        seal_and_submit(w.bids(), w.project, w.lot, offer=bid_offer(1_900_000_00 - i * 100),
                        actor=actor_for(bidder))
    clock.set(w.project.bid_deadline)
    w.advance()
    assert w.project.status is S.EVALUATION
    sign_report(w, ranked=True)
    awards = AwardService(dbsession, clock, registry["keys"], registry["storage"])
    objection = awards.raise_objection(w.project, text="第一名的业绩证明不实，请核查。",
                                       actor=actor_for(w.bidders[2]))
    awards.answer_objection(objection, answer="经核查业绩真实有效，维持公示结果。",
                            actor=actor_for(w.owner))
    clock.set(awards.publicity(w.project).ends_at)
    (award,) = awards.decide(w.project, actor=actor_for(w.owner))
    awards.decline(award, reason="项目经理无法到岗", actor=actor_for(w.bidders[0]))
    awards.record_contract(w.project, actor=actor_for(w.owner))
    assert w.project.status is S.CONTRACTED
    clock.advance(minutes=1)
    archive_due()
    return w


def _files(registry, package) -> dict:
    path = registry["storage"].path_for(package.sha256)
    report = verify_package(path, expected_key=registry["keys"].public_key_bytes)
    assert report.ok, report.problems
    return {f["path"]: f for f in report.manifest["files"]}


def test_an_awarded_project_archives_its_report_award_notices_and_contract(
        contracted, dbsession, registry):
    import json

    w = contracted
    files = _files(registry, package_of(dbsession, w.project))
    [report] = [p for p in files if p.startswith("evaluation/lot-1-report-")]
    assert {"award/lot-1.json", "contract/lot-1.json"} <= files.keys()
    from trading.award.models import AwardNotice

    issued = dbsession.scalars(sa.select(AwardNotice)).all()
    # the first winner's notice and two result notices, then after the decline the next
    # winner's notice and a result notice: every one of them, withdrawn or not
    assert len(issued) == 5 and sum(n.withdrawn_at is not None for n in issued) == 3
    assert {p for p in files if p.startswith("award/notices/")} == {
        f"award/notices/{n.id:06d}-{n.kind}.json" for n in issued}
    assert any(p.startswith("award/publicity-") for p in files)
    assert files[report]["retention"] == "30y"  # works tendering (rules §7.7)
    assert files["contract/lot-1.json"]["retention"] == "30y"

    with zipfile.ZipFile(registry["storage"].path_for(package_of(dbsession, w.project).sha256)
                         ) as zf:
        body = json.loads(zf.read(f"files/{report}"))
        contract = json.loads(zf.read("files/contract/lot-1.json"))
        award = json.loads(zf.read("files/award/lot-1.json"))
        publicity = json.loads(zf.read(f"files/{next(p for p in files if 'publicity' in p)}"))
    from trading.evaluation.models import EvaluationReport

    signed = dbsession.scalar(sa.select(EvaluationReport).where(
        EvaluationReport.project_id == w.project.id))
    assert (body["id"], body["state"], body["body_sha256"]) == (
        signed.id, "signed", signed.body_sha256)
    assert contract["supplier"]["name"] == w.bidders[1].organisation.name
    assert contract["buyer"]["name"] == w.owner.organisation.name
    assert award["declined"][0]["reason"] == "项目经理无法到岗"
    assert publicity["objections"][0]["answer"].startswith("经核查")


def test_a_government_procurement_award_is_kept_30_years_its_report_15(contracted):
    from trading.archive.sources import award_records, evaluation_reports

    w = contracted
    report = evaluation_reports(w.dbsession, w.project, "15y")
    award = award_records(w.dbsession, w.project, "15y")
    assert report and {e.retention for e in report} == {"15y"}
    assert award and {e.retention for e in award} == {"30y"}


def test_a_tampered_evaluation_report_fails_at_its_file(contracted, dbsession, registry,
                                                       tmp_path):
    package = package_of(dbsession, contracted.project)
    files = _files(registry, package)
    [report] = [p for p in files if p.startswith("evaluation/")]
    path = registry["storage"].path_for(package.sha256)
    altered = tmp_path / "altered.zip"
    _rewrite(path, altered, replace={f"files/{report}": b'{"state": "signed"}'})
    assert verify_package(altered).problems == [f"altered file: {report}"]
    missing = tmp_path / "missing.zip"
    _rewrite(path, missing, drop={"files/contract/lot-1.json"})
    assert verify_package(missing).problems == ["missing file: contract/lot-1.json"]
    trading = str(Path(sys.executable).with_name("trading"))
    failed = subprocess.run([trading, "archive", "verify", str(altered)],
                            capture_output=True, text=True)
    assert failed.returncode == 1 and f"altered file: {report}" in failed.stdout


def test_archiving_the_awarded_project_is_idempotent(contracted, dbsession, clock, registry):
    package = package_of(dbsession, contracted.project)
    service = ArchiveService(dbsession, clock, registry["storage"], registry["keys"])
    assert service.archive(contracted.project) is package
    dbsession.delete(package)
    dbsession.flush()
    clock.advance(hours=3)
    assert service.archive(contracted.project).sha256 == package.sha256


def test_a_national_project_is_archived_under_sm2_and_verifies_offline(
        dbsession, clock, settings, registry, tmp_path):
    """国密: the manifest is signed with the platform's SM2 key (SM3, signer ID); the
    offline verifier takes that key and refuses the Ed25519 one."""
    from trading.projects.kinds import CryptoSuite

    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    project = make_project(dbsession, clock, settings, registry, owner=owner, publish=True,
                           crypto_suite=CryptoSuite.SM2)
    project_service(dbsession, clock, registry).cancel(project, reason="资金调整",
                                                       actor=actor_for(owner))
    clock.advance(minutes=1)
    archive_due()
    path = registry["storage"].path_for(package_of(dbsession, project).sha256)
    sm2 = registry["keys"].public_key_for("sm2")
    report = verify_package(path, expected_key=sm2)
    assert report.ok, report.problems
    assert report.manifest["signing_key"] == sm2.hex() and len(sm2) == 65
    assert "another key" in verify_package(
        path, expected_key=registry["keys"].public_key_bytes).problems[0]
    trading = str(Path(sys.executable).with_name("trading"))
    ok = subprocess.run([trading, "archive", "verify", str(path), "--platform-key", sm2.hex()],
                        capture_output=True, text=True)
    assert ok.returncode == 0 and "archive package valid" in ok.stdout
    with zipfile.ZipFile(path) as zf:
        manifest = zf.read("manifest.json")
    bad = tmp_path / "bad.zip"
    _rewrite(path, bad, replace={"manifest.json": manifest.replace(b'"created_at"',
                                                                   b'"created_at" ')})
    failed = subprocess.run([trading, "archive", "verify", str(bad)], capture_output=True,
                            text=True)
    assert failed.returncode == 1 and "manifest signature does not verify" in failed.stdout


def test_the_audit_rows_are_proved_in_the_log_even_against_a_resigned_manifest(
        cancelled, dbsession, registry, tmp_path):
    """Issue #17 pt 7: an operator holding every key rewrites a row of audit.jsonl and signs
    the manifest again — the row no longer leads to the log's signed checkpoint."""
    import json

    from bid_crypto import tlog
    from trading.archive.package import LOG_PROOFS, manifest_for

    keys = registry["keys"]
    path = registry["storage"].path_for(package_of(dbsession, cancelled).sha256)
    with zipfile.ZipFile(path) as zf:
        proofs = json.loads(zf.read(f"files/{LOG_PROOFS}"))
        rows = zf.read("files/audit.jsonl").decode().splitlines()
        manifest = json.loads(zf.read("manifest.json"))
    assert len(proofs["entries"]) == len(rows) >= 2
    cp, _ = tlog.open_checkpoint(proofs["checkpoint"], tlog.NoteVerifier.from_vkey(
        proofs["log_key"]))
    assert cp.size > max(e["index"] for e in proofs["entries"])

    def resigned(target, replace):
        files = {f"files/{f['path']}": None for f in manifest["files"]}
        with zipfile.ZipFile(path) as zf:
            data = {name: replace.get(name, zf.read(name)) for name in files}
        entries = [__import__("trading.archive.package", fromlist=["Entry"]).Entry(
            name[len("files/"):], content, "permanent") for name, content in data.items()]
        raw = manifest_for(manifest["project"], entries, keys.public_key_bytes,
                           manifest["created_at"])
        with zipfile.ZipFile(target, "w") as out:
            for name, content in data.items():
                out.writestr(name, content)
            out.writestr("manifest.json", raw)
            out.writestr("manifest.sig", keys.sign(raw, "ed25519").hex())
        return verify_package(target, expected_key=keys.public_key_bytes)

    first = json.loads(rows[0])
    first["actor_label"] = "someone else"
    rewritten = "\n".join([json.dumps(first, ensure_ascii=False, sort_keys=True),
                           *rows[1:]]) + "\n"
    report = resigned(tmp_path / "rewritten.zip", {"files/audit.jsonl": rewritten.encode()})
    assert report.problems == [f"audit row seq {first['seq']} is not entry "
                               f"{proofs['entries'][0]['index']} of the log's signed "
                               f"checkpoint of {cp.size} entries (altered or not logged)"]
    dropped = dict(proofs, entries=proofs["entries"][1:])
    report = resigned(tmp_path / "unplaced.zip",
                      {f"files/{LOG_PROOFS}": json.dumps(dropped).encode()})
    assert report.problems == [f"audit row seq {first['seq']} has no place in the log"]
    forged = dict(proofs, checkpoint=tlog.sign_checkpoint(
        tlog.Checkpoint(cp.origin, cp.size, b"\7" * 32), tlog.NoteSigner(cp.origin, b"f" * 32)))
    report = resigned(tmp_path / "forged.zip",
                      {f"files/{LOG_PROOFS}": json.dumps(forged).encode()})
    assert "not signed by the log" in report.problems[0]
