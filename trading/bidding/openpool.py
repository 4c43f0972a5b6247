"""Opening a project's envelopes on every core: a pool of worker processes (issue #19 pt 2).

Decryption is CPU work in one streaming pass per envelope (HPKE context, AES-GCM of each
chunk, SHA-256 of the file, offer.json read from the package); the results are small (the
offer, the documents' names and sizes, the digest). So the opening job hands the
envelopes' paths to `processes` workers and applies each result in its own transaction,
in order: what is written, and when, is exactly as when one process opens them, and a
worker killed half-way still leaves nothing behind (the drills in tests/drills).

Each worker receives the opening key once, when it starts, through its pipe (never a
file), and keeps it in memory for the envelopes it opens; memory stays one chunk per
worker whatever the envelopes' size. Workers are forked from a clean forkserver, not from
the job's process (its database connections and threads stay there).
"""

import hashlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from bid_crypto import BidCryptoError, DecryptionShare, PrivateKey, open_chunks

from .package import PackageSummary, read_package

_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class Outcome:
    """What opening one stored envelope gave: the package summary, or the error."""

    summary: PackageSummary | None
    error: BidCryptoError | None
    sha256: str
    missing: bool = False


@dataclass(frozen=True)
class Task:
    path: str
    ids: dict  # the header's expected project, lot and bidder
    share: tuple[bytes, bytes] | None = None  # dual custody: (header hash, secret)


class _HashingReader:
    def __init__(self, src):
        self.src, self.hash = src, hashlib.sha256()

    def read(self, size=-1) -> bytes:
        data = self.src.read(size)
        self.hash.update(data)
        return data

    def drain(self) -> str:
        while self.read(_BLOCK):
            pass
        return self.hash.hexdigest()


def open_stored(path: Path, private: PrivateKey, *, share: DecryptionShare | None = None,
                **ids) -> Outcome:
    """One streaming pass over a stored envelope: decrypt, read offer.json, hash the file.
    The caller compares the digest with the receipt to attribute a failure (rules §7.4)."""
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after the drain
    except FileNotFoundError:
        return Outcome(None, None, "", missing=True)
    with handle:
        reader = _HashingReader(handle)
        summary, error = None, None
        try:
            _header, chunks = open_chunks(reader, private, share=share, **ids)
            summary = read_package(chunks)
        except BidCryptoError as exc:
            error = exc
        return Outcome(summary, error, reader.drain())


# -- in a worker process ------------------------------------------------------------------------

_worker_key: list[PrivateKey] = []  # this worker process's opening key, set once at its start


def _start_worker(key_bytes: bytes) -> None:
    _worker_key.append(PrivateKey.from_bytes(key_bytes))


def _open_in_worker(task: Task) -> tuple:
    share = DecryptionShare(*task.share) if task.share else None
    outcome = open_stored(Path(task.path), _worker_key[0], share=share, **task.ids)
    error = outcome.error
    # Exceptions travel as (class, message): some take other arguments than a message.
    sent = (type(error).__module__, type(error).__qualname__, str(error)) if error else None
    return outcome.summary, sent, outcome.sha256, outcome.missing


def _error(sent) -> BidCryptoError | None:
    if sent is None:
        return None
    module, qualname, message = sent
    cls = getattr(__import__(module, fromlist=[qualname]), qualname, BidCryptoError)
    if not (isinstance(cls, type) and issubclass(cls, BidCryptoError)):
        cls = BidCryptoError
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    return error


# -- in the opening job ---------------------------------------------------------------------------


POOL_MIN_BYTES = 64 * 1024 * 1024


def pool_size(settings: dict | None, paths: list[str]) -> int:
    """`opening.processes` workers (default: every core), never more than the envelopes;
    0 or 1 opens them in the job's own process, and so does an opening of less than
    `opening.pool_min_bytes` (64 MiB), where starting the workers costs more than it saves."""
    settings = settings or {}
    configured = settings.get("opening.processes")
    processes = int(configured) if configured not in (None, "") else (os.cpu_count() or 1)
    processes = max(1, min(processes, len(paths)))
    least = settings.get("opening.pool_min_bytes")
    least = int(least) if least not in (None, "") else POOL_MIN_BYTES
    if processes > 1 and least > 0 and _total_size(paths, least) < least:
        return 1
    return processes


def _total_size(paths: list[str], enough: int) -> int:
    total = 0
    for path in paths:
        try:
            total += os.stat(path).st_size
        except FileNotFoundError:
            continue  # its line says so once opened
        if total >= enough:
            break
    return total


def open_all(tasks: list[Task], private: PrivateKey, processes: int):
    """Yield each task's Outcome, in the tasks' order, opened by `processes` workers."""
    if processes <= 1:
        for task in tasks:
            share = DecryptionShare(*task.share) if task.share else None
            yield open_stored(Path(task.path), private, share=share, **task.ids)
        return
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["trading.bidding.openpool"])
    pool = ProcessPoolExecutor(max_workers=processes, mp_context=context,
                               initializer=_start_worker, initargs=(private.to_bytes(),))
    try:
        chunksize = max(1, min(16, len(tasks) // (processes * 8)))
        for summary, sent, sha256, missing in pool.map(_open_in_worker, tasks,
                                                       chunksize=chunksize):
            yield Outcome(summary, _error(sent), sha256, missing)
    finally:  # the job failed half-way: what has not started is not opened
        pool.shutdown(wait=True, cancel_futures=True)
