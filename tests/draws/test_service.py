"""DrawService: lifecycle, the sealed seed, every refusal changing nothing, re-draws, ties."""

import base64
import json
from dataclasses import replace

import pytest
import sqlalchemy as sa
from factories import actor_for, make_user

from trading.accounts.models import Role
from trading.audit.models import AuditEvent
from trading.draws import engine
from trading.draws.models import Draw, DrawStatus
from trading.draws.record import verify_record
from trading.draws.services import (
    AlreadyCommitted,
    AlreadyRevealed,
    BeaconAlreadyEntered,
    DrawService,
    DuplicateCandidates,
    EmptyCandidateList,
    InvalidDecline,
    InvalidDrawInput,
    NobodyLeft,
    NotCommitted,
    NotRevealed,
    SeedMismatch,
    SeedUnreadable,
    TooManyRequested,
)


@pytest.fixture
def service(dbsession, clock, registry):
    return DrawService(dbsession, clock, registry["keys"])


@pytest.fixture
def actor(dbsession, clock, settings):
    return actor_for(make_user(dbsession, clock, settings, role=Role.CENTER))


def candidates(n=6):
    return [{"id": f"C{i}", "label": f"候选{i}", "attributes": {"grade": "甲级", "score": 80 + i}}
            for i in range(1, n + 1)]


def frozen(service, actor, n=6, count=2, **kw):
    return service.freeze(purpose="测试抽取", subject_type="test", subject_id=1,
                          candidates=candidates(n), count=count, rule="等概率抽取",
                          actor=actor, witnesses=[{"name": "甲", "role": "监督"}], **kw)


def revealed(service, actor, **kw):
    draw = frozen(service, actor, **kw)
    service.commit(draw, actor=actor)
    return service.reveal(draw, actor=actor)


def seed_of(draw) -> bytes:
    return bytes.fromhex(draw.seed)


def audit_actions(dbsession, draw) -> list:
    query = sa.select(AuditEvent.action).where(AuditEvent.subject_type == "draw",
                                               AuditEvent.subject_id == str(draw.id))
    return list(dbsession.scalars(query.order_by(AuditEvent.seq)))


def counts(dbsession) -> tuple:
    return (dbsession.scalar(sa.select(sa.func.count()).select_from(Draw)),
            dbsession.scalar(sa.select(sa.func.count()).select_from(AuditEvent)))


def state(draw) -> tuple:
    """Everything a refused step must leave as it was."""
    return (draw.status, draw.commitment, draw.sealed_seed, draw.seed, draw.beacon,
            draw.beacon_source, draw.beacon_at, list(draw.result), json.dumps(draw.follow_ups),
            draw.revealed_at)


def test_full_lifecycle_gives_a_record_anyone_can_verify(service, actor, dbsession, clock):
    draw = frozen(service, actor)
    assert draw.status is DrawStatus.FROZEN and service.record_of(draw) is None
    service.commit(draw, actor=actor)
    pending = service.record_of(draw)
    assert pending["seed"] is None and pending["result"] == [] and pending["follow_ups"] == []
    assert pending["commitment"] == draw.commitment and verify_record(pending).valid
    clock.advance(hours=1)
    service.enter_beacon(draw, value="2026123:01 02 03", source="彩票开奖", actor=actor)
    clock.advance(hours=1)
    service.reveal(draw, actor=actor)
    assert draw.status is DrawStatus.REVEALED and draw.sealed_seed is None
    assert draw.result == engine.draw(seed_of(draw), "2026123:01 02 03", candidates(), 2)
    record = service.record_of(draw)
    outcome = verify_record(record)
    assert outcome.valid and outcome.revealed
    assert record["witnesses"] == [{"name": "甲", "role": "监督"}]
    assert record["timestamps"] == {"frozen_at": "2026-03-02T01:00:00Z",
                                    "committed_at": "2026-03-02T01:00:00Z",
                                    "beacon_at": "2026-03-02T02:00:00Z",
                                    "drawn_at": "2026-03-02T03:00:00Z"}
    assert audit_actions(dbsession, draw) == ["draw.frozen", "draw.committed",
                                              "draw.beacon_entered", "draw.revealed"]


