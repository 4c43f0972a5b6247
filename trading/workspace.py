"""Each role's workspace as a to-do list (issue #18 point 3): every domain adds what its
users must do next through the registry (`config.add_workspace_part(part)`), so the
workspace page knows no domain.

A part is `part(request) -> list[Section]`, called for every signed-in user; it returns
nothing for a role it has no work for. Rows carry their deadline where there is one."""

from dataclasses import dataclass, field
from datetime import datetime

REGISTRY_KEY = "workspace.parts"


@dataclass
class Row:
    text: str  # what it is about (a project's name)
    url: str
    note: str = ""  # what to do, in words (translated by the page)
    due: datetime | None = None
    args: dict = field(default_factory=dict)  # the note's %(name)s values


@dataclass
class Section:
    title: str  # N_-marked, translated by the page
    rows: list[Row] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # (label, url)
    empty: str = ""  # shown when there are no rows
    count: int | None = None  # a queue's size, when the rows are its first few


def add_workspace_part(config, part) -> None:
    config.registry[REGISTRY_KEY].append(part)


def sections(request) -> list[Section]:
    return [s for part in request.registry[REGISTRY_KEY] for s in part(request)]


def includeme(config):
    config.registry[REGISTRY_KEY] = []
    config.add_directive("add_workspace_part", add_workspace_part)
