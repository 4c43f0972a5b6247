"""Issue #16: hostile envelopes answer a clear 4xx with a code and store nothing."""

import struct

from bidding.test_submission import snapshot
from security.test_hostile_input import bearer

from bid_crypto.header import FORMAT_VERSION, MAGIC, MAX_HEADER_JSON


def deep_header_envelope(depth: int = MAX_HEADER_JSON) -> bytes:
    """A .tbid whose header JSON is `depth` opening brackets (65 536 by default, the
    longest header the format allows): json.loads alone recursed until RecursionError."""
    body = b"[" * depth
    return struct.pack(">8sHI", MAGIC, FORMAT_VERSION, len(body)) + body


def test_a_header_nested_65536_deep_is_refused_through_the_api(testapp, world):
    bidder = world.bidders[0]
    url = f"/api/v1/projects/{world.project.id}/lots/{world.lot.id}/bids"
    headers = bearer(world.dbsession, world.clock, world.settings, bidder)
    before = snapshot(world)
    for envelope in (deep_header_envelope(), deep_header_envelope(33) + b"]" * 33):
        refused = testapp.post(url, upload_files=[("envelope", "bid.tbid", envelope)],
                               headers=headers, status=422).json
        assert refused["error"] == "not_an_envelope"
        assert "不是有效的投标信封" in refused["message"] and "32" in refused["message"]
    assert snapshot(world) == before


def test_a_deep_header_is_refused_at_the_first_part_of_a_chunked_upload(testapp, world):
    bidder = world.bidders[0]
    testapp.login(bidder.username)
    base = f"/projects/{world.project.id}/lots/{world.lot.id}/bids/uploads"
    headers = {"X-CSRF-Token": testapp.get_csrf_token(f"/projects/{world.project.id}/bids")}
    start = testapp.post(base, headers=headers, status=201).json
    refused = testapp.put(f"{start['part_url']}?offset=0", deep_header_envelope(),
                          headers=headers, status=422).json
    assert refused["error"] == "not_an_envelope"
    testapp.post(start["finish_url"], headers=headers, status=404)  # discarded


def test_a_deep_header_is_refused_by_the_upload_form(testapp, world):
    bidder = world.bidders[0]
    testapp.login(bidder.username)
    token = testapp.get_csrf_token(f"/projects/{world.project.id}/bids")
    before = snapshot(world)
    page = testapp.post(f"/projects/{world.project.id}/lots/{world.lot.id}/bids/upload",
                        {"csrf_token": token},
                        upload_files=[("envelope", "bid.tbid", deep_header_envelope())],
                        status=422)
    assert "不是有效的投标信封" in page.text
    assert snapshot(world) == before
