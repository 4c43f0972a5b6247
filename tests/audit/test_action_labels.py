"""Audit actions in words (issue #18 point 2): every action the code records has a label
in the registry's table, the log shows the label, and the filter takes the label."""

import ast
import re
from pathlib import Path

import pytest
import source_trees
import sqlalchemy as sa
from bs4 import BeautifulSoup
from factories import make_user

import trading
from trading.accounts.models import Role
from trading.actor import Actor
from trading.audit.actions import ACTION_CODE, action_labels
from trading.audit.models import AuditEvent
from trading.audit.service import record
from trading.i18n import LOCALE_COOKIE

RECORDERS = {"record", "audit_record", "_audit"}


def recorded_actions() -> tuple[set[str], set[str]]:
    """The action codes passed to the audit recorders anywhere in trading: literal codes,
    and f-string codes as regular expressions (their variable part as a word)."""
    literal, patterns = set(), set()
    for path in Path(trading.__file__).parent.rglob("*.py"):
        for node in ast.walk(source_trees.tree(path)):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", None))
            if name not in RECORDERS:
                continue
            for arg in node.args[:3]:
                _collect(arg, literal, patterns)
    return literal, patterns


def _collect(arg, literal, patterns):
    if isinstance(arg, ast.JoinedStr):
        parts = [re.escape(v.value) if isinstance(v, ast.Constant) else "[a-z_]+"
                 for v in arg.values]
        head = arg.values[0]
        if isinstance(head, ast.Constant) and re.match(r"[a-z_]+\.", head.value):
            patterns.add("".join(parts))
        return
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        if ACTION_CODE.match(arg.value):
            literal.add(arg.value)
        return
    for child in ast.iter_child_nodes(arg):  # "account.enabled" if active else "…"
        _collect(child, literal, patterns)


def test_every_action_the_code_records_has_a_label(registry):
    labels = action_labels(registry)
    literal, patterns = recorded_actions()
    assert len(literal) > 100 and {"project.signed_up", "draw.revealed"} <= literal  # real
    assert sorted(literal - set(labels)) == []
    for pattern in patterns:  # committee.member_{state}: its states are labelled
        assert any(re.fullmatch(pattern, code) for code in labels), pattern
    # and no label for an action nothing records (a renamed action keeps no stale label)
    stale = [code for code in labels if code not in literal
             and not any(re.fullmatch(p, code) for p in patterns)]
    assert stale == []


def test_labels_are_chinese_and_tell_actions_apart(registry):
    labels = action_labels(registry)
    assert len(labels) >= 150
    assert all(re.search(r"[\u4e00-\u9fff]", label) for label in labels.values())
    assert len(set(labels.values())) == len(labels)  # a label names one action


def test_every_committee_member_state_has_its_action(registry):
    from trading.evaluation.models import MemberState

    labels = action_labels(registry)
    assert {f"committee.member_{s}" for s in MemberState} <= set(labels)


def test_a_domain_cannot_relabel_another_domains_action(app):
    from pyramid.config import Configurator

    from trading.audit import actions

    config = Configurator()
    actions.includeme(config)
    config.add_audit_actions({"project.signed_up": "投标报名"})
    config.add_audit_actions({"project.signed_up": "投标报名"})  # the same words: fine
    with pytest.raises(ValueError, match="labelled twice"):
        config.add_audit_actions({"project.signed_up": "报名"})
    with pytest.raises(ValueError, match="not an audit action code"):
        config.add_audit_actions({"报名": "报名"})


def _cells(page) -> list[list]:
    body = BeautifulSoup(page.text, "html.parser").find("tbody")
    return [tr.find_all("td") for tr in body.find_all("tr")]


@pytest.fixture
def center_log(testapp, dbsession, clock, settings):
    center = make_user(dbsession, clock, settings, role=Role.CENTER)
    actor = Actor(center.id, center.username, None, "center", "192.0.2.9")
    record(dbsession, actor, "project.frozen", "project", 7, now=clock())
    record(dbsession, actor, "draw.revealed", "draw", 3, now=clock())
    testapp.login(center.username)
    return testapp


def test_the_log_shows_actions_in_words_and_filters_by_them(center_log):
    page = center_log.get("/audit/log")
    words = [tds[2].get_text(strip=True) for tds in _cells(page)]
    assert "揭示抽取结果" in words and "冻结项目" in words
    assert "draw.revealed" not in BeautifulSoup(page.text, "html.parser").get_text()
    options = BeautifulSoup(page.text, "html.parser").select("select[name=action] option")
    assert ("project.frozen", "冻结项目") in {(o["value"], o.get_text()) for o in options}

    for value in ("冻结项目", "project.frozen", " 冻结项目 "):
        rows = _cells(center_log.get("/audit/log", {"action": value}))
        assert [r[2].get_text(strip=True) for r in rows] == ["冻结项目"], value
    # the chosen action stays selected, by its code, on the page and its paging
    page = center_log.get("/audit/log", {"action": "冻结项目"})
    assert BeautifulSoup(page.text, "html.parser").select_one(
        "select[name=action] option[selected]")["value"] == "project.frozen"


def test_english_mode_shows_and_takes_english_labels(center_log):
    center_log.set_cookie(LOCALE_COOKIE, "en")
    page = center_log.get("/audit/log")
    words = [tds[2].get_text(strip=True) for tds in _cells(page)]
    assert {"Reveal the draw", "User created"} <= set(words)
    rows = _cells(center_log.get("/audit/log", {"action": "Reveal the draw"}))
    assert [r[2].get_text(strip=True) for r in rows] == ["Reveal the draw"]


def test_a_word_that_names_no_action_is_refused_with_a_reason(center_log, dbsession):
    before = dbsession.scalar(sa.select(sa.func.count()).select_from(AuditEvent))
    page = center_log.get("/audit/log", {"action": "随便什么"}, status=400)
    assert "没有这项操作，请从列表中选择" in page.text and "操作：" in page.text
    assert dbsession.scalar(sa.select(sa.func.count()).select_from(AuditEvent)) == before


@pytest.mark.slow
def test_every_action_the_demo_records_has_a_label(dbsession, clock, settings, registry):
    """From a run: the demo's month drives most flows, f-string actions included."""
    from trading.demo import load_demo

    load_demo(dbsession, clock, settings)
    done = set(dbsession.scalars(sa.select(AuditEvent.action).distinct()))
    assert len(done) > 60  # a real run
    assert sorted(done - set(action_labels(registry))) == []


def test_the_log_names_a_project_by_its_name_with_a_link(testapp, dbsession, clock, settings,
                                                          registry):
    """Issue #18 point 2: “项目 公园改造工程”, linked, not “项目 #7”."""
    from factories import make_project

    project = make_project(dbsession, clock, settings, registry, open_bidding=True)
    center = make_user(dbsession, clock, settings, role=Role.CENTER)
    actor = Actor(center.id, center.username, None, "center", "192.0.2.9")
    record(dbsession, actor, "project.frozen", "project", project.id, now=clock())
    record(dbsession, actor, "project.frozen", "project", 2**30, now=clock())  # no such
    testapp.login(center.username)
    rows = _cells(testapp.get("/audit/log", {"action": "冻结项目"}))
    subjects = [r[3] for r in rows]
    named = [s for s in subjects if s.a]
    assert [s.get_text(" ", strip=True) for s in named] == [f"项目 {project.name}"]
    assert named[0].a["href"].endswith(f"/projects/{project.id}")
    assert f"项目 #{2**30}" in [s.get_text(" ", strip=True) for s in subjects]
