"""BidService: opening keys and their custody, submission (投标), withdrawal, receipts.

Rules enforced here, not in views or jobs (architecture §6–§7, rules §7.2):
- a bid is accepted only while the project is bidding, before its deadline by the
  injected clock, from a bidder signed up to the lot;
- only ciphertext is received and stored: bids are sealed where the bidder is (the bid
  page in the browser, the offline page, the CLI); an envelope's header must name this
  project, lot and bidder and be sealed to this project's opening key;
- the receipt is signed only once the envelope is durable (fsync'd and in place), and
  leaves only with the committed rows (pyramid_tm commits before the response); the same
  envelope again gives the same receipt; an upload that completes at or after the
  deadline is not a bid;
- an envelope is read once: checked, hashed and written to its final storage on the way
  (one fsync), never spooled to a temporary copy first.
"""

import functools
import hashlib
import io
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from bid_crypto import (
    BidCryptoError,
    Custodian,
    EnvelopeError,
    EnvelopeInfo,
    PrivateKey,
    PublicKey,
    TruncatedEnvelope,
    generate_private_key,
    issue_receipt,
    read_header,
    scan_envelope,
    scan_records,
    split_private_key,
    wrap_private_key,
)
from bid_crypto.encoding import format_timestamp

from ..accounts.models import Role, User
from ..actor import Actor
from ..audit.merkle import promise_doc
from ..audit.service import record
from ..db import mark_written
from ..keys import project_algorithm, signature_algorithm
from ..projects.kinds import CryptoSuite, CustodyMode
from ..projects.models import Lot, Project, SignUp
from ..projects.status import EDITABLE, ProjectStatus
from ..storage import FileTooLarge
from .custody_rule import Member, custody_problem
from .errors import (
    CustodyRefused,
    DeadlinePassed,
    EnvelopeRefused,
    NotAccepting,
    NotFound,
    NotPermitted,
    OpeningConflict,
)
from .models import (
    Bid,
    BidState,
    BidVersion,
    CustodyKey,
    OpeningCustodian,
    OpeningKey,
    new_public_id,
)
from .status import check_transition

S = ProjectStatus
MAX_PUBLIC_KEY_FILE = 16 * 1024
CUSTODIAN_ROLES = (Role.CENTER, Role.SUPERVISOR, Role.OWNER)


# A custodian's key, by the family of the projects it serves (FORMAT.md §4.2.1).
CUSTODIAN_SUITES = ("x25519", "xwing", "sm2")
NATIONAL_SUITES = ("sm2", "sm2mlkem")
_FAMILY_REFUSAL = {
    True: "国密项目的开标密钥份额只加密给 SM2 保管公钥：请保管人在本平台“密钥保管公钥”页"
          "选择 SM2 生成并登记（命令行加 --suite sm2）",
    False: "本项目的开标密钥份额加密给 X25519 或 X-Wing 保管公钥，不能加密给 SM2 保管公钥",
}


def _custodian_suites(suite: str) -> tuple[str, ...]:
    """The custodian keys a project of ``suite`` may seal its shares to."""
    return ("sm2",) if suite in NATIONAL_SUITES else ("x25519", "xwing")


def project_ref(project: Project) -> str:
    """The project id inside envelopes and receipts: its public number (项目编号)."""
    return project.number


def lot_ref(lot: Lot) -> str:
    return f"L{lot.number}"


def bidder_ref(org_id: int) -> str:
    return f"B{org_id}"


def to_millisecond(value: datetime) -> datetime:
    """Receipts carry milliseconds; the stored instant is exactly the signed one."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def custodian_ref(user_id: int) -> str:
    """The custodian's identifier in sealed share and release files."""
    return f"U{user_id}"


