"""DrawService: the one way every lottery of the platform is run (architecture §8).

Other domains hand it a candidate list built by their pure rules and get ids back. The
standard-library engine (`engine`, `record`) decides; this module keeps the state, seals
the seed until the reveal, audits every step and turns engine errors into refusals with a
Chinese message and an API code. Every check runs before the first change, so a refused
step changes nothing.
"""

import contextlib
import secrets
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from Crypto.Cipher import AES

from bid_crypto.logset import cover_id

from ..actor import Actor
from ..audit import logset
from ..audit.service import record as audit_record
from ..db import registry_of
from ..errors import DomainError
from . import engine, errors
from .models import (
    BEACON_MAX,
    BEACON_SOURCE_MAX,
    PURPOSE_MAX,
    SUBJECT_ID_MAX,
    SUBJECT_TYPE_MAX,
    Draw,
    DrawStatus,
)
from .record import build_record
from .status import check_transition

DEFAULT_TIE_RULE = "得分（或报价）相同的候选人以抽签决定先后顺序，排在首位者优先"
# freeze() validates the whole public record before any seed exists; the record format
# needs a commitment there, so a placeholder stands in for the one commit() will make.
_PLACEHOLDER_COMMITMENT = "0" * 64
_NONCE_BYTES = 12  # the GCM nonce size NIST SP 800-38D recommends
_TAG_BYTES = 16


# -- refusals (DomainError: a Chinese message for people, a code for the API) -------------


class DrawRefused(DomainError):
    """A draw step was refused; nothing was changed."""

    code = "draw_refused"
    status = 409


class InvalidDrawInput(DrawRefused):
    code = "invalid_draw_input"
    status = 400


class EmptyCandidateList(InvalidDrawInput):
    code = "empty_candidates"


class DuplicateCandidates(InvalidDrawInput):
    code = "duplicate_candidate"


class TooManyRequested(InvalidDrawInput):
    code = "too_many_requested"


class InvalidDecline(InvalidDrawInput):
    code = "invalid_decline"


class NotCommitted(DrawRefused):
    code = "not_committed"


class AlreadyCommitted(DrawRefused):
    code = "already_committed"


class NotRevealed(DrawRefused):
    code = "not_revealed"


class AlreadyRevealed(DrawRefused):
    code = "already_revealed"


class BeaconAlreadyEntered(DrawRefused):
    code = "beacon_already_entered"


class SeedMismatch(DrawRefused):
    code = "seed_mismatch"


class SeedUnreadable(DrawRefused):
    code = "seed_unreadable"


class NobodyLeft(DrawRefused):
    code = "nobody_left"


class NotLogged(DrawRefused):
    """The list to freeze is not the logged set: a candidate without an entry, or an
    eligible entry without a candidate (issue #17 pt 4)."""

    code = "candidates_not_logged"


# Most specific first: the empty, duplicate and weight errors are MalformedInputs too.
_REFUSALS = (
    (errors.EmptyCandidates, EmptyCandidateList, "候选名单为空，无法抽取"),
    (errors.DuplicateCandidate, DuplicateCandidates, "候选名单中有重复的候选人编号"),
    (errors.MalformedWeights, InvalidDrawInput,
     "候选人权重无效：须全部为 0 至 2^53−1 的整数，且不能全为 0"),
    (errors.TooManyRequested, TooManyRequested, "抽取数量超过可抽取的候选人数"),
    (errors.NobodyLeft, NobodyLeft, "已无可递补的候选人"),
    (errors.InvalidDecline, InvalidDecline, "放弃者须是此前已抽中且未放弃过的候选人"),
    (errors.SeedMismatch, SeedMismatch, "揭示的种子与事先公布的承诺不符，拒绝揭示"),
)
_FIELD_LABELS = {
    "purpose": "抽取用途", "subject": "抽取对象", "rule": "抽取规则", "count": "抽取数量",
    "candidates": "候选名单", "witnesses": "见证人", "beacon": "公共随机数",
    "follow_ups": "递补记录",
}


def _refusal(error: errors.DrawError) -> DrawRefused:
    field = getattr(error, "field", None)
    for engine_error, refusal, message in _REFUSALS:
        if isinstance(error, engine_error):
            return refusal(f"{message}（{field}）" if field else message, field=field)
    if field:
        label = _FIELD_LABELS.get(field.split(".")[0].split("[")[0], "抽取参数")
        return InvalidDrawInput(f"{label}格式错误（{field}）", field=field)
    return DrawRefused(f"抽取失败：{error}")


