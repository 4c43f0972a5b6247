"""Issue #19 point 1: an envelope is streamed once — checked and hashed while it is written
to its final storage, one fsync, no spooled copy — and a refusal leaves nothing behind."""

import hashlib
import os
import tempfile

import pytest
import sqlalchemy as sa
from bidding.test_pages import upload_in_parts
from bidding.test_submission import snapshot
from factories import make_user
from security.test_hostile_input import bearer

from trading.accounts.models import Role
from trading.bidding.models import Bid, BidVersion
from trading.bidding.uploads import EnvelopeUploads, UploadNotFound


class DiskCalls:
    """Counts what reaches the disk through Python: bytes written, files fsync'd."""

    def __init__(self, monkeypatch):
        self.written, self.file_fsyncs, self.dir_fsyncs, self.spools = 0, 0, 0, 0
        real_write, real_fsync = os.write, os.fsync

        def write(fd, data):
            self.written += len(data)
            return real_write(fd, data)

        def fsync(fd):
            if os.path.isdir(f"/proc/self/fd/{fd}"):
                self.dir_fsyncs += 1
            else:
                self.file_fsyncs += 1
            return real_fsync(fd)

        def no_spool(*args, **kwargs):
            self.spools += 1
            return real_spool(*args, **kwargs)

        real_spool = tempfile.TemporaryFile
        monkeypatch.setattr(os, "write", write)
        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(tempfile, "TemporaryFile", no_spool)


def as_waitress(testapp):
    """The same app and cookies, its body handed over as waitress does: whole and seekable
    (WebTest's lint wraps it in an unseekable reader)."""
    twin = type(testapp)(testapp.app, extra_environ={**testapp.extra_environ,
                                                     "SERVER_SOFTWARE": "waitress"}, lint=False)
    twin.cookiejar = testapp.cookiejar
    return twin


def stored_files(world) -> set[str]:
    root = world.registry["storage"].root
    return {p.name for p in root.glob("??/??/*")} | {
        f"incoming/{p.name}" for p in (root / "incoming").glob("*")}


def api_url(world) -> str:
    return f"/api/v1/projects/{world.project.id}/lots/{world.lot.id}/bids"


def test_an_api_upload_is_written_once_with_one_fsync_and_no_spool(testapp, world,
                                                                      monkeypatch):
    bidder = world.bidders[0]
    envelope = world.seal(bidder, documents=[("技术标.pdf", os.urandom(200_000))])
    headers = bearer(world.dbsession, world.clock, world.settings, bidder)
    disk = DiskCalls(monkeypatch)
    # waitress hands the app a body it has spooled whole: nothing copies it again.
    done = as_waitress(testapp).post(api_url(world), headers=headers, status=201,
                                     upload_files=[("envelope", "bid.tbid", envelope)]).json
    sha = hashlib.sha256(envelope).hexdigest()
    assert done["receipt"]["envelope_sha256"] == sha
    assert (disk.written, disk.file_fsyncs, disk.spools) == (len(envelope), 1, 0)
    assert world.registry["storage"].path_for(sha).read_bytes() == envelope
    assert not list((world.registry["storage"].root / "incoming").glob("*"))


@pytest.mark.parametrize("cut", ["truncated", "extended", "foreign"])
def test_a_refused_stream_leaves_no_file_and_no_row(testapp, world, cut):
    bidder = world.bidders[0]
    envelope = world.seal(bidder, documents=[("a.bin", os.urandom(5000))])
    body = {"truncated": envelope[:-7], "extended": envelope + b"\x01" * 40,
            "foreign": world.seal(world.bidders[1])}[cut]
    headers = bearer(world.dbsession, world.clock, world.settings, bidder)
    before, files = snapshot(world), stored_files(world)
    refused = testapp.post(api_url(world), upload_files=[("envelope", "bid.tbid", body)],
                           headers=headers, status=422).json
    assert refused["error"] in {"envelope_incomplete", "envelope_tampered",
                                "envelope_mismatch"}
    assert snapshot(world) == before and stored_files(world) == files


