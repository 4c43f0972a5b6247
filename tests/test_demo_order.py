"""The demo's loaders run in one explicit order (trading.demo.ORDER), and every one named
there exists: a renamed loader fails here, not halfway through `trading demo`."""

import importlib
import pkgutil

import trading
import trading.demo
from trading.demo import ORDER, loaders


def test_every_loader_in_the_order_resolves_and_appears_once():
    assert len(set(ORDER)) == len(ORDER)
    assert all(callable(fn) for fn in loaders())


def test_every_demo_module_is_in_the_order():
    """A demo module whose loaders are missing from ORDER would never run."""
    modules = {name for _, name, _ in pkgutil.iter_modules(trading.demo.__path__, "trading.demo.")
               if not name.endswith(".helpers")}
    listed = {name.split(":")[0] for name in ORDER}
    assert modules <= listed, modules - listed
    for name in modules:
        importlib.import_module(name)


def test_demo_data_lives_only_in_the_demo_package():
    """No domain seeds itself: a `demo` module outside trading/demo/ would be a second way in."""
    stray = {name for _, name, _ in pkgutil.walk_packages(trading.__path__, "trading.")
             if "demo" in name.rsplit(".", 1)[-1] and not name.startswith("trading.demo")}
    assert not stray, stray


def test_demo_modules_share_builders_through_helpers_only():
    """A loader module imports another's public builders or `helpers`, never a private
    name: the shared ones live in trading/demo/helpers.py."""
    import ast
    from pathlib import Path

    found = []
    for path in Path(trading.demo.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                found += [f"{path.name}: {node.module}.{a.name}" for a in node.names
                          if a.name.startswith("_")]
    assert found == []
