"""OpeningService: the opening (开标) at the deadline, the opening hall, the record.

The project's `advance` (chronograph) calls `run_due` once the deadline has moved the
project to `opening`. Custody decides when the bids can be opened (architecture §7):
`auto` at once, `custodians` once k custodians have released their shares in the hall,
`dual` once every bidder has submitted its decryption share or the decryption window
(`decrypt.window_min`) has ended. Then every bid is opened in one streaming pass,
the record (rules §7.5) is written and the minimum-bidders rule (§7.10) decides
between evaluation and failure (流标).

Exactly once: the whole opening runs in the advance job's transaction, so a worker
killed half-way leaves nothing behind; each line is also skipped once it has a result
and the record is finished once, so a re-run that sees partial work completes it
without repeating any of it.
"""

import secrets
import tempfile
from contextlib import nullcontext
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from bid_crypto import (
    BidCryptoError,
    CustodyRelease,
    DecryptionShare,
    DecryptionShareError,
    EnvelopeError,
    HeaderMismatch,
    InvalidOffer,
    InvalidPackage,
    OpeningStatement,
    PrivateKey,
    PublicKey,
    ReleaseRefused,
    SealedShare,
    WrongKey,
    check_release,
    combine_shares,
    read_bid,
    read_header,
    unwrap_private_key,
    verify_decryption_share,
    wrap_private_key,
)
from bid_crypto.encoding import format_timestamp
from bid_crypto.package import OFFER_NAME

from ..accounts.models import User
from ..actor import Actor
from ..audit import merkle
from ..audit.models import TlogLeaf, TlogPending
from ..audit.service import record
from ..db import registry_of
from ..draws.engine import cyclic_gc_paused
from ..i18n import N_
from ..projects.kinds import CustodyMode
from ..projects.models import Project
from ..projects.service import ProjectService
from ..projects.status import ProjectStatus
from .errors import (
    NotPermitted,
    OpeningConflict,
    ReleaseInvalid,
    ShareRefused,
)
from .events import BidsOpened, OpeningCompleted
from .models import (
    Bid,
    BidState,
    BidVersion,
    DecryptionShareRecord,
    LineStatus,
    Opening,
    OpeningCustodian,
    OpeningLine,
    OpeningState,
)
from .openpool import Pool, Task, may_pool, open_all, open_stored, pool_size
from .service import (
    BidService,
    bidder_ref,
    lot_ref,
    project_ref,
)
from .status import check_transition
from .tasks import open_bids

S = ProjectStatus
L = LineStatus
SYSTEM = Actor.system("open_bids")
# Lines that still wait for a result.
OPENABLE = (L.PENDING,)
# `advance` is scheduled at the deadline itself and the sweep runs every minute: an opening
# that starts later than this had no worker at its time, and its record says so.
LATE_AFTER = timedelta(minutes=2)
DECRYPTED = (L.DECRYPTED, L.INVALID)
# The opened lines are written in batches as the results come, not all after the last one.
FLUSH_EVERY = 100

REASONS = {
    "too_few_bidders": "递交投标文件的投标人不足{min}家，该标段不予开标",
    "tampered": "投标信封无法通过完整性校验（与回执哈希一致，属投标人原因）",
    "wrong_key": "投标信封不能用本项目开标密钥解密（属投标人原因）",
    "share_missing": "投标人未在解密时限内提交解密份额，视为撤销投标",
    "envelope_missing": "平台存储中找不到该投标信封（非投标人原因，视为撤回）",
    "envelope_altered": "平台存储的投标信封与回执哈希不符（非投标人原因，视为撤回）",
    "key_unavailable": "开标密钥无法恢复（非投标人原因，视为撤回）",
    "offer_missing": "投标文件中缺少开标一览表 offer.json",
    "offer_invalid": "开标一览表 offer.json 格式无效",
    "package_invalid": "投标文件包格式无效",
    "price_above_ceiling": "投标报价高于最高限价",
    "security_missing": "未按招标文件要求提交投标保证金",
}

# Why a custodian's release is refused (bid_crypto.ReleaseRefused.reason), in words.
RELEASE_REFUSALS = {
    "other_project": "该释放文件属于其他项目或其他密钥拆分，不能用于本项目（可能是重放的旧文件）",
    "other_opening": "该释放文件不是为本次开标生成的（开标声明或截止时间不符），"
                     "请下载本次开标声明后重新生成",
    "not_yours": "该释放文件不是您保管的份额",
    "wrong_share": "释放文件中的份额与平台公布的校验值不符",
    "already_released": "该份额已释放过",
}

