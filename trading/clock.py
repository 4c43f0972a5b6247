"""The one injectable UTC clock. Nothing else in the app reads the wall clock.

The server clock is the authority for every deadline (rules §0.3 item 1); tests replace it
with a `FixedClock` and move time explicitly instead of sleeping.
"""

from datetime import UTC, datetime, timedelta


class SystemClock:
    def __call__(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A settable clock for tests and drills."""

    def __init__(self, now: datetime):
        self.set(now)

    def __call__(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("the clock only holds aware UTC datetimes")
        self._now = now.astimezone(UTC)

    def advance(self, **delta) -> datetime:
        self._now += timedelta(**delta)
        return self._now


def get_clock(registry):
    return registry["clock"]


def includeme(config):
    # A test may put its own clock in the settings before the app is built.
    clock = config.registry.settings.get("clock") or SystemClock()
    config.registry["clock"] = clock
    config.add_request_method(lambda request: request.registry["clock"], "clock", reify=True)
