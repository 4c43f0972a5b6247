"""Evaluation refusals: a Chinese message for people, a code for the API; nothing changed."""

from ..errors import Conflict, DomainError, NotFound, NotPermitted


class EvaluationInvalid(DomainError):
    """Bad input (a score off its range or step, a missing reason …)."""

    code = "evaluation_invalid"


class EvaluationConflict(Conflict):
    """The step is not possible in the current state (locked, not started, done …)."""

    code = "evaluation_conflict"


class SheetLocked(EvaluationConflict):
    code = "sheet_locked"


class ObjectiveDisagreement(EvaluationConflict):
    code = "objective_scores_disagree"


class CommitteeInvalid(EvaluationConflict):
    code = "committee_invalid"


class NotAMember(NotPermitted):
    code = "not_a_member"


class ExpertNotFound(NotFound):
    code = "expert_not_found"
