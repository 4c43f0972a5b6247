"""Verifiable random draws: one engine for every lottery, a public record and a verifier.

`engine`, `record`, `errors` and `__main__` use the standard library only, so that
`python -m trading.draws verify RECORD.json` runs on a machine with nothing but the
checkout; this module therefore imports nothing at module level. `models`, `services`,
`views` and `api` are the database-backed part (ALGORITHM.md specifies the algorithm).
"""


def includeme(config):
    from .services import DrawService, draw_service_factory

    config.register_service_factory(draw_service_factory, DrawService)