# Decryption statuses (rules §7.3); translated where shown.
LINE_LABELS = {
    L.PENDING: N_("未解密"), L.DECRYPTED: N_("已解密"), L.INVALID: N_("已解密（报价无效）"),
    L.REVOKED: N_("解密失败（视为撤销）"),
    L.SYSTEM_FAILED: N_("解密失败（非投标人原因，视为撤回）"), L.NOT_OPENED: N_("不予开标"),
}


class KeyUnavailable(Exception):
    pass


def open_envelope(path, private: PrivateKey, *, share=None, **ids):
    """One streaming pass over a stored envelope: (package summary or None, the
    BidCryptoError or None, SHA-256 of the bytes read). The caller compares the digest
    with the receipt to attribute a failure (rules §7.4). `ids` are the header's
    project, lot and bidder."""
    outcome = open_stored(path, private, share=share, **ids)
    return outcome.summary, outcome.error, outcome.sha256


class _StoredDocument:
    """After the opening: a decrypted document goes to storage for the evaluation."""

    def __init__(self, storage, name: str, digests: dict):
        self.storage, self.name, self.digests = storage, name, digests
        incoming = storage.root / "incoming"
        incoming.mkdir(parents=True, exist_ok=True)
        self.tmp = tempfile.TemporaryFile(dir=incoming)

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        if exc_type is None and self.name != OFFER_NAME:  # offer.json is in the record
            self.tmp.seek(0)
            self.digests[self.name] = self.storage.put(self.tmp).sha256
        self.tmp.close()
        return False

    def write(self, data) -> int:
        return self.tmp.write(data)


