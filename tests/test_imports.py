"""No import cycle between the parts of trading/ at module level (issue #22 point 2).

The parts are the packages under trading/ and its top-level modules (`navigation`,
`workspace`, ...); an import at a module's top (inside if/try too, not under
TYPE_CHECKING) is an edge from its part to the imported one, `from trading import x`
included. A cycle fails naming every edge of it with the import that makes it: break it by
moving what both sides need below them (as audit's log and supervision were split), or by
an event or directive in the registry (README "How the domains connect")."""

import ast
import importlib.util
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("structure_counts",
                                               ROOT / "tools" / "structure_counts.py")
counts = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(counts)


def _cycle_report(graph) -> list[str]:
    report = []
    for component in counts.cycles(graph):
        path = counts.shortest_cycle(graph, component)
        edges = [f"  {a} -> {b}: {', '.join(graph[a][b][:3])}" for a, b in pairwise(path)]
        report.append(" -> ".join(path) + "\n" + "\n".join(edges))
    return report


def test_no_import_cycle_between_the_parts_of_trading():
    report = _cycle_report(counts.domain_graph(ROOT / "trading", top_modules=True))
    assert report == [], "import cycle at module level:\n" + "\n".join(report)


def test_audit_is_a_leaf():
    """Every domain writes to the audit log; the log imports no domain at module level
    (the infrastructure below every domain, db and jobs, aside)."""
    graph = counts.domain_graph(ROOT / "trading")
    assert set(graph.get("audit", {})) <= {"db", "jobs"}, dict(graph["audit"])


def test_aggregators_are_imported_by_no_module_top():
    """The graph leaves out the modules that import every domain on purpose (trading.db.all);
    that is sound only while no module imports them at its top."""
    for name, init, tree in counts.modules(ROOT / "trading"):
        for node in counts.top_level_imports(tree):
            targets = counts.imported(name, init, node)
            assert not set(targets) & counts.AGGREGATORS, f"{name}:{node.lineno}"


def _graph_of(tmp_path, files: dict[str, str]):
    for path, text in files.items():
        target = tmp_path / "trading" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return counts.domain_graph(tmp_path / "trading", top_modules=True)


def test_a_cycle_fails_naming_its_imports(tmp_path):
    graph = _graph_of(tmp_path, {
        "__init__.py": "", "a/__init__.py": "", "b/__init__.py": "",
        "a/x.py": "from ..b.y import f\n",
        "b/y.py": "from trading import a\n",
        "c.py": "def later():\n    from trading.a import x\n",  # inside a function: no edge
        "d.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import x\n",
    })
    report = _cycle_report(graph)
    assert len(report) == 1
    assert report[0].splitlines()[0] == "a -> b -> a"
    assert "trading.a.x:1" in report[0] and "trading.b.y:1" in report[0]
    assert set(graph) == {"a", "b"}


def test_top_level_modules_are_parts(tmp_path):
    graph = _graph_of(tmp_path, {
        "__init__.py": "", "a/__init__.py": "from .. import nav\n",
        "nav.py": "try:\n    from .a import thing\nexcept ImportError:\n    pass\n",
    })
    assert [line.splitlines()[0] for line in _cycle_report(graph)] == ["a -> nav -> a"]


def test_function_level_imports_are_counted(tmp_path):
    source = "import os\nfrom . import b\n\ndef f():\n    from .a import x\n    import trading.c\n"
    calls = list(counts.function_imports(ast.parse(source)))
    assert [node.lineno for _fn, node in calls] == [5, 6]
