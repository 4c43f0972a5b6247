import hashlib
import io

import pytest

from trading.storage import FileStorage, FileTooLarge, StorageUnavailable


def test_put_is_content_addressed(tmp_path):
    storage = FileStorage(tmp_path, max_bytes=1024)
    stored = storage.put(io.BytesIO(b"hello"))
    assert stored.sha256 == hashlib.sha256(b"hello").hexdigest()
    assert stored.size == 5
    with storage.open(stored.sha256) as fh:
        assert fh.read() == b"hello"
    again = storage.put(io.BytesIO(b"hello"))
    assert again == stored
    assert list((tmp_path / "incoming").iterdir()) == []


def test_oversized_upload_leaves_nothing(tmp_path):
    storage = FileStorage(tmp_path, max_bytes=10)
    with pytest.raises(FileTooLarge):
        storage.put(io.BytesIO(b"x" * 11))
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files == []


def test_unwritable_root_is_a_clear_error(tmp_path):
    # A file where the root folder should be: unwritable even for root.
    blocker = tmp_path / "root"
    blocker.write_text("not a folder")
    with pytest.raises(StorageUnavailable):
        FileStorage(blocker, 100).put(io.BytesIO(b"x"))


def test_failing_disk_write_leaves_nothing(tmp_path, monkeypatch):
    storage = FileStorage(tmp_path, max_bytes=10**6)

    class Full(io.BytesIO):
        def read(self, n=-1):
            data = super().read(n)
            if self.tell() > 10:
                raise OSError(28, "No space left on device")
            return data

    with pytest.raises(OSError):
        storage.put(Full(b"y" * 100))
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("name", ["../../etc/passwd", "abc", "A" * 64, ""])
def test_paths_come_only_from_digests(tmp_path, name):
    with pytest.raises(ValueError):
        FileStorage(tmp_path, 10).path_for(name)
