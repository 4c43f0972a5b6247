"""Bids on the S3 backend (issue #19 pt 5): an API upload and a resumable browser upload
land in the bucket under their digests before the receipt, with nothing written to the web
machine's disk on the API path, and a refused or oversized stream leaves nothing there."""

import hashlib
import os

import pytest
from bidding.test_pages import upload_in_parts
from bidding.test_streamed_upload import DiskCalls, api_url, as_waitress
from bidding.test_submission import snapshot
from s3_support import new_bucket, objects, uploads_in_progress
from security.test_hostile_input import bearer

from trading.storage_s3 import S3Storage


@pytest.fixture
def bucket(world, s3_url, tmp_path, monkeypatch):
    """The app's storage swapped for a bucket of its own, for this test."""
    name = new_bucket(s3_url)
    storage = S3Storage(tmp_path / "local", world.registry["storage"].max_bytes, bucket=name,
                        endpoint=s3_url)
    monkeypatch.setitem(world.registry, "storage", storage)
    return storage


def everything(storage) -> list[str]:
    url = storage.client.meta.endpoint_url
    return objects(url, storage.bucket) + uploads_in_progress(url, storage.bucket)


def test_an_api_upload_lands_in_the_bucket_and_not_on_the_disk(testapp, world, bucket,
                                                                monkeypatch):
    bidder = world.bidders[0]
    envelope = world.seal(bidder, documents=[("技术标.pdf", os.urandom(200_000))])
    headers = bearer(world.dbsession, world.clock, world.settings, bidder)
    disk = DiskCalls(monkeypatch)
    done = as_waitress(testapp).post(api_url(world), headers=headers, status=201,
                                     upload_files=[("envelope", "bid.tbid", envelope)]).json
    sha = hashlib.sha256(envelope).hexdigest()
    assert done["receipt"]["envelope_sha256"] == sha
    assert (disk.written, disk.file_fsyncs, disk.spools) == (0, 0, 0)
    assert everything(bucket) == [bucket.key_for(sha)]
    assert bucket.path_for(sha).read_bytes() == envelope


@pytest.mark.parametrize("cut", ["truncated", "oversized"])
def test_a_refused_stream_leaves_nothing_in_the_bucket(testapp, world, bucket, monkeypatch,
                                                       cut):
    bidder = world.bidders[0]
    envelope = world.seal(bidder, documents=[("a.bin", os.urandom(50_000))])
    if cut == "oversized":
        monkeypatch.setitem(world.registry.settings, "bidding.max_envelope_bytes", "20000")
    headers = bearer(world.dbsession, world.clock, world.settings, bidder)
    before = snapshot(world)
    body = envelope[:-7] if cut == "truncated" else envelope
    testapp.post(api_url(world), upload_files=[("envelope", "bid.tbid", body)],
                 headers=headers, status=422 if cut == "truncated" else 413)
    assert snapshot(world) == before and everything(bucket) == []


def test_a_resumable_upload_goes_to_the_bucket_once_finished(testapp, world, bucket):
    bidder = world.bidders[0]
    testapp.login(bidder.username)
    envelope = world.seal(bidder, documents=[("a.bin", os.urandom(30_000))])
    upload_in_parts(as_waitress(testapp), world, envelope, part=10_000)
    sha = hashlib.sha256(envelope).hexdigest()
    assert everything(bucket) == [bucket.key_for(sha)]
    assert bucket.path_for(sha).read_bytes() == envelope