def test_an_oversized_stream_is_cut_off_and_kept_nowhere(testapp, world, monkeypatch):
    bidder = world.bidders[0]
    envelope = world.seal(bidder, documents=[("a.bin", os.urandom(50_000))])
    monkeypatch.setitem(world.registry.settings, "bidding.max_envelope_bytes", "20000")
    headers = bearer(world.dbsession, world.clock, world.settings, bidder)
    files = stored_files(world)
    refused = testapp.post(api_url(world), upload_files=[("envelope", "bid.tbid", envelope)],
                           headers=headers, status=413).json
    assert refused["error"] == "file_too_large" and stored_files(world) == files


def test_a_finished_resumable_upload_is_linked_into_the_store_not_copied(testapp, world,
                                                                         monkeypatch):
    bidder = world.bidders[0]
    testapp.login(bidder.username)
    envelope = world.seal(bidder, documents=[("a.bin", os.urandom(30_000))])
    twin = as_waitress(testapp)
    real_post = twin.post

    def counted_finish(url, *args, **kwargs):
        if url.endswith("/finish"):
            disk = DiskCalls(monkeypatch)
            response = real_post(url, *args, **kwargs)
            assert (disk.written, disk.file_fsyncs, disk.spools) == (0, 1, 0)
            return response
        return real_post(url, *args, **kwargs)

    monkeypatch.setattr(twin, "post", counted_finish)
    upload_in_parts(twin, world, envelope, part=10_000)
    sha = hashlib.sha256(envelope).hexdigest()
    assert world.registry["storage"].path_for(sha).read_bytes() == envelope


def test_a_part_that_arrives_once_the_upload_is_finishing_finds_no_upload(tmp_path):
    uploads = EnvelopeUploads(tmp_path, 10_000)
    token = uploads.start(1, 2)
    uploads.append(1, 2, token, offset=0, stream=_bytes(b"a" * 100), length=100)
    with uploads.claimed(1, 2, token) as path:
        with pytest.raises(UploadNotFound):
            uploads.append(1, 2, token, offset=100, stream=_bytes(b"b" * 10), length=10)
        assert path.read_bytes() == b"a" * 100
    assert not list((tmp_path / "uploads").iterdir())  # claimed and done: gone


def test_an_upload_whose_finish_fails_otherwise_than_refused_is_kept_for_the_retry(tmp_path):
    uploads = EnvelopeUploads(tmp_path, 10_000)
    token = uploads.start(1, 2)
    uploads.append(1, 2, token, offset=0, stream=_bytes(b"a" * 100), length=100)
    with pytest.raises(RuntimeError), uploads.claimed(1, 2, token):
        raise RuntimeError("the database went away")  # pyramid_retry runs it again
    assert uploads.received(1, 2, token) == 100
    with pytest.raises(UploadNotFound), uploads.claimed(1, 2, token):
        raise UploadNotFound("refused")
    with pytest.raises(UploadNotFound):
        uploads.received(1, 2, token)  # a refusal discards it: sealing again starts anew


def _bytes(data: bytes):
    import io

    return io.BytesIO(data)


def test_scripts_still_build_a_request_from_the_app_request_factory(registry):
    """`bootstrap` (trading-worker, the CLI) calls the factory's `blank()`: the factory
    that flags waitress's spooled body must stay a Request class."""
    from pyramid.scripting import prepare

    env = prepare(registry=registry)
    try:
        assert env["request"].path == "/"
        assert not env["request"].environ.get("webob.is_body_seekable")
    finally:
        env["closer"]()


class Statements:
    """The SQL an API upload sends (savepoints of the tests' doomed transaction aside)."""

    def __init__(self, engine):
        self.sent = []
        self.engine = engine
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, *args):
        if "SAVEPOINT" not in statement.upper():
            self.sent.append(" ".join(statement.split()))

    def close(self):
        sa.event.remove(self.engine, "before_cursor_execute", self._seen)


def test_a_first_upload_reads_three_times_and_inserts_once_per_row(testapp, world):
    """The lean path's budget (issue #19): project and lot, token and user, sign-up and
    opening key; the token's use; the bid (no read before it), queue, event and version."""
    bidder = world.bidders[0]
    headers = bearer(world.dbsession, world.clock, world.settings, bidder)
    envelope = world.seal(bidder)
    statements = Statements(world.dbsession.get_bind())
    try:
        as_waitress(testapp).post(api_url(world), headers=headers, status=201,
                                  upload_files=[("envelope", "bid.tbid", envelope)])
    finally:
        statements.close()
    verbs = [s.split()[0] + " " + (s.split(" INTO ")[1].split()[0] if " INTO " in s else "")
             for s in statements.sent]
    assert len(statements.sent) == 8, statements.sent
    assert verbs[:4] == ["SELECT ", "SELECT ", "UPDATE ", "SELECT "], verbs
    assert verbs[4:] == ["INSERT bids", "INSERT tlog_pending", "INSERT audit_events",
                         "INSERT bid_versions"], verbs
    assert "ON CONFLICT" in statements.sent[4]


