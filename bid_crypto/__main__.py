"""Entry point for ``python -m bid_crypto``."""

from .cli import main

raise SystemExit(main())