class OpeningService:
    def __init__(self, dbsession, clock, keys, storage, enqueue=None, settings=None):
        self.db = dbsession
        self.clock = clock
        self.keys = keys
        self.storage = storage
        self.enqueue = enqueue or (lambda *a, **k: None)
        self.bids = BidService(dbsession, clock, keys, storage, enqueue, settings)

    # -- reading --------------------------------------------------------------------------

    def opening(self, project: Project) -> Opening | None:
        return self.db.scalar(sa.select(Opening).where(Opening.project_id == project.id))

    def lines(self, opening: Opening, *, bidders: bool = True) -> list[OpeningLine]:
        """The opening's lines with their lots and bids, and the bidders' organisations
        unless `bidders` is False (the opening itself only needs their ids). Each line has
        its bid: joined in the lines' own query, not two more IN queries per thousand."""
        bid = joinedload(OpeningLine.bid, innerjoin=True)
        query = (sa.select(OpeningLine).where(OpeningLine.opening_id == opening.id)
                 .options(selectinload(OpeningLine.lot),
                          bid.selectinload(Bid.bidder) if bidders else bid)
                 .order_by(OpeningLine.lot_id, OpeningLine.submitted_at, OpeningLine.id))
        return list(self.db.scalars(query))

    def _released(self, project: Project) -> list[OpeningCustodian]:
        return [c for c in self.bids.custodians(project) if c.released_at is not None]

    def _shares(self, bid_ids) -> dict[int, DecryptionShareRecord]:
        if not bid_ids:
            return {}
        query = sa.select(DecryptionShareRecord).where(DecryptionShareRecord.bid_id.in_(bid_ids))
        return {r.bid_id: r for r in self.db.scalars(query)}

    # -- the due handler --------------------------------------------------------------------

    def run_due(self, projects, project: Project) -> datetime | None:
        """Open the bids when custody allows; store documents after. Safe to repeat."""
        now = self.clock()
        opening = self.opening(project)
        waiting = opening is None or opening.state is OpeningState.WAITING
        if project.status is S.OPENING and waiting:
            # An auto-custody opening decrypts at once: its workers start before the lines
            # are loaded (the others' once custody allows, in _open_pending).
            early = project.custody_mode is CustodyMode.AUTO
            with cyclic_gc_paused(), (self._pool(project) if early else nullcontext()) as pool:
                # The lines are loaded once: every step below works on these rows.
                opening, lines = (self._start(project, now) if opening is None
                                  else (opening, self.lines(opening, bidders=False)))
                ready, later = self._ready(project, opening, now, lines)
                if not ready:
                    return later
                self._open_pending(project, opening, lines, pool if early else False)
                registry_of(self.db).notify(BidsOpened(self, project, opening, lines))
                self._finish(projects, project, opening, lines)
            if not self._to_store(opening, lines):
                self._stored(project, opening, now)  # nothing to extract
                return None
            # Documents are extracted in a later, separate step: the opening itself
            # only needs offer.json, and stays one quick pass.
            return now + timedelta(seconds=1)
        if opening is not None and opening.state is OpeningState.DONE \
                and opening.documents_stored_at is None:
            self.store_documents(project, opening)
        return None

    def _start(self, project: Project, now: datetime) -> tuple[Opening, list[OpeningLine]]:
        """Snapshot, at the deadline, the last complete version of every bid: the opening
        and its lines, inserted in one statement and loaded once."""
        window = project.params.get("decrypt.window_min", 30)
        dual = project.custody_mode is CustodyMode.DUAL
        opening = Opening(project_id=project.id, state=OpeningState.WAITING,
                          custody=project.custody_mode, started_at=now,
                          window_ends_at=project.bid_deadline + timedelta(minutes=window)
                          if dual else None, lots=[], outcome="", reason="",
                          statement_nonce=secrets.token_hex(16)
                          if project.custody_mode is CustodyMode.CUSTODIANS else None)
        checkpoint = self._deadline_checkpoint(project, now)
        opening.log_size = checkpoint.size if checkpoint else 0
        self.db.add(opening)
        self.db.flush()
        # One INSERT … SELECT: the rows never travel to the job and back (on PostgreSQL a
        # thousand-row executemany was 40 ms of the opening), and each version's log entry
        # below the deadline's checkpoint is joined there. Ordered by bid, as the lines' ids.
        line = OpeningLine.__table__.c
        snapshot = (
            sa.select(sa.literal(opening.id, sa.Integer), Bid.id, Bid.lot_id, BidVersion.version,
                      BidVersion.envelope_sha256, BidVersion.received_at,
                      sa.literal(L.PENDING, line.status.type), sa.literal(""),
                      sa.literal(""), sa.literal([], line.documents.type),
                      sa.literal([], line.anomalies.type), sa.literal(""), TlogLeaf.idx)
            .join(BidVersion, sa.and_(BidVersion.bid_id == Bid.id,
                                      BidVersion.version == Bid.current_version))
            .outerjoin(TlogLeaf, sa.and_(TlogLeaf.event_seq == BidVersion.audit_seq,
                                         TlogLeaf.idx < opening.log_size))
            .where(Bid.project_id == project.id, Bid.state == BidState.SUBMITTED)
            .order_by(Bid.id))
        self.db.execute(sa.insert(OpeningLine.__table__).from_select(
            ["opening_id", "bid_id", "lot_id", "version", "envelope_sha256", "submitted_at",
             "status", "reason", "detail", "documents", "anomalies", "objection", "log_index"],
            snapshot))
        lines = self.lines(opening, bidders=False)
        minimum = self._minimum(project)
        for lot in project.lots:
            of_lot = [line for line in lines if line.lot_id == lot.id]
            if len(of_lot) < minimum:
                for line in of_lot:
                    self._result(line, L.NOT_OPENED, "too_few_bidders", min=minimum)
        self.db.flush()
        late = late_minutes(project, opening)
        record(self.db, SYSTEM, "opening.started", "project", project.id, now=now,
               bids=len(lines), custody=str(project.custody_mode),
               **({"late_minutes": late} if late else {}))
        return opening, lines

    def _deadline_checkpoint(self, project: Project, now: datetime):
        """The audit log's checkpoint at the deadline: every event queued before it (each
        bid committed before it) is merged and the tree head signed, so the opening can
        name, for each envelope, its entry below that checkpoint (issue #17).

        When the sequencer has already merged all of them, its latest checkpoint is that
        one and the opening takes no lock on the log. Draining here instead would hold the
        log's lease until the opening's long transaction commits, and on PostgreSQL every
        other event's checkpoint would wait the whole opening for it. So the opening drains
        only when something queued before the deadline is still queued (no sequencer ran,
        or a bid committed in the last instant)."""
        latest = merkle.latest_checkpoint(self.db)
        waiting = self.db.scalar(sa.select(TlogPending.id).where(
            TlogPending.queued_at < project.bid_deadline).limit(1))
        if latest is not None and waiting is None:
            return latest
        return merkle.drain(self.db, self.keys, self.bids.settings, now=now)

    def log_record(self, opening: Opening) -> dict | None:
        """The deadline checkpoint as the opening record publishes it."""
        if not opening.log_size:
            return None
        checkpoint = self.db.get(merkle.TlogCheckpoint, opening.log_size)
        return merkle.checkpoint_doc(checkpoint, self.keys, self.bids.settings)

    @staticmethod
    def _minimum(project: Project) -> int:
        return int(project.params.get("bidding.min_bidders", 3))

    def _ready(self, project, opening, now, lines=None) -> tuple[bool, datetime | None]:
        lines = self.lines(opening) if lines is None else lines
        pending = [line for line in lines if line.status in OPENABLE]
        if not pending or opening.custody is CustodyMode.AUTO:
            return True, None
        if opening.custody is CustodyMode.CUSTODIANS:
            key = self.bids.key_row(project)
            return len(self._released(project)) >= (key.threshold or 0), None
        shares = self._shares([line.bid_id for line in pending])
        if len(shares) == len(pending) or now >= opening.window_ends_at:
            return True, None
        return False, opening.window_ends_at

    # -- opening the bids ---------------------------------------------------------------------

    def _private_key(self, project: Project) -> PrivateKey:
        row = self.bids.key_row(project)
        ref = project_ref(project)
        if row is None or row.public_key is None:
            raise KeyUnavailable("本项目没有开标密钥")
        try:
            if row.wrapped_key is not None:
                return PrivateKey.from_bytes(unwrap_private_key(self.keys.kek, row.wrapped_key,
                                                                ref))
            shares = [(c.position, unwrap_private_key(self.keys.kek, c.released_share, ref))
                      for c in self._released(project)]
            return combine_shares(shares, suite=row.suite,
                                  public_key=PublicKey.from_json(row.public_key).raw,
                                  threshold=row.threshold or 0)
        except BidCryptoError as error:
            raise KeyUnavailable(str(error)) from None

    def _pool(self, project: Project):
        """The opening's worker processes (openpool.Pool), or a null context when the job's
        process opens the envelopes alone (`opening.processes`, `opening.pool_min_bytes`):
        one query for how many envelopes and bytes the opening reads, none when the settings
        open every envelope in the job's process."""
        if not may_pool(self.bids.settings):
            return nullcontext()
        count, size = self.db.execute(
            sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(BidVersion.size), 0))
            .select_from(Bid)
            .join(BidVersion, sa.and_(BidVersion.bid_id == Bid.id,
                                      BidVersion.version == Bid.current_version))
            .where(Bid.project_id == project.id, Bid.state == BidState.SUBMITTED)).one()
        processes = pool_size(self.bids.settings, count, size)
        return Pool(processes - 1) if processes > 1 else nullcontext()

    def _open_pending(self, project: Project, opening: Opening, lines=None,
                      pool: Pool | None | bool = False) -> None:
        """Open every pending line: the key unwrapped once, the envelopes decrypted by the
        job's process and a pool of worker processes (openpool.py; started here unless
        `pool` is the one run_due started, or None), each result applied here in order."""
        lines = self.lines(opening) if lines is None else lines
        pending = [line for line in lines if line.status in OPENABLE]
        if not pending:
            return
        try:
            private = self._private_key(project)
        except KeyUnavailable as error:
            for line in pending:
                self._result(line, L.SYSTEM_FAILED, "key_unavailable", detail=str(error))
            return
        # Only a dual-custody bidder submits a decryption share: no query for the others.
        shares = (self._shares([line.bid_id for line in pending])
                  if opening.custody is CustodyMode.DUAL else {})
        ref = project_ref(project)
        tasks = []
        for line in pending:
            share = self._share(project, line, shares.get(line.bid_id))
            tasks.append(Task(str(self.storage.path_for(line.envelope_sha256)),
                              {"project": ref, "lot": lot_ref(line.lot),
                               "bidder": bidder_ref(line.bid.bidder_org_id)},
                              (share.header_sha256, share.secret) if share else None))
        with self._pool(project) if pool is False else nullcontext(pool) as workers:
            outcomes = open_all(tasks, private, workers)
            for done, (line, outcome) in enumerate(zip(pending, outcomes, strict=True), 1):
                self.open_line(project, line, outcome)
                if done % FLUSH_EVERY == 0:  # while the workers still decrypt
                    self.db.flush()
        self.db.flush()

    def _share(self, project, line,
               stored: DecryptionShareRecord | None) -> DecryptionShare | None:
        if stored is None or stored.wrapped_share is None:
            return None
        version = self.db.scalar(sa.select(BidVersion).where(
            BidVersion.bid_id == line.bid_id, BidVersion.version == line.version))
        secret = unwrap_private_key(self.keys.kek, stored.wrapped_share, project_ref(project))
        return DecryptionShare(bytes.fromhex(version.header_sha256), secret)

    def open_line(self, project, line: OpeningLine, outcome) -> None:
        """One envelope's result (openpool.Outcome) into its line of the record.

        Attribution (rules §7.4): a file whose hash matches the receipt but does not open
        is the bidder's fault; a missing or altered file is the platform's.
        """
        if outcome.missing:
            return self._result(line, L.SYSTEM_FAILED, "envelope_missing")
        if outcome.sha256 != line.envelope_sha256:
            return self._result(line, L.SYSTEM_FAILED, "envelope_altered")
        if outcome.error is not None:
            return self._failed(line, outcome.error)
        opened, lot = outcome.summary, line.lot
        line.offer, line.offer_sha256 = opened.offer, opened.offer_sha256
        line.total_price = opened.offer["total_price"]
        line.documents = [{"name": name, "size": size} for name, size in opened.documents]
        anomalies = []
        if lot.ceiling_price is not None and line.total_price > lot.ceiling_price:
            anomalies.append({"code": "price_above_ceiling", "message":
                              f"{REASONS['price_above_ceiling']}（限价 {lot.ceiling_price} 分）"})
        if opened.offer.get("currency", "CNY") != "CNY":
            anomalies.append({"code": "currency", "message": "报价币种不是人民币"})
        line.anomalies = anomalies
        if any(a["code"] == "price_above_ceiling" for a in anomalies):
            return self._result(line, L.INVALID, "price_above_ceiling")
        return self._result(line, L.DECRYPTED, "")

    def _failed(self, line, error: BidCryptoError) -> None:
        detail = str(error)[:500]
        if isinstance(error, DecryptionShareError):
            return self._result(line, L.REVOKED, "share_missing", detail=detail)
        if isinstance(error, WrongKey | HeaderMismatch):
            return self._result(line, L.REVOKED, "wrong_key", detail=detail)
        if isinstance(error, InvalidPackage):
            text = str(error)
            missing = "offer.json" in text and "start" in text or "not a bid package" in text
            line.anomalies = [{"code": "offer_missing" if missing else "package_invalid",
                               "message": detail}]
            return self._result(line, L.INVALID, "offer_missing" if missing
                                else "package_invalid", detail=detail)
        if isinstance(error, InvalidOffer):
            line.anomalies = [{"code": "offer_invalid", "message": detail}]
            return self._result(line, L.INVALID, "offer_invalid", detail=detail)
        if isinstance(error, EnvelopeError):
            return self._result(line, L.REVOKED, "tampered", detail=detail)
        return self._result(line, L.REVOKED, "tampered", detail=detail)

    def invalidate(self, line: OpeningLine, reason: str, detail: str = "") -> None:
        """A BidsOpened subscriber found a decrypted bid invalid (reason: a REASONS key)."""
        if line.status is L.DECRYPTED:
            self._result(line, L.INVALID, reason, detail=detail)

    def private_key(self, project: Project) -> PrivateKey:
        """The opening key, for BidsOpened subscribers that open what was sealed beside the bids."""
        return self._private_key(project)

    @staticmethod
    def _move(opening: Opening, target: OpeningState) -> None:
        """The only writer of opening.state: the table (trading/bidding/status.py) decides."""
        check_transition(opening.state, target)
        opening.state = target

    @staticmethod
    def _move_line(line: OpeningLine, target: LineStatus) -> None:
        """The only writer of an opening line's status (trading/bidding/status.py)."""
        check_transition(line.status, target)
        line.status = target

    def _result(self, line, status: LineStatus, reason: str, detail: str = "", **fmt) -> None:
        self._move_line(line, status)
        line.reason = reason
        text = REASONS.get(reason, "").format(**fmt) if reason else ""
        line.detail = (f"{text}：{detail}" if detail else text)[:500]
        if status is not L.NOT_OPENED:
            line.opened_at = self.clock()

    def _finish(self, projects, project: Project, opening: Opening, lines=None) -> None:
        now, minimum = self.clock(), self._minimum(project)
        lines = self.lines(opening) if lines is None else lines
        summary, passed = [], []
        for lot in project.lots:
            of_lot = [line for line in lines if line.lot_id == lot.id]
            valid = sum(1 for line in of_lot if line.status is L.DECRYPTED)
            ok = valid >= minimum
            summary.append({"lot_id": lot.id, "number": lot.number, "name": lot.name,
                            "submitted": len(of_lot), "valid": valid, "passed": ok})
            if ok:
                passed.append(lot)
        failed = [f"第{s['number']}标段有效投标{s['valid']}家" for s in summary if not s["passed"]]
        opening.lots = summary
        opening.outcome = "evaluation" if passed else "failed"
        opening.reason = (f"有效投标人不足{minimum}家（{'，'.join(failed)}），流标"
                          if failed else "")
        self._move(opening, OpeningState.DONE)
        opening.completed_at = now
        self._retire_custody(project)
        record(self.db, SYSTEM, "opening.completed", "project", project.id, now=now,
               outcome=opening.outcome, lots=[{k: s[k] for k in ("number", "submitted", "valid")}
                                              for s in summary])
        if project.status is S.OPENING:
            target = S.EVALUATION if passed else S.FAILED
            projects.transition(project, target, actor=SYSTEM,
                                reason=opening.reason or "开标完成")

    def _retire_custody(self, project: Project) -> None:
        """The bids are public now: keep the custodians' key under the KEK for the
        evaluation, and wipe the one-time secrets the custodians released."""
        row = self.bids.key_row(project)
        if row is None or row.custody is not CustodyMode.CUSTODIANS:
            return
        if row.wrapped_key is None:
            try:
                private = self._private_key(project)
            except KeyUnavailable:
                return
            row.wrapped_key = wrap_private_key(self.keys.kek, private.to_bytes(),
                                               project_ref(project))
        for custodian in self.bids.custodians(project):
            custodian.released_share = None

    def _to_store(self, opening: Opening, lines=None) -> list[OpeningLine]:
        """The decrypted bids of the lots that go on to evaluation."""
        passed = {lot["lot_id"] for lot in opening.lots if lot["passed"]}
        return [line for line in (self.lines(opening) if lines is None else lines)
                if line.status in DECRYPTED and line.lot_id in passed]

    def store_documents(self, project: Project, opening: Opening, *,
                        run_hooks: bool = True) -> None:
        """After the opening: decrypt the documents into storage for the evaluation.
        `run_hooks=False` only for the demo's back-dated records (no scan of them)."""
        lines = self._to_store(opening)
        if lines:
            private = self._private_key(project)
            shares = self._shares([line.bid_id for line in lines])
            for line in lines:
                path, digests = self.storage.path_for(line.envelope_sha256), {}
                with path.open("rb") as handle:
                    read_bid(handle, private,
                             lambda name, d=digests: _StoredDocument(self.storage, name, d),
                             share=self._share(project, line, shares.get(line.bid_id)))
                line.documents = [{**d, "sha256": digests.get(d["name"])}
                                  for d in line.documents]
        for stored in self._shares([line.bid_id for line in self.lines(opening)]).values():
            stored.wrapped_share = None
        now = self.clock()
        record(self.db, SYSTEM, "opening.documents_stored", "project", project.id,
               now=now, bids=len(lines))
        if run_hooks:
            self._stored(project, opening, now)
        else:
            opening.documents_stored_at = now

    def _stored(self, project: Project, opening: Opening, now: datetime) -> None:
        opening.documents_stored_at = now
        registry_of(self.db).notify(OpeningCompleted(self, project))

    # -- the opening hall: custodians, bidders -------------------------------------------------

    def _waiting(self, project: Project) -> Opening:
        opening = self.opening(project)
        if opening is not None and opening.state is OpeningState.DONE:
            raise OpeningConflict("开标已完成")
        if project.status is not S.OPENING or self.clock() < project.bid_deadline:
            raise OpeningConflict("开标尚未开始")
        if opening is None:
            raise OpeningConflict("开标正在准备，请稍后再试")
        return opening

    def statement(self, project: Project) -> OpeningStatement:
        """The opening statement (FORMAT.md §4.2.4) of a `custodians` opening in progress."""
        opening = self._waiting(project)
        key = self.bids.key_row(project)
        if opening.statement_nonce is None or key is None or key.split_id is None:
            raise OpeningConflict("本项目的开标不需要密钥保管人释放份额")
        return OpeningStatement(project_ref(project), key.split_id, opening.statement_nonce,
                                format_timestamp(project.bid_deadline),
                                format_timestamp(opening.started_at))

    def my_share(self, project: Project, user: User) -> OpeningCustodian:
        """The signed-in custodian's row with its sealed share, or NotPermitted."""
        custodian = next((c for c in self.bids.custodians(project) if c.user_id == user.id),
                         None)
        if custodian is None or custodian.sealed_share is None:
            raise NotPermitted("您不是本项目的开标密钥保管人")
        return custodian

    def release_share(self, project: Project, *, user: User, release_json: bytes | str,
                      actor: Actor) -> OpeningCustodian:
        """Accept a custodian's release file (made by the custodian's own tool after the
        deadline, FORMAT.md §4.2.5) for this opening; refused whole otherwise."""
        custodian = self.my_share(project, user)
        statement = self.statement(project)
        if custodian.released_at is not None:
            raise OpeningConflict("您已释放过密钥份额")
        try:
            release = CustodyRelease.from_json(release_json)
        except BidCryptoError as error:
            raise ReleaseInvalid(f"不是有效的份额释放文件：{error}", field="release") from None
        try:
            check_release(release, sealed=SealedShare.from_json(custodian.sealed_share),
                          statement=statement,
                          released=[c.position for c in self._released(project)])
        except ReleaseRefused as refused:
            raise ReleaseInvalid(RELEASE_REFUSALS.get(refused.reason, str(refused)),
                                 field="release") from None
        now = self.clock()
        custodian.released_share = wrap_private_key(self.keys.kek, release.share,
                                                    project_ref(project))
        custodian.released_at = now
        self.db.flush()
        record(self.db, actor, "custody.share_released", "project", project.id, now=now,
               position=custodian.position)
        key = self.bids.key_row(project)
        if len(self._released(project)) >= (key.threshold or 0):
            self._open_soon(project)
        return custodian

    def submit_share(self, project: Project, bid: Bid, *, share_json: bytes,
                     actor: Actor) -> DecryptionShareRecord:
        """Dual custody: the bidder's decryption share for its envelope, in the window."""
        opening = self._waiting(project)
        if opening.custody is not CustodyMode.DUAL:
            raise OpeningConflict("本项目不需要投标人解密")
        now = self.clock()
        if now >= opening.window_ends_at:
            raise OpeningConflict("解密时限已过")
        line = self.db.scalar(sa.select(OpeningLine).where(OpeningLine.bid_id == bid.id))
        if line is None or line.status is not L.PENDING:
            raise OpeningConflict("该投标文件不在待解密之列")
        if self._shares([bid.id]):
            raise OpeningConflict("已提交过解密份额")
        try:
            share = DecryptionShare.from_json(share_json)
            with self.storage.path_for(line.envelope_sha256).open("rb") as handle:
                verify_decryption_share(read_header(handle), share)
        except BidCryptoError as error:
            raise ShareRefused(f"解密份额与投标信封不匹配：{error}") from None
        stored = DecryptionShareRecord(
            bid_id=bid.id, version=line.version, submitted_at=now, submitted_by_id=actor.user_id,
            ip=actor.ip, device=actor.device,
            wrapped_share=wrap_private_key(self.keys.kek, share.secret, project_ref(project)))
        self.db.add(stored)
        self.db.flush()
        record(self.db, actor, "opening.share_submitted", "bid", bid.id, now=now,
               version=line.version)
        pending = [x for x in self.lines(opening) if x.status in OPENABLE]
        if len(self._shares([x.bid_id for x in pending])) == len(pending):
            self._open_soon(project)
        return stored

    def _open_soon(self, project: Project) -> None:
        """Open now that custody allows it; should the job be lost, the sweep finds it."""
        ProjectService(self.db, self.clock, self.storage, self.enqueue,
                       self.keys).due_now(project)
        self.enqueue(open_bids, project.id)

    def confirm_line(self, project: Project, bid: Bid, *, actor: Actor,
                     objection: str = "") -> OpeningLine:
        """A bidder confirms (or objects to) its line of the published record."""
        opening = self.opening(project)
        if opening is None or opening.state is not OpeningState.DONE:
            raise OpeningConflict("开标记录尚未生成")
        line = self.db.scalar(sa.select(OpeningLine).where(OpeningLine.bid_id == bid.id))
        if line is None:
            raise OpeningConflict("开标记录中没有该投标")
        if line.confirmed_at is not None:
            raise OpeningConflict("已确认过开标记录")
        line.confirmed_at, line.confirmed_by_id = self.clock(), actor.user_id
        line.objection = objection.strip()[:2000]
        record(self.db, actor, "opening.line_confirmed", "bid", bid.id, now=line.confirmed_at,
               objection=bool(line.objection))
        return line

    # -- what the hall shows -----------------------------------------------------------------

    def hall(self, project: Project, *, org_id: int | None = None) -> dict:
        """The opening hall's state; before the deadline it says nothing about bids."""
        now = self.clock()
        key = self.bids.key_row(project)
        opening = self.opening(project)
        state = {
            "project_id": project.id, "number": project.number, "status": str(project.status),
            "custody": str(project.custody_mode), "deadline": project.bid_deadline.isoformat(),
            "now": now.isoformat(),
            "seconds_left": max(0, int((project.bid_deadline - now).total_seconds())),
            "phase": self._phase(project, opening, now),
            "public_key": ({"key_id": key.key_id, "suite": key.suite}
                           if key and key.public_key else None),
            "threshold": key.threshold if key else None,
            "custodians": [{"name": c.user.display_name, "released": c.released_at is not None,
                            "released_at": c.released_at.isoformat() if c.released_at else None}
                           for c in self.bids.custodians(project)],
            "window_ends_at": (opening.window_ends_at.isoformat()
                               if opening and opening.window_ends_at else None),
            "started_at": opening.started_at.isoformat() if opening else None,
            "late_minutes": late_minutes(project, opening) if opening else None,
            "lines": [], "lots": [], "outcome": None, "reason": None, "completed_at": None,
            "log": None,
        }
        if opening is not None:
            lines = self.lines(opening)
            shares = self._shares([line.bid_id for line in lines])
            state["lines"] = [self._line_json(line, opening, line.bid_id in shares, org_id)
                              for line in lines]
            state["log"] = self.log_record(opening)
            if opening.state is OpeningState.DONE:
                state.update(lots=opening.lots, outcome=opening.outcome, reason=opening.reason,
                             completed_at=opening.completed_at.isoformat())
        # What the hall page shows changes exactly when this does (the script reloads).
        state["signature"] = "|".join([
            state["phase"], str(sum(c["released"] for c in state["custodians"])),
            ",".join(f"{x['status']}:{int(x['share_submitted'])}:{int(bool(x['confirmed_at']))}"
                     for x in state["lines"])])
        return state

    @staticmethod
    def _phase(project, opening, now) -> str:
        if opening is not None:
            if opening.state is OpeningState.DONE:
                return "done"
            return {CustodyMode.CUSTODIANS: "waiting_custodians",
                    CustodyMode.DUAL: "decrypting"}.get(opening.custody, "opening")
        if project.status in (S.PUBLISHED, S.BIDDING) and now < project.bid_deadline:
            return "before_deadline"
        if project.status in (S.BIDDING, S.OPENING):
            return "starting"
        return "none"

    @staticmethod
    def _line_json(line: OpeningLine, opening: Opening, share_submitted: bool,
                   org_id: int | None) -> dict:
        done = opening.state is OpeningState.DONE
        offer = (line.offer or {}) if done else {}
        return {
            "bid_id": line.bid.public_id, "lot": line.lot.number, "lot_name": line.lot.name,
            "bidder": line.bid.bidder.name, "mine": line.bid.bidder_org_id == org_id,
            "version": line.version, "envelope_sha256": line.envelope_sha256,
            "submitted_at": line.submitted_at.isoformat(), "status": str(line.status),
            "status_label": LINE_LABELS[line.status], "reason": line.reason,
            "detail": line.detail, "share_submitted": share_submitted,
            "total_price": line.total_price if done else None,
            "currency": offer.get("currency", "CNY") if offer else None,
            "duration_days": offer.get("duration_days"), "quality": offer.get("quality"),
            "project_manager": offer.get("project_manager"),
            "items": offer.get("items", [])[:200], "extra": offer.get("extra", {}),
            "documents": line.documents if done else [],
            "anomalies": line.anomalies if done else [],
            "confirmed_at": line.confirmed_at.isoformat() if line.confirmed_at else None,
            "objection": line.objection or None,
            "log_index": line.log_index,
        }


def late_minutes(project: Project, opening: Opening) -> int | None:
    """Minutes the opening started after the deadline, when it was late (else None)."""
    delay = opening.started_at - project.bid_deadline
    return int(delay.total_seconds() // 60) if delay > LATE_AFTER else None


def opening_service_factory(context, request) -> OpeningService:
    return OpeningService(request.dbsession, request.clock, request.registry["keys"],
                          request.storage, request.enqueue, request.registry.settings)

