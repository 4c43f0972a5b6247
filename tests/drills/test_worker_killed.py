"""The worker killed (SIGKILL) in the middle of an opening, an archive job and a draw, then
restarted: each completes exactly once, nothing duplicated, nothing half-done left behind."""

import ast
import json
import subprocess
import sys
from datetime import datetime

import pytest
import sqlalchemy as sa
from drills.conftest import ROOT, count

from trading.archive.models import ArchivePackage
from trading.audit.models import AuditEvent
from trading.bidding.models import LineStatus, Opening, OpeningLine, OpeningState
from trading.draws.models import Draw, DrawStatus
from trading.draws.services import DrawService
from trading.projects.models import Project
from trading.projects.status import ProjectStatus

pytestmark = pytest.mark.drill  # make drills


def events(drill, action, subject_id) -> int:
    return drill.scalar(count(AuditEvent.seq, AuditEvent.action == action,
                              AuditEvent.subject_id == str(subject_id)))


def opening_done(drill, project_id):
    return drill.scalar(sa.select(Opening.state).where(Opening.project_id == project_id)) \
        is OpeningState.DONE


def audit_chain_valid(drill) -> str:
    done = subprocess.run([sys.executable, "-m", "trading.cli", "audit", "verify",
                           str(drill.ini)], env=drill.env, capture_output=True, text=True,
                          cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_worker_killed_during_an_opening_finishes_it_exactly_once(drill):
    world = drill.setup("opening")
    project_id = world["project_id"]
    killed = drill.worker("killed", pause="trading.bidding.opening:OpeningService.open_line:1")
    drill.wait_paused(killed)  # the first bid is decrypted, two to go, nothing committed
    drill.kill(killed)
    with drill.session() as db:
        project = db.get(Project, project_id)
        assert project.status is ProjectStatus.BIDDING  # the killed transaction left nothing
        assert db.scalar(count(Opening.id, Opening.project_id == project_id)) == 0
    restarted = drill.worker("restarted")
    drill.until(lambda: opening_done(drill, project_id), proc=restarted, what="the opening")
    drill.stop(restarted)

    with drill.session() as db:
        project = db.get(Project, project_id)
        assert project.status is ProjectStatus.EVALUATION
        opening = db.scalar(sa.select(Opening).where(Opening.project_id == project_id))
        lines = db.scalars(sa.select(OpeningLine).where(OpeningLine.opening_id == opening.id))
        lines = list(lines)
        assert sorted(x.envelope_sha256 for x in lines) == sorted(world["receipts"])
        assert all(x.status is LineStatus.DECRYPTED for x in lines)
        changes = [e.data["to"] for e in db.scalars(sa.select(AuditEvent).where(
            AuditEvent.action == "project.status_changed",
            AuditEvent.subject_id == str(project_id)))]
    assert changes.count("opening") == 1 and changes.count("evaluation") == 1
    assert events(drill, "opening.started", project_id) == 1
    assert events(drill, "opening.completed", project_id) == 1
    audit_chain_valid(drill)


def test_worker_killed_during_an_archive_job_writes_one_package(drill):
    project_id = drill.setup("archive")["project_id"]
    killed = drill.worker("killed", pause="trading.storage:FileStorage.put:1")
    stored = drill.wait_paused(killed)  # the ZIP is in storage, its row not committed
    drill.kill(killed)
    assert drill.scalar(count(ArchivePackage.id)) == 0
    restarted = drill.worker("restarted")
    drill.until(lambda: drill.scalar(count(ArchivePackage.id)), proc=restarted,
                what="the archive package")
    drill.stop(restarted)

    with drill.session() as db:
        packages = list(db.scalars(sa.select(ArchivePackage)))
    assert [p.project_id for p in packages] == [project_id]
    package = packages[0]
    # The rebuild produced the very bytes the killed job had stored: one file, no orphan.
    assert f"sha256='{package.sha256}'" in stored
    files = drill.workdir / "files"
    assert not list((files / "incoming").iterdir())
    zips = [p for p in files.rglob("*") if p.is_file() and p.read_bytes()[:2] == b"PK"]
    assert [p.name for p in zips] == [package.sha256]
    public_key = subprocess.run(
        [sys.executable, "-c", "import base64,sys; from trading.keys import PlatformKeys; "
         f"print(PlatformKeys(base64.b64decode('{drill.env['TRADING_SIGNING_KEY']}'), b'')"
         ".public_key_bytes.hex())"], capture_output=True, text=True, check=True).stdout.strip()
    verified = subprocess.run([sys.executable, "-m", "trading.cli", "archive", "verify",
                               str(zips[0]), "--platform-key", public_key],
                              capture_output=True, text=True, cwd=ROOT)
    assert verified.returncode == 0 and "archive package valid" in verified.stdout


def test_killed_during_a_draw_reveal_reveals_once_with_the_committed_seed(drill):
    world = drill.setup("draw")
    draw_id = str(world["draw_id"])
    ini = str(drill.ini)
    killed = drill.start("killed", "reveal", ini, draw_id, "--pause", "trading.draws.engine:draw:1")
    computed = ast.literal_eval(drill.wait_paused(killed))  # the result, not yet committed
    drill.kill(killed)
    with drill.session() as db:
        draw = db.get(Draw, int(draw_id))
        assert draw.status is DrawStatus.COMMITTED and draw.seed is None
    assert events(drill, "draw.revealed", draw_id) == 0

    result = json.loads(drill.run("reveal", ini, draw_id).stdout)
    assert result == computed  # the same seed, so the same result: nothing to grind
    again = drill.run("reveal", ini, draw_id, check=False)
    assert again.returncode != 0 and "AlreadyRevealed" in again.stderr
    with drill.session() as db:
        draw = db.get(Draw, int(draw_id))
        assert draw.status is DrawStatus.REVEALED and draw.commitment == world["commitment"]
        record = DrawService(db, datetime.now, None).record_of(draw)
    assert events(drill, "draw.revealed", draw_id) == 1
    verified = subprocess.run([sys.executable, "-m", "trading.draws", "verify", "-"],
                              input=json.dumps(record), capture_output=True, text=True,
                              cwd=ROOT)
    assert verified.returncode == 0 and "valid" in verified.stdout
