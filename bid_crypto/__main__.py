"""Entry point for ``python -m bid_crypto``."""

import os
import sys

from .cli import main


def _quiet_native_stderr() -> None:
    """GmSSL writes a trace to file descriptor 2 on every failed SM2 check; the CLI's
    contract is one ``bid_crypto: error:`` line. Python's stderr moves to a copy of the
    descriptor and the original points at /dev/null (the CLI is single-threaded)."""
    try:
        saved = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
    except OSError:
        return
    os.dup2(devnull, 2)
    os.close(devnull)
    sys.stderr = open(saved, "w", buffering=1, encoding="utf-8", errors="backslashreplace",
                      closefd=True)


_quiet_native_stderr()
raise SystemExit(main())
