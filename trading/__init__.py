"""trading — the public-resource trading platform (阳光交易平台).

Nothing heavy is imported at module level: `python -m trading.draws verify` must run on a
machine that has only the checkout and the standard library.
"""


def main(global_config, dbengine=None, **settings):
    """Build the WSGI application; the include order is the one of style.md §2.2."""
    from pyramid.config import Configurator

    from . import config as trading_config

    settings = trading_config.load(settings)
    if dbengine is not None:
        settings["dbengine"] = dbengine
    with Configurator(settings=settings, root_factory="trading.security.RootFactory") as config:
        config.include("pyramid_jinja2")
        config.include("pyramid_services")
        config.include(".clock")
        config.include(".db")
        # Security before any domain: domains register views that name permissions.
        config.include(".security")
        config.include(".guards")
        config.include(".i18n")
        config.include(".forms")
        config.include(".keys")
        config.include(".storage")
        config.include(".jobs")
        # Before the domains: each names the audit actions it records.
        config.include(".audit.actions")
        config.include(".subjects")
        config.include(".workspace")
        config.include(".accounts")
        config.include(".draws")
        config.include(".projects")
        config.include(".bidding")
        config.include(".bidsecurity")
        config.include(".evaluation")
        config.include(".award")
        config.include(".audit")
        config.include(".supervision")
        config.include(".intermediaries")
        config.include(".opendata")
        config.include(".archive")
        config.include(".smallworks")
        config.include(".printables")
        # Last of the domains: it subscribes to their events (messages and e-mail).
        config.include(".messages")
        config.include(".routes")
        config.scan()
        return config.make_wsgi_app()
