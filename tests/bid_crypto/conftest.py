"""Fixtures for the bid_crypto tests: keys are generated once, chunks are tiny."""

import io

import pytest

from bid_crypto import generate_private_key, open_stream, seal_stream

# Small chunks keep every test fast while still exercising many-chunk envelopes.
CHUNK = 64
IDS = {"project": "P-2025-001", "lot": "L1", "bidder": "B-42"}


@pytest.fixture(scope="session")
def ids() -> dict:
    return dict(IDS)


@pytest.fixture(scope="session")
def project_key():
    return generate_private_key("x25519")


@pytest.fixture(scope="session")
def other_key():
    return generate_private_key("x25519")


@pytest.fixture(scope="session")
def xwing_key():
    return generate_private_key("xwing")


@pytest.fixture(scope="session")
def sm2_key():
    return generate_private_key("sm2")


@pytest.fixture(scope="session")
def sm2mlkem_key():
    return generate_private_key("sm2mlkem")


@pytest.fixture(scope="session")
def bidder_key():
    return generate_private_key("x25519")


@pytest.fixture
def seal_bytes(project_key):
    """seal_bytes(data, key=project_key, **options) -> envelope bytes (chunk 64)."""

    def seal(data: bytes, key=None, **options) -> bytes:
        options = {**IDS, "chunk_size": CHUNK, **options}
        out = io.BytesIO()
        seal_stream(io.BytesIO(data), out, (key or project_key).public_key(), **options)
        return out.getvalue()

    return seal


@pytest.fixture
def open_bytes(project_key):
    """open_bytes(envelope, key=project_key, **expected) -> plaintext bytes."""

    def open_(envelope: bytes, key=None, **expected) -> bytes:
        out = io.BytesIO()
        open_stream(io.BytesIO(envelope), out, key or project_key, **expected)
        return out.getvalue()

    return open_
