"""Objects named by their names, with links (issue #18 point 2): a row about `project 7`
reads as the project's name, linked to its page.

Each domain tells the registry how to name its subject types
(`config.add_subject_namer("project", namer)`); a namer takes the request and a set of ids
(strings, as audit rows and draws keep them) and returns {id: (name, url)} for those the
viewer may see named (a draft stays `#id` to anyone but staff). Pages ask `subject_names`
once per page, one query per subject type."""

from collections import defaultdict
from collections.abc import Callable, Iterable

REGISTRY_KEY = "subjects.namers"
STAFF = frozenset({"center", "supervisor", "auditor"})

Namer = Callable[[object, set[str]], dict[str, tuple[str, str]]]


def add_subject_namer(config, subject_type: str, namer: Namer) -> None:
    config.registry[REGISTRY_KEY][subject_type] = namer


def subject_names(request, pairs: Iterable[tuple[str, object]]) -> dict:
    """{(subject_type, id): (name, url)} for every pair some domain can name."""
    wanted: dict[str, set[str]] = defaultdict(set)
    for subject_type, ident in pairs:
        wanted[subject_type].add(str(ident))
    namers = request.registry[REGISTRY_KEY]
    named = {}
    for subject_type, ids in wanted.items():
        if subject_type in namers:
            for ident, label in namers[subject_type](request, ids).items():
                named[(subject_type, ident)] = label
    return named


def numeric(ids: set[str]) -> list[int]:
    """The ids that can be a row's primary key (a demo draw's subject may be a code)."""
    return [int(i) for i in ids if i.isdigit() and 0 < int(i) < 2**31]


def is_staff(request) -> bool:
    user = request.identity
    return user is not None and str(user.role) in STAFF


def includeme(config):
    config.registry[REGISTRY_KEY] = {}
    config.add_directive("add_subject_namer", add_subject_namer)
