"""An expert draw (评标专家抽取) proves its frozen list against the transparency log without
saying who is in it (issue #17 pt 4). The expert library's changes (an expert added,
suspended, blacklisted, reinstated, a specialty added or removed) are logged per specialty
when they happen, by each expert's random library alias (专家库代号); the draw logs one
entry per library member of the specialty by pseudonym (sha256(salt:alias)): in, or out
with the kind of its reasons (回避); the freeze signs one checkpoint below which the draw's
set accounts for the library exactly. Before the evaluation starts the proof names no one
and the library is checked by count; once the salt is published, member by member."""

import copy
import hashlib
import json

import pytest
from evaluation.helpers import CENTER, drawn_committee, make_expert, seat_everyone
from set_attacks import check_all_refused, late_entry, with_first_proof

from bid_crypto import logset as outsider
from trading.audit import logset, merkle
from trading.draws import services as draw_services
from trading.draws.models import Draw
from trading.draws.services import draw_log_problems
from trading.evaluation.committee import (
    EvaluationCommitteeService,
    ExpertInput,
    ExpertPoolService,
    library_key,
    pool_key,
    pseudonym,
)
from trading.evaluation.models import ExpertStatus

SPECIALTY = "工程造价"


def _drawn(w):
    owner = w.project.owner
    employee = make_expert(w, employers=[{"name": owner.name, "credit_code": owner.credit_code,
                                          "from": "2020-01-01", "to": None}])
    banned = make_expert(w)
    ExpertPoolService(w.dbsession, w.clock).set_status(banned, ExpertStatus.BLACKLISTED,
                                                       reason="违规", actor=CENTER)
    other = make_expert(w, specialty="给排水")  # another specialty: not in this library set
    committee, experts = drawn_committee(w)
    item = committee.draws[0]
    draw = w.dbsession.get(Draw, item.draw_id)
    log_key = merkle.log_verifier(w.registry["keys"], w.settings)
    return dict(committee=committee, experts=experts, employee=employee, banned=banned,
                other=other, item=item, draw=draw, doc=_service(w).draws.pool_doc(draw),
                log_key=log_key)


def _service(w):
    return EvaluationCommitteeService(w.dbsession, w.clock, w.registry["keys"])


def _start(w, committee):
    seat_everyone(w, committee)
    _service(w).start(w.project, actor=CENTER)
    assert committee.members_public_at is not None


def test_the_frozen_expert_list_is_the_library_less_its_exclusions(evaluated):
    d = _drawn(evaluated)
    committee, draw, doc = d["committee"], d["draw"], d["doc"]
    salt = committee.pseudonym_salt
    assert {m["id"] for m in draw.log_entries["members"]} == set(d["item"].roster)
    # the draw's own set: the employee out for its conflict (回避); the blacklisted expert
    # is out of the library itself, by the library's entry
    assert {x["id"] for x in draw.log_entries["excluded"]} == {pseudonym(salt, d["employee"])}
    entries = logset.entries(evaluated.dbsession, pool_key(committee, SPECIALTY), draw.log_size)
    assert {e.member: e.event.data.get("reasons") for e in entries if e.kind == "out"} == {
        pseudonym(salt, d["employee"]): ["conflict"]}
    library = logset.entries(evaluated.dbsession, library_key(SPECIALTY), draw.log_size)
    banned = d["banned"].log_alias
    assert [(e.kind, e.event.data["cause"]) for e in library if e.member == banned] == [
        ("in", "added"), ("out", "blacklisted")]
    assert d["other"].log_alias not in {e.member for e in library}
    assert all(e.event.actor_user_id is None and e.event.ip == "" for e in library)
    in_library = {e.log_alias for e in [*d["experts"], d["employee"]]}
    assert {m["id"] for m in draw.log_entries["cover"]["members"]} == in_library
    report = outsider.check(doc, d["log_key"])
    assert report.members == sorted(d["item"].roster)
    assert any("counted" in line for line in report.lines)
    assert "cover_salt" not in doc
    assert draw_log_problems(evaluated.dbsession) == []
    # nothing in the published proof says who: no name, code, employer or salt
    public = json.dumps(doc, ensure_ascii=False)
    for expert in [*d["experts"], d["employee"], d["banned"], d["other"]]:
        assert expert.name not in public and expert.code not in public
    assert evaluated.project.owner.name not in public and salt not in public


def test_once_the_salt_is_published_the_library_is_checked_member_by_member(evaluated):
    d = _drawn(evaluated)
    committee = d["committee"]
    _start(evaluated, committee)
    doc = _service(evaluated).draws.pool_doc(d["draw"])
    salt = doc["cover_salt"]
    assert salt == committee.pseudonym_salt
    report = outsider.check(doc, d["log_key"])
    assert any("found by its pseudonym under the published salt" in line
               for line in report.lines)
    entries = {json.loads(e["entry"])["data"]["member"]: json.loads(e["entry"])["data"]
               for e in doc["log"]["entries"]}
    for expert in d["experts"]:  # each expert finds its own entry from its alias
        mine = hashlib.sha256(f"{salt}:{expert.log_alias}".encode()).hexdigest()[:16]
        assert entries[mine]["kind"] == "in"
    mine = hashlib.sha256(f"{salt}:{d['employee'].log_alias}".encode()).hexdigest()[:16]
    assert entries[mine]["kind"] == "out" and entries[mine]["reasons"] == ["conflict"]
    assert draw_log_problems(evaluated.dbsession) == []
    bad = copy.deepcopy(doc)  # a salt that is not the draw's maps nobody
    bad["cover_salt"] = "0" * 64
    with pytest.raises(outsider.SetRefused, match="left out without an entry or a reason"):
        outsider.check(bad, d["log_key"])


