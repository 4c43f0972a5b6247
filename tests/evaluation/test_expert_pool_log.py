"""An expert draw (评标专家抽取) proves its frozen list against the transparency log without
saying who is in it (issue #17 pt 4): each expert of the specialty is an entry by its
pseudonym only (sha256 of the committee's salt and the expert's code), in or out with the
kind of reason; the freeze signs the checkpoint. Before the evaluation starts the proof names
no one; once the salt is published an expert finds its own entry."""

import hashlib
import json

from evaluation.helpers import CENTER, drawn_committee, make_expert, seat_everyone
from set_attacks import check_all_refused, late_entry, with_first_proof

from bid_crypto import logset as outsider
from trading.audit import logset, merkle
from trading.draws.models import Draw
from trading.draws.services import draw_log_problems
from trading.evaluation.committee import (
    EvaluationCommitteeService,
    ExpertPoolService,
    pool_key,
    pseudonym,
)
from trading.evaluation.models import ExpertStatus


def _drawn(w):
    owner = w.project.owner
    employee = make_expert(w, employers=[{"name": owner.name, "credit_code": owner.credit_code,
                                          "from": "2020-01-01", "to": None}])
    banned = make_expert(w)
    ExpertPoolService(w.dbsession, w.clock).set_status(banned, ExpertStatus.BLACKLISTED,
                                                       reason="违规", actor=CENTER)
    other = make_expert(w, specialty="给排水")  # another specialty: not in this set
    committee, experts = drawn_committee(w)
    item = committee.draws[0]
    draw = w.dbsession.get(Draw, item.draw_id)
    service = EvaluationCommitteeService(w.dbsession, w.clock, w.registry["keys"])
    log_key = merkle.log_verifier(w.registry["keys"], w.settings)
    return dict(committee=committee, experts=experts, employee=employee, banned=banned,
                other=other, item=item, draw=draw, doc=service.draws.pool_doc(draw),
                log_key=log_key)


def test_the_frozen_expert_list_is_the_logged_set_by_pseudonym(evaluated):
    d = _drawn(evaluated)
    committee, draw, doc = d["committee"], d["draw"], d["doc"]
    salt = committee.pseudonym_salt
    assert {m["id"] for m in draw.log_entries["members"]} == set(d["item"].roster)
    out = {x["id"] for x in draw.log_entries["excluded"]}
    assert out == {pseudonym(salt, d["employee"]), pseudonym(salt, d["banned"])}
    entries = logset.entries(evaluated.dbsession, pool_key(committee, "工程造价"),
                             draw.log_size)
    kinds = {e.member: e.event.data.get("reasons") for e in entries if e.kind == "out"}
    assert kinds == {pseudonym(salt, d["employee"]): ["conflict"],
                     pseudonym(salt, d["banned"]): ["status"]}
    assert outsider.check(doc, d["log_key"]).members == sorted(d["item"].roster)
    assert draw_log_problems(evaluated.dbsession) == []
    # nothing in the published proof says who: no name, code, employer or salt
    public = json.dumps(doc, ensure_ascii=False)
    everyone = [*d["experts"], d["employee"], d["banned"], d["other"]]
    for expert in everyone:
        assert expert.name not in public and expert.code not in public
    assert evaluated.project.owner.name not in public and salt not in public
    assert pseudonym(salt, d["other"]) not in public


def test_once_the_salt_is_published_an_expert_finds_its_own_entry(evaluated):
    d = _drawn(evaluated)
    committee = d["committee"]
    seat_everyone(evaluated, committee)
    service = EvaluationCommitteeService(evaluated.dbsession, evaluated.clock,
                                         evaluated.registry["keys"])
    service.start(evaluated.project, actor=CENTER)
    assert committee.members_public_at is not None
    salt = committee.pseudonym_salt  # published with committee.started
    entries = {json.loads(e["entry"])["data"]["member"]: json.loads(e["entry"])["data"]
               for e in d["doc"]["log"]["entries"]}
    for expert in d["experts"]:
        mine = hashlib.sha256(f"{salt}:{expert.code}".encode()).hexdigest()[:16]
        assert entries[mine]["kind"] == "in"
    mine = hashlib.sha256(f"{salt}:{d['employee'].code}".encode()).hexdigest()[:16]
    assert entries[mine]["kind"] == "out" and entries[mine]["reasons"] == ["conflict"]


def test_every_attack_on_the_expert_pool_is_refused_with_its_reason(evaluated, tmp_path,
                                                                    capsys):
    d = _drawn(evaluated)
    late = late_entry(evaluated.dbsession, evaluated.registry["keys"], evaluated.settings,
                      pool_key(d["committee"], "工程造价"), "f" * 16, evaluated.clock)
    assert late["index"] >= d["draw"].log_size
    check_all_refused(d["doc"], with_first_proof(evaluated.dbsession, d["doc"], late),
                      d["log_key"], tmp_path, capsys)