def test_the_frozen_list_is_a_copy_of_what_the_caller_passed(service, actor):
    mine = candidates(3)
    draw = service.freeze(purpose="复制", subject_type="test", subject_id=1, candidates=mine,
                          count=1, rule="r", actor=actor)
    mine[0]["attributes"]["grade"] = "乙级"
    assert draw.candidates[0]["attributes"]["grade"] == "甲级"
    assert draw.candidate_list_hash == engine.candidate_list_hash(candidates(3))


def _row_text(dbsession, draw) -> str:
    """Every column of the stored row as the database returns it, binary as hex."""
    row = dbsession.execute(sa.select(Draw.__table__).where(Draw.id == draw.id)).one()
    return " ".join(value.hex() if isinstance(value, bytes) else str(value) for value in row)


def test_the_seed_is_not_in_the_database_before_reveal(service, actor, dbsession):
    draw = frozen(service, actor)
    service.commit(draw, actor=actor)
    dbsession.flush()
    seed = service._unseal(draw)
    stored = _row_text(dbsession, draw)
    assert seed.hex() not in stored and seed.hex().upper() not in stored
    assert base64.b64encode(seed).decode() not in stored
    assert seed not in bytes(draw.sealed_seed)  # sealed, not merely wrapped
    audit = json.dumps(list(dbsession.scalars(sa.select(AuditEvent.data))))
    assert seed.hex() not in audit
    service.reveal(draw, actor=actor)
    dbsession.flush()
    assert seed.hex() in _row_text(dbsession, draw)  # public once revealed


def test_a_sealed_seed_opens_only_for_its_own_draw_and_key(service, actor, registry,
                                                           dbsession, clock):
    first, second = frozen(service, actor), frozen(service, actor)
    service.commit(first, actor=actor)
    service.commit(second, actor=actor)
    second.sealed_seed = first.sealed_seed  # moved onto another draw: the id is bound in
    before = state(second), counts(dbsession)
    with pytest.raises(SeedUnreadable):
        service.reveal(second, actor=actor)
    assert (state(second), counts(dbsession)) == before
    other_kek = replace(registry["keys"], kek=bytes(32))
    with pytest.raises(SeedUnreadable):
        DrawService(dbsession, clock, other_kek).reveal(first, actor=actor)
    assert first.status is DrawStatus.COMMITTED and first.seed is None


BAD_FREEZES = [
    ({"candidates": []}, EmptyCandidateList, "empty_candidates", "候选名单为空"),
    ({"candidates": [{"id": "A"}, {"id": "A"}]}, DuplicateCandidates, "duplicate_candidate",
     "重复"),
    ({"candidates": [{"id": "A"}, {"id": "B"}], "count": 3}, TooManyRequested,
     "too_many_requested", "超过"),
    ({"count": 0}, InvalidDrawInput, "invalid_draw_input", "抽取数量"),
    ({"candidates": [{"id": 7}]}, InvalidDrawInput, "invalid_draw_input", "candidates"),
    ({"candidates": [{"id": "A", "attributes": {"score": 9.5}}]}, InvalidDrawInput,
     "invalid_draw_input", "candidates[0].attributes.score"),
    ({"weights": [1, -1, 1, 1, 1, 1]}, InvalidDrawInput, "invalid_draw_input", "权重"),
    ({"weights": [0] * 6}, InvalidDrawInput, "invalid_draw_input", "权重"),
    ({"weights": [1, 2]}, InvalidDrawInput, "invalid_draw_input", "一一对应"),
    ({"purpose": " "}, InvalidDrawInput, "invalid_draw_input", "抽取用途"),
    ({"purpose": "长" * 201}, InvalidDrawInput, "invalid_draw_input", "200"),
    ({"rule": ""}, InvalidDrawInput, "invalid_draw_input", "抽取规则"),
    ({"subject_id": "x" * 65}, InvalidDrawInput, "invalid_draw_input", "64"),
    ({"witnesses": [{"role": "监督"}]}, InvalidDrawInput, "invalid_draw_input", "见证人"),
]


