"""Opening a project's envelopes on every core: a pool of worker processes (issue #19 pt 2).

Decryption is CPU work in one streaming pass per envelope (HPKE context, AES-GCM of each
chunk, SHA-256 of the file, offer.json read from the package); the results are small (the
offer, the documents' names and sizes, the digest). So the opening job opens envelopes
itself and hands the others' paths to `processes - 1` workers, which read the files
themselves and send back only those small results; the job applies every result in its
own transaction, in order: what is written, and when, is exactly as when one process
opens them, and a worker killed half-way still leaves nothing behind (the drills in
tests/drills).

Each worker receives the opening key once, with its list of envelopes, through its pipe
(never a file), and keeps it in memory for the envelopes it opens; memory stays one chunk
per process whatever the envelopes' size. Workers are forked from a clean forkserver, not
from the job's process (its database connections and threads stay there). They are
started (`Pool`) before the job has loaded its lines, and the job's process decrypts
while they finish starting, so their start costs the opening little.
"""

import hashlib
import multiprocessing
import os
import queue
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import forkserver
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

# This worker process's shared counter and result queue, set once at its start.
_worker_state: list = []


def _start_worker(counter, results) -> None:
    _worker_state.extend((counter, results))


def _started() -> None:
    """Nothing: submitted once so that the pool starts its processes at once."""


def _claim(counter, total: int) -> int | None:
    with counter.get_lock():
        index = counter.value
        if index >= total:
            return None
        counter.value = index + 1
        return index


def _serve(key_bytes: bytes, tasks: list[Task]) -> None:
    """Open the next unclaimed envelope until none is left; send each result back."""
    counter, results = _worker_state
    private = PrivateKey.from_bytes(key_bytes)
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


def pool_size(settings: dict | None, envelopes: int, total_bytes: int) -> int:
    """`opening.processes` decrypting processes, the job's own included (default: every
    core), never more than the envelopes; 0 or 1 opens them in the job's own process alone,
    and so does an opening of less than `opening.pool_min_bytes` (64 MiB), where starting
    the workers costs more than it saves."""
    settings = settings or {}
    configured = settings.get("opening.processes")
    processes = int(configured) if configured not in (None, "") else (os.cpu_count() or 1)
    processes = max(1, min(processes, envelopes))
    least = settings.get("opening.pool_min_bytes")
    least = int(least) if least not in (None, "") else POOL_MIN_BYTES
    if processes > 1 and least > 0 and total_bytes < least:
        return 1
    return processes


def _context():
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["trading.bidding.openpool"])
    return context


def may_pool(settings: dict | None) -> bool:
    """Whether some opening could use a pool under these settings (the largest one would)."""
    return pool_size(settings, 2, 1 << 62) > 1


def warm_up(settings: dict | None) -> None:
    """Start the forkserver the openings' workers fork from, once per process: trading-worker
    calls it at boot, so that even its first opening's workers start in a few hundredths of
    a second instead of a fresh interpreter importing bid_crypto (0.15 s idle, twice that
    under load) while the job waits for them. It holds no key (each opening's workers get
    theirs through their pipes). Nothing where no opening would use a pool."""
    if may_pool(settings):
        _context()
        forkserver.ensure_running()


def open_all(tasks: list[Task], private: PrivateKey, pool: "Pool | None"):
    """Yield each task's Outcome, in the tasks' order, opened by the job's process and the
    pool's workers (by the job's process alone without a pool)."""
    if pool is None or len(tasks) < 2:
        for task in tasks:
            yield _open_here(task, private)
        return
    yield from _Dispatch(tasks, private, pool).outcomes()


def _open_here(task: Task, private: PrivateKey) -> Outcome:
    share = DecryptionShare(*task.share) if task.share else None
    return open_stored(Path(task.path), private, share=share, **task.ids)


class Pool:
    """`workers` decrypting processes, started as soon as the job knows it opens bids,
    before it has loaded its lines: the forkserver and the workers start (a second or more
    under load) while the job works. Use it as a context manager: on leaving, what has not
    started is not opened and the workers end."""

    def __init__(self, workers: int):
        self.workers = workers
        context = _context()
        self.counter = context.Value("q", 0)  # the next envelope to claim
        self.results = context.Queue()  # (index, result) from the workers
        self.executor = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                            initializer=_start_worker,
                                            initargs=(self.counter, self.results))
        self.running: list = []
        self.handing: threading.Thread | None = None
        # The first submit starts the forkserver and waits for each worker's fork: a thread
        # waits for it while the job goes on.
        self.starter = threading.Thread(target=self._start, daemon=True)
        self.starter.start()

    def _start(self) -> None:
        try:
            self.running.append(self.executor.submit(_started))
        except BaseException as exc:  # noqa: BLE001 - the job's thread raises it
            self._failed(exc)

    def _failed(self, exc: BaseException) -> None:
        future = Future()
        future.set_exception(exc)
        self.running.append(future)

    def serve(self, private: PrivateKey, tasks: list[Task]) -> None:
        """Every worker claims envelopes of `tasks` until none is left; handed to them by a
        thread once they have started, while the job's process decrypts."""
        self.handing = threading.Thread(target=self._hand_out, daemon=True,
                                        args=(private.to_bytes(), tasks))
        self.handing.start()

    def _hand_out(self, key: bytes, tasks: list[Task]) -> None:
        self.starter.join()
        try:
            for _ in range(self.workers):
                self.running.append(self.executor.submit(_serve, key, tasks))
        except BaseException as exc:  # noqa: BLE001 - the job's thread raises it
            self._failed(exc)

    def check(self) -> None:
        """Raise what a worker raised; one killed (or out of memory) sends no more."""
        for future in list(self.running):
            if future.done() and future.exception() is not None:
                raise future.exception()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> bool:
        with self.counter.get_lock():  # what has not started is not opened
            self.counter.value = 1 << 62
        for thread in (self.starter, self.handing):
            if thread is not None:
                thread.join()
        self.executor.shutdown(wait=True, cancel_futures=True)
        self.results.close()
        return False


class _Dispatch:
    """The envelopes handed out one at a time, from the front, to whoever is free: the
    job's process and each worker claim the next index from a shared counter, so none
    waits on another's batch and the tail is at most one envelope per worker. The job's
    process decrypts from the first instant while the workers finish starting, collects
    what they send back, and applies the results in order all the same."""

    def __init__(self, tasks: list[Task], private: PrivateKey, pool: Pool):
        self.tasks, self.private, self.pool = tasks, private, pool
        self.counter, self.results = pool.counter, pool.results
        self.ready: dict[int, Outcome] = {}  # results not yet applied (small: summaries)
        pool.serve(private, tasks)

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
        if block:  # nothing came: a worker that died sends no more
            self.pool.check()
