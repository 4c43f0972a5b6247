"""Verifiable random draws: one engine for every lottery, a public record and a verifier.

Only the standard library at module level: `python -m trading.draws verify` runs on a
machine with nothing but the checkout.
"""


def includeme(config):
    from .services import DrawService, draw_service_factory

    config.register_service_factory(draw_service_factory, DrawService)
