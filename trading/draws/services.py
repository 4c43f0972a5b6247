"""DrawService: the one way every lottery of the platform is run (architecture §8)."""

from Crypto.Cipher import AES

from ..actor import Actor
from ..audit.service import record
from ..errors import DomainError
from . import engine
from .errors import (
    DrawError,
    DuplicateCandidate,
    EmptyCandidates,
    InvalidDecline,
    NobodyLeft,
    SeedMismatch,
    TooManyRequested,
)
from .models import Draw, DrawStatus
from .record import build_record

MESSAGES = {
    EmptyCandidates: "候选名单为空",
    DuplicateCandidate: "候选名单中有重复的候选人",
    TooManyRequested: "抽取数量超过候选人数",
    NobodyLeft: "候选名单中已无可递补的候选人",
    SeedMismatch: "揭示的种子与事先公布的承诺不符",
    InvalidDecline: "放弃者不在已抽中名单中",
}


class DrawRefused(DomainError):
    code = "draw_refused"
    status = 409


def refused(error: DrawError) -> DrawRefused:
    message = next((m for cls, m in MESSAGES.items() if isinstance(error, cls)), None)
    return DrawRefused(f"{message or '抽取参数无效'}：{error}",
                       field=getattr(error, "field", None))


class DrawService:
    def __init__(self, dbsession, clock, keys):
        self.db = dbsession
        self.clock = clock
        self.keys = keys

    def freeze(self, *, purpose: str, subject_type: str, subject_id, candidates: list,
               count: int, rule: str, actor: Actor, witnesses=()) -> Draw:
        """Fix the ordered candidate list (ids and the attributes that made them eligible)."""
        try:
            frozen = engine.freeze(candidates)
            if count > frozen.drawable:
                raise TooManyRequested(f"{count} > {frozen.drawable}")
        except DrawError as error:
            raise refused(error) from None
        draw = Draw(purpose=purpose, subject_type=subject_type, subject_id=str(subject_id),
                    rule=rule, count=count, candidates=list(candidates),
                    candidate_list_hash=frozen.list_hash, witnesses=list(witnesses),
                    status=DrawStatus.FROZEN, created_at=self.clock(), result=[],
                    follow_ups=[])
        self.db.add(draw)
        self.db.flush()
        self._audit(draw, actor, "draw.frozen", list_hash=frozen.list_hash, count=count)
        return draw

    def commit(self, draw: Draw, *, actor: Actor) -> Draw:
        """Draw a 256-bit seed from the CSPRNG and publish only its SHA-256."""
        if draw.status is not DrawStatus.FROZEN:
            raise DrawRefused("该抽取已经承诺过种子")
        seed = engine.new_seed()
        draw.commitment = engine.commitment(seed)
        draw.sealed_seed = self._seal(draw, seed)
        draw.status, draw.committed_at = DrawStatus.COMMITTED, self.clock()
        self._audit(draw, actor, "draw.committed", commitment=draw.commitment)
        return draw

    def enter_beacon(self, draw: Draw, *, value: str, source: str, actor: Actor) -> Draw:
        """A public value that did not exist at commit time: the operator cannot grind seeds."""
        if draw.status is DrawStatus.REVEALED:
            raise DrawRefused("种子已揭示，不能再录入公共随机数")
        if draw.status is not DrawStatus.COMMITTED:
            raise DrawRefused("请先承诺种子再录入公共随机数")
        if draw.beacon is not None:
            raise DrawRefused("公共随机数已录入，不能更改")
        try:
            engine.check_beacon(value)
        except DrawError as error:
            raise refused(error) from None
        draw.beacon, draw.beacon_source = value, source
        self._audit(draw, actor, "draw.beacon_entered", beacon=value, source=source)
        return draw

    def reveal(self, draw: Draw, *, actor: Actor) -> Draw:
        """Publish the seed and derive the result; the seed must match the commitment."""
        if draw.status is not DrawStatus.COMMITTED:
            raise DrawRefused("尚未承诺种子，不能揭示" if draw.status is DrawStatus.FROZEN
                              else "该抽取已揭示")
        seed = self._unseal(draw)
        try:
            engine.check_commitment(seed, draw.commitment)
            draw.result = engine.draw(seed, draw.beacon, draw.candidates, draw.count)
        except DrawError as error:
            raise refused(error) from None
        draw.seed, draw.sealed_seed = seed.hex(), None
        draw.status, draw.revealed_at = DrawStatus.REVEALED, self.clock()
        self._audit(draw, actor, "draw.revealed", seed=draw.seed, result=draw.result)
        return draw

    def redraw_after_decline(self, draw: Draw, *, declined: list, reason: str, count: int,
                             actor: Actor) -> list:
        """递补: the next positions of the same order, so who replaces is fixed at reveal."""
        if draw.status is not DrawStatus.REVEALED:
            raise DrawRefused("抽取尚未揭示，不能递补")
        drawn = self.drawn_so_far(draw)
        if not declined or not set(declined) <= set(drawn):
            raise refused(InvalidDecline(f"{declined}"))
        try:
            picks = engine.continue_draw(bytes.fromhex(draw.seed), draw.beacon, draw.candidates,
                                         drawn, count)
        except DrawError as error:
            raise refused(error) from None
        at = self.clock()
        draw.follow_ups = [*draw.follow_ups, {"declined": list(declined), "reason": reason,
                                              "count": count, "at": at.isoformat(),
                                              "result": picks}]
        self._audit(draw, actor, "draw.redrawn", declined=list(declined), result=picks)
        return picks

    def break_tie(self, *, candidates: list, purpose: str, subject_type: str, subject_id,
                  actor: Actor, rule: str = "并列时抽签决定先后") -> Draw:
        """Order tied candidates by lottery: freeze, commit and reveal in one step."""
        draw = self.freeze(purpose=purpose, subject_type=subject_type, subject_id=subject_id,
                           candidates=candidates, count=len(candidates), rule=rule, actor=actor)
        self.commit(draw, actor=actor)
        return self.reveal(draw, actor=actor)

    @staticmethod
    def drawn_so_far(draw: Draw) -> list:
        return [*draw.result, *(pick for f in draw.follow_ups for pick in f["result"])]

    def record_of(self, draw: Draw) -> dict:
        """The public record: before reveal, the list, its hash and the commitment only."""
        revealed = draw.status is DrawStatus.REVEALED
        return build_record(
            purpose=draw.purpose, subject={"type": draw.subject_type, "id": draw.subject_id},
            rule=draw.rule, count=draw.count, candidates=draw.candidates,
            seed=bytes.fromhex(draw.seed) if revealed else None,
            commitment=draw.commitment, beacon=draw.beacon, beacon_source=draw.beacon_source,
            follow_ups=[{k: f[k] for k in ("declined", "reason", "count", "at")}
                        for f in draw.follow_ups] if revealed else (),
            witnesses=draw.witnesses, timestamps=self._timestamps(draw),
        ) if draw.commitment else None

    @staticmethod
    def _timestamps(draw: Draw) -> dict:
        stamps = {"frozen": draw.created_at, "committed": draw.committed_at,
                  "revealed": draw.revealed_at}
        return {k: v.isoformat() for k, v in stamps.items() if v is not None}

    # -- the sealed seed -------------------------------------------------------------------

    def _seal(self, draw: Draw, seed: bytes) -> bytes:
        cipher = AES.new(self.keys.kek, AES.MODE_GCM)
        cipher.update(f"draw:{draw.id}".encode())
        body, tag = cipher.encrypt_and_digest(seed)
        return cipher.nonce + tag + body

    def _unseal(self, draw: Draw) -> bytes:
        nonce, tag, body = draw.sealed_seed[:16], draw.sealed_seed[16:32], draw.sealed_seed[32:]
        cipher = AES.new(self.keys.kek, AES.MODE_GCM, nonce=nonce)
        cipher.update(f"draw:{draw.id}".encode())
        try:
            return cipher.decrypt_and_verify(body, tag)
        except ValueError:
            raise DrawRefused("种子密文校验失败，拒绝揭示") from None

    def _audit(self, draw: Draw, actor: Actor, action: str, **data) -> None:
        record(self.db, actor, action, "draw", draw.id, now=self.clock(),
               purpose=draw.purpose, **data)


def draw_service_factory(context, request) -> DrawService:
    return DrawService(request.dbsession, request.clock, request.registry["keys"])
