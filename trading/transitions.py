"""Status machines as literal tables: the one check every status change of a table goes through.

A table maps each status of an enum to the statuses one step away. `StatusMachines` holds
a domain's tables keyed by their enum, so a status finds its own table and two machines'
statuses never mix. Each table has one writer — a service's ``transition``/``_move`` —
which sets the status after `check_transition`; tests/test_status_machines.py lists the
writers and fails on an assignment to a status anywhere else.

A machine may carry Chinese labels for its statuses and the noun they belong to: its
refusal then reads 「项目状态不能从“草稿”变为“已定标”」 rather than the codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

from trading import errors


class InvalidTransition(errors.InvalidTransition, ValueError):
    """The requested status change is not an edge of the table (a DomainError, 409)."""

    def __init__(self, current: StrEnum, target: StrEnum, allowed: frozenset,
                 message: str = ""):
        listed = ", ".join(sorted(allowed)) or "none"
        super().__init__(
            message or f"cannot go from {current.value!r} to {target.value!r} "
            f"(allowed from {current.value!r}: {listed})",
            field="status",
        )
        self.current = current
        self.target = target


class StatusMachines:
    """A domain's status tables, each under its enum.

    `labels` (status → Chinese word) and `nouns` (enum → what has the status, 项目 …) make
    the refusal readable in the UI; without them it names the codes.
    """

    def __init__(self, tables: Mapping[type[StrEnum], Mapping[StrEnum, frozenset]], *,
                 labels: Mapping[StrEnum, str] | None = None,
                 nouns: Mapping[type[StrEnum], str] | None = None):
        self._tables = MappingProxyType(dict(tables))
        self._labels = MappingProxyType(dict(labels or {}))
        self._nouns = MappingProxyType(dict(nouns or {}))

    @property
    def tables(self) -> Mapping[type[StrEnum], Mapping[StrEnum, frozenset]]:
        return self._tables

    def allowed_transitions(self, status: StrEnum) -> frozenset:
        """The statuses reachable from `status` in one step."""
        return self._tables[type(status)][status]

    def is_terminal(self, status: StrEnum) -> bool:
        return not self.allowed_transitions(status)

    def check_transition(self, current: StrEnum, target: StrEnum) -> None:
        """Raise InvalidTransition unless `current → target` is an edge of its table."""
        allowed = self.allowed_transitions(current)
        if type(current) is not type(target) or target not in allowed:
            raise InvalidTransition(current, target, allowed, self._message(current, target))

    def _message(self, current: StrEnum, target: StrEnum) -> str:
        if current not in self._labels or target not in self._labels:
            return ""
        noun = self._nouns.get(type(current), "")
        return f"{noun}状态不能从“{self._labels[current]}”变为“{self._labels[target]}”"