@contextlib.contextmanager
def _refusing():
    """Turn any engine error raised inside the block into its refusal."""
    try:
        yield
    except errors.DrawError as error:
        raise _refusal(error) from None


def _check_length(value, limit: int, field: str, label: str) -> None:
    if isinstance(value, str) and len(value) > limit:
        raise InvalidDrawInput(f"{label}不能超过 {limit} 个字符", field=field)


def _instant(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _weighted(candidates, weights):
    """Merge separately given integer weights into the candidates (ALGORITHM.md §2)."""
    if weights is None:
        return candidates
    paired = (isinstance(candidates, Sequence) and isinstance(weights, Sequence)
              and len(weights) == len(candidates)
              and all(isinstance(candidate, Mapping) for candidate in candidates))
    if not paired:
        raise InvalidDrawInput("权重须与候选人一一对应", field="weights")
    return [{**candidate, "weight": weight}
            for candidate, weight in zip(candidates, weights, strict=True)]


# -- the service ------------------------------------------------------------------------


class DrawService:
    """Freeze → commit → (beacon) → reveal → re-draws after declines; each step audited."""

    def __init__(self, dbsession, clock, keys):
        self.db = dbsession
        self.clock = clock
        self.keys = keys

    # -- reading

    def recent(self, limit: int = 200) -> list[Draw]:
        return list(self.db.scalars(sa.select(Draw).order_by(Draw.id.desc()).limit(limit)))

    def draws_for(self, subject_type: str, subject_id) -> list[Draw]:
        """Every draw about one subject (a project, a purchase …), oldest first."""
        query = sa.select(Draw).where(Draw.subject_type == subject_type,
                                      Draw.subject_id == str(subject_id))
        return list(self.db.scalars(query.order_by(Draw.id)))

    def record_of(self, draw: Draw) -> dict | None:
        """The public record (ALGORITHM.md §9); None while only frozen (no commitment yet).

        Before the reveal it has no seed, result or follow-ups.
        """
        if draw.status is DrawStatus.FROZEN:
            return None
        return self._build(draw, draw.follow_ups)

    # -- the steps

    def freeze(self, *, purpose: str, subject_type: str, subject_id, candidates: list,
               count: int, rule: str, actor: Actor, weights=None, witnesses=(),
               log_set: str | None = None, log_minus: str | None = None,
               log_cover: str | None = None, cover_salt: str | None = None) -> Draw:
        """Fix the ordered candidate list (ids and the attributes that made each eligible).

        Refuses an empty list, duplicate ids, bad weights, a count above the drawable
        candidates, and anything the public record could not carry. With `log_set` (a
        pool whose entries the domain logged as they happened, trading.audit.logset) the
        log's checkpoint is signed now and the list must be exactly the pool's members
        below it; the draw names each one's entry, and each excluded one's. With
        `log_minus` too (a set of exclusions logged for this subject alone, e.g. a small
        work's ineligible registry firms) the list is the pool's members less that set's,
        both read at the one checkpoint. With `log_cover` (a set logged by another domain
        as it changed, e.g. the expert library's specialty by library alias) the pool's
        set must hold exactly one entry, in or out, for each of its members, found by
        `bid_crypto.logset.cover_id(cover_salt, member)`; the salt stays the caller's
        until it publishes it (`publish_cover_salt`).
        """
        subject_id = str(subject_id)
        with _refusing():
            preview = build_record(
                purpose=purpose, subject={"type": subject_type, "id": subject_id}, rule=rule,
                count=count, candidates=_weighted(candidates, weights),
                commitment=_PLACEHOLDER_COMMITMENT, witnesses=witnesses)
        _check_length(purpose, PURPOSE_MAX, "purpose", "抽取用途")
        _check_length(subject_type, SUBJECT_TYPE_MAX, "subject_type", "抽取对象类型")
        _check_length(subject_id, SUBJECT_ID_MAX, "subject_id", "抽取对象编号")
        # Store the record's own deep copy: later edits of the caller's dicts cannot reach it.
        draw = Draw(purpose=purpose, subject_type=subject_type, subject_id=subject_id,
                    rule=rule, count=count, candidates=preview["candidates"],
                    candidate_list_hash=preview["candidate_list_hash"],
                    witnesses=preview["witnesses"], status=DrawStatus.FROZEN, result=[],
                    follow_ups=[], created_at=self.clock())
        if log_set is not None:
            self._seal_pool(draw, log_set, log_minus, log_cover, cover_salt)
        self.db.add(draw)
        self.db.flush()  # the id is the sealed seed's associated data
        self._audit(draw, actor, "draw.frozen", candidate_list_hash=draw.candidate_list_hash,
                    candidates=len(draw.candidates), count=count)
        return draw

    @staticmethod
    def _move(draw: Draw, target: DrawStatus) -> None:
        """The only writer of draw.status: the table (trading/draws/status.py) decides."""
        check_transition(draw.status, target)
        draw.status = target

    def commit(self, draw: Draw, *, actor: Actor) -> Draw:
        """Draw a 256-bit seed from the CSPRNG; publish SHA-256(seed), keep the seed sealed."""
        if draw.status is not DrawStatus.FROZEN:
            raise AlreadyCommitted("该抽取已承诺种子，不能重新承诺")
        seed = engine.new_seed()
        draw.commitment = engine.commitment(seed)
        draw.sealed_seed = self._seal(draw, seed)
        self._move(draw, DrawStatus.COMMITTED)
        draw.committed_at = self.clock()
        self._audit(draw, actor, "draw.committed", commitment=draw.commitment)
        return draw

    def enter_beacon(self, draw: Draw, *, value: str, source: str, actor: Actor) -> Draw:
        """Mix in a public value that did not exist at commit time (supervisor, once).

        Only while committed: before the commitment it would not stop the operator from
        grinding seeds; after the reveal it would change a published result.
        """
        if draw.status is DrawStatus.REVEALED:
            raise AlreadyRevealed("种子已揭示，不能再录入公共随机数")
        if draw.status is DrawStatus.FROZEN:
            raise NotCommitted("请先承诺种子，再录入公共随机数")
        if draw.beacon is not None:
            raise BeaconAlreadyEntered("公共随机数已录入，不能更改")
        with _refusing():
            engine.check_beacon(value)
        _check_length(value, BEACON_MAX, "value", "公共随机数")
        _check_length(source, BEACON_SOURCE_MAX, "source", "公共随机数来源")
        draw.beacon, draw.beacon_source, draw.beacon_at = value, source, self.clock()
        self._audit(draw, actor, "draw.beacon_entered", beacon=value, source=source)
        return draw

    def reveal(self, draw: Draw, *, actor: Actor) -> Draw:
        """Unseal the seed, check it against the published commitment, derive the result."""
        if draw.status is DrawStatus.FROZEN:
            raise NotCommitted("尚未承诺种子，不能揭示")
        if draw.status is DrawStatus.REVEALED:
            raise AlreadyRevealed("该抽取已揭示")
        seed = self._unseal(draw)
        with _refusing():
            engine.check_commitment(seed, draw.commitment)
            result = engine.draw(seed, draw.beacon, draw.candidates, draw.count)
        draw.seed, draw.sealed_seed, draw.result = seed.hex(), None, result
        self._move(draw, DrawStatus.REVEALED)
        draw.revealed_at = self.clock()
        # From here the seed is public: the audit row may carry it.
        self._audit(draw, actor, "draw.revealed", seed=draw.seed, result=result)
        return draw

    def redraw_after_decline(self, draw: Draw, *, declined_ids: Sequence[str], reason: str,
                             count: int, actor: Actor) -> list:
        """递补: hand out the next `count` positions of the same draw order.

        The order was fixed at the reveal, so nobody can steer who replaces whom by choosing
        who declines. `count` 0 records a decline that reserves already drawn cover. Refuses
        an id not drawn before or already declined, and a count beyond those left.
        """
        if draw.status is not DrawStatus.REVEALED:
            raise NotRevealed("抽取尚未揭示，不能递补")
        if isinstance(declined_ids, str) or not declined_ids:
            raise InvalidDecline("请列出放弃的候选人", field="declined_ids")
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidDrawInput("请填写放弃原因", field="reason")
        follow_up = {"declined": list(declined_ids), "reason": reason, "count": count,
                     "at": _instant(self.clock())}
        with _refusing():
            added = self._build(draw, [*draw.follow_ups, follow_up])["follow_ups"][-1]
        draw.follow_ups = [*draw.follow_ups, added]  # a new list, so the JSON is saved
        self._audit(draw, actor, "draw.redrawn", declined=added["declined"], reason=reason,
                    count=count, result=added["result"])
        return added["result"]

    def break_tie(self, *, candidates: list, purpose: str, subject_type: str, subject_id,
                  actor: Actor, rule: str = DEFAULT_TIE_RULE, witnesses=()) -> list:
        """并列抽签: order tied candidates by lottery, freezing, committing and revealing at once.

        Equal chances only and at least two candidates; returns every id, first place first.
        The draw stays on record like any other (see `draws_for`).
        """
        if not isinstance(candidates, Sequence) or len(candidates) < 2:
            raise InvalidDrawInput("并列抽签至少需要两名候选人", field="candidates")
        if any(isinstance(c, Mapping) and "weight" in c for c in candidates):
            raise InvalidDrawInput("并列抽签机会均等，不能设置权重", field="candidates")
        draw = self.freeze(purpose=purpose, subject_type=subject_type, subject_id=subject_id,
                           candidates=candidates, count=len(candidates), rule=rule,
                           actor=actor, witnesses=witnesses)
        self.commit(draw, actor=actor)
        return list(self.reveal(draw, actor=actor).result)

    # -- helpers

    def _seal_pool(self, draw: Draw, key: str, minus: str | None, cover: str | None = None,
                   salt: str | None = None) -> None:
        sealed = logset.seal(self.db, self.keys, registry_of(self.db).settings, key,
                             now=self.clock())
        less = logset.sealed_at(self.db, minus, sealed.size) if minus else None
        expected = set(sealed.members) - set(less.members if less else ())
        ids = [c["id"] for c in draw.candidates]
        unlogged = [i for i in ids if i not in expected]
        left_out = sorted(expected - set(ids))
        if unlogged or left_out:
            words = ([f"候选人 {', '.join(unlogged)} 没有入库记录"] if unlogged else []) + (
                [f"已记录入库的 {', '.join(left_out)} 不在名单中"] if left_out else [])
            raise NotLogged("候选名单与审计日志记录的候选库不符：" + "；".join(words),
                            field="candidates")
        record = sealed.as_record()
        draw.log_set, draw.log_size = key, record.pop("size")
        if less is not None:
            record["minus"] = {"set": minus, **less.as_record()}
            del record["minus"]["size"]
        if cover is not None:
            covered = logset.sealed_at(self.db, cover, sealed.size)
            words = cover_problems(covered.members, {**sealed.members, **sealed.excluded},
                                   salt)
            if words:
                raise NotLogged("抽取记录与审计日志记录的专家库不符：" + "；".join(words),
                                field="candidates")
            record["cover"] = {"set": cover, **covered.as_record()}
            del record["cover"]["size"]
        draw.log_entries = record

    def publish_cover_salt(self, draw: Draw, salt: str) -> None:
        """Publish the salt that maps the cover set's members to the pool's (an expert
        draw's, when the evaluation starts): from then on its proof is checked member by
        member, not only counted."""
        cover = (draw.log_entries or {}).get("cover")
        if cover is None or cover.get("salt") == salt:
            return
        draw.log_entries = {**draw.log_entries, "cover": {**cover, "salt": salt}}

    def pool_doc(self, draw: Draw) -> dict | None:
        """The frozen list's proof against the log (bid_crypto.logset checks it): the
        record's candidates and hash, the checkpoint signed at the freeze and every pool
        entry below it with its inclusion proof. None for a list not frozen from a pool."""
        if draw.log_set is None:
            return None
        settings = registry_of(self.db).settings
        stored = {"size": draw.log_size, **draw.log_entries}
        doc = {"draw": draw.id, "purpose": draw.purpose,
               "frozen_at": draw.created_at.isoformat(),
               "subject": {"type": draw.subject_type, "id": draw.subject_id},
               "candidates": draw.candidates,
               "candidate_list_hash": draw.candidate_list_hash,
               "log": logset.doc(self.db, self.keys, settings, draw.log_set, stored)}
        minus = stored.get("minus")
        if minus is not None:  # the subject's own exclusions, at the same checkpoint
            doc["minus"] = logset.doc(self.db, self.keys, settings, minus["set"],
                                      {"size": draw.log_size, **minus})
        cover = stored.get("cover")
        if cover is not None:  # the library the pool's set accounts for, entry by entry
            doc["cover"] = logset.doc(self.db, self.keys, settings, cover["set"],
                                      {"size": draw.log_size, "members": cover["members"],
                                       "excluded": cover["excluded"]})
            if cover.get("salt") is not None:
                doc["cover_salt"] = cover["salt"]
        return doc

    def _build(self, draw: Draw, follow_ups: list) -> dict:
        return build_record(
            purpose=draw.purpose, subject={"type": draw.subject_type, "id": draw.subject_id},
            rule=draw.rule, count=draw.count, candidates=draw.candidates,
            seed=bytes.fromhex(draw.seed) if draw.seed else None,
            commitment=draw.commitment, beacon=draw.beacon, beacon_source=draw.beacon_source,
            follow_ups=follow_ups, witnesses=draw.witnesses, timestamps=_timestamps(draw))

    def _seal(self, draw: Draw, seed: bytes) -> bytes:
        """nonce ‖ tag ‖ ciphertext under the KEK; the draw id as associated data, so a
        sealed seed copied onto another draw does not open."""
        nonce = secrets.token_bytes(_NONCE_BYTES)
        cipher = AES.new(self.keys.kek, AES.MODE_GCM, nonce=nonce, mac_len=_TAG_BYTES)
        cipher.update(_seed_aad(draw))
        body, tag = cipher.encrypt_and_digest(seed)
        return nonce + tag + body

    def _unseal(self, draw: Draw) -> bytes:
        sealed = draw.sealed_seed or b""
        nonce, tag = sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:_NONCE_BYTES + _TAG_BYTES]
        try:
            cipher = AES.new(self.keys.kek, AES.MODE_GCM, nonce=nonce, mac_len=_TAG_BYTES)
            cipher.update(_seed_aad(draw))
            return cipher.decrypt_and_verify(sealed[_NONCE_BYTES + _TAG_BYTES:], tag)
        except ValueError:
            raise SeedUnreadable("种子密文校验失败（密钥不符或数据被改动），拒绝揭示") from None

    def _audit(self, draw: Draw, actor: Actor, action: str, **data) -> None:
        audit_record(self.db, actor, action, "draw", draw.id, now=self.clock(),
                     purpose=draw.purpose, **data)


