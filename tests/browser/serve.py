"""Serve the real app on a loopback port for browser tests: migrate, demo data, waitress.

Run as a separate process so the test process's own app (and its module-level Huey and
job runtime) is never reconfigured. Usage: serve.py PORT WORKDIR
"""

import base64
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main(port: str, workdir: str) -> None:
    work = Path(workdir)
    os.environ.update({
        "TRADING_DATABASE_URL": f"sqlite:///{work / 'browser.sqlite3'}",
        "TRADING_STORAGE_ROOT": str(work / "files"),
        "TRADING_HUEY_BACKEND": "memory",
        "TRADING_KEK": base64.b64encode(b"b" * 32).decode(),
        "TRADING_SIGNING_KEY": base64.b64encode(b"c" * 32).decode(),
    })
    from pyramid.paster import get_app
    from waitress import serve

    from trading.cli import main as cli

    ini = str(ROOT / "development.ini")
    for command in (["migrate", ini], ["demo", ini]):
        if cli(command) != 0:
            sys.exit(f"serve.py: {command[0]} failed")
    serve(get_app(ini), host="127.0.0.1", port=int(port), threads=4, _quiet=True)


if __name__ == "__main__":
    main(*sys.argv[1:])
