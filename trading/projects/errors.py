from ..errors import Conflict, DeadlinePassed, DomainError, NotPermitted  # noqa: F401


class PostingInvalid(DomainError):
    """A posting that breaks the rules; `problems` lists every field at fault."""

    code = "posting_invalid"

    def __init__(self, problems):
        first = problems[0]
        super().__init__("；".join(p.message for p in problems), field=first.field)
        self.problems = problems

    def as_json(self) -> dict:
        data = super().as_json()
        data["problems"] = [{"field": p.field, "message": p.message} for p in self.problems]
        return data


class NotSignedUp(NotPermitted):
    code = "not_signed_up"


class AlreadySignedUp(Conflict):
    code = "already_signed_up"


class NotEditable(Conflict):
    code = "not_editable"


class ProjectFrozen(Conflict):
    code = "project_frozen"
