"""Disk full or storage unwritable during an upload: a clear error, no receipt, and
nothing half-written left behind (in the store or the database).

The storage root is a real 1 MiB tmpfs (root only); elsewhere the file writes of the
storage layer fail with ENOSPC / EROFS instead, which is what the kernel would say."""

import errno
import os
import subprocess

import pytest
import sqlalchemy as sa
from bidding.conftest import _fast_settings  # noqa: F401  (autouse: cheap custody keys)
from factories import actor_for, make_project, make_user

from trading.accounts.models import Role
from trading.accounts.service import AccountService
from trading.bidding.models import BidVersion
from trading.projects.models import ProjectDocument as Document


class Disk:
    def __init__(self, root, mounted, monkeypatch):
        self.root, self.mounted, self.monkeypatch = root, mounted, monkeypatch

    def files(self) -> list:
        return [p for p in self.root.rglob("*") if p.is_file()]

    def read_only(self) -> None:
        if self.mounted:
            subprocess.run(["mount", "-o", "remount,ro", str(self.root)], check=True)
        else:
            self._fail_writes(errno.EROFS, at_open=True)

    def _fail_writes(self, code: int, at_open=False) -> None:
        """Without a tmpfs: the store's own writes fail as the kernel's would."""
        import tempfile

        real_mkstemp, real_write, root = tempfile.mkstemp, os.write, str(self.root)
        written = []

        def mkstemp(*args, dir=None, **kw):
            if at_open and str(dir).startswith(root):
                raise OSError(code, os.strerror(code))
            return real_mkstemp(*args, dir=dir, **kw)

        def write(fd, data):
            if os.readlink(f"/proc/self/fd/{fd}").startswith(root):
                written.append(len(data))
                if sum(written) > 1024 * 1024:
                    raise OSError(code, os.strerror(code))
            return real_write(fd, data)

        self.monkeypatch.setattr("trading.storage.tempfile.mkstemp", mkstemp)
        self.monkeypatch.setattr("trading.storage.os.write", write)


@pytest.fixture
def disk(registry, tmp_path, monkeypatch):
    root = tmp_path / "disk"
    root.mkdir()
    mounted = os.geteuid() == 0 and subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(root)],
        capture_output=True).returncode == 0
    monkeypatch.setattr(registry["storage"], "root", root)
    d = Disk(root, mounted, monkeypatch)
    if not mounted:
        d._fail_writes(errno.ENOSPC)
    yield d
    if mounted:
        subprocess.run(["umount", "-l", str(root)], check=True)


def token_for(dbsession, clock, settings, user) -> dict:
    token = AccountService(dbsession, clock, settings).create_api_token(
        user, "drill", actor_for(user))[1]
    return {"Authorization": f"Bearer {token}"}


def big_envelope(world):
    bidder = world.bidders[0]
    return bidder, world.seal(bidder, documents=[("技术标.pdf", os.urandom(1536 * 1024))])


def versions(dbsession) -> int:
    return dbsession.scalar(sa.select(sa.func.count(BidVersion.id)))


@pytest.mark.parametrize("fault", ["full", "read_only"])
def test_an_envelope_upload_to_a_full_or_unwritable_store_gets_no_receipt(
        testapp, world, disk, dbsession, clock, settings, fault):
    bidder, envelope = big_envelope(world)
    if fault == "read_only":
        disk.read_only()
    url = f"/api/v1/projects/{world.project.id}/lots/{world.lot.id}/bids"
    error = testapp.post(url, upload_files=[("envelope", "bid.tbid", envelope)],
                         headers=token_for(dbsession, clock, settings, bidder),
                         status=503).json
    assert error["error"] == "storage_unavailable" and "文件存储" in error["message"]
    assert "receipt" not in error
    assert versions(dbsession) == 0 and disk.files() == []


def test_a_tender_document_on_a_full_disk_is_refused(testapp, disk, dbsession, clock,
                                                     settings, registry):
    owner = make_user(dbsession, clock, settings, role=Role.OWNER)
    project = make_project(dbsession, clock, settings, registry, owner=owner)
    before = dbsession.scalar(sa.select(sa.func.count(Document.id)))
    files = disk.files()  # the factory's small tender file fitted
    error = testapp.post(f"/api/v1/projects/{project.id}/documents",
                         upload_files=[("file", "图纸.pdf", os.urandom(1536 * 1024))],
                         headers=token_for(dbsession, clock, settings, owner),
                         status=503).json
    assert error["error"] == "storage_unavailable"
    assert dbsession.scalar(sa.select(sa.func.count(Document.id))) == before
    assert disk.files() == files
