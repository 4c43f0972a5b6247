"""The demo's loaders run in one explicit order (trading.demo.ORDER), and every one named
there exists: a renamed loader fails here, not halfway through `trading demo`."""

import importlib
import pkgutil

import trading
from trading.demo import ORDER, loaders


def test_every_loader_in_the_order_resolves_and_appears_once():
    assert len(set(ORDER)) == len(ORDER)
    assert all(callable(fn) for fn in loaders())


def test_every_demo_module_is_in_the_order():
    """A demo module whose loaders are missing from ORDER would never run."""
    modules = {name for _, name, _ in pkgutil.walk_packages(trading.__path__, "trading.")
               if name.rsplit(".", 1)[-1].endswith("demo")}
    listed = {name.split(":")[0] for name in ORDER}
    assert modules <= listed, modules - listed
    for name in modules:
        importlib.import_module(name)
