"""Bid-security fixtures (helpers in tests/bidsecurity_support.py)."""

import pytest
from bidsecurity_support import World, open_world, wsgi_poster

from bid_crypto.receipts import SigningKey
from trading.bidsecurity.bank import HttpBank
from trading.bidsecurity.guarantee import HttpProvider
from trading.bidsecurity.simbank import SimBank
from trading.bidsecurity.simguarantor import SimGuarantor


@pytest.fixture(scope="session")
def bank_key():
    return SigningKey.generate()


@pytest.fixture
def simbank(bank_key, clock):
    return SimBank(bank_key, ":memory:", now=clock)


@pytest.fixture
def bank(simbank, bank_key):
    return HttpBank("http://simbank", lambda: bank_key.public_key(), wsgi_poster(simbank.wsgi))


@pytest.fixture
def use_bank(registry, bank, monkeypatch):
    """The app's adapter replaced by the in-process simulated bank for one test."""
    monkeypatch.setitem(registry, "bidsecurity.bank", bank)
    return bank


@pytest.fixture
def world(dbsession, clock, settings, registry, bank, simbank) -> World:
    return open_world(dbsession, clock, settings, registry, bank, simbank)


@pytest.fixture(scope="session")
def guarantor_key():
    return SigningKey.generate()


@pytest.fixture
def simguarantor(guarantor_key, clock):
    """Its deliveries are kept, not posted: a test hands them to the service itself."""
    delivered = []

    def keep(url, body, headers):
        delivered.append((url, body, headers))
        return 202, b"{}", {}

    provider = SimGuarantor(guarantor_key, ":memory:", post=keep, now=clock)
    provider.delivered = delivered
    return provider


@pytest.fixture
def provider(simguarantor, guarantor_key, registry, monkeypatch):
    """The in-process simulated provider, also the app's for jobs and the opening."""
    adapter = HttpProvider("http://simguarantor", lambda: guarantor_key.public_key(),
                           simguarantor.name, wsgi_poster(simguarantor.wsgi))
    monkeypatch.setitem(registry, "bidsecurity.guarantor", adapter)
    return adapter
