"""Demo data: a month of a trading center, loaded idempotently by `trading demo
development.ini` (`make demo`).

One module per domain in this package holds its loaders, which act through the domains'
services; `helpers` holds the builders they share. `ORDER` below lists every loader in
the order it runs; nothing registers itself. Each must be safe to run twice.
"""

from pyramid.path import DottedNameResolver

from ..db import registry_of
from .accounts import USERS, load_accounts  # noqa: F401 (the CLI prints USERS)
from .audit import prepare_witness
from .helpers import DEMO_PASSWORD  # noqa: F401 (the CLI and tests log in with it)

# Every loader, in the order they run: later ones use what earlier ones made.
ORDER = (
    # Rule profiles before the projects demo posts anything.
    "trading.demo.award:load_final_offer_profile",
    "trading.demo.consultation:load_consultation_profile",
    # No opening until the bids exist: `load_bids` resumes it.
    "trading.demo.bidding:pause_opening",
    "trading.demo.accounts:load_accounts",
    # `custodians` projects get the bidding demo's custodians before their approval.
    "trading.demo.projects:load_projects",
    "trading.demo.draws:load_draws",
    "trading.demo.intermediaries:load_supermarket",
    "trading.demo.smallworks:load_smallworks",
    # After every other domain's projects: bids, then what needs the opened bids.
    "trading.demo.bidding:load_bids",
    "trading.demo.award:load_award_demo",
    # The evaluation's pool goes first, the consultation's panel after it.
    "trading.demo.evaluation:load_evaluation",
    "trading.demo.consultation:load_consultation_demo",
    # Before the collusion scans, which then cover this opening too.
    "trading.demo.bidsecurity:load_bid_security",
    "trading.demo.audit:load_signals",
    "trading.demo.audit:load_overdue",
    # Last: a few unread messages per demo account, beside those the events wrote.
    "trading.demo.messages:load_messages",
)


def loaders() -> list:
    resolver = DottedNameResolver()
    return [resolver.resolve(name) for name in ORDER]


def load_demo(dbsession, clock, settings) -> None:
    from ..audit import merkle

    # Demo loaders write on demo clocks that lie in the past (a bid "a day before its
    # deadline", an opening weeks ago): while they run, the log merges each event at its
    # own time, as a sequencer running back then would have, so a receipt's promise is
    # judged on one clock (merkle.sequence). Never set outside the demo.
    settings[merkle.MERGE_AS_QUEUED] = True
    try:
        for loader in loaders():
            loader(dbsession, clock, settings)
        # The demo shows a signed checkpoint from the first minute.
        merkle.sequence(dbsession, registry_of(dbsession)["keys"], settings, now=clock())
        # …cosigned by the demo supervisor's witness, which `make run` starts.
        prepare_witness(settings, registry_of(dbsession)["keys"])
    finally:
        settings.pop(merkle.MERGE_AS_QUEUED, None)
