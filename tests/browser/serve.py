"""Serve the real app on a loopback port for browser tests: migrate, demo data, waitress.

Run as a separate process so the test process's own app (and the module-level Huey that
keeps its registry) is never reconfigured. Usage: serve.py PORT WORKDIR
"""

import base64
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT_CERTIFICATE = "document_certificate.der"  # in WORKDIR, for the walks to pin


def environment(work: Path) -> dict:
    """The live server's database, storage and keys (sweep.py uses the same)."""
    return {
        "TRADING_DATABASE_URL": f"sqlite:///{work / 'browser.sqlite3'}",
        "TRADING_STORAGE_ROOT": str(work / "files"),
        "TRADING_HUEY_BACKEND": "memory",
        "TRADING_KEK": base64.b64encode(b"b" * 32).decode(),
        "TRADING_SIGNING_KEY": base64.b64encode(b"c" * 32).decode(),
        # The demo has a 国密 project, which needs an SM2 signing key to be approved.
        "TRADING_SM2_SIGNING_KEY": _sm2_key(work),
        # The signed PDFs' key and certificate, as `trading keys generate` prints them: the
        # walks pin the certificate from this folder (steps.check_pdfs), never the server's.
        **_document_signer(work),
    }


def _sm2_key(work: Path) -> str:
    """One test SM2 key per live server folder, shared with sweep.py through the file."""
    path = work / "sm2_signing_key"
    if not path.exists():
        from trading.keys import new_sm2_der

        work.mkdir(parents=True, exist_ok=True)
        path.write_text(base64.b64encode(new_sm2_der()).decode())
    return path.read_text()


def _document_signer(work: Path) -> dict:
    """One document-signing key and certificate per live server folder (base64 DER)."""
    key, cert = work / "document_signing_key", work / DOCUMENT_CERTIFICATE
    if not key.exists():
        from trading.keys import new_document_signer

        signer = new_document_signer("浏览器测试公共资源交易中心")
        work.mkdir(parents=True, exist_ok=True)
        cert.write_bytes(signer.cert_der)
        key.write_text(base64.b64encode(signer.key_der).decode())
    return {"TRADING_DOCUMENT_SIGNING_KEY": key.read_text(),
            "TRADING_DOCUMENT_CERTIFICATE": base64.b64encode(cert.read_bytes()).decode()}


def main(port: str, workdir: str) -> None:
    work = Path(workdir)
    os.environ.update(environment(work))
    from waitress import serve

    from trading import main as make_app
    from trading.cli import main as cli

    ini = str(ROOT / "development.ini")
    for command in (["migrate", ini], ["demo", ini]):
        if cli(command) != 0:
            sys.exit(f"serve.py: {command[0]} failed")
    app = make_app({}, clock=ShiftedClock(work / "clock_offset"), **settings_for(ini, work))
    serve(app, host="127.0.0.1", port=int(port), threads=4, _quiet=True)


def settings_for(ini: str, work: Path) -> dict:
    """development.ini's settings, with a walk's own overrides from WORKDIR/settings.json
    (e.g. the simulated bank's and guarantee provider's free ports and keys in a tmp folder,
    and `trading.public_url` on the live server's port for the provider's links)."""
    import json

    from pyramid.paster import get_appsettings

    overrides = work / "settings.json"
    extra = json.loads(overrides.read_text()) if overrides.exists() else {}
    return {**get_appsettings(ini), **extra}


class ShiftedClock:
    """The system clock plus the whole seconds in a file: walks that cross a deadline move
    the server's time forward (and back to 0) instead of waiting days."""

    def __init__(self, path: Path):
        from trading.clock import SystemClock

        self.path, self.system = path, SystemClock()

    def __call__(self):
        from datetime import timedelta

        try:
            offset = int(self.path.read_text() or 0)
        except (OSError, ValueError):
            offset = 0
        return self.system() + timedelta(seconds=offset)


if __name__ == "__main__":
    main(*sys.argv[1:])