def test_library_changes_are_logged_when_they_happen(evaluated):
    w = evaluated
    pool = ExpertPoolService(w.dbsession, w.clock)
    expert = make_expert(w)
    pool.set_status(expert, ExpertStatus.SUSPENDED, reason="请假", actor=CENTER)
    pool.set_status(expert, ExpertStatus.ACTIVE, reason="", actor=CENTER)
    data = ExpertInput(code=expert.code, name=expert.name, region=expert.region,
                       specialties=("给排水",))
    pool.update(expert, data, actor=CENTER)
    current = {s: logset.current_members(w.dbsession, library_key(s))
               for s in (SPECIALTY, "给排水")}
    assert expert.log_alias not in current[SPECIALTY]
    assert expert.log_alias in current["给排水"]
    causes = [(e.data["kind"], e.data["cause"]) for e in sorted(
        (e for e in w.dbsession.scalars(logset.sa.select(logset.AuditEvent).where(
            logset.AuditEvent.subject_id == library_key(SPECIALTY)))
         if e.data["member"] == expert.log_alias), key=lambda e: e.data["n"])]
    assert causes == [("in", "added"), ("out", "suspended"), ("in", "active"),
                      ("out", "specialties_changed")]


def test_every_attack_on_the_expert_pool_is_refused_with_its_reason(evaluated, tmp_path,
                                                                    capsys):
    d = _drawn(evaluated)
    late = late_entry(evaluated.dbsession, evaluated.registry["keys"], evaluated.settings,
                      pool_key(d["committee"], SPECIALTY), "f" * 16, evaluated.clock)
    assert late["index"] >= d["draw"].log_size
    check_all_refused(d["doc"], with_first_proof(evaluated.dbsession, d["doc"], late),
                      d["log_key"], tmp_path, capsys)


def _skip_own_check(monkeypatch):
    """The platform freezing without checking its list against the library."""
    monkeypatch.setattr(draw_services, "cover_problems", lambda *args: [])


def test_a_library_expert_left_out_of_the_draw_without_an_entry_is_refused(
        evaluated, monkeypatch):
    w = evaluated
    make_expert(w)  # the library begins
    hidden = "d" * 16  # an expert in the library that the draw quietly skips
    logset.append(w.dbsession, library_key(SPECIALTY), hidden, logset.IN, now=w.clock(),
                  cause="added")
    _skip_own_check(monkeypatch)
    committee, _ = drawn_committee(w)
    draw = w.dbsession.get(Draw, committee.draws[0].draw_id)
    log_key = merkle.log_verifier(w.registry["keys"], w.settings)
    doc = _service(w).draws.pool_doc(draw)
    with pytest.raises(outsider.SetRefused, match="left out without an entry"):
        outsider.check(doc, log_key)  # by count, before the salt is published
    monkeypatch.undo()
    assert any("专家库" in p for p in draw_log_problems(w.dbsession))
    _start(w, committee)
    doc = _service(w).draws.pool_doc(draw)
    with pytest.raises(outsider.SetRefused, match=f"library member {hidden} .* left out"):
        outsider.check(doc, log_key)


def test_an_expert_from_outside_the_library_put_in_the_draw_is_refused(evaluated,
                                                                      monkeypatch):
    w = evaluated
    banned = make_expert(w)
    ExpertPoolService(w.dbsession, w.clock).set_status(banned, ExpertStatus.BLACKLISTED,
                                                       reason="违规", actor=CENTER)
    real = EvaluationCommitteeService._eligible

    def with_crony(self, project, committee, *args):
        roster, excluded = real(self, project, committee, *args)
        return {**roster, pseudonym(committee.pseudonym_salt, banned): banned.id}, excluded

    monkeypatch.setattr(EvaluationCommitteeService, "_eligible", with_crony)
    _skip_own_check(monkeypatch)
    committee, _ = drawn_committee(w)
    draw = w.dbsession.get(Draw, committee.draws[0].draw_id)
    log_key = merkle.log_verifier(w.registry["keys"], w.settings)
    with pytest.raises(outsider.SetRefused, match="from outside the library was added"):
        outsider.check(_service(w).draws.pool_doc(draw), log_key)
    _start(w, committee)
    crony = pseudonym(committee.pseudonym_salt, banned)
    with pytest.raises(outsider.SetRefused, match=f"{crony} .* added from outside"):
        outsider.check(_service(w).draws.pool_doc(draw), log_key)


def test_the_platform_refuses_to_freeze_a_list_that_does_not_cover_the_library(evaluated):
    w = evaluated
    make_expert(w)
    logset.append(w.dbsession, library_key(SPECIALTY), "e" * 16, logset.IN, now=w.clock(),
                  cause="added")
    with pytest.raises(draw_services.NotLogged, match="专家库"):
        drawn_committee(w)


def test_a_doctored_library_in_pool_json_is_refused(evaluated):
    d = _drawn(evaluated)
    doc, log_key = d["doc"], d["log_key"]
    bad = copy.deepcopy(doc)  # a library entry hidden from the file: the chain breaks
    bad["cover"]["entries"] = bad["cover"]["entries"][1:]
    with pytest.raises(outsider.SetRefused, match="missing from the record|left out"):
        outsider.check(bad, log_key)
    bad = copy.deepcopy(doc)  # a library member dropped from the record's own list
    gone = bad["cover"]["members"].pop()
    with pytest.raises(outsider.SetRefused, match=f"{gone['id']} was left out"):
        outsider.check(bad, log_key)
    bad = copy.deepcopy(doc)  # the library proven at another checkpoint
    bad["cover"]["checkpoint"] = {"checkpoint": "x"}
    with pytest.raises(outsider.SetRefused, match="another checkpoint"):
        outsider.check(bad, log_key)