@dataclass(frozen=True)
class BiddingConfig:
    max_envelope_bytes: int = 512 * 1024 * 1024
    suite: str = "x25519"
    chunk_size: int = 1024 * 1024

    @classmethod
    def from_settings(cls, settings: dict | None) -> "BiddingConfig":
        settings = settings or {}
        default = cls()
        return cls(
            max_envelope_bytes=int(settings.get("bidding.max_envelope_bytes")
                                   or settings.get("storage.max_bytes")
                                   or default.max_envelope_bytes),
            suite=settings.get("bidding.suite") or default.suite,
            chunk_size=int(settings.get("bidding.chunk_size") or default.chunk_size),
        )


def stream_size(stream: BinaryIO) -> int:
    position = stream.tell()
    size = stream.seek(0, io.SEEK_END)
    stream.seek(position)
    return size


class _Tee:
    """A reader that hands every block it reads to an `Incoming` file as well."""

    def __init__(self, src: BinaryIO, sink):
        self._src, self._sink = src, sink

    def read(self, size: int = -1) -> bytes:
        data = self._src.read(size)
        self._sink.write(data)
        return data


class _HashingTee:
    def __init__(self, src: BinaryIO):
        self._src, self._hash = src, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self._src.read(size)
        self._hash.update(data)
        return data

    def hexdigest(self) -> str:
        return self._hash.hexdigest()


def scan_sealed(stream_or_scan):
    """scan_envelope (or a given scan) with the refusals people read: incomplete, or broken
    structure."""
    try:
        if callable(stream_or_scan):
            return stream_or_scan()
        return scan_envelope(stream_or_scan)
    except TruncatedEnvelope:
        raise EnvelopeRefused("投标信封不完整（上传未完成或文件被截断），未予接收",
                              code="envelope_incomplete") from None
    except EnvelopeError as error:
        raise EnvelopeRefused(f"投标信封结构已损坏，未予接收：{error}",
                              code="envelope_tampered") from None


SUITE_NAMES = {"x25519": "X25519", "xwing": "X-Wing", "sm2": "国密SM2",
               "sm2mlkem": "国密SM2+ML-KEM"}


def check_suite(header, suite: str) -> None:
    """An envelope of another suite than the project's is refused by name, before the
    key id check (whose wording would only say "another key")."""
    if header.suite != suite:
        raise EnvelopeRefused(
            f"信封使用的加密算法为 {SUITE_NAMES.get(header.suite, header.suite)}，"
            f"本项目要求 {SUITE_NAMES.get(suite, suite)}（请下载本项目的 opening.pub 重新封装）",
            code="wrong_suite")


HEADER_LABELS = {"project": "项目编号", "lot": "标段", "bidder": "投标人编号"}


def check_header(header, expected: dict, key: PublicKey, custody: str, *,
                 key_label: str = "本项目的开标公钥") -> None:
    """An envelope header names exactly `expected` ids, this key and this custody mode.

    Shared by bids and by every later sealed round (final offers, final quotes), whose
    `lot` id also names the round so an envelope cannot be replayed into another one.
    """
    check_suite(header, key.suite)
    for name, value in expected.items():
        if getattr(header, name) != value:
            raise EnvelopeRefused(
                f"信封中的{HEADER_LABELS[name]}为 {getattr(header, name)}，应为 {value}",
                field=name, code="envelope_mismatch")
    if header.recipient != key.key_id:
        raise EnvelopeRefused(f"信封不是用{key_label}加密的（是否用了其他项目的公钥？）",
                              code="wrong_key")
    if header.custody != custody:
        raise EnvelopeRefused(f"信封的密钥托管方式为 {header.custody}，应为 {custody}",
                              code="wrong_custody")


def read_sealed_header(stream: BinaryIO, limit: int):
    """Size limit and a readable header of a seekable file, before anything is stored."""
    if stream_size(stream) > limit:
        raise FileTooLarge(f"投标信封超过大小上限 {limit // (1024 * 1024)} MiB")
    stream.seek(0)
    header = header_of(stream)
    stream.seek(0)
    return header


