"""Status machines as literal tables: the one check every status change of a table goes through.

A table maps each status of an enum to the statuses one step away. `StatusMachines` holds
a domain's tables keyed by their enum, so a status finds its own table and two machines'
statuses never mix. Only a service's ``transition`` method may set a status, after
`check_transition`.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from trading import errors


class InvalidTransition(errors.InvalidTransition, ValueError):
    """The requested status change is not an edge of the table (a DomainError, 409)."""

    def __init__(self, current: StrEnum, target: StrEnum, allowed: frozenset):
        listed = ", ".join(sorted(allowed)) or "none"
        super().__init__(
            f"cannot go from {current.value!r} to {target.value!r} "
            f"(allowed from {current.value!r}: {listed})",
            field="status",
        )
        self.current = current
        self.target = target


class StatusMachines:
    """A domain's status tables, each under its enum."""

    def __init__(self, tables: Mapping[type[StrEnum], Mapping[StrEnum, frozenset]]):
        self._tables = MappingProxyType(dict(tables))

    def allowed_transitions(self, status: StrEnum) -> frozenset:
        """The statuses reachable from `status` in one step."""
        return self._tables[type(status)][status]

    def is_terminal(self, status: StrEnum) -> bool:
        return not self.allowed_transitions(status)

    def check_transition(self, current: StrEnum, target: StrEnum) -> None:
        """Raise InvalidTransition unless `current → target` is an edge of its table."""
        allowed = self.allowed_transitions(current)
        if type(current) is not type(target) or target not in allowed:
            raise InvalidTransition(current, target, allowed)