@pytest.mark.parametrize(("change", "error", "code", "message"), BAD_FREEZES)
def test_bad_freezes_are_refused_and_change_nothing(service, actor, dbsession, change, error,
                                                    code, message):
    args = {"purpose": "抽取", "subject_type": "test", "subject_id": "1",
            "candidates": candidates(), "count": 2, "rule": "规则", "witnesses": (),
            **change}
    before = counts(dbsession)
    with pytest.raises(error, match=message.replace("[", r"\[").replace("]", r"\]")) as info:
        service.freeze(actor=actor, **args)
    assert info.value.code == code and info.value.status == 400
    assert counts(dbsession) == before


def test_weights_are_frozen_with_the_list_and_respected(service, actor):
    draw = frozen(service, actor, count=3, weights=[5, 0, 3, 0, 2, 1])
    assert [c["weight"] for c in draw.candidates] == [5, 0, 3, 0, 2, 1]
    service.commit(draw, actor=actor)
    service.reveal(draw, actor=actor)
    assert draw.result == engine.draw(seed_of(draw), None, draw.candidates, 3)
    assert not {"C2", "C4"} & set(draw.result)  # zero weight is never drawn
    with pytest.raises(NobodyLeft):  # only four candidates have a positive weight
        service.redraw_after_decline(draw, declined_ids=draw.result[:1], reason="放弃",
                                     count=2, actor=actor)
    assert verify_record(service.record_of(draw)).valid


def test_reveal_before_commit_is_refused_and_changes_nothing(service, actor, dbsession):
    draw = frozen(service, actor)
    before = state(draw), counts(dbsession)
    with pytest.raises(NotCommitted, match="尚未承诺") as info:
        service.reveal(draw, actor=actor)
    assert info.value.code == "not_committed"
    assert (state(draw), counts(dbsession)) == before


def test_commit_and_reveal_happen_once(service, actor, dbsession):
    draw = frozen(service, actor)
    service.commit(draw, actor=actor)
    before = state(draw), counts(dbsession)
    with pytest.raises(AlreadyCommitted):
        service.commit(draw, actor=actor)
    assert (state(draw), counts(dbsession)) == before
    service.reveal(draw, actor=actor)
    before = state(draw), counts(dbsession)
    with pytest.raises(AlreadyRevealed):
        service.reveal(draw, actor=actor)
    assert (state(draw), counts(dbsession)) == before


def test_a_seed_that_does_not_match_the_commitment_is_refused(service, actor, dbsession):
    draw = frozen(service, actor)
    service.commit(draw, actor=actor)
    draw.commitment = "0" * 64  # as if the published commitment had been swapped
    before = state(draw), counts(dbsession)
    with pytest.raises(SeedMismatch, match="承诺不符") as info:
        service.reveal(draw, actor=actor)
    assert info.value.code == "seed_mismatch"
    assert (state(draw), counts(dbsession)) == before


@pytest.mark.parametrize(("stage", "value", "error", "message"), [
    ("frozen", "v", NotCommitted, "请先承诺"),
    ("revealed", "v", AlreadyRevealed, "已揭示"),
    ("beacon", "again", BeaconAlreadyEntered, "不能更改"),
    ("committed", "", InvalidDrawInput, "公共随机数"),
    ("committed", "9" * 501, InvalidDrawInput, "500"),
])
def test_a_beacon_only_while_committed_and_only_once(service, actor, dbsession, stage, value,
                                                     error, message):
    draw = frozen(service, actor)
    if stage != "frozen":
        service.commit(draw, actor=actor)
    if stage == "beacon":
        service.enter_beacon(draw, value="first", source="开奖", actor=actor)
    if stage == "revealed":
        service.reveal(draw, actor=actor)
    before = state(draw), counts(dbsession)
    with pytest.raises(error, match=message):
        service.enter_beacon(draw, value=value, source="开奖", actor=actor)
    assert (state(draw), counts(dbsession)) == before


