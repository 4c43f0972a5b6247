"""A small work's lottery (小额工程随机抽取) proves its frozen candidate list against the
transparency log (issue #17 pt 4): the registry's approvals, suspensions and exits are
logged per category when they happen, each firm the work's pool excludes is logged with its
reasons, and the freeze signs one checkpoint below which the list is exactly the category's
registry set less the work's exclusions."""

import copy
import hashlib
import json
from datetime import timedelta

import pytest
from factories import actor_for, make_enterprise, make_user, smallwork_input, smallworks_service
from set_attacks import check_all_refused, late_entry, with_first_proof

from bid_crypto import logset as outsider
from trading.accounts.models import Role
from trading.audit import logset, merkle
from trading.draws.models import Draw
from trading.draws.services import NotLogged, draw_log_problems
from trading.smallworks.service import exclusions_key, registry_key


@pytest.fixture
def world(dbsession, clock, settings, registry):
    service = smallworks_service(dbsession, clock, registry)
    center = actor_for(make_user(dbsession, clock, settings, role=Role.CENTER))
    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    firms = [make_enterprise(dbsession, clock, settings, registry, grade=2) for _ in range(5)]
    expiring = make_enterprise(dbsession, clock, settings, registry,
                               safety_until=clock().date() + timedelta(days=1))
    suspended = make_enterprise(dbsession, clock, settings, registry)
    service.suspend(suspended, reason="施工现场安全事故", actor=center)
    exited = make_enterprise(dbsession, clock, settings, registry)
    service.exit(exited, reason="提供虚假材料", actor=center)
    roads = make_enterprise(dbsession, clock, settings, registry, categories=("roads",))
    clock.advance(days=2)
    work = service.post(owner.organisation, smallwork_input(clock), actor=actor_for(owner))
    service.approve_project(work, actor=center)
    draw = dbsession.get(Draw, work.draw_id)
    log_key = merkle.log_verifier(registry["keys"], settings)
    return dict(service=service, center=center, firms=firms, expiring=expiring,
                suspended=suspended, exited=exited, roads=roads, work=work, draw=draw,
                doc=service.draws.pool_doc(draw), log_key=log_key)


def test_the_list_is_the_registry_set_less_the_works_exclusions(dbsession, world):
    work, draw, doc = world["work"], world["draw"], world["doc"]
    ids = sorted(str(f.id) for f in world["firms"])
    assert sorted(c["id"] for c in draw.candidates) == ids
    # the registry set: every approval, suspension and exit of the category, as it happened
    entries = logset.entries(dbsession, registry_key(work.category), draw.log_size)
    suspended, exited = str(world["suspended"].id), str(world["exited"].id)
    assert [(e.member, e.kind, e.event.data["cause"]) for e in entries
            if e.member in (suspended, exited)] == [
        (suspended, "in", "activated"), (suspended, "out", "suspended"),
        (exited, "in", "activated"), (exited, "out", "exited")]
    assert str(world["roads"].id) not in {e.member for e in entries}  # another category
    members = {m["id"] for m in draw.log_entries["members"]}
    assert members == {*ids, str(world["expiring"].id)}
    # the work's exclusions: the expired licence, with its reason, and the suspended firm
    minus = logset.entries(dbsession, exclusions_key(work), draw.log_size)
    assert {(e.member, tuple(e.event.data["reasons"])) for e in minus} == {
        (str(world["expiring"].id), ("safety_licence_expired",)),
        (suspended, ("suspended",))}
    assert all(e.event.actor_user_id is None and e.event.ip == "" for e in entries + minus)
    report = outsider.check(doc, world["log_key"])
    assert report.members == ids
    assert draw_log_problems(dbsession) == []


def test_every_attack_on_pool_json_is_refused_with_its_reason(dbsession, clock, settings,
                                                              registry, world, tmp_path,
                                                              capsys):
    doc = world["doc"]
    latecomer = make_enterprise(dbsession, clock, settings, registry)  # logged after
    late = late_entry(dbsession, registry["keys"], settings, registry_key(world["work"].category),
                      "424242", clock)
    assert late["index"] >= world["draw"].log_size and str(latecomer.id)
    check_all_refused(doc, with_first_proof(dbsession, doc, late), world["log_key"], tmp_path,
                      capsys)


def test_an_excluded_firm_put_back_or_an_exclusion_hidden_is_named(world):
    doc, log_key = world["doc"], world["log_key"]
    expiring = str(world["expiring"].id)
    # the platform lists the excluded firm after all: its exclusion entry removes it
    bad = copy.deepcopy(doc)
    bad["candidates"].append({"id": expiring})
    bad["candidate_list_hash"] = hashlib.sha256(
        outsider.canonical(bad["candidates"])).hexdigest()
    with pytest.raises(outsider.SetRefused, match=f"candidate {expiring} is in the frozen"):
        outsider.check(bad, log_key)
    # hiding the exclusion instead breaks the work's set
    bad["minus"]["entries"] = [e for e in bad["minus"]["entries"]
                               if json.loads(e["entry"])["data"]["member"] != expiring]
    bad["minus"]["members"] = [m for m in bad["minus"]["members"] if m["id"] != expiring]
    with pytest.raises(outsider.SetRefused, match="missing from the record|without an entry"):
        outsider.check(bad, log_key)
    # the minus set proven at another checkpoint than the pool
    bad = copy.deepcopy(doc)
    bad["minus"]["checkpoint"] = {"checkpoint": "x"}
    with pytest.raises(ValueError):
        outsider.check(bad, log_key)


def test_freezing_a_list_that_drops_a_registered_firm_is_refused(dbsession, clock, world):
    service, work = world["service"], world["work"]
    kw = dict(purpose="p", subject_type="t", subject_id=1, count=1, rule="r",
              actor=world["center"], log_set=registry_key(work.category),
              log_minus=exclusions_key(work))
    ids = sorted(str(f.id) for f in world["firms"])
    with pytest.raises(NotLogged) as caught:
        service.draws.freeze(candidates=[{"id": i} for i in ids[1:]], **kw)
    assert f"{ids[0]} 不在名单中" in caught.value.message
    with pytest.raises(NotLogged) as caught:
        service.draws.freeze(candidates=[{"id": i} for i in
                                         [*ids, str(world["expiring"].id)]], **kw)
    assert f"{world['expiring'].id} 没有入库记录" in caught.value.message


def test_audit_verify_names_a_draw_whose_exclusions_were_rewritten(dbsession, world):
    draw = world["draw"]
    entries = copy.deepcopy(draw.log_entries)
    gone = entries["minus"]["members"].pop(0)
    draw.log_entries = entries
    dbsession.flush()
    problems = draw_log_problems(dbsession)
    assert any(gone["id"] in p and "left out" in p for p in problems), problems


def test_the_draw_page_links_the_pool_proof(world, testapp):
    draw = world["draw"]
    page = testapp.get(f"/draws/{draw.id}")
    assert f"/draws/{draw.id}/pool.json" in page.text
    assert testapp.get(f"/api/v1/draws/{draw.id}/pool").json["minus"]["set"] == \
        exclusions_key(world["work"])
