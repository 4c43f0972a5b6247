"""Structure figures for issue #22 (before/after): module-level registries, function-level
imports of trading.*, class names defined twice or more, import cycles between domain
packages at module level.

    python tools/structure_counts.py [ROOT]     # ROOT: the checkout (default: this one)

Standard library only, reads the source (ast), imports nothing from it, so it also runs on
an old commit: `git archive <rev> trading | tar -x -C /tmp/old && python
tools/structure_counts.py /tmp/old`."""

import ast
import functools
import sys
from collections import Counter, defaultdict
from pathlib import Path

MUTATORS = {"append", "extend", "insert", "update", "setdefault", "add"}
CONTAINER_CALLS = {"list", "dict", "set", "defaultdict", "OrderedDict"}


def modules(package: Path):
    """(dotted module name, is a package __init__, ast) for every module under `package`."""
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        init = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if init else parts)
        yield name, init, _parse(path, path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4096)
def _parse(path: Path, _mtime: int) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), str(path))


def resolve(module: str, init: bool, node: ast.ImportFrom) -> str:
    """The absolute module an ImportFrom names (relative levels resolved)."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base[:len(base) - node.level + (1 if init else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def imported(module: str, init: bool, node) -> list[str]:
    """The absolute names an import statement brings in: `from a import b` gives a.b (b
    may be a submodule, which is what matters for `from trading import audit`)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    source = resolve(module, init, node)
    return [f"{source}.{alias.name}" if alias.name != "*" else source for alias in node.names]


def top_level_imports(tree):
    """Imports a module runs when it is imported: its body, inside if/try/with at top level,
    but not under `if TYPE_CHECKING:`."""
    def walk(body):
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                yield node
            elif isinstance(node, ast.If):
                test = node.test
                name = test.id if isinstance(test, ast.Name) else \
                    test.attr if isinstance(test, ast.Attribute) else None
                if name != "TYPE_CHECKING":
                    yield from walk(node.body)
                yield from walk(node.orelse)
            elif isinstance(node, ast.Try):
                for block in (node.body, node.orelse, node.finalbody,
                              *[h.body for h in node.handlers]):
                    yield from walk(block)
            elif isinstance(node, ast.With):
                yield from walk(node.body)
    yield from walk(tree.body)


def function_imports(tree):
    """Import statements inside a function or method body (any depth)."""
    for fn in ast.walk(tree):
        if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for node in ast.walk(fn):
                if isinstance(node, (ast.Import, ast.ImportFrom)):
                    yield fn, node


def domain_of(name: str, domains: set[str]) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "trading" and parts[1] in domains \
        else None


# Modules that import every domain on purpose and that no module imports at module level
# (tests/test_imports.py checks that): they sit above the graph, not inside their package.
AGGREGATORS = {
    # Every models module, so Base.metadata is complete: imported inside db.includeme and
    # by Alembic's env, never at a module's top.
    "trading.db.all",
}


def parts_of(package: Path, top_modules: bool) -> set[str]:
    """The nodes of the graph: each package under trading/, and with `top_modules` each
    top-level module (trading/navigation.py is `navigation`)."""
    parts = {p.name for p in package.iterdir() if (p / "__init__.py").exists()}
    if top_modules:
        parts |= {p.stem for p in package.glob("*.py") if p.stem != "__init__"}
    return parts


def domain_graph(package: Path, top_modules: bool = False) -> dict[str, dict[str, list[str]]]:
    """part → {imported part: ["module:line", ...]} for module-level imports."""
    domains = parts_of(package, top_modules)
    graph: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for name, init, tree in modules(package):
        source = domain_of(name, domains)
        if source is None or name in AGGREGATORS:
            continue
        for node in top_level_imports(tree):
            for target in imported(name, init, node):
                dest = domain_of(target, domains)
                if dest and dest != source:
                    graph[source][dest].append(f"{name}:{node.lineno}")
    return graph


def cycles(graph) -> list[list[str]]:
    """Strongly connected components with more than one domain (Tarjan), sorted."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, {}):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    nodes = set(graph) | {w for targets in graph.values() for w in targets}
    for v in sorted(nodes):
        if v not in index:
            visit(v)
    return sorted(out)


def shortest_cycle(graph, component: list[str]) -> list[str]:
    """One shortest cycle through the component's first domain (breadth first)."""
    start, members = component[0], set(component)
    paths, seen = [[start]], {start}
    while paths:
        nxt = []
        for path in paths:
            for w in sorted(graph.get(path[-1], {})):
                if w == start:
                    return path + [start]
                if w in members and w not in seen:
                    seen.add(w)
                    nxt.append(path + [w])
        paths = nxt
    return []