def test_redraws_continue_the_same_order_as_the_engine(service, actor, dbsession):
    draw = revealed(service, actor, n=6, count=2)
    seed, drawn = seed_of(draw), list(draw.result)
    first = service.redraw_after_decline(draw, declined_ids=[draw.result[0]], reason="放弃",
                                         count=1, actor=actor)
    assert first == engine.continue_draw(seed, None, candidates(), drawn, 1)
    drawn += first
    second = service.redraw_after_decline(draw, declined_ids=[draw.result[1], first[0]],
                                          reason="回避", count=2, actor=actor)
    assert second == engine.continue_draw(seed, None, candidates(), drawn, 2)
    assert draw.drawn == drawn + second and len(set(draw.drawn)) == 5
    covered = service.redraw_after_decline(draw, declined_ids=[second[0]],
                                           reason="由备选递补", count=0, actor=actor)
    assert covered == [] and draw.follow_ups[-1]["declined"] == [second[0]]
    assert verify_record(service.record_of(draw)).valid
    assert audit_actions(dbsession, draw).count("draw.redrawn") == 3


@pytest.mark.parametrize(("declined", "reason", "count", "error", "message"), [
    (["C9"], "放弃", 1, InvalidDecline, "已抽中"),  # never drawn
    ([], "放弃", 1, InvalidDecline, "放弃的候选人"),
    ("C1", "放弃", 1, InvalidDecline, "放弃的候选人"),  # a string, not a list of ids
    (None, " ", 1, InvalidDrawInput, "原因"),
    (None, "放弃", -1, InvalidDrawInput, "递补记录"),
    (None, "放弃", 2, NobodyLeft, "已无可递补"),
])
def test_bad_redraws_are_refused_and_change_nothing(service, actor, dbsession, declined,
                                                    reason, count, error, message):
    draw = revealed(service, actor, n=4, count=2)
    service.redraw_after_decline(draw, declined_ids=[draw.result[0]], reason="放弃",
                                 count=1, actor=actor)
    declined = [draw.result[1]] if declined is None else declined
    before = state(draw), counts(dbsession)
    with pytest.raises(error, match=message):
        service.redraw_after_decline(draw, declined_ids=declined, reason=reason, count=count,
                                     actor=actor)
    assert (state(draw), counts(dbsession)) == before


def test_nobody_declines_twice_and_nobody_left_is_clear(service, actor, dbsession):
    draw = revealed(service, actor, n=3, count=2)
    picks = service.redraw_after_decline(draw, declined_ids=[draw.result[0]], reason="放弃",
                                         count=1, actor=actor)
    before = state(draw), counts(dbsession)
    with pytest.raises(InvalidDecline, match="未放弃过"):
        service.redraw_after_decline(draw, declined_ids=[draw.result[0]], reason="再放弃",
                                     count=0, actor=actor)
    with pytest.raises(NobodyLeft, match="已无可递补") as info:
        service.redraw_after_decline(draw, declined_ids=picks, reason="放弃", count=1,
                                     actor=actor)
    assert info.value.code == "nobody_left"
    assert (state(draw), counts(dbsession)) == before


def test_redraw_before_reveal_is_refused(service, actor, dbsession):
    draw = frozen(service, actor)
    service.commit(draw, actor=actor)
    before = state(draw), counts(dbsession)
    with pytest.raises(NotRevealed):
        service.redraw_after_decline(draw, declined_ids=["C1"], reason="放弃", count=1,
                                     actor=actor)
    assert (state(draw), counts(dbsession)) == before


def test_break_tie_orders_every_tied_candidate_and_stays_on_record(service, actor):
    tied = [{"id": "B2", "label": "乙公司"}, {"id": "B5", "label": "戊公司"},
            {"id": "B7", "label": "庚公司"}]
    order = service.break_tie(candidates=tied, purpose="并列第一抽签", subject_type="project",
                              subject_id=42, actor=actor)
    (draw,) = service.draws_for("project", 42)
    assert order == draw.result == engine.tie_break(seed_of(draw), None, tied)
    assert sorted(order) == ["B2", "B5", "B7"] and draw.status is DrawStatus.REVEALED
    assert verify_record(service.record_of(draw)).valid


@pytest.mark.parametrize("tied", [[{"id": "A"}], [{"id": "A", "weight": 1},
                                                  {"id": "B", "weight": 2}], []])
def test_break_tie_refuses_a_non_tie_and_changes_nothing(service, actor, dbsession, tied):
    before = counts(dbsession)
    with pytest.raises(InvalidDrawInput, match="并列抽签"):
        service.break_tie(candidates=tied, purpose="并列", subject_type="project",
                          subject_id=1, actor=actor)
    assert counts(dbsession) == before
