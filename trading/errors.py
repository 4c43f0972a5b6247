"""The base of every domain error: a machine code for the API, a Chinese message for people."""


class DomainError(Exception):
    code = "domain_error"
    status = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code

    def as_json(self) -> dict:
        return {"error": self.code, "message": self.message, "field": self.field}


class Unprocessable(DomainError):
    """The request fits its schema but breaks a rule the schema cannot state: 422, where
    400 means the body does not fit its schema."""

    status = 422


class RuleRefused(DomainError, ValueError):
    """A pure rule refuses its input: a DomainError for the API, a ValueError for a plain
    caller. The class fixes the code, so the constructor takes none."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message, field=field)


class NotPermitted(DomainError):
    code = "not_permitted"
    status = 403


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Conflict(DomainError):
    code = "conflict"
    status = 409


class DeadlinePassed(DomainError):
    code = "deadline_passed"
    status = 409


class InvalidTransition(DomainError):
    code = "invalid_transition"
    status = 409


class PlaintextRefused(DomainError):
    """An offer in clear where only a sealed envelope is accepted: the server never
    receives bid content in plaintext (issue #15), so there is nothing it could seal."""

    code = "plaintext_refused"
    status = 400