def cover_problems(library, accounted, salt: str | None) -> list[str]:
    """Whether a pool's set (`accounted`: its members in and out) has one entry for each
    member of its cover set (`library`) and none for anybody else: by pseudonym when the
    salt is known, else by count."""
    if salt is None:
        return ([] if len(library) == len(accounted) else
                [f"专家库 {len(library)} 人，抽取记录 {len(accounted)} 人"])
    mapped = {cover_id(salt, alias): alias for alias in library}
    return ([f"专家库成员 {mapped[i]} 在抽取记录中没有记录" for i in sorted(set(mapped) -
                                                              set(accounted))]
            + [f"{i} 不是专家库成员" for i in sorted(set(accounted) - set(mapped))])


def draw_log_problems(dbsession) -> list[str]:
    """What `trading audit verify` checks of every draw frozen from a logged pool: its
    list is the pool's members below its freeze checkpoint, each naming its entry."""
    out = []
    query = sa.select(Draw).where(Draw.log_set.is_not(None)).order_by(Draw.id)
    for draw in dbsession.scalars(query):
        stored = {"size": draw.log_size, **draw.log_entries}
        problems = logset.problems(dbsession, draw.log_set, stored)
        named = {m["id"] for m in draw.log_entries["members"]}
        minus = stored.get("minus")
        if minus is not None:
            problems += logset.problems(dbsession, minus["set"], {"size": draw.log_size,
                                                                  **minus})
            named -= {m["id"] for m in minus["members"]}
        cover = stored.get("cover")
        if cover is not None:
            problems += logset.problems(dbsession, cover["set"], {
                "size": draw.log_size, "members": cover["members"],
                "excluded": cover["excluded"]})
            accounted = {m["id"] for m in (*draw.log_entries["members"],
                                           *draw.log_entries["excluded"])}
            problems += cover_problems({m["id"] for m in cover["members"]}, accounted,
                                       cover.get("salt"))
        problems += [f"candidate {c['id']} names no entry" for c in draw.candidates
                     if c["id"] not in named]
        problems += [f"{m} names an entry but is not in the list" for m in sorted(
            named - {c["id"] for c in draw.candidates})]
        out += [f"draw {draw.id}: {p}" for p in problems]
    return out


def _seed_aad(draw: Draw) -> bytes:
    return f"trading.draws seed draw:{draw.id}".encode()


def _timestamps(draw: Draw) -> dict:
    """The record's timestamps (ALGORITHM.md §9), only those that happened."""
    stamps = {"frozen_at": draw.created_at, "committed_at": draw.committed_at,
              "beacon_at": draw.beacon_at, "drawn_at": draw.revealed_at}
    return {key: _instant(value) for key, value in stamps.items() if value is not None}


def draw_service_factory(context, request) -> DrawService:
    return DrawService(request.dbsession, request.clock, request.registry["keys"])