def registries(package: Path) -> list[str]:
    """Module-level names bound to a mutable container that some code in the package fills
    (NAME.append(...), NAME[k] = v, mod.NAME.update(...), ...): registration by list."""
    containers, mutated = [], set()
    for name, _init, tree in modules(package):
        for node in tree.body:
            target = node.targets[0] if isinstance(node, ast.Assign) else \
                node.target if isinstance(node, ast.AnnAssign) else None
            value = getattr(node, "value", None)
            mutable = isinstance(value, (ast.List, ast.Dict, ast.Set, ast.ListComp,
                                         ast.DictComp, ast.SetComp)) or (
                isinstance(value, ast.Call) and isinstance(value.func, ast.Name)
                and value.func.id in CONTAINER_CALLS)
            if isinstance(target, ast.Name) and mutable:
                containers.append((name, target.id))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in MUTATORS:
                owner = node.func.value
            elif isinstance(node, (ast.Assign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                owner = next((t.value for t in targets if isinstance(t, ast.Subscript)), None)
            else:
                continue
            if isinstance(owner, ast.Name):
                mutated.add(owner.id)
            elif isinstance(owner, ast.Attribute):
                mutated.add(owner.attr)
    # A module-level name filled only inside its own module at import time is a table
    # built in place, not a registry; the name must be filled from a function.
    return [f"{module}.{var}" for module, var in containers
            if var in mutated and _filled_from_function(package, var)]


def _filled_from_function(package: Path, var: str) -> bool:
    for _name, _init, tree in modules(package):
        for fn in ast.walk(tree):
            if not isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            local = {a.arg for a in fn.args.args + fn.args.kwonlyargs}
            for node in ast.walk(fn):
                if isinstance(node, ast.Assign):
                    local |= {t.id for t in node.targets if isinstance(t, ast.Name)}
            if var in local:
                continue
            for node in ast.walk(fn):
                owner = None
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                        and node.func.attr in MUTATORS:
                    owner = node.func.value
                elif isinstance(node, ast.Assign):
                    owner = next((t.value for t in node.targets
                                  if isinstance(t, ast.Subscript)), None)
                if (isinstance(owner, ast.Name) and owner.id == var) or \
                        (isinstance(owner, ast.Attribute) and owner.attr == var):
                    return True
    return False


def main(root: Path) -> None:
    package = root / "trading"
    found = registries(package)
    print(f"module-level registries: {len(found)}")
    for entry in found:
        print(f"  {entry}")

    fn_imports = [(name, init, node) for name, init, tree in modules(package)
                  for _fn, node in function_imports(tree)
                  if any(t == "trading" or t.startswith("trading.")
                         for t in imported(name, init, node))]
    print(f"function-level imports of trading.*: {len(fn_imports)} statements "
          f"in {len({n for n, _i, _n in fn_imports})} modules")
    cross = [(name, node) for name, init, node in fn_imports
             if any(_crosses(name, t) for t in imported(name, init, node))]
    print(f"  of which import another part of trading/: {len(cross)}")

    classes = Counter(node.name for _name, _init, tree in modules(package)
                      for node in ast.walk(tree) if isinstance(node, ast.ClassDef))
    twice = sorted(n for n, c in classes.items() if c > 1)
    print(f"class names defined twice or more: {len(twice)}")
    print("  " + ", ".join(twice))

    for title, top_modules in (("domain packages", False),
                               ("packages and top-level modules", True)):
        _print_cycles(title, domain_graph(package, top_modules))


def _crosses(module: str, target: str) -> bool:
    return target.startswith("trading.") and module.split(".")[:2] != target.split(".")[:2]


def _print_cycles(title, graph) -> None:
    comps = cycles(graph)
    print(f"{title} in a module-level import cycle: "
          f"{sum(len(c) for c in comps)} in {len(comps)} cycle(s)")
    for comp in comps:
        print(f"  {{{', '.join(comp)}}}  e.g. {' -> '.join(shortest_cycle(graph, comp))}")
        for v in comp:
            for w in sorted(graph.get(v, {})):
                if w in comp:
                    print(f"    {v} -> {w}: {', '.join(graph[v][w][:3])}"
                          f"{' …' if len(graph[v][w]) > 3 else ''}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[1])
