"""Opening a project's envelopes on every core: a pool of worker processes (issue #19 pt 2).

Decryption is CPU work in one streaming pass per envelope (HPKE context, AES-GCM of each
chunk, SHA-256 of the file, offer.json read from the package); the results are small (the
offer, the documents' names and sizes, the digest). So the opening job opens envelopes
itself and hands the others' paths to `processes - 1` workers, which read the files
themselves and send back only those small results; the job applies every result in its
own transaction, in order: what is written, and when, is exactly as when one process
opens them, and a worker killed half-way still leaves nothing behind (the drills in
tests/drills).

Each worker receives the opening key once, when it starts, through its pipe (never a
file), and keeps it in memory for the envelopes it opens; memory stays one chunk per
process whatever the envelopes' size. Workers are forked from a clean forkserver, not from
the job's process (its database connections and threads stay there); the job's process
decrypts while they start, so their start costs the opening little.
"""

import hashlib
import multiprocessing
import os
import queue
import threading
from concurrent.futures import Future, ProcessPoolExecutor
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

# This worker process's opening key, shared counter and result queue, set once at its start.
_worker_key: list = []


def _start_worker(key_bytes: bytes, counter, results) -> None:
    _worker_key.extend((PrivateKey.from_bytes(key_bytes), counter, results))


def _claim(counter, total: int) -> int | None:
    with counter.get_lock():
        index = counter.value
        if index >= total:
            return None
        counter.value = index + 1
        return index


def _serve(tasks: list[Task]) -> None:
    """Open the next unclaimed envelope until none is left; send each result back."""
    private, counter, results = _worker_key
    while (index := _claim(counter, len(tasks))) is not None:
        results.put((index, _open_in_worker(tasks[index], private)))


def _open_in_worker(task: Task, private: PrivateKey) -> tuple:
    outcome = _open_here(task, private)
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
    """`opening.processes` decrypting processes, the job's own included (default: every
    core), never more than the envelopes; 0 or 1 opens them in the job's own process alone,
    and so does an opening of less than `opening.pool_min_bytes` (64 MiB), where starting
    the workers costs more than it saves."""
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
    """Yield each task's Outcome, in the tasks' order, opened by `processes` processes:
    the job's own and `processes - 1` workers."""
    if processes <= 1 or len(tasks) < 2:
        for task in tasks:
            yield _open_here(task, private)
        return
    dispatch = _Dispatch(tasks, private, processes - 1)
    try:
        yield from dispatch.outcomes()
    finally:  # the job failed half-way: what has not started is not opened
        dispatch.stop()


def _open_here(task: Task, private: PrivateKey) -> Outcome:
    share = DecryptionShare(*task.share) if task.share else None
    return open_stored(Path(task.path), private, share=share, **task.ids)


class _Dispatch:
    """The envelopes handed out one at a time, from the front, to whoever is free: the
    job's process and each worker claim the next index from a shared counter, so none
    waits on another's batch and the tail is at most one envelope per worker. The job's
    process decrypts from the first instant while the workers start (a fresh forkserver),
    collects what they send back, and applies the results in order all the same."""

    def __init__(self, tasks: list[Task], private: PrivateKey, workers: int):
        self.tasks, self.private = tasks, private
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["trading.bidding.openpool"])
        self.counter = context.Value("q", 0)  # the next envelope to claim
        self.results = context.Queue()  # (index, result) from the workers
        self.ready: dict[int, Outcome] = {}  # results not yet applied (small: summaries)
        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                        initializer=_start_worker,
                                        initargs=(private.to_bytes(), self.counter,
                                                  self.results))
        self.running: list = []
        # The first submit starts the forkserver and waits for each worker's fork (seconds
        # under load): a thread waits for it while this process decrypts.
        self.starter = threading.Thread(target=self._start, args=(workers,), daemon=True)
        self.starter.start()

    def _start(self, workers: int) -> None:
        try:
            for _ in range(workers):
                self.running.append(self.pool.submit(_serve, self.tasks))
        except BaseException as exc:  # noqa: BLE001 - the job's thread raises it
            future = Future()
            future.set_exception(exc)
            self.running.append(future)

    def outcomes(self):
        for index in range(len(self.tasks)):
            while index not in self.ready:
                self._collect(block=False)
                if index in self.ready:
                    break
                mine = _claim(self.counter, len(self.tasks))
                if mine is not None:
                    self.ready[mine] = _open_here(self.tasks[mine], self.private)
                else:  # every envelope is taken: wait for a worker's result
                    self._collect(block=True)
            yield self.ready.pop(index)

    def _collect(self, *, block: bool) -> None:
        while True:
            try:
                index, result = self.results.get(block=block, timeout=1 if block else None)
            except queue.Empty:
                break
            summary, sent, sha256, missing = result
            self.ready[index] = Outcome(summary, _error(sent), sha256, missing)
            block = False
        if block:  # nothing came: a worker that died (killed, out of memory) sends no more
            for future in list(self.running):
                if future.done() and future.exception() is not None:
                    raise future.exception()

    def stop(self) -> None:
        with self.counter.get_lock():  # what has not started is not opened
            self.counter.value = len(self.tasks)
        self.starter.join()
        self.pool.shutdown(wait=True, cancel_futures=True)
        self.results.close()
