"""Bid-security fixtures (helpers in tests/bidsecurity_support.py)."""

import pytest
from bidsecurity_support import World, open_world, wsgi_poster

from bid_crypto.receipts import SigningKey
from trading.bidsecurity.bank import HttpBank
from trading.bidsecurity.simbank import SimBank


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
