"""One parse of each source file per test process: the structure tests (wiring, imports,
status machines, rule purity, audit labels) each walked every module of trading/ with its
own ast.parse, about a second of CPU a scan on every worker. The trees are read, never
changed, by every caller."""

import ast
import functools
from pathlib import Path


@functools.cache
def _tree(path: str, mtime_ns: int) -> ast.Module:
    return ast.parse(Path(path).read_text(encoding="utf-8"), path)


def tree(path: Path) -> ast.Module:
    """The module at `path`, parsed once while the file is unchanged."""
    return _tree(str(path), path.stat().st_mtime_ns)
