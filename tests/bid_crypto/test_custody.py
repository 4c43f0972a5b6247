"""Key custody: KEK wrapping (auto) and k-of-n Shamir shares under passphrases."""

import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bid_crypto import (
    CustodyError,
    InconsistentShares,
    KeyFormatError,
    NotEnoughShares,
    PrivateKey,
    SealedShare,
    WrongKey,
    WrongPassphrase,
    combine_shares,
    recover_private_key,
    split_private_key,
    unseal_share,
    unwrap_private_key,
    wrap_private_key,
)

KEK = bytes(range(32))
LOG_N = 10  # the minimum scrypt cost: tests only, keeps a share at ~2 ms
CUSTODIANS = [
    ("中心经办人", "passphrase-1"),
    ("监督人员", "passphrase-2"),
    ("业主代表", "passphrase-3"),
    ("alice", "passphrase-4"),
    ("bob", "passphrase-5"),
]


def test_wrap_round_trip(project_key, xwing_key):
    for key in (project_key, xwing_key):
        wrapped = wrap_private_key(KEK, key.to_bytes(), "P1")
        assert key.secret not in wrapped
        assert PrivateKey.from_bytes(unwrap_private_key(KEK, wrapped, "P1")) == key


def test_wrapping_is_randomised(project_key):
    assert wrap_private_key(KEK, project_key.to_bytes(), "P1") != wrap_private_key(
        KEK, project_key.to_bytes(), "P1"
    )


@pytest.mark.parametrize(
    ("kek", "project", "damage"),
    [(bytes(32), "P1", None), (KEK, "P2", None), (KEK, "P1", -1), (KEK, "P1", 5)],
    ids=["wrong-kek", "wrong-project", "altered-tag", "altered-nonce"],
)
def test_unwrap_failures_are_wrong_key(project_key, kek, project, damage):
    wrapped = bytearray(wrap_private_key(KEK, project_key.to_bytes(), "P1"))
    if damage is not None:
        wrapped[damage] ^= 1
    with pytest.raises(WrongKey, match="cannot unwrap the key of project"):
        unwrap_private_key(kek, bytes(wrapped), project)


def test_wrap_input_checks(project_key):
    with pytest.raises(CustodyError, match="32 bytes"):
        wrap_private_key(b"short", project_key.to_bytes(), "P1")
    with pytest.raises(KeyFormatError):
        unwrap_private_key(KEK, b"\x02" + bytes(40), "P1")


@pytest.fixture(scope="module")
def split_3_of_5(project_key):
    return split_private_key(
        project_key, project="P1", threshold=3, custodians=CUSTODIANS, log_n=LOG_N
    )


def _released(shares, indices):
    return [(shares[i], CUSTODIANS[i][1]) for i in indices]


def test_any_k_shares_rebuild_the_key(split_3_of_5, project_key):
    for subset in itertools.combinations(range(5), 3):
        assert recover_private_key(_released(split_3_of_5, subset)) == project_key


def test_fewer_than_k_shares_fail_clearly(split_3_of_5):
    for subset in itertools.combinations(range(5), 2):
        with pytest.raises(NotEnoughShares, match="2 of the 3 shares"):
            recover_private_key(_released(split_3_of_5, subset))
    with pytest.raises(NotEnoughShares, match="no share"):
        recover_private_key([])
    duplicated = _released(split_3_of_5, [0, 0, 1])
    with pytest.raises(NotEnoughShares, match="2 of the 3"):
        recover_private_key(duplicated)


@settings(
    max_examples=15,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.permutations(range(5)), st.integers(min_value=3, max_value=5))
def test_order_and_extra_shares_do_not_matter(split_3_of_5, project_key, order, count):
    assert recover_private_key(_released(split_3_of_5, order[:count])) == project_key


def test_wrong_passphrase_names_the_custodian(split_3_of_5):
    released = _released(split_3_of_5, [0, 1, 2])
    released[1] = (released[1][0], "not-the-passphrase")
    with pytest.raises(WrongPassphrase, match="share 2 \\(custodian '监督人员'\\)"):
        recover_private_key(released)


def test_share_json_round_trip_and_tampering(split_3_of_5, project_key):
    texts = [share.to_json() for share in split_3_of_5]
    assert all(project_key.secret.hex() not in text for text in texts)
    reloaded = [SealedShare.from_json(text) for text in texts]
    assert recover_private_key(_released(reloaded, [0, 2, 4])) == project_key
    doc = json.loads(texts[0])
    doc["custodian"] = "mallory"  # metadata is authenticated with the share
    with pytest.raises(WrongPassphrase):
        unseal_share(SealedShare.from_json(json.dumps(doc)), CUSTODIANS[0][1])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("threshold", 1),
        ("index", 9),
        ("kdf", {"name": "pbkdf2"}),
        ("split_id", "xyz"),
        ("suite", "rsa"),
        ("version", 2),
    ],
)
def test_malformed_share_files_are_refused(split_3_of_5, field, value):
    doc = json.loads(split_3_of_5[0].to_json())
    doc[field] = value
    with pytest.raises(KeyFormatError):
        SealedShare.from_json(json.dumps(doc))


def test_shares_of_different_splits_do_not_mix(split_3_of_5, project_key):
    other = split_private_key(
        project_key, project="P1", threshold=3, custodians=CUSTODIANS, log_n=LOG_N
    )
    released = _released(split_3_of_5, [0, 1]) + _released(other, [2])
    with pytest.raises(InconsistentShares, match="different key splits"):
        recover_private_key(released)


def test_corrupt_share_value_is_caught_by_the_public_key(split_3_of_5):
    shares = [unseal_share(s, p) for s, p in _released(split_3_of_5, [0, 1, 2])]
    bad = type(shares[0])(shares[0].info, bytes(a ^ 1 for a in shares[0].value))
    with pytest.raises(InconsistentShares, match="recorded opening key"):
        combine_shares([bad, *shares[1:]])


def test_xwing_key_splits_too(xwing_key):
    shares = split_private_key(
        xwing_key, project="P1", threshold=2, custodians=CUSTODIANS[:3], log_n=LOG_N
    )
    assert recover_private_key(_released(shares, [2, 0])) == xwing_key


@pytest.mark.parametrize(
    ("threshold", "custodians", "message"),
    [
        (1, CUSTODIANS[:3], "threshold"),
        (4, CUSTODIANS[:3], "threshold"),
        (2, [("a", "passphrase-1"), ("a", "passphrase-2")], "distinct"),
        (2, [("a", "short"), ("b", "passphrase-2")], "at least 8"),
        (2, [(" ", "passphrase-1"), ("b", "passphrase-2")], "custodian name"),
    ],
)
def test_split_argument_checks(project_key, threshold, custodians, message):
    with pytest.raises(CustodyError, match=message):
        split_private_key(
            project_key,
            project="P1",
            threshold=threshold,
            custodians=custodians,
            log_n=LOG_N,
        )
