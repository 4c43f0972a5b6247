"""The rules kernel (trading/rules) is pure: it imports a short list of standard-library
modules and its own modules, nothing of the app, no I/O, no clock, no randomness."""

import ast
from pathlib import Path

KERNEL = Path(__file__).resolve().parents[2] / "trading" / "rules"
ALLOWED = {"__future__", "abc", "collections", "dataclasses", "decimal", "enum", "fractions",
           "functools", "itertools", "math", "numbers", "operator", "typing"}


def imports(source: Path) -> set[str]:
    """Every module ``source`` imports, absolute names; relative ones as '.name'."""
    found = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.add("." * node.level + (node.module or ""))
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
            found.add("__import__")
    return found


def impure(name: str) -> bool:
    if name.startswith("."):  # only siblings inside the kernel: one dot, no parent
        return name.startswith("..")
    if name == "trading.rules" or name.startswith("trading.rules."):
        return False
    return name.split(".")[0] not in ALLOWED


def test_the_kernel_imports_nothing_impure():
    modules = sorted(KERNEL.rglob("*.py"))
    assert len(modules) >= 2
    offenders = {m.name: sorted(filter(impure, imports(m))) for m in modules}
    assert {name: bad for name, bad in offenders.items() if bad} == {}


def test_the_check_sees_what_it_must(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import random\nfrom ..evaluation import rules\nfrom . import best_price\n"
                      "from trading.db import x\nfrom fractions import Fraction\n"
                      "def f():\n    import time\n    __import__('os')\n")
    assert sorted(filter(impure, imports(sample))) == [
        "..evaluation", "__import__", "random", "time", "trading.db"]
