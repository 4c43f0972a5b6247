"""投标保证金 — bid security from payment to refund, sealed like the bids (rules §10).

* `rules` — the pure rules: statutory cap, requirement, refund deadline, interest,
  reconciliation of one notification, forfeiture grounds;
* `bank` — the bank adapter interface and its wire format (signed notifications, refund
  orders with idempotency keys); `simbank` — the simulated bank, its own process;
* `service` — requirement per lot from the rule profile, payer accounts, sub-accounts, the
  notification webhook (sealed to the opening key), the check at the opening, refunds.
"""


def includeme(config):
    from .bank import BankAdapter, bank_from_settings
    from .service import BidSecurityService, bid_security_service_factory

    bank = bank_from_settings(config.get_settings())
    # The registry holds the adapter: jobs read it there, requests through find_service.
    config.registry["bidsecurity.bank"] = bank
    config.register_service(bank, BankAdapter)
    config.register_service_factory(bid_security_service_factory, BidSecurityService)
