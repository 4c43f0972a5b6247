"""A project's facts and RuleProfile values in the vocabulary of the pure rules."""

from dataclasses import fields, replace
from decimal import Decimal
from fractions import Fraction

from ..projects.kinds import EvaluationMethod, ProcurementMethod, Regime
from ..projects.models import Project
from . import rules

PROCEDURES = {ProcurementMethod.COMPETITIVE_CONSULTATION: rules.Procedure.CONSULTATION,
              ProcurementMethod.SMALL_WORKS: rules.Procedure.INQUIRY,
              ProcurementMethod.INTERMEDIARY: rules.Procedure.INQUIRY}


def regime_of(project: Project) -> Regime:
    return Regime(project.regime)


def procedure_of(project: Project) -> rules.Procedure:
    return PROCEDURES.get(project.procurement_method, rules.Procedure.TENDER)


def committee_facts(project: Project) -> dict:
    """Keyword arguments of `rules.check_committee` / `committee_min_size`."""
    return {"regime": regime_of(project), "procedure": procedure_of(project),
            "scale": rules.ProjectScale(budget_fen=project.budget)}


def _typed(field, value):
    """A profile value (JSON) in the type the EvaluationParams field holds."""
    current = field.default
    if isinstance(current, bool) or isinstance(current, int):
        return int(value)
    if isinstance(current, Fraction):
        return Fraction(str(value))
    if isinstance(current, Decimal):
        return Decimal(str(value))
    if isinstance(current, tuple) and current and isinstance(current[0], Decimal):
        return tuple(Decimal(str(v)) for v in value)
    return value


def evaluation_params(project: Project) -> rules.EvaluationParams:
    """The rules' parameters with the project's profile values laid over the defaults."""
    by_name = {f.name: f for f in fields(rules.EvaluationParams)}
    profile = project.params
    overrides = {name: _typed(by_name[name], profile[key])
                 for key, name in rules.PROFILE_KEYS.items() if key in profile}
    if "committee.min_size" in profile:  # one key per procedure's profile
        size = int(profile["committee.min_size"])
        field = ("committee_min_size_tender" if procedure_of(project).is_tender
                 else "committee_min_size_non_tender")
        overrides[field] = size
    if project.evaluation_method is EvaluationMethod.LOWEST_PRICE:
        overrides["ranking_keys"] = rules.RANK_LOWEST_PRICE
    elif procedure_of(project) is rules.Procedure.CONSULTATION:
        overrides["ranking_keys"] = rules.RANK_CONSULTATION
    return replace(rules.DEFAULT_EVALUATION, **overrides)
