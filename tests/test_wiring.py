"""Domains connect through the Pyramid registry (README "How the domains connect"): no
module-level list or dict that other modules fill, nothing appended at import time, no
module-global job runtime. A new hook list fails here; add a directive or an event."""

import ast
import functools
from pathlib import Path

import pytest
import source_trees

ROOT = Path(__file__).resolve().parents[1] / "trading"
MUTATORS = {"append", "extend", "insert", "remove", "update", "setdefault", "pop", "clear"}
# Not wiring: a read-only sentinel compared by identity, and the opening pool's per-process
# key (set once in each worker process of the pool, never by another module).
SENTINELS = {("draws/engine.py", "_NO_ATTRIBUTES"), ("bidding/openpool.py", "_worker_state")}


@functools.cache
def _modules() -> tuple[tuple[str, ast.Module], ...]:
    """Every module's tree, parsed once for the three scans (read, never changed)."""
    return tuple((path.relative_to(ROOT).as_posix(), source_trees.tree(path))
                 for path in sorted(ROOT.rglob("*.py")))


def _empty_containers(tree):
    for node in tree.body:
        target = node.targets[0] if isinstance(node, ast.Assign) else \
            node.target if isinstance(node, ast.AnnAssign) else None
        value = getattr(node, "value", None)
        empty = (isinstance(value, (ast.List, ast.Set)) and not value.elts) or \
            (isinstance(value, ast.Dict) and not value.keys) or \
            (isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
             and value.func.id in {"list", "dict", "set"} and not value.args)
        if isinstance(target, ast.Name) and empty:
            yield target.id


def test_no_module_level_registries():
    found = [f"{name}:{var}" for name, tree in _modules() for var in _empty_containers(tree)
             if (name, var) not in SENTINELS]
    assert found == [], "module-level containers other modules could fill: use the registry"


def test_nothing_is_registered_at_import_time():
    """No `SOMETHING.append(...)` (or insert, ...) as a module-level statement."""
    found = []
    for name, tree in _modules():
        for node in tree.body:
            for sub in ast.walk(node) if isinstance(node, (ast.Expr, ast.If)) else ():
                if isinstance(sub, ast.Call) and isinstance(sub.func, ast.Attribute) \
                        and sub.func.attr in MUTATORS:
                    found.append(f"{name}:{sub.lineno}")
    assert found == []


def test_no_global_statements():
    found = [f"{name}:{node.lineno}" for name, tree in _modules() for node in ast.walk(tree)
             if isinstance(node, ast.Global)]
    assert found == []


def test_the_job_runtime_module_is_gone():
    with pytest.raises(ModuleNotFoundError):
        __import__("trading.jobs.runtime")


def test_each_app_keeps_its_own_wiring(app, registry):
    """Two apps in one process share no hook state: a subscriber list, a chronograph kind
    or an API description lives in each app's registry."""
    from trading.jobs.chronograph import kinds

    assert set(kinds(registry)) >= {"project", "im_purchase"}
    assert len(registry["api.operations"]) > 100
