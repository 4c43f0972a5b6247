"""How many examples a property test tries: `make test` a fifth (at least 10) for speed,
`make test-slow` (TRADING_HYPOTHESIS=deep) every one the test asks for."""

import os

DEEP = os.environ.get("TRADING_HYPOTHESIS") == "deep"


def examples(n: int) -> int:
    return n if DEEP else max(10, n // 5)
