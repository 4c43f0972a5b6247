"""Key custody: KEK wrapping (auto), and k-of-n Shamir shares HPKE-sealed per project to
the custodians' own keys, released after the deadline for one opening (FORMAT.md §4.2)."""

import itertools
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypo import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bid_crypto import (
    Custodian,
    CustodyError,
    CustodyRelease,
    InconsistentShares,
    KeyFormatError,
    NotEnoughShares,
    OpeningStatement,
    PrivateKey,
    ReleaseRefused,
    SealedShare,
    WrongKey,
    check_release,
    combine_releases,
    generate_private_key,
    make_release,
    split_private_key,
    unwrap_private_key,
    wrap_private_key,
)

KEK = bytes(range(32))
DEADLINE = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)
AFTER = DEADLINE + timedelta(minutes=1)
KEYS = [generate_private_key("x25519") for _ in range(5)]
CUSTODIANS = [Custodian(f"U{i}", key.public_key()) for i, key in enumerate(KEYS, start=1)]


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
    return split_private_key(project_key, project="P1", threshold=3, custodians=CUSTODIANS,
                             not_before=DEADLINE)


def statement_for(share: SealedShare, opening: str = "ab" * 16, **changes) -> OpeningStatement:
    fields = {"project": share.project, "split_id": share.split_id, "opening": opening,
              "deadline": share.not_before, "started_at": "2026-03-02T01:31:00.000Z"}
    return OpeningStatement(**(fields | changes))


def releases(shares, positions, statement=None):
    statement = statement or statement_for(shares[0])
    return [make_release(shares[i], KEYS[i], statement, now=AFTER) for i in positions]


def combine(shares, released):
    return combine_releases(released, suite=shares[0].suite, public_key=shares[0].public_key,
                            threshold=shares[0].threshold)


def test_any_k_releases_rebuild_the_key(project_key, split_3_of_5):
    for subset in itertools.combinations(range(5), 3):
        assert combine(split_3_of_5, releases(split_3_of_5, subset)) == project_key


def test_fewer_than_k_releases_are_not_enough(split_3_of_5):
    for subset in itertools.combinations(range(5), 2):
        with pytest.raises(NotEnoughShares):
            combine(split_3_of_5, releases(split_3_of_5, subset))
    with pytest.raises(NotEnoughShares):
        combine(split_3_of_5, [])
    twice = releases(split_3_of_5, [0, 0, 1])
    with pytest.raises(NotEnoughShares):
        combine(split_3_of_5, twice)


@settings(max_examples=examples(15), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(5)), count=st.integers(3, 5))
def test_combining_ignores_order_and_extra_releases(project_key, split_3_of_5, order, count):
    assert combine(split_3_of_5, releases(split_3_of_5, order[:count])) == project_key


def test_files_round_trip(project_key, split_3_of_5):
    reloaded = [SealedShare.from_json(share.to_json()) for share in split_3_of_5]
    assert reloaded == split_3_of_5
    statement = OpeningStatement.from_json(statement_for(reloaded[0]).to_json())
    made = [CustodyRelease.from_json(r.to_json()) for r in releases(reloaded, [0, 2, 4],
                                                                     statement)]
    assert combine(reloaded, made) == project_key


def test_a_sealed_share_holds_no_share_in_clear(split_3_of_5):
    for share, key in zip(split_3_of_5, KEYS, strict=True):
        value = share.open(key)
        assert value.hex() not in share.to_json() and len(value) == 32


@pytest.mark.parametrize("field", ["project", "index", "threshold", "not_before", "custodian",
                                   "check", "enc", "ciphertext"])
def test_an_altered_share_file_fails_like_a_wrong_key(split_3_of_5, field):
    doc = json.loads(split_3_of_5[0].to_json())
    doc[field] = {"project": "P2", "index": 2, "threshold": 2,
                  "not_before": "2026-03-01T01:30:00.000Z", "custodian": "U9",
                  "check": "00" * 32, "enc": json.loads(split_3_of_5[1].to_json())["enc"],
                  "ciphertext": "00" * 48}[field]
    with pytest.raises(WrongKey):
        SealedShare.from_json(json.dumps(doc)).open(KEYS[0])


def test_a_share_opens_only_with_its_custodians_key(split_3_of_5):
    with pytest.raises(WrongKey, match="sealed to key"):
        split_3_of_5[0].open(KEYS[1])


@pytest.mark.parametrize("change", ["unknown field", "missing field", "index 0", "float",
                                    "uppercase hex", "bad timestamp", "version 2"])
def test_malformed_share_files_are_refused(split_3_of_5, change):
    doc = json.loads(split_3_of_5[0].to_json())
    if change == "unknown field":
        doc["extra"] = 1
    elif change == "missing field":
        del doc["check"]
    elif change == "index 0":
        doc["index"] = 0
    elif change == "float":
        doc["threshold"] = 2.0
    elif change == "uppercase hex":
        doc["split_id"] = doc["split_id"].upper()
    elif change == "bad timestamp":
        doc["not_before"] = "2026-03-02 01:30"
    else:
        doc["version"] = 2
    with pytest.raises(KeyFormatError):
        SealedShare.from_json(json.dumps(doc))


