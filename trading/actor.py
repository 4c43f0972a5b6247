"""Who does a thing: the value every mutating service method takes (style.md §2.5)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    label: str  # username, or "system:job:<name>" for work nobody triggered by hand
    organisation_id: int | None = None
    role: str | None = None
    ip: str = ""
    request_id: str = ""
    device: str = ""  # a client fingerprint (trading.security.device_fingerprint), or ""

    @classmethod
    def system(cls, job: str) -> "Actor":
        return cls(user_id=None, label=f"system:job:{job}")
