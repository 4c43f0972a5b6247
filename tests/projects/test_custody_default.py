"""A new project's custody (issue #15): by default one the operator cannot open alone, from
the rule profile; `auto` only as an explicit choice, named for what it is."""

import pytest
from factories import actor_for, make_user, project_input, project_service

from trading.accounts.models import Role
from trading.projects.kinds import LABELS, CustodyMode
from trading.projects.rules import default_params
from trading.projects.service import ProjectInput, default_custody


def _draft(dbsession, clock, settings, registry, **overrides):
    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    return project_service(dbsession, clock, registry).create_draft(
        project_input(clock, **overrides), owner=owner.organisation, actor=actor_for(owner))


def test_the_rule_profile_default_is_dual(dbsession, clock, settings, registry):
    project = _draft(dbsession, clock, settings, registry, custody_mode=None)
    assert project.custody_mode is CustodyMode.DUAL
    assert project.rule_profile.params["custody.default"] == "dual"


def test_auto_only_when_chosen(dbsession, clock, settings, registry):
    project = _draft(dbsession, clock, settings, registry, custody_mode=CustodyMode.AUTO)
    assert project.custody_mode is CustodyMode.AUTO
    assert LABELS[CustodyMode.AUTO] == "平台托管（平台可在开标前解密）"


@pytest.mark.parametrize(("profile", "expected"), [
    ({}, CustodyMode.DUAL), ({"custody.default": "custodians"}, CustodyMode.CUSTODIANS),
    ({"custody.default": "dual"}, CustodyMode.DUAL),
    ({"custody.default": "auto"}, CustodyMode.DUAL),  # a profile cannot make `auto` the default
])
def test_default_custody_rule(profile, expected):
    assert default_custody(profile) is expected


def test_every_procedure_defaults_to_a_mode_the_operator_cannot_open_alone():
    from trading.projects.kinds import ProcurementMethod, Regime

    for regime in Regime:
        for method in ProcurementMethod:
            assert default_custody(default_params(regime, method)) is not CustodyMode.AUTO


def test_the_form_leaves_custody_to_the_profile(clock):
    values = {**project_input(clock).__dict__, "custody_mode": ""}
    values = {k: (str(v) if hasattr(v, "value") else v) for k, v in values.items()}
    assert ProjectInput.from_appstruct(values).custody_mode is None