def test_a_second_upload_adds_a_version_to_the_bid_it_finds(testapp, world):
    """The bid's INSERT finds the bidder's bid there: the bid is then read, locked and
    given a version; the same envelope again is the same receipt, nothing added."""
    bidder = world.bidders[0]
    headers = bearer(world.dbsession, world.clock, world.settings, bidder)
    first, second = world.seal(bidder), world.seal(bidder)
    post = as_waitress(testapp).post
    one = post(api_url(world), headers=headers, status=201,
               upload_files=[("envelope", "1.tbid", first)]).json
    two = post(api_url(world), headers=headers, status=201,
               upload_files=[("envelope", "2.tbid", second)]).json
    again = post(api_url(world), headers=headers, status=201,
                 upload_files=[("envelope", "2.tbid", second)]).json
    assert (one["version"], two["version"], one["bid_id"]) == (1, 2, two["bid_id"])
    assert again["receipt"] == two["receipt"] and again["version"] == 2
    assert world.dbsession.scalar(sa.select(sa.func.count(Bid.id))) == 1
    assert world.dbsession.scalar(sa.select(sa.func.count(BidVersion.id))) == 2


def _refusals(world, testapp):
    bidder, other = world.bidders[0], world.bidders[1]
    stranger = make_user(world.dbsession, world.clock, world.settings, role=Role.BIDDER)
    good = bearer(world.dbsession, world.clock, world.settings, bidder)
    envelope = world.seal(bidder)
    whole = upload_body(envelope)
    return {
        "no token": ({}, whole, (401, 403)),
        "wrong token": ({"Authorization": "Bearer " + "x" * 43}, whole, (401, 403)),
        "not signed up": (bearer(world.dbsession, world.clock, world.settings, stranger),
                          upload_body(world.seal(stranger)), (403,)),
        "another bidder's envelope": (bearer(world.dbsession, world.clock, world.settings,
                                             other), whole, (422,)),
        "truncated body": (good, whole[:len(whole) // 2], (400,)),
        "no closing delimiter": (good, whole[:-len(f"--{UPLOAD_BOUNDARY}--\r\n")], (400,)),
        "no envelope field": (good, upload_body(envelope, field="other"), (400, 422)),
    }


UPLOAD_BOUNDARY = "----lean-upload"


def upload_body(envelope: bytes, field: str = "envelope") -> bytes:
    return (f'--{UPLOAD_BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="bid.tbid"\r\nContent-Type: application/octet-stream\r\n\r\n'
            ).encode() + envelope + f"\r\n--{UPLOAD_BOUNDARY}--\r\n".encode()


@pytest.mark.parametrize("case", ["no token", "wrong token", "not signed up",
                                  "another bidder's envelope", "truncated body",
                                  "no closing delimiter", "no envelope field"])
def test_a_hostile_upload_is_refused_and_leaves_nothing(testapp, world, case):
    headers, body, statuses = _refusals(world, testapp)[case]
    before, files = snapshot(world), stored_files(world)
    response = as_waitress(testapp).post(
        api_url(world), body, headers={
            **headers, "Content-Type": f"multipart/form-data; boundary={UPLOAD_BOUNDARY}"},
        expect_errors=True)
    assert response.status_int in statuses, (response.status, response.text[:300])
    assert snapshot(world) == before and stored_files(world) == files


def test_an_upload_at_the_deadline_is_refused_and_leaves_nothing(testapp, world):
    bidder = world.bidders[0]
    headers = bearer(world.dbsession, world.clock, world.settings, bidder)
    envelope = world.seal(bidder)
    world.clock.set(world.project.bid_deadline)
    before, files = snapshot(world), stored_files(world)
    refused = as_waitress(testapp).post(api_url(world), headers=headers, status=409,
                                        upload_files=[("envelope", "bid.tbid", envelope)])
    assert refused.json["error"] == "deadline_passed"
    assert snapshot(world) == before and stored_files(world) == files
