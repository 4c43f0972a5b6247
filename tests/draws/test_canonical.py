"""The fast canonical JSON (orjson) writes exactly the bytes of ALGORITHM.md §1.

The platform hashes candidate lists with orjson; a verifier on a bare Python uses the
standard library. Any difference would make a valid record fail elsewhere, so every
generated value must give the same bytes both ways, and what orjson cannot write (an
integer past 64 bits, a lone surrogate, deep nesting) must fall back, not differ.
"""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from trading.draws import engine
from trading.draws.errors import MalformedInput
from trading.draws.record import build_record, dump_record

# Every code point, control characters, U+2028 and the astral planes included; lone
# surrogates are separate (they must be refused, the same way on both paths).
any_text = st.text(st.characters(codec="utf-8"), max_size=12)
scalars = st.none() | st.booleans() | st.integers() | any_text
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=20,
)


def test_the_platform_canonicalises_with_orjson():
    assert engine._orjson is not None


@given(values)
def test_fast_and_reference_bytes_are_equal(value):
    assert engine.canonical_json(value) == engine.reference_dump(value, "$")


@given(st.integers(min_value=2**63 - 2, max_value=2**70) | st.integers(max_value=-(2**63) + 2))
def test_integers_past_64_bits_fall_back_to_the_reference(number):
    assert engine.canonical_json({"n": number}) == f'{{"n":{number}}}'.encode()


@pytest.mark.parametrize("text", ["\ud800", "a\udfffb"])
def test_a_lone_surrogate_is_refused_on_both_paths(text):
    with pytest.raises(MalformedInput):
        engine.canonical_json({"id": text})
    with pytest.raises(MalformedInput):
        engine.reference_dump({"id": text}, "$")


def test_nesting_deeper_than_orjson_allows_falls_back():
    value = []
    for _ in range(300):
        value = [value]
    assert engine.canonical_json(value) == engine.reference_dump(value, "$")


def test_the_list_hash_is_the_reference_hash():
    candidates = [{"id": f"E{i}", "label": "专家\u2028", "attributes": {"年限": i, "b": None},
                   "weight": i + 1} for i in range(50)]
    expected = engine.sha256_hex(engine.reference_dump(candidates, "candidates"))
    assert engine.freeze(candidates).list_hash == expected


def test_published_record_text_is_the_standard_librarys():
    record = build_record(
        purpose="专家抽取", subject={"type": "project", "id": "1"}, rule="抽 2 名",
        count=2, candidates=[{"id": f"E{i}", "label": f"专家{i}"} for i in range(5)],
        seed=bytes(32), beacon=None)
    assert dump_record(record) == json.dumps(record, ensure_ascii=False, indent=2) + "\n"
