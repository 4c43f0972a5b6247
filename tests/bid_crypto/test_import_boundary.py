"""bid_crypto runs on bidders' machines: stdlib, three crypto libraries and a passphrase
strength estimator, nothing of the app."""

import ast
import json
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "bid_crypto"
# pycryptodome; cryptography (SM3, SM4-GCM); gmssl_pyx (SM2 in GmSSL, C); zxcvbn (pure
# Python, the strength of a custodian's key-file passphrase where it is typed).
ALLOWED_THIRD_PARTY = {"Crypto", "cryptography", "gmssl_pyx", "zxcvbn"}
FORBIDDEN = {
    "trading",
    "pyramid",
    "sqlalchemy",
    "huey",
    "transaction",
    "colander",
    "deform",
}


def imported_roots(source: Path) -> set[str]:
    """Top-level module names of every absolute import in ``source``."""
    roots = set()
    for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__":
            roots.add("__import__")  # dynamic imports would dodge this check
    return roots


def test_every_module_imports_only_stdlib_and_the_crypto_libraries():
    modules = sorted(PACKAGE.rglob("*.py"))
    assert len(modules) >= 10
    for module in modules:
        roots = imported_roots(module)
        assert not roots & FORBIDDEN, f"{module.name} imports {roots & FORBIDDEN}"
        outside = roots - set(sys.stdlib_module_names) - ALLOWED_THIRD_PARTY
        assert not outside, f"{module.name} imports {outside}"
        assert "importlib" not in roots, f"{module.name} imports modules dynamically"


def test_the_walker_sees_what_it_must(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import os.path\nfrom trading.db import x\nfrom . import y\n"
        "def f():\n    import sqlalchemy\n    __import__('huey')\n"
    )
    assert imported_roots(sample) == {"os", "trading", "sqlalchemy", "__import__"}


def test_importing_the_package_loads_nothing_of_the_app():
    code = (
        "import json, sys, bid_crypto, bid_crypto.cli; "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=PACKAGE.parent,
        check=True,
    )
    loaded = set(json.loads(result.stdout))
    assert "bid_crypto" in loaded
    assert not loaded & FORBIDDEN
