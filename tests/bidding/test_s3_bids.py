"""Bids on the S3 backend (issue #19 pt 5): an API upload and a resumable browser upload
land in the bucket under their digests before the receipt, with nothing written to the web
machine's disk on the API path, and a refused or oversized stream leaves nothing there."""

import hashlib
import io
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


def test_a_resumable_upload_continues_on_another_web_machine(testapp, world, bucket, tmp_path,
                                                              monkeypatch):
    """Each part may reach another machine: the parts live in the bucket, not on a disk."""
    bidder = world.bidders[0]
    testapp.login(bidder.username)
    envelope = world.seal(bidder, documents=[("a.bin", os.urandom(30_000))])
    base = f"/projects/{world.project.id}/lots/{world.lot.id}/bids/uploads"
    headers = {"X-CSRF-Token": testapp.get_csrf_token(f"/projects/{world.project.id}/bids")}
    start = testapp.post(base, headers=headers, status=201).json
    machines = [bucket, S3Storage(tmp_path / "other", bucket.max_bytes, bucket=bucket.bucket,
                                  endpoint=bucket.client.meta.endpoint_url)]
    for number, offset in enumerate(range(0, len(envelope), 10_000)):
        monkeypatch.setitem(world.registry, "storage", machines[number % 2])
        testapp.put(f"{start['part_url']}?offset={offset}", envelope[offset:offset + 10_000],
                    headers={**headers, "Content-Type": "application/octet-stream"})
    monkeypatch.setitem(world.registry, "storage", machines[1])
    assert testapp.get(start["part_url"]).json == {"received": len(envelope)}
    testapp.post(start["finish_url"], headers=headers, status=200)
    sha = hashlib.sha256(envelope).hexdigest()
    assert everything(bucket) == [bucket.key_for(sha)]
    assert not [p for p in (tmp_path / "other").rglob("*") if p.is_file()
                and "s3-cache" not in p.parts]


def _parts(bucket):
    from trading.bidding.uploads_s3 import S3EnvelopeUploads

    return S3EnvelopeUploads(bucket, 100_000)


def test_two_parts_racing_for_one_offset_cannot_both_land(bucket):
    from trading.bidding.uploads import UploadOffset

    uploads = _parts(bucket)
    token = uploads.start(1, 2)
    uploads.append(1, 2, token, offset=0, stream=io.BytesIO(b"a" * 100), length=100)
    with pytest.raises(UploadOffset) as refused:
        uploads.append(1, 2, token, offset=0, stream=io.BytesIO(b"b" * 50), length=50)
    assert refused.value.received == 100
    # A twin that read the size before the first part was stored: the bucket refuses its
    # part at the taken offset, and it is told where the upload stands.
    twin = _parts(bucket)
    twin._size = lambda parts: 0
    with pytest.raises(UploadOffset):
        twin.append(1, 2, token, offset=0, stream=io.BytesIO(b"b" * 50), length=50)
    assert uploads.received(1, 2, token) == 100
    with uploads.claimed(1, 2, token) as path:
        assert path.read_bytes() == b"a" * 100


def test_a_part_that_arrives_once_the_upload_is_finishing_is_refused_in_the_bucket(bucket):
    from trading.bidding.uploads import UploadNotFound

    uploads = _parts(bucket)
    token = uploads.start(1, 2)
    uploads.append(1, 2, token, offset=0, stream=io.BytesIO(b"a" * 100), length=100)
    with uploads.claimed(1, 2, token) as path:
        with pytest.raises(UploadNotFound):
            uploads.append(1, 2, token, offset=100, stream=io.BytesIO(b"b" * 10), length=10)
        with pytest.raises(UploadNotFound), uploads.claimed(1, 2, token):
            pass  # one finish at a time
        assert path.read_bytes() == b"a" * 100
    assert everything(bucket) == []  # claimed and done: gone
    assert not list((bucket.root / "incoming").iterdir())


def test_an_s3_upload_whose_finish_fails_otherwise_than_refused_is_kept_for_the_retry(bucket):
    from trading.bidding.uploads import UploadNotFound

    uploads = _parts(bucket)
    token = uploads.start(1, 2)
    uploads.append(1, 2, token, offset=0, stream=io.BytesIO(b"a" * 100), length=100)
    with pytest.raises(RuntimeError), uploads.claimed(1, 2, token):
        raise RuntimeError("the database went away")  # pyramid_retry runs it again
    assert uploads.received(1, 2, token) == 100
    with pytest.raises(UploadNotFound), uploads.claimed(1, 2, token):
        raise UploadNotFound("refused")
    with pytest.raises(UploadNotFound):
        uploads.received(1, 2, token)  # a refusal discards it: sealing again starts anew
    assert everything(bucket) == []


def test_an_s3_upload_refuses_foreign_tokens_short_parts_and_oversize(bucket):
    from trading.bidding.uploads import UploadNotFound, UploadOffset
    from trading.storage import FileTooLarge

    uploads = _parts(bucket)
    token = uploads.start(1, 2)
    for user, lot, name in [(9, 2, token), (1, 3, token), (1, 2, "../../sha256/x"),
                            (1, 2, "A" * 32)]:
        with pytest.raises(UploadNotFound):
            uploads.received(user, lot, name)
    with pytest.raises(UploadOffset):  # announced 100, sent 40: nothing kept
        uploads.append(1, 2, token, offset=0, stream=io.BytesIO(b"a" * 40), length=100)
    with pytest.raises(FileTooLarge):
        uploads.append(1, 2, token, offset=0, stream=io.BytesIO(b"a"), length=100_001)
    assert uploads.received(1, 2, token) == 0
    uploads.discard(1, 2, token)
    assert everything(bucket) == []
