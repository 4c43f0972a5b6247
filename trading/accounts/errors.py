from ..errors import Conflict, DomainError


class LoginFailed(DomainError):
    code = "login_failed"
    status = 401


class LoginThrottled(DomainError):
    code = "login_throttled"
    status = 429


class DuplicateCreditCode(Conflict):
    code = "duplicate_credit_code"


class DuplicateUsername(Conflict):
    code = "duplicate_username"


class InvalidCreditCode(DomainError):
    code = "invalid_credit_code"


class WeakPassword(DomainError):
    code = "weak_password"


class InvalidScope(DomainError):
    code = "invalid_scope"


class AccountRefused(Conflict):
    code = "account_refused"