def header_of(stream: BinaryIO):
    """A readable header, read from where the stream stands (the rest follows it)."""
    try:
        return read_header(stream)
    except BidCryptoError as error:
        raise EnvelopeRefused(f"不是有效的投标信封（.tbid）：{error}",
                              code="not_an_envelope") from None


_UPSERT = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}
# Built once: building a statement per upload cost more CPU than running it (issue #19).
_SIGNED_UP = (sa.select(SignUp.id).where(SignUp.lot_id == sa.bindparam("lot_id"),
                                          SignUp.bidder_org_id == sa.bindparam("org_id"))
              .limit(1))
_SIGNED_UP_AND_KEY = sa.select(
    _SIGNED_UP.scalar_subquery(),
    sa.select(OpeningKey.public_key).where(OpeningKey.project_id == sa.bindparam("project_id"))
    .scalar_subquery())


@functools.cache
def _insert_statement(table: sa.Table, unless: tuple[str, ...], dialect: str):
    """INSERT … RETURNING id, with ON CONFLICT DO NOTHING on `unless` where the dialect has
    it; built once per table (building it per upload cost more CPU than running it)."""
    if unless and dialect in _UPSERT:
        statement = _UPSERT[dialect](table).on_conflict_do_nothing(
            index_elements=[table.c[name] for name in unless])
    else:
        statement = sa.insert(table)
    return statement.returning(table.c.id)


def _require_signed_up(sign_up_id: int | None) -> None:
    if sign_up_id is None:
        raise NotPermitted("贵单位未报名该标段，不能投标", code="not_signed_up")


@functools.lru_cache(maxsize=256)
def _public_key(text: str) -> PublicKey:
    """A stored opening key, parsed and its point checked once a process: every upload
    checks its envelope against it (PublicKey is immutable)."""
    return PublicKey.from_json(text)


