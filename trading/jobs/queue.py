"""The one Huey instance, configured from the ini after import (style.md §2.9).

Tasks decorated before `configure()` keep working against the new storage, so task modules
can be imported in any order.
"""

from pathlib import Path

from huey import Huey
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

huey = Huey("trading", storage_class=MemoryStorage, utc=True)

BACKENDS = {"memory": MemoryStorage, "sqlite": SqliteStorage, "redis": RedisStorage}


def storage_kwargs(settings: dict) -> dict:
    backend = settings["huey.backend"]
    if backend == "sqlite":
        # The embedded default lives under var/, which a fresh clone does not have yet.
        Path(settings["huey.filename"]).parent.mkdir(parents=True, exist_ok=True)
        return {"filename": settings["huey.filename"]}
    if backend == "redis":
        return {"url": settings["huey.url"]}
    return {}


def configure(instance: Huey, settings: dict) -> Huey:
    instance.storage_class = BACKENDS[settings["huey.backend"]]
    instance.storage_kwargs = storage_kwargs(settings)
    instance.immediate = bool(settings["huey.immediate"])
    instance.storage = instance.create_storage()
    return instance