def test_releases_are_refused_before_the_deadline(split_3_of_5):
    share = split_3_of_5[0]
    with pytest.raises(ReleaseRefused) as refused:
        make_release(share, KEYS[0], statement_for(share), now=DEADLINE - timedelta(seconds=1))
    assert refused.value.reason == "before_deadline"
    earlier = statement_for(share, deadline="2026-02-01T00:00:00.000Z")
    with pytest.raises(ReleaseRefused) as refused:
        make_release(share, KEYS[0], earlier, now=DEADLINE - timedelta(seconds=1))
    assert refused.value.reason == "before_deadline"


def test_a_statement_of_another_project_is_refused(project_key, split_3_of_5):
    other = split_private_key(project_key, project="P2", threshold=3, custodians=CUSTODIANS,
                              not_before=DEADLINE)
    with pytest.raises(ReleaseRefused) as refused:
        make_release(split_3_of_5[0], KEYS[0], statement_for(other[0]), now=AFTER)
    assert refused.value.reason == "other_project"


def test_the_platform_accepts_only_this_openings_release_of_this_share(split_3_of_5):
    statement = statement_for(split_3_of_5[0])
    good = make_release(split_3_of_5[0], KEYS[0], statement, now=AFTER)
    check_release(good, sealed=split_3_of_5[0], statement=statement)
    cases = {
        "other_opening": (good, split_3_of_5[0], statement_for(split_3_of_5[0], "cd" * 16)),
        "not_yours": (good, split_3_of_5[1], statement),
        "wrong_share": (CustodyRelease(**{**good.__dict__, "share": bytes(32)}),
                        split_3_of_5[0], statement),
    }
    for reason, (release, sealed, at) in cases.items():
        with pytest.raises(ReleaseRefused) as refused:
            check_release(release, sealed=sealed, statement=at)
        assert refused.value.reason == reason
    with pytest.raises(ReleaseRefused) as refused:
        check_release(good, sealed=split_3_of_5[0], statement=statement, released=[1])
    assert refused.value.reason == "already_released"


def test_a_replayed_release_of_another_project_is_refused(project_key, split_3_of_5):
    other = split_private_key(project_key, project="P2", threshold=3, custodians=CUSTODIANS,
                              not_before=DEADLINE)
    replay = make_release(other[0], KEYS[0], statement_for(other[0]), now=AFTER)
    with pytest.raises(ReleaseRefused) as refused:
        check_release(replay, sealed=split_3_of_5[0], statement=statement_for(split_3_of_5[0]))
    assert refused.value.reason == "other_project"


def test_releases_of_two_splits_do_not_combine(project_key, split_3_of_5):
    other = split_private_key(project_key, project="P1", threshold=3, custodians=CUSTODIANS,
                              not_before=DEADLINE)
    mixed = releases(split_3_of_5, [0, 1]) + releases(other, [2])
    with pytest.raises(InconsistentShares):
        combine(split_3_of_5, mixed)


def test_a_wrong_public_key_is_inconsistent(split_3_of_5):
    released = releases(split_3_of_5, [0, 1, 2])
    with pytest.raises(InconsistentShares):
        combine_releases(released, suite="x25519", threshold=3,
                         public_key=generate_private_key("x25519").public)


def test_xwing_key_splits_too(xwing_key):
    shares = split_private_key(xwing_key, project="P1", threshold=2, custodians=CUSTODIANS[:3],
                               not_before=DEADLINE)
    assert combine(shares, releases(shares, [2, 0])) == xwing_key


def test_an_xwing_custodian_key_is_accepted(project_key):
    key = generate_private_key("xwing")
    people = [Custodian("U1", key.public_key()), CUSTODIANS[1]]
    shares = split_private_key(project_key, project="P1", threshold=2, custodians=people,
                               not_before=DEADLINE)
    assert len(shares[0].open(key)) == 32


@pytest.mark.parametrize(
    ("threshold", "custodians", "message"),
    [
        (1, CUSTODIANS[:3], "threshold"),
        (4, CUSTODIANS[:3], "threshold"),
        (2, [CUSTODIANS[0], CUSTODIANS[0]], "distinct"),
        (2, [Custodian(" ", KEYS[0].public_key()), CUSTODIANS[1]], "custodian"),
    ],
)
def test_split_argument_checks(project_key, threshold, custodians, message):
    with pytest.raises(CustodyError, match=message):
        split_private_key(project_key, project="P1", threshold=threshold,
                          custodians=custodians, not_before=DEADLINE)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), count=st.integers(2, 5))
def test_any_k_of_n_rebuild_and_fewer_do_not(project_key, data, count):
    threshold = data.draw(st.integers(2, count))
    shares = split_private_key(project_key, project="P1", threshold=threshold,
                               custodians=CUSTODIANS[:count], not_before=DEADLINE)
    chosen = data.draw(st.lists(st.integers(0, count - 1), unique=True, max_size=count))
    made = releases(shares, chosen)
    if len(chosen) >= threshold:
        assert combine(shares, made) == project_key
    else:
        with pytest.raises(NotEnoughShares):
            combine(shares, made)