class BidService:
    def __init__(self, dbsession, clock, keys, storage, enqueue=None, settings=None):
        self.db = dbsession
        self.clock = clock
        self.keys = keys
        self.storage = storage
        self.enqueue = enqueue or (lambda *a, **k: None)
        self.config = BiddingConfig.from_settings(settings)
        self.settings = settings or {}
        self._written: dict = {}  # audit events this service wrote, by seq

    # -- the opening key ----------------------------------------------------------------

    def key_row(self, project: Project) -> OpeningKey | None:
        return self.db.scalar(sa.select(OpeningKey).where(OpeningKey.project_id == project.id))

    def public_key(self, project: Project) -> PublicKey | None:
        text = self.db.scalar(
            sa.select(OpeningKey.public_key).where(OpeningKey.project_id == project.id))
        return None if text is None else _public_key(text)

    def suite_for(self, project: Project) -> str:
        """The project's suite: its own choice, else its rule profile's `crypto.suite`, else
        the platform's `bidding.suite`. Fixed (written on the project) at approval."""
        chosen = (project.crypto_suite or project.params.get("crypto.suite")
                  or self.config.suite)
        return str(CryptoSuite(chosen))

    def signature_algorithm(self, project: Project) -> str:
        """ed25519, or sm2 for a project of a national suite (receipts and reports)."""
        return project_algorithm(project)

    def prepare_key(self, project: Project, *, actor: Actor) -> OpeningKey:
        """At approval: the project's opening key pair, held per its custody mode.

        `auto` and `dual` wrap the private key under the KEK; `custodians` splits it
        k-of-n among the custodians designated beforehand and keeps no copy. Idempotent.
        """
        now = self.clock()
        row = self.key_row(project)
        if row is not None and row.generated_at is not None:
            return row
        suite = self.suite_for(project)
        if signature_algorithm(suite) == "sm2" and not self.keys.has_sm2:
            raise CustodyRefused("平台尚未配置SM2签名密钥（TRADING_SM2_SIGNING_KEY），"
                                 "国密项目暂不能审核通过", field="crypto_suite")
        private = generate_private_key(suite)
        if project.custody_mode is CustodyMode.CUSTODIANS:
            self._split(project, row, private)  # refuses before anything is written
        if row is None:
            row = OpeningKey(project_id=project.id, created_at=now)
            self.db.add(row)
        row.custody = project.custody_mode
        project.crypto_suite = CryptoSuite(suite)
        if project.custody_mode is not CustodyMode.CUSTODIANS:
            row.wrapped_key = wrap_private_key(self.keys.kek, private.to_bytes(),
                                               project_ref(project))
        public = private.public_key()
        row.suite, row.key_id, row.public_key = public.suite, public.key_id, public.to_json()
        row.generated_at = now
        self.db.flush()
        record(self.db, actor, "bid.opening_key_generated", "project", project.id, now=now,
               key_id=public.key_id, suite=public.suite, custody=str(row.custody))
        return row

    def custodians(self, project: Project) -> list[OpeningCustodian]:
        query = (sa.select(OpeningCustodian).where(OpeningCustodian.project_id == project.id)
                 .order_by(OpeningCustodian.position))
        return list(self.db.scalars(query))

    def _split(self, project: Project, row: OpeningKey | None, private: PrivateKey) -> None:
        """Seal share i to custodian i's own public key, for this project only."""
        custodians = self.custodians(project)
        keys = {k.user_id: k for k in self.db.scalars(sa.select(CustodyKey).where(
            CustodyKey.user_id.in_([c.user_id for c in custodians])))}
        if row is None or len(custodians) < 2 or not row.threshold \
                or len(keys) != len(custodians):
            raise CustodyRefused("多人分持密钥的项目须在审核通过前指定至少2名已登记保管公钥的"
                                 "密钥保管人及开启所需人数", field="custodians")
        if any(k.suite not in _custodian_suites(private.suite) for k in keys.values()):
            raise CustodyRefused(_FAMILY_REFUSAL[private.suite in NATIONAL_SUITES],
                                 field="custodians")
        shares = split_private_key(
            private, project=project_ref(project), threshold=row.threshold,
            custodians=[Custodian(custodian_ref(c.user_id),
                                  PublicKey.from_json(keys[c.user_id].public_key))
                        for c in custodians],
            not_before=project.bid_deadline)
        for custodian, share in zip(custodians, shares, strict=True):
            custodian.sealed_share = share.to_json()
            custodian.released_at, custodian.released_share = None, None
        row.split_id = shares[0].split_id

    # -- custodians ---------------------------------------------------------------------

    def custody_key(self, user: User) -> CustodyKey | None:
        return self.db.scalar(sa.select(CustodyKey).where(CustodyKey.user_id == user.id))

    def enrol_custody_key(self, user: User, *, public_key: bytes | str,
                          actor: Actor) -> CustodyKey:
        """Register a custodian's public key (custodian.pub); nothing secret is received."""
        if user.role not in CUSTODIAN_ROLES:
            raise NotPermitted("只有交易中心、监管人员和业主代表可以担任密钥保管人")
        try:
            public = PublicKey.from_json(public_key)
        except BidCryptoError as error:
            raise CustodyRefused(f"不是有效的保管公钥文件（custodian.pub）：{error}",
                                 field="public_key") from None
        if public.suite not in CUSTODIAN_SUITES:
            raise CustodyRefused("保管公钥须为 X25519、X-Wing 或 SM2（国密）密钥",
                                 field="public_key")
        existing = self.custody_key(user)
        if existing is not None and existing.key_id == public.key_id:
            return existing
        if existing is not None and self._holds_open_shares(user):
            raise CustodyRefused("您仍保管着尚未开标项目的密钥份额，开标完成前不能更换保管公钥")
        now = self.clock()
        row = existing or CustodyKey(user_id=user.id)
        row.suite, row.key_id, row.public_key = public.suite, public.key_id, public.to_json()
        row.created_at = now
        self.db.add(row)
        self.db.flush()
        record(self.db, actor, "custody.key_enrolled", "user", user.id, now=now,
               key_id=public.key_id)
        return row

    def _holds_open_shares(self, user: User) -> bool:
        query = (sa.select(OpeningCustodian.id).join(Project,
                                                     Project.id == OpeningCustodian.project_id)
                 .where(OpeningCustodian.user_id == user.id,
                        Project.status.in_([S.DRAFT, S.PENDING_REVIEW, S.RETURNED, S.PUBLISHED,
                                            S.BIDDING, S.OPENING]))
                 .limit(1))
        return self.db.scalar(query) is not None

    def eligible_custodians(self, project: Project) -> list[User]:
        """Active custodians whose key is of the project's family: SM2 for a 国密 project,
        x25519/xwing otherwise (a project's shares are sealed with its own algorithms)."""
        suites = _custodian_suites(self.suite_for(project))
        query = (sa.select(User).join(CustodyKey, CustodyKey.user_id == User.id)
                 .where(User.is_active.is_(True), User.role.in_(CUSTODIAN_ROLES),
                        CustodyKey.suite.in_(suites))
                 .order_by(User.role, User.username))
        return [u for u in self.db.scalars(query)
                if u.role is not Role.OWNER or u.organisation_id == project.owner_org_id]

    def designate_custodians(self, project: Project, *, user_ids: list[int], threshold: int,
                             actor: Actor) -> list[OpeningCustodian]:
        """Name the k-of-n custodians of a `custodians` project, before approval."""
        if project.custody_mode is not CustodyMode.CUSTODIANS:
            raise CustodyRefused("本项目的开标密钥不是多人分持模式")
        if project.status not in EDITABLE | {S.PENDING_REVIEW}:
            raise CustodyRefused("项目审核通过后不能再更改密钥保管人")
        eligible = {u.id: u for u in self.eligible_custodians(project)}
        chosen = list(dict.fromkeys(user_ids))
        if any(uid not in eligible for uid in chosen):
            raise CustodyRefused("密钥保管人须是已登记保管公钥的交易中心、监管人员或本项目业主",
                                 field="user_ids")
        designator = self.db.get(User, actor.user_id) if actor.user_id else None
        problem = custody_problem(
            [Member(eligible[uid].role, eligible[uid].organisation_id) for uid in chosen],
            threshold,
            Member(designator.role, designator.organisation_id) if designator else None)
        if problem:
            raise CustodyRefused(problem, field="user_ids")
        for old in self.custodians(project):
            self.db.delete(old)
        self.db.flush()
        now = self.clock()
        rows = [OpeningCustodian(project_id=project.id, user_id=uid, position=i,
                                 designated_at=now) for i, uid in enumerate(chosen, start=1)]
        self.db.add_all(rows)
        row = self.key_row(project) or OpeningKey(project_id=project.id,
                                                  custody=project.custody_mode, created_at=now)
        row.threshold = threshold
        self.db.add(row)
        self.db.flush()
        record(self.db, actor, "custody.designated", "project", project.id, now=now,
               user_ids=chosen, threshold=threshold)
        return rows

    # -- submission ---------------------------------------------------------------------

    def check_accepting(self, project: Project, lot: Lot, actor: Actor) -> int:
        """Status, deadline, frozen, role, sign-up: the bidder's organisation id."""
        self._check_open(project, lot, actor)
        _require_signed_up(self.db.scalar(_SIGNED_UP, {
            "lot_id": lot.id, "org_id": actor.organisation_id}))
        return actor.organisation_id

    def _accepting_with_key(self, project: Project, lot: Lot,
                            actor: Actor) -> tuple[int, PublicKey]:
        """check_accepting and the opening key in one query: the sign-up and the key are
        the two reads every upload makes before its envelope (one round trip, issue #19)."""
        self._check_open(project, lot, actor)
        signed_up, key_text = self.db.execute(_SIGNED_UP_AND_KEY, {
            "lot_id": lot.id, "org_id": actor.organisation_id,
            "project_id": project.id}).one()
        _require_signed_up(signed_up)
        if key_text is None:
            raise NotAccepting("本项目尚未生成开标公钥")
        return actor.organisation_id, _public_key(key_text)

    def _check_open(self, project: Project, lot: Lot, actor: Actor) -> None:
        """What check_accepting decides without the database."""
        if lot.project_id != project.id:
            raise NotFound("标段不存在")
        if project.status is not S.BIDDING:
            raise NotAccepting("项目当前不接受投标文件")
        if self.clock() >= project.bid_deadline:
            raise DeadlinePassed("投标截止时间已过，投标文件不予接收")
        if project.frozen_reason:
            raise NotAccepting("项目已被监管冻结，暂停接收投标文件")
        if actor.role != str(Role.BIDDER) or not actor.organisation_id:
            raise NotPermitted("只有投标人可以递交投标文件")

    def submit_envelope(self, project: Project, lot: Lot, *, stream: BinaryIO, actor: Actor,
                        source: str = "upload") -> BidVersion:
        """Accept a sealed envelope (.tbid) uploaded by the bidder; returns its version.

        The stream is read once, as it arrives (an API upload is the multipart body itself):
        each block is checked by the envelope scan, hashed and written to its final storage
        on the way, and made durable by one fsync before the receipt is signed."""
        org_id, key = self._accepting_with_key(project, lot, actor)
        if getattr(stream, "seekable", lambda: False)():
            stream.seek(0)  # a form's file field, a demo's file
        with self.storage.incoming(self.config.max_envelope_bytes) as incoming:
            tee = _Tee(stream, incoming)
            header = header_of(tee)
            self._check_header(header, project, lot, org_id, key)
            chunks, payload = scan_sealed(lambda: scan_records(tee, header))
            stored = incoming.commit()
        info = EnvelopeInfo(header, chunks, payload, stored.sha256)
        return self._accept(project, lot, org_id, info, stored, source, actor)

    def submit_upload(self, project: Project, lot: Lot, *, path, actor: Actor,
                      source: str = "browser") -> BidVersion:
        """Accept a finished resumable upload (a file under the storage root that its
        caller holds privately): read once to check and hash it, then fsync'd and moved
        into the store, not copied."""
        org_id, key = self._accepting_with_key(project, lot, actor)
        with open(path, "rb") as handle:
            size = stream_size(handle)
            if size > self.config.max_envelope_bytes:
                raise FileTooLarge("投标信封超过大小上限 "
                                   f"{self.config.max_envelope_bytes // (1024 * 1024)} MiB")
            hashing = _HashingTee(handle)
            header = header_of(hashing)
            self._check_header(header, project, lot, org_id, key)
            chunks, payload = scan_sealed(lambda: scan_records(hashing, header))
        stored = self.storage.adopt(path, hashing.hexdigest(), size)
        info = EnvelopeInfo(header, chunks, payload, stored.sha256)
        return self._accept(project, lot, org_id, info, stored, source, actor)

    _scan = staticmethod(scan_sealed)

    def check_envelope_start(self, project: Project, lot: Lot, stream: BinaryIO, *,
                             actor: Actor) -> None:
        """The first part of a chunked upload: an envelope header for this project, lot,
        bidder, key and custody, or the upload is refused before anything else arrives."""
        org_id, key = self._accepting_with_key(project, lot, actor)
        header = read_sealed_header(stream, self.config.max_envelope_bytes)
        self._check_header(header, project, lot, org_id, key)

    def _check_header(self, header, project: Project, lot: Lot, org_id: int,
                      key: PublicKey) -> None:
        check_header(header, {"project": project_ref(project), "lot": lot_ref(lot),
                              "bidder": bidder_ref(org_id)}, key, str(project.custody_mode))

    def _accept(self, project, lot, org_id, info, stored, source, actor,
                now: datetime | None = None) -> BidVersion:
        # The receive time is taken once the envelope is durable: an upload still
        # arriving at the deadline is not a bid (rules §7.2, Art 27).
        now = now or self.clock()
        if now >= project.bid_deadline:
            raise DeadlinePassed("投标截止时间前上传未完成，视为未提交")
        # A first upload inserts its bid at version 1 directly (the version row needs its id,
        # nothing else), without reading first; a bid already there (a new version, or the
        # same bidder's simultaneous first upload, whose commit the insert waited for) is
        # then read and locked.
        bid = self._insert(Bid(
            project_id=project.id, lot_id=lot.id, bidder_org_id=org_id,
            public_id=new_public_id(), state=BidState.SUBMITTED, current_version=1,
            created_at=now, updated_at=now, version_id=1), unless=("lot_id", "bidder_org_id"))
        if bid is None:
            bid = self.bid_for(lot, org_id, lock=True)
            if bid is None:  # gone since the insert found it: pyramid_retry tries again
                raise StaleDataError("bid vanished while a version was being added")
            latest = self.version(bid, bid.current_version)
            if latest is not None and bid.state is BidState.SUBMITTED \
                    and latest.envelope_sha256 == stored.sha256:
                return latest  # a retried upload: the same version, the same receipt
            self._move(bid, BidState.SUBMITTED)
            bid.current_version, bid.updated_at = bid.current_version + 1, now
        version = BidVersion(
            bid_id=bid.id, version=bid.current_version, envelope_sha256=stored.sha256,
            size=stored.size, header_sha256=info.header.sha256.hex(),
            dual_key_id=info.header.dual.key if info.header.dual else None, source=source,
            received_at=to_millisecond(now), submitted_by_id=actor.user_id,
            ip=actor.ip, device=actor.device, receipt_signature="")
        version.receipt_signature = self.sign_receipt(
            self._receipt_fields(project, lot, bid, version), project)
        # Counts and identities stay out of public view until the deadline; the audit row
        # (center and supervisors only) names the bid, never the project or the contents.
        # The receipt promises this event's inclusion in the log, so the row names the bid by
        # its public id: the bidder is shown the row, and a row id would count bids.
        event = record(self.db, actor, "bid.submitted", "bid", bid.public_id, now=now,
                       promise=True, version=version.version, envelope_sha256=stored.sha256,
                       size=stored.size, source=source)
        # Every column known before the first write: one INSERT per row, no UPDATEs after.
        version.audit_seq = event.seq
        self._written[event.seq] = event  # the session only holds it weakly
        self._insert(version)
        # The version holds its bid without a query, and without the backref appending it
        # to bid.versions (a loaded list would then hold it twice).
        set_committed_value(version, "bid", bid)
        return version

    def _insert(self, row, unless: tuple[str, ...] = ()):
        """INSERT one new bid or version as a core statement and return the row as the
        session's own, loaded: a unit-of-work flush per row was a large share of an
        upload's CPU in a deadline rush (issue #19). The row is complete before it is
        written, so nothing is left for a flush.

        `unless`: a unique key; a row already holding it is left alone and None returned
        (ON CONFLICT DO NOTHING on PostgreSQL and SQLite; elsewhere a query first)."""
        table = type(row).__table__
        values = {c.key: value for c in table.columns if c.key != "id"
                  if (value := getattr(row, c.key)) is not None or c.default is None}
        connection = self.db.connection()
        dialect = connection.dialect.name
        if unless and dialect not in _UPSERT and self.db.scalar(sa.select(table.c.id).where(
                *(table.c[name] == values[name] for name in unless))) is not None:
            return None
        row.id = connection.execute(_insert_statement(table, unless, dialect), values).scalar()
        if row.id is None:
            return None
        mark_written(self.db)
        make_transient_to_detached(row)
        self.db.add(row)
        return row

    @staticmethod
    def _move(bid: Bid, target: BidState) -> None:
        """The only writer of bid.state: the table (trading/bidding/status.py) decides."""
        check_transition(bid.state, target)
        bid.state = target

    def withdraw(self, project: Project, lot: Lot, *, actor: Actor) -> Bid:
        """撤回 before the deadline: the bid no longer counts; its versions stay on record."""
        org_id = self.check_accepting(project, lot, actor)
        bid = self.bid_for(lot, org_id)
        if bid is None or bid.state is BidState.WITHDRAWN:
            raise OpeningConflict("没有可撤回的投标文件")
        now = self.clock()
        self._move(bid, BidState.WITHDRAWN)
        bid.updated_at = now
        self.version(bid, bid.current_version).withdrawn_at = now
        record(self.db, actor, "bid.withdrawn", "bid", bid.id, now=now,
               version=bid.current_version)
        return bid

    # -- reading -------------------------------------------------------------------------

    def bid_for(self, lot: Lot, org_id: int, *, lock: bool = False) -> Bid | None:
        """The bidder's bid for the lot; `lock` before writing a new version: PostgreSQL
        then queues one bidder's simultaneous uploads on the row instead of failing all but
        one with StaleDataError (SQLite has one writer at a time anyway; a loser of the
        first insert or of a stale read is retried by pyramid_retry, then answered 409)."""
        query = sa.select(Bid).where(Bid.lot_id == lot.id, Bid.bidder_org_id == org_id)
        if lock:
            query = query.with_for_update().execution_options(populate_existing=True)
        return self.db.scalar(query)

    def bids_of(self, project: Project, org_id: int | None) -> list[Bid]:
        if not org_id:
            return []
        query = (sa.select(Bid).where(Bid.project_id == project.id, Bid.bidder_org_id == org_id)
                 .order_by(Bid.lot_id))
        return list(self.db.scalars(query))

    def version(self, bid: Bid, number: int) -> BidVersion | None:
        return self.db.scalar(sa.select(BidVersion).where(BidVersion.bid_id == bid.id,
                                                          BidVersion.version == number))

    def sign_receipt(self, fields: dict, project: Project) -> str:
        """The platform's signature over receipt fields (bid_crypto format): Ed25519, or
        SM2 with SM3 and the signer ID for a project of a national suite."""
        signer = self.keys.signer(self.signature_algorithm(project))
        return issue_receipt(signer, fields)["signature"]

    def platform_public_key_pem(self, algorithm: str = "ed25519") -> str:
        return self.keys.signer(algorithm).public_key().to_pem()

    @staticmethod
    def _receipt_fields(project, lot, bid, version) -> dict:
        return {"project": project_ref(project), "lot": lot_ref(lot),
                "bidder": bidder_ref(bid.bidder_org_id), "version": version.version,
                "envelope_sha256": version.envelope_sha256,
                "received_at": format_timestamp(version.received_at)}

    def log_promise(self, version: BidVersion) -> dict | None:
        """The log's signed promise to merge the version's audit event within the maximum
        merge delay, with the event row it hashes (versions before the log have none)."""
        if version.audit_seq is None:
            return None
        return promise_doc(self.db, self.keys, self.settings, version.audit_seq,
                           self._written.get(version.audit_seq))

    def receipt(self, bid: Bid, version: BidVersion) -> dict:
        """The receipt exactly as signed, rebuilt from the committed row."""
        project = self.db.get(Project, bid.project_id)
        fields = self._receipt_fields(project, bid.lot, bid, version)
        return {**fields, "signature": version.receipt_signature}


def bid_service_factory(context, request) -> BidService:
    return BidService(request.dbsession, request.clock, request.registry["keys"],
                      request.storage, request.enqueue, request.registry.settings)
