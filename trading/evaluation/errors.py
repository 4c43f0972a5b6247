"""Evaluation refusals: a Chinese message for people, a code for the API; nothing changed."""

from ..errors import Conflict, DomainError, NotFound, NotPermitted
from ..rounds.errors import NotEligible


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


# -- 竞争性磋商: the codes are the ones the API gave when the consultation was part of
# the award domain, kept so clients see no change.


class ConsultationRefused(Conflict):
    """The step does not fit the consultation's method or its current stage."""

    code = "award_refused"


class ConsultationInvalid(DomainError):
    code = "invalid"
    status = 400


class TooFewSuppliers(ConsultationRefused):
    """Fewer suppliers left than the minimum (214号 Art 34): only termination remains."""

    code = "too_few_suppliers"


class SupplierWithdrawn(NotEligible):
    code = "supplier_withdrawn"
