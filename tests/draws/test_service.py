"""DrawService: lifecycle, the sealed seed, every refusal changing nothing, re-draws."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from factories import actor_for, make_user

from trading.accounts.models import Role
from trading.audit.models import AuditEvent
from trading.draws import engine
from trading.draws.models import Draw, DrawStatus
from trading.draws.record import dump_record, verify_record
from trading.draws.services import DrawRefused, DrawService

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def service(dbsession, clock, registry):
    return DrawService(dbsession, clock, registry["keys"])


@pytest.fixture
def actor(dbsession, clock, settings):
    return actor_for(make_user(dbsession, clock, settings, role=Role.CENTER))


def candidates(n=6):
    return [{"id": f"C{i}", "label": f"候选{i}", "attributes": {"grade": "甲级"}}
            for i in range(1, n + 1)]


def frozen(service, actor, n=6, count=2):
    return service.freeze(purpose="测试抽取", subject_type="test", subject_id=1,
                          candidates=candidates(n), count=count, rule="等概率抽取",
                          actor=actor, witnesses=[{"name": "甲"}, {"name": "乙"}])


def test_full_lifecycle_gives_a_record_anyone_can_verify(service, actor, tmp_path):
    draw = frozen(service, actor)
    assert draw.status is DrawStatus.FROZEN and service.record_of(draw) is None
    service.commit(draw, actor=actor)
    before = service.record_of(draw)
    assert before["seed"] is None and before["result"] == []
    service.enter_beacon(draw, value="2026123:01 02 03", source="彩票开奖", actor=actor)
    service.reveal(draw, actor=actor)
    assert len(draw.result) == 2 and draw.sealed_seed is None
    assert draw.result == engine.draw(bytes.fromhex(draw.seed), draw.beacon, candidates(), 2)
    record = service.record_of(draw)
    assert verify_record(record).valid
    path = tmp_path / "record.json"
    path.write_text(dump_record(record), encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "trading.draws", "verify", str(path)],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0 and "valid" in out.stdout


def test_the_seed_is_not_in_the_database_before_reveal(service, actor, dbsession):
    draw = frozen(service, actor)
    service.commit(draw, actor=actor)
    seed = service._unseal(draw).hex()
    row = dbsession.execute(sa.select(Draw.__table__).where(Draw.id == draw.id)).one()
    assert seed not in json.dumps([str(v) for v in row], ensure_ascii=False)
    assert seed not in str(row.sealed_seed.hex())
    audit = dbsession.scalars(sa.select(AuditEvent.data).where(
        AuditEvent.subject_type == "draw")).all()
    assert seed not in json.dumps(audit)


def count_rows(dbsession):
    return dbsession.scalar(sa.select(sa.func.count()).select_from(Draw))


@pytest.mark.parametrize("cands,count,message", [
    ([], 1, "候选名单为空"),
    ([{"id": "A"}, {"id": "A"}], 1, "重复"),
    ([{"id": "A"}, {"id": "B"}], 3, "超过候选人数"),
])
def test_bad_candidate_lists_are_refused_and_change_nothing(service, actor, dbsession, cands,
                                                            count, message):
    before = count_rows(dbsession)
    with pytest.raises(DrawRefused, match=message):
        service.freeze(purpose="x", subject_type="t", subject_id=1, candidates=cands,
                       count=count, rule="r", actor=actor)
    assert count_rows(dbsession) == before


def test_reveal_before_commit_is_refused(service, actor):
    draw = frozen(service, actor)
    with pytest.raises(DrawRefused, match="尚未承诺"):
        service.reveal(draw, actor=actor)
    assert draw.status is DrawStatus.FROZEN and draw.result == []


def test_a_seed_that_does_not_match_the_commitment_is_refused(service, actor):
    draw = frozen(service, actor)
    service.commit(draw, actor=actor)
    draw.commitment = "0" * 64  # as if someone swapped the published commitment
    with pytest.raises(DrawRefused, match="承诺不符"):
        service.reveal(draw, actor=actor)
    assert draw.status is DrawStatus.COMMITTED and draw.seed is None


def test_beacon_after_reveal_is_refused(service, actor):
    draw = frozen(service, actor)
    service.commit(draw, actor=actor)
    service.reveal(draw, actor=actor)
    with pytest.raises(DrawRefused, match="已揭示"):
        service.enter_beacon(draw, value="late", source="x", actor=actor)
    assert draw.beacon is None


def test_redraw_continues_the_same_order_until_nobody_is_left(service, actor):
    draw = frozen(service, actor, n=3, count=2)
    service.commit(draw, actor=actor)
    service.reveal(draw, actor=actor)
    first = draw.result[0]
    picks = service.redraw_after_decline(draw, declined=[first], reason="放弃", count=1,
                                         actor=actor)
    assert picks == engine.continue_draw(bytes.fromhex(draw.seed), None, candidates(3),
                                         draw.result, 1)
    assert verify_record(service.record_of(draw)).valid
    with pytest.raises(DrawRefused, match="已无可递补"):
        service.redraw_after_decline(draw, declined=picks, reason="放弃", count=1, actor=actor)
    with pytest.raises(DrawRefused, match="不在已抽中名单"):
        service.redraw_after_decline(draw, declined=["nobody"], reason="x", count=1,
                                     actor=actor)
    assert len(draw.follow_ups) == 1


def test_break_tie_orders_every_tied_candidate(service, actor):
    draw = service.break_tie(candidates=candidates(3), purpose="并列第一抽签",
                             subject_type="test", subject_id=9, actor=actor)
    assert sorted(draw.result) == ["C1", "C2", "C3"] and verify_record(
        service.record_of(draw)).valid
