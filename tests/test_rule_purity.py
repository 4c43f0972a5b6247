"""The rules are pure functions (issue #22 point 4; bid_crypto's boundary test is the model):
each rule family's modules import the standard library and other pure trading modules,
nothing of the database, the web framework, the services or storage. Checked two ways:
the source (every import statement, in functions too, followed through the trading
modules it reaches and the packages those sit in) and a fresh interpreter that imports
them all."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
import source_trees

ROOT = Path(__file__).resolve().parents[1]
TRADING = ROOT / "trading"

# One entry per rule family; every domain's rules.py is found by itself, so a new domain's
# rules are checked without being named here.
FAMILIES = {
    "kernel": sorted((TRADING / "rules").glob("*.py")),
    **{path.parent.name: [path] for path in sorted(TRADING.glob("*/rules.py"))},
    # Electronic supervision's overdue rules and the collusion detection (rules §7.9).
    "supervision": [TRADING / "supervision" / "collusion.py",
                    TRADING / "supervision" / "supervision.py"],
}
# Impure whatever they import: the database, the request, services, pages, jobs, files.
IMPURE_PARTS = {"models", "service", "services", "views", "api", "tasks", "demo", "db",
                "jobs", "storage", "files", "security", "forms", "workspace", "resources"}
FORBIDDEN_LOADED = {"sqlalchemy", "pyramid", "zope", "transaction", "huey", "colander",
                    "deform", "webob", "psycopg", "redis", "jinja2", "boto3", "botocore",
                    "requests", "urllib3", "httpx", "trading.db", "trading.jobs",
                    "trading.storage", "trading.i18n"}


def _module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _path_of(name: str, root: Path) -> Path | None:
    base = root.joinpath(*name.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _imports(path: Path, root: Path, anywhere: bool) -> list[str]:
    """Absolute names imported by the module at `path`: every statement when `anywhere`,
    else only those at its top (what a package's __init__ runs on import)."""
    tree = source_trees.tree(path)
    nodes = ast.walk(tree) if anywhere else tree.body
    package = _module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    names = []
    for node in nodes:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package[:len(package) - node.level + 1]
                base = ".".join(up + ([node.module] if node.module else []))
            names += [f"{base}.{a.name}" if _path_of(f"{base}.{a.name}", root) else base
                      for a in node.names]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
            names.append("__import__")
    return names


def impurities(path: Path, root: Path = ROOT) -> list[str]:
    """What the module at `path` reaches that is not pure, as 'module imports name'."""
    found, seen, todo = [], set(), [(path, True)]
    while todo:
        current, anywhere = todo.pop()
        if (current, anywhere) in seen:
            continue
        seen.add((current, anywhere))
        here = _module_name(current, root)
        parents = here.split(".")[:-1]
        for i in range(1, len(parents) + 1):  # the packages Python runs first
            init = _path_of(".".join(parents[:i]), root)
            if init is not None:
                todo.append((init, False))
        for name in _imports(current, root, anywhere):
            top = name.split(".")[0]
            if top in sys.stdlib_module_names and name != "importlib":
                continue
            parts = set(name.split(".")[1:])
            target = _path_of(name, root) if top == "trading" else None
            if target is None or parts & IMPURE_PARTS:
                found.append(f"{here} imports {name}")
            else:
                todo.append((target, True))
    return sorted(set(found))


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_rule_modules_import_nothing_impure(family):
    modules = FAMILIES[family]
    assert modules and all(m.exists() for m in modules), family
    for module in modules:
        assert impurities(module) == [], module.relative_to(ROOT).as_posix()


def test_importing_every_rule_module_loads_nothing_impure():
    names = [_module_name(m, ROOT) for family in FAMILIES.values() for m in family]
    code = ("import importlib, json, sys\n"
            f"for name in {names!r}:\n    importlib.import_module(name)\n"
            "print(json.dumps(sorted(sys.modules)))")
    loaded = json.loads(subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                                       capture_output=True, text=True).stdout)
    bad = sorted(n for n in loaded
                 if any(n == f or n.startswith(f + ".") for f in FORBIDDEN_LOADED))
    assert bad == []


def test_the_walker_sees_what_it_must(tmp_path):
    """A rule that imports sqlalchemy inside a function, one that reaches a module which
    imports pyramid, one in a package whose __init__ loads the database, and a service."""
    files = {
        "trading/__init__.py": "",
        "trading/errors.py": "",
        "trading/web.py": "import pyramid\n",
        "trading/a/__init__.py": "",
        "trading/a/rules.py": "import enum\nfrom ..errors import X\n"
                              "def f():\n    import sqlalchemy\n",
        "trading/b/__init__.py": "",
        "trading/b/rules.py": "from trading import web\n",
        "trading/c/__init__.py": "from ..db import registry_of\ndef later():\n    import huey\n",
        "trading/c/rules.py": "",
        "trading/d/__init__.py": "",
        "trading/d/rules.py": "from trading.d.service import S\n",
        "trading/d/service.py": "",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    rules = tmp_path / "trading"
    assert impurities(rules / "a/rules.py", tmp_path) == ["trading.a.rules imports sqlalchemy"]
    assert impurities(rules / "b/rules.py", tmp_path) == ["trading.web imports pyramid"]
    assert impurities(rules / "c/rules.py", tmp_path) == ["trading.c imports trading.db"]
    assert impurities(rules / "d/rules.py", tmp_path) == [
        "trading.d.rules imports trading.d.service"]
