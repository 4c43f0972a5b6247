"""The expert pool and the committee: entry, draw, answers, sign-in, chair, start.

Every lottery goes through `DrawService`. The public draw record names experts only by
pseudonyms (see `Committee`), so the list stays secret until the evaluation starts while
the draw itself is verifiable from the start.
"""

import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from bid_crypto.logset import cover_id

from ..accounts.models import Organisation, Role, User
from ..actor import Actor
from ..audit import logset
from ..audit.service import record
from ..draws.services import DrawService
from ..projects.models import Project
from ..projects.status import ProjectStatus
from . import rules
from .conflicts import (
    ExpertFacts,
    Party,
    conflict_reasons,
    draw_exclusions,
    fact_problems,
    pool_too_small,
)
from .errors import CommitteeInvalid, EvaluationConflict, EvaluationInvalid, NotAMember
from .models import (
    SEATED,
    Committee,
    CommitteeDraw,
    CommitteeMember,
    CommitteeStatus,
    Expert,
    ExpertStatus,
    MemberState,
)
from .params import committee_facts, evaluation_params
from .status import check_transition

S = ProjectStatus
M = MemberState
DECLARATION = "本人已阅知回避规定，与本项目当事人无利害关系，并如实申报"
ROTATION_DAYS_DEFAULT = 30  # [P] experts.rotation_days: same tenderer, not again within
STARTED = (S.OPENING, S.EVALUATION)
NOT_OPENED = "开标完成、项目进入评标阶段后才能开始评标"


@dataclass(frozen=True)
class ExpertInput:
    code: str
    name: str
    region: str
    specialties: tuple[str, ...]
    title: str = ""
    years_experience: int = 0
    phone: str = ""
    employers: tuple[dict, ...] = ()
    shareholdings: tuple[dict, ...] = ()
    relatives: tuple[dict, ...] = ()


def pseudonym(salt: str, expert: Expert) -> str:
    """The expert's name in one committee's draw: SHA-256(salt ":" library alias), the
    first 16 hex digits — the rule `bid_crypto.logset.cover_id` checks the library with."""
    return cover_id(salt, expert.log_alias)


def library_key(specialty: str) -> str:
    """The logged set of the expert library's specialty (专家库, issue #17 pt 4): every
    expert entering it (added, reinstated, the specialty added) or leaving it (suspended,
    blacklisted, the specialty removed), by library alias, when it happens."""
    tag = hashlib.sha256(specialty.encode()).hexdigest()[:12]
    return f"expert-lib:{tag}"


def library_specialties(expert: Expert) -> set[str]:
    """The specialties whose library sets the expert is a member of: all of its own while
    active, none otherwise."""
    return set(expert.specialties) if expert.status is ExpertStatus.ACTIVE else set()


def ensure_library(dbsession, specialty: str, *, now) -> str:
    """The specialty's library set, begun with every expert in it now (cause
    `carried_over`) when nothing logged it yet: a library filled before it was logged."""
    key = library_key(specialty)
    if not logset.exists(dbsession, key):
        experts = dbsession.scalars(sa.select(Expert).where(
            Expert.status == ExpertStatus.ACTIVE).order_by(Expert.id))
        logset.append_many(dbsession, key, [
            logset.Put(expert.log_alias, logset.IN, "carried_over") for expert in experts
            if specialty in expert.specialties], now=now)
        logset.begin(dbsession, key)
    return key


def pool_key(committee: Committee, specialty: str) -> str:
    """The logged set of one specialty's frozen expert list (issue #17 pt 4)."""
    tag = hashlib.sha256(specialty.encode()).hexdigest()[:12]
    return f"experts:{committee.id}:{tag}"


class ExpertPoolService:
    """评标专家库: the trading center enters and maintains experts."""

    def __init__(self, dbsession, clock):
        self.db = dbsession
        self.clock = clock

    def create(self, data: ExpertInput, *, actor: Actor, user: User | None = None) -> Expert:
        """A new active expert; the code is unique and a linked user must be an expert."""
        if self.db.scalar(sa.select(Expert.id).where(Expert.code == data.code)):
            raise EvaluationInvalid("专家编号已存在", field="code")
        if user is not None and user.role is not Role.EXPERT:
            raise EvaluationInvalid("只能关联评标专家账号", field="username")
        now = self.clock()
        fields = self._fields(data)
        for specialty in fields["specialties"]:  # before the expert is in the session
            ensure_library(self.db, specialty, now=now)
        expert = Expert(status=ExpertStatus.ACTIVE, created_at=now, updated_at=now,
                        user_id=user.id if user else None, **fields)
        expert.code = data.code
        self.db.add(expert)
        self.db.flush()
        record(self.db, actor, "expert.created", "expert", expert.id, now=now, code=data.code)
        self._log_library(expert, set(), "added")
        return expert

    def _log_library(self, expert: Expert, before: set[str], cause: str) -> None:
        """The library sets the expert joined or left since `before` (its specialties in
        the library then), each an entry now: a draw frozen later must account for it."""
        after, now = library_specialties(expert), self.clock()
        for specialty, kind in sorted([*((s, logset.IN) for s in after - before),
                                       *((s, logset.OUT) for s in before - after)]):
            logset.append(self.db, ensure_library(self.db, specialty, now=now),
                          expert.log_alias, kind, now=now, cause=cause)

    @staticmethod
    def _fields(data: ExpertInput) -> dict:
        """The stored facts, checked first: a bad line is refused with its field."""
        if not data.name.strip() or not data.region.strip():
            raise EvaluationInvalid("请填写姓名和所在地区", field="name")
        if not data.specialties:
            raise EvaluationInvalid("请至少填写一个专业", field="specialties")
        problems = fact_problems(data.employers, data.shareholdings, data.relatives)
        if problems:
            field, words = problems[0]
            raise EvaluationInvalid(words, field=field)
        return {"name": data.name.strip(), "region": data.region.strip(), "title": data.title,
                "years_experience": data.years_experience, "phone": data.phone,
                "specialties": list(dict.fromkeys(data.specialties)),
                "employers": list(data.employers), "shareholdings": list(data.shareholdings),
                "relatives": list(data.relatives)}

    def update(self, expert: Expert, data: ExpertInput, *, actor: Actor,
               version: int | None = None, status: ExpertStatus | None = None,
               reason: str = "") -> Expert:
        """Edit an expert's details (not the code: past draws' pseudonyms hang on it) and,
        when given, the status.

        Everything is checked before anything is written; `version` (the form's) refuses
        an edit made on a stale page. The audit row names the changed fields only — the
        values (phone, relatives, holdings) are personal data and stay out of the log.
        """
        if version is not None and version != expert.version_id:
            raise EvaluationConflict("专家信息已被他人修改，请刷新后重新编辑", field="version")
        if data.code and data.code != expert.code:
            raise EvaluationInvalid("专家编号不能修改", field="code")
        fields = self._fields(data)
        if status is not None:
            self._check_status(status, reason)
        changed = sorted(k for k, v in fields.items() if getattr(expert, k) != v)
        before = library_specialties(expert)
        for specialty in sorted(set(expert.specialties) | set(fields["specialties"])):
            ensure_library(self.db, specialty, now=self.clock())
        if changed:
            for key in changed:
                setattr(expert, key, fields[key])
            expert.updated_at = self.clock()
            record(self.db, actor, "expert.updated", "expert", expert.id,
                   now=expert.updated_at, changed=changed)
            self._log_library(expert, before, "specialties_changed")
        if status is not None:
            self.set_status(expert, status, reason=reason, actor=actor)
        self.db.flush()
        return expert

    @staticmethod
    def _check_status(status: ExpertStatus, reason: str) -> None:
        if status is not ExpertStatus.ACTIVE and not reason.strip():
            raise EvaluationInvalid("暂停或禁入必须说明理由", field="reason")

    def set_status(self, expert: Expert, status: ExpertStatus, *, reason: str,
                   actor: Actor) -> Expert:
        """Suspend, blacklist or reinstate; anything but reinstating needs a reason.
        The only writer of expert.status (trading/evaluation/status.py)."""
        self._check_status(status, reason)
        if status is expert.status and reason.strip()[:500] == expert.status_reason:
            return expert  # nothing to record
        check_transition(expert.status, status)
        before = library_specialties(expert)
        for specialty in sorted(expert.specialties):
            ensure_library(self.db, specialty, now=self.clock())
        expert.status, expert.status_reason = status, reason.strip()[:500]
        expert.updated_at = self.clock()
        record(self.db, actor, "expert.status_changed", "expert", expert.id,
               now=expert.updated_at, status=str(status), reason=expert.status_reason)
        self._log_library(expert, before, str(status))
        return expert

    def listing(self) -> list[Expert]:
        return list(self.db.scalars(sa.select(Expert).order_by(Expert.code)))

    def for_user(self, user: User) -> Expert | None:
        return self.db.scalar(sa.select(Expert).where(Expert.user_id == user.id))


def move_committee(committee: Committee, target: CommitteeStatus) -> None:
    """The only writer of committee.status (trading/evaluation/status.py): the committee
    service starts it, the evaluation work finishes and reopens it."""
    check_transition(committee.status, target)
    committee.status = target


class EvaluationCommitteeService:
    def __init__(self, dbsession, clock, keys):
        self.db = dbsession
        self.clock = clock
        self.draws = DrawService(dbsession, clock, keys)

    # -- reading ----------------------------------------------------------------------

    def committee_of(self, project: Project) -> Committee | None:
        return self.db.scalar(sa.select(Committee).where(Committee.project_id == project.id))

    def seated(self, committee: Committee) -> list[CommitteeMember]:
        return [m for m in committee.members if m.state in SEATED]

    def member_for(self, committee: Committee, user: User) -> CommitteeMember | None:
        for member in self.seated(committee):
            if member.user_id == user.id:
                return member
        return None

    def memberships(self, user: User) -> list[CommitteeMember]:
        query = (sa.select(CommitteeMember).where(CommitteeMember.user_id == user.id,
                                                  CommitteeMember.state.in_(list(SEATED)))
                 .order_by(CommitteeMember.id.desc()))
        return list(self.db.scalars(query))

    # -- forming --------------------------------------------------------------------------

    def form(self, project: Project, *, plan: list[dict], owner_rep_ids: list[int],
             region: str, actor: Actor, agency_org_id: int | None = None) -> Committee:
        """组建: the specialties to draw (count + reserves) and the owner's representatives.

        The planned composition must already satisfy the profile (size, odd, experts ≥ 2/3).
        """
        if self.committee_of(project) is not None:
            raise EvaluationConflict("该项目已组建评标委员会")
        if project.status not in (S.BIDDING, *STARTED):
            raise EvaluationConflict("项目尚未进入投标阶段，不能组建评标委员会")
        plan = self._check_plan(plan)
        reps = self._owner_reps(project, owner_rep_ids)
        self._check_planned(project, plan, reps)
        now = self.clock()
        committee = Committee(project_id=project.id, status=CommitteeStatus.FORMING,
                              region=region.strip(), created_at=now,
                              plan=[{**p, "agency_org_id": agency_org_id} for p in plan],
                              pseudonym_salt=secrets.token_hex(32))
        self.db.add(committee)
        self.db.flush()
        for user in reps:
            committee.members.append(CommitteeMember(
                role=rules.MemberRole.OWNER_REP, user_id=user.id, state=M.ACCEPTED, created_at=now,
                updated_at=now))
        self.db.flush()
        record(self.db, actor, "committee.formed", "project", project.id, now=now,
               plan=plan, owner_reps=len(reps))
        return committee

    @staticmethod
    def _check_plan(plan: list[dict]) -> list[dict]:
        if not plan:
            raise EvaluationInvalid("请至少填写一个抽取专业", field="plan")
        seen, clean = set(), []
        for i, row in enumerate(plan):
            specialty = str(row.get("specialty", "")).strip()
            count, reserves = row.get("count"), row.get("reserves", 0)
            if not specialty or specialty in seen:
                raise EvaluationInvalid("专业不能为空或重复", field=f"plan.{i}.specialty")
            if not isinstance(count, int) or count < 1 or not isinstance(reserves, int) \
                    or reserves < 0:
                raise EvaluationInvalid("抽取人数至少为1，候补人数不能为负",
                                        field=f"plan.{i}.count")
            seen.add(specialty)
            clean.append({"specialty": specialty, "count": count, "reserves": reserves})
        return clean

    def _owner_reps(self, project: Project, user_ids: list[int]) -> list[User]:
        users = [self.db.get(User, uid) for uid in user_ids]
        for user in users:
            if user is None or user.role is not Role.OWNER \
                    or user.organisation_id != project.owner_org_id:
                raise EvaluationInvalid("业主代表须为本项目业主单位的用户",
                                        field="owner_rep_ids")
        return users

    def _check_planned(self, project, plan, reps) -> None:
        members = [rules.Seat(f"e{i}", rules.MemberRole.EXPERT)
                   for i in range(sum(p["count"] for p in plan))]
        members += [rules.Seat(f"r{u.id}", rules.MemberRole.OWNER_REP) for u in reps]
        self._check_composition(project, members)

    def _check_composition(self, project: Project, members) -> rules.CommitteeSummary:
        try:
            return rules.check_committee(members, **committee_facts(project),
                                         params=evaluation_params(project))
        except rules.CommitteeCompositionError as error:
            experts = sum(m.role is rules.MemberRole.EXPERT for m in members)
            minimum = rules.committee_min_size(**committee_facts(project),
                                               params=evaluation_params(project))
            raise CommitteeInvalid(
                f"评标委员会组成不符合规定（共{len(members)}人，其中专家{experts}人，"
                f"至少{minimum}人）：" + "；".join(_composition_words(p) for p in error.problems),
                field="plan") from None

    # -- the draw -------------------------------------------------------------------------

    def parties(self, project: Project, committee: Committee, *, bidders: bool) -> list[Party]:
        orgs = [("owner", project.owner)]
        agency = committee.plan[0].get("agency_org_id") if committee.plan else None
        if agency:
            orgs.append(("agency", self.db.get(Organisation, agency)))
        if bidders:
            from ..bidding.models import Bid
            query = sa.select(Organisation).join(Bid, Bid.bidder_org_id == Organisation.id) \
                .where(Bid.project_id == project.id).distinct()
            orgs += [("bidder", org) for org in self.db.scalars(query)]
        return [Party(role, org.name, org.credit_code or "") for role, org in orgs if org]

    def _recent_seats(self, project: Project, expert_ids=None) -> dict[int, list]:
        """When each expert sat on a committee of this owner's other projects: one query
        for the whole pool (a draw judges every expert in it, rows times specialties)."""
        query = (sa.select(CommitteeMember.expert_id, Committee.created_at)
                 .join(CommitteeMember, CommitteeMember.committee_id == Committee.id)
                 .join(Project, Project.id == Committee.project_id)
                 .where(CommitteeMember.state.in_(list(SEATED)),
                        Project.owner_org_id == project.owner_org_id,
                        Project.id != project.id))
        if expert_ids is not None:
            query = query.where(CommitteeMember.expert_id.in_(expert_ids))
        seats: dict[int, list] = {}
        for expert_id, at in self.db.execute(query):
            seats.setdefault(expert_id, []).append(at.date())
        return seats

    def _facts(self, expert: Expert, project: Project, seats=None) -> ExpertFacts:
        if seats is None:
            seats = self._recent_seats(project, [expert.id])
        recent = tuple(seats.get(expert.id, ()))
        return ExpertFacts(expert.id, str(expert.status), tuple(expert.specialties),
                           expert.region, tuple(expert.employers), tuple(expert.shareholdings),
                           tuple(expert.relatives), recent)

    def draw(self, project: Project, *, actor: Actor) -> list[CommitteeDraw]:
        """Freeze each specialty's eligible list (pseudonyms only) and commit its seed.

        Excludes inactive experts, other specialties or regions, the rotation window, and
        ties with the owner and agency — and with bidders once the bids are opened.
        """
        committee = self._forming(project)
        if committee.draws:
            raise EvaluationConflict("专家已抽取，放弃或回避请使用递补")
        today, rotation = self.clock().date(), int(project.params.get(
            "experts.rotation_days", ROTATION_DAYS_DEFAULT))
        parties = self.parties(project, committee, bidders=project.status is S.EVALUATION)
        experts = self.db.scalars(sa.select(Expert).order_by(Expert.code)).all()
        lists = [self._eligible(project, committee, row, experts, parties, today, rotation)
                 for row in committee.plan]
        made = [self._freeze(project, committee, row, roster, excluded, actor)
                for row, (roster, excluded) in zip(committee.plan, lists, strict=True)]
        record(self.db, actor, "committee.drawn", "project", project.id, now=self.clock(),
               draws=[d.draw_id for d in made])
        return made

    def _eligible(self, project, committee, row, experts, parties, today, rotation):
        roster, excluded = {}, []
        seats = self._recent_seats(project)
        for expert in experts:
            reasons = draw_exclusions(self._facts(expert, project, seats),
                                      specialty=row["specialty"],
                                      region=committee.region, parties=parties, on=today,
                                      rotation_days=rotation)
            if not reasons:
                roster[pseudonym(committee.pseudonym_salt, expert)] = expert.id
            elif row["specialty"] in expert.specialties:
                excluded.append({"expert_id": expert.id, "reasons": list(reasons)})
        need = row["count"] + row["reserves"]
        if pool_too_small(len(roster), row["count"]) or len(roster) < need:
            raise EvaluationConflict(
                f"专业“{row['specialty']}”可抽取专家{len(roster)}人，不足需抽取人数"
                f"{row['count']}的2倍（或不足抽取与候补总数{need}），请扩大抽取地区或报监管部门",
                field="plan")
        return roster, excluded

    def _log_pool(self, committee, row, roster, excluded) -> str:
        """Each member of the library's specialty set, by pseudonym only, an entry of the
        draw's set: in (eligible) or out with the kinds of reasons (回避, issue #17 pt 4).
        The freeze checks the set against the library's (logged as the library changed):
        one entry per library member, nobody else. The pseudonyms hide who is behind them
        until the salt is published at the start of the evaluation; then anyone maps each
        library alias to its pseudonym (sha256(salt:alias)) and an expert finds its own."""
        key, now = pool_key(committee, row["specialty"]), self.clock()
        ensure_library(self.db, row["specialty"], now=now)
        puts = [logset.Put(alias, logset.IN, "eligible") for alias in sorted(roster)]
        experts = {e.id: e for e in self.db.scalars(sa.select(Expert).where(
            Expert.id.in_([x["expert_id"] for x in excluded])))}
        # One entry per member of the library's specialty set: the inactive ones are out
        # of the library itself, by its own entries.
        for alias, reasons in sorted((pseudonym(committee.pseudonym_salt,
                                                experts[x["expert_id"]]), x["reasons"])
                                     for x in excluded
                                     if row["specialty"] in library_specialties(
                                         experts[x["expert_id"]])):
            puts.append(logset.Put(alias, logset.OUT, "excluded",
                                   {"reasons": sorted({_reason_kind(r) for r in reasons})}))
        logset.append_many(self.db, key, puts, now=now)
        return key

    def _freeze(self, project, committee, row, roster, excluded, actor) -> CommitteeDraw:
        candidates = [{"id": p, "attributes": {"specialty": row["specialty"],
                                               "region": committee.region or "不限"}}
                      for p in sorted(roster)]
        key = self._log_pool(committee, row, roster, excluded)
        draw = self.draws.freeze(
            purpose=f"评标专家抽取：{row['specialty']}", subject_type="project",
            subject_id=project.id, candidates=candidates,
            count=row["count"] + row["reserves"], actor=actor, log_set=key,
            log_cover=library_key(row["specialty"]), cover_salt=committee.pseudonym_salt,
            rule=(f"从冻结名单中随机抽取{row['count']}名，另抽{row['reserves']}名候补；"
                  "专家以化名列示，评标开始后公布化名盐值与名单"))
        self.draws.commit(draw, actor=actor)
        item = CommitteeDraw(committee_id=committee.id, specialty=row["specialty"],
                             need=row["count"], reserves=row["reserves"], draw_id=draw.id,
                             roster=roster, excluded=excluded, created_at=self.clock())
        # Appending alone: a lazy load after an explicit add would list the row twice.
        committee.draws.append(item)
        self.db.flush()
        return item

    def reveal(self, project: Project, *, actor: Actor) -> list[CommitteeMember]:
        """Reveal every committed draw; the first `need` are notified, the rest reserves."""
        committee = self._forming(project)
        pending = self._unrevealed(committee)
        if not pending:
            raise EvaluationConflict("没有待揭示的专家抽取")
        now, made = self.clock(), []
        for item in pending:
            draw = self.draws.reveal(self._draw_row(item), actor=actor)
            for position, alias in enumerate(draw.result):
                made.append(self._seat(committee, item, alias,
                                       M.NOTIFIED if position < item.need else M.RESERVE, now))
        self.db.flush()
        self._summoned(project, [m for m in made if m.state is M.NOTIFIED])
        return made

    def _unrevealed(self, committee: Committee) -> list[CommitteeDraw]:
        return [d for d in committee.draws if not self._draw_row(d).seed]

    def next_step(self, project: Project, committee: Committee | None) -> tuple[str, str]:
        """The one forming step possible now, by the rules draw, reveal and start check:
        ("draw" | "reveal" | "start", "") or ("", why nothing can be done yet) — the page
        offers that one button, not all three."""
        if committee is None or committee.status is not CommitteeStatus.FORMING:
            return "", ""
        if not committee.draws:
            return "draw", ""
        if self._unrevealed(committee):
            return "reveal", ""
        if project.status is not S.EVALUATION:
            return "", NOT_OPENED
        problem = self._seating_problem(committee)
        return ("", problem) if problem else ("start", "")

    def _seating_problem(self, committee: Committee) -> str:
        waiting = [m for m in self.seated(committee) if m.state is not M.SIGNED_IN]
        if waiting:
            return f"还有{len(waiting)}名成员未签到"
        if self.chair(committee) is None:
            return "尚未推选出评标委员会组长"
        return ""

    def _summoned(self, project: Project, members: list[CommitteeMember]) -> None:
        from ..db import registry_of
        from .events import ExpertsSummoned

        if members:
            registry_of(self.db).notify(ExpertsSummoned(self, project, members))

    def _draw_row(self, item: CommitteeDraw):
        from ..draws.models import Draw
        return self.db.get(Draw, item.draw_id)

    def _seat(self, committee, item, alias, state, now, replaces=None) -> CommitteeMember:
        expert = self.db.get(Expert, item.roster[alias])
        member = CommitteeMember(committee_id=committee.id, role=rules.MemberRole.EXPERT,
                                 expert_id=expert.id, user_id=expert.user_id,
                                 committee_draw_id=item.id, pseudonym=alias,
                                 specialty=item.specialty, state=state, created_at=now,
                                 updated_at=now, replaces_id=replaces)
        committee.members.append(member)
        return member

    def _forming(self, project: Project) -> Committee:
        committee = self.committee_of(project)
        if committee is None:
            raise EvaluationConflict("该项目尚未组建评标委员会")
        if committee.status is not CommitteeStatus.FORMING:
            raise EvaluationConflict("评标已开始，委员会不能再变动")
        return committee

    # -- answers, replacement ----------------------------------------------------------

    def answer(self, member: CommitteeMember, *, accept: bool, reason: str,
               actor: Actor) -> CommitteeMember:
        """The expert confirms or declines; a decline draws the replacement at once."""
        self._own(member, actor)
        if member.state is not M.NOTIFIED:
            raise EvaluationConflict("该邀请已答复")
        if accept:
            return self._set(member, M.ACCEPTED, "", actor)
        if not reason.strip():
            raise EvaluationInvalid("请填写不能参加的原因", field="reason")
        return self._replace(member, M.DECLINED, reason.strip(), actor)

    def no_answer(self, member: CommitteeMember, *, actor: Actor) -> CommitteeMember:
        """The center records that a notified expert did not answer in time."""
        self._forming_of(member)
        if member.state is not M.NOTIFIED:
            raise EvaluationConflict("只有待确认的专家可以登记为未应答")
        return self._replace(member, M.NO_ANSWER, "通知后未在规定时间内应答", actor)

    @staticmethod
    def _move_member(member: CommitteeMember, target: MemberState) -> None:
        """The only writer of a member's state (trading/evaluation/status.py)."""
        check_transition(member.state, target)
        member.state = target

    def _set(self, member, state, reason, actor) -> CommitteeMember:
        self._move_member(member, state)
        member.state_reason = reason[:500]
        member.updated_at = self.clock()
        record(self.db, actor, f"committee.member_{state}", "committee", member.committee_id,
               now=member.updated_at, member_id=member.id)
        return member

    def _replace(self, member, state, reason, actor) -> CommitteeMember:
        """递补 from the same frozen list: a drawn reserve first, else the next position."""
        committee = self._forming_of(member)
        item = self.db.get(CommitteeDraw, member.committee_draw_id)
        self._set(member, state, reason, actor)
        reserve = next((m for m in committee.members if m.committee_draw_id == item.id
                        and m.state is M.RESERVE), None)
        count = 0 if reserve else 1
        picks = self.draws.redraw_after_decline(self._draw_row(item),
                                                declined_ids=[member.pseudonym], reason=reason,
                                                count=count, actor=actor)
        if reserve is not None:
            self._move_member(reserve, M.NOTIFIED)
            reserve.replaces_id = member.id
            seated = reserve
        else:
            seated = self._seat(committee, item, picks[0], M.NOTIFIED, self.clock(),
                                replaces=member.id)
            self.db.flush()
        self._summoned(self.db.get(Project, committee.project_id), [seated])
        return seated

    def _forming_of(self, member: CommitteeMember) -> Committee:
        committee = member.committee
        if committee.status is not CommitteeStatus.FORMING:
            raise EvaluationConflict("评标已开始，委员会不能再变动")
        return committee

    @staticmethod
    def _own(member: CommitteeMember, actor: Actor) -> None:
        if member.user_id is None or member.user_id != actor.user_id:
            raise NotAMember("这不是您的评标邀请")

    # -- sign-in and declaration ----------------------------------------------------------

    def sign_in(self, member: CommitteeMember, *, confirmation: str, conflict: str,
                actor: Actor) -> CommitteeMember:
        """签到: sign the declaration (typed); a declared or found conflict forces 回避.

        After the opening the expert's employers, shareholdings and relatives are checked
        against every bidder too (rules §4.3); a hit excludes the expert like a
        declaration does, and the replacement is drawn from the same list.
        """
        self._own(member, actor)
        if member.state is not M.ACCEPTED:
            raise EvaluationConflict("请先确认参加，再签到" if member.state is M.NOTIFIED
                                     else "已签到或已不在委员会中")
        if confirmation.strip() != DECLARATION:
            raise EvaluationInvalid(f"请完整输入承诺：{DECLARATION}", field="confirmation")
        committee = self._forming_of(member)
        member.declaration, member.declared_conflict = DECLARATION, conflict.strip()[:1000]
        member.signed_in_at = self.clock()
        if member.role is rules.MemberRole.OWNER_REP:
            return self._set(member, M.SIGNED_IN, "", actor)
        found = self._found_conflicts(committee, member)
        if member.declared_conflict or found:
            reason = "；".join(filter(None, [member.declared_conflict, *found]))
            self._replace(member, M.EXCLUDED, f"回避：{reason}", actor)
            return member
        return self._set(member, M.SIGNED_IN, "", actor)

    def _exclude_tied_to_bidders(self, committee: Committee, actor: Actor) -> int:
        """Experts who signed in before the opening are checked against the bidders now
        (rules §4.3: bidder names are unknown at the draw); a tie forces 回避 and the
        replacement is drawn from the same list. Returns how many were excluded."""
        tied = [(m, found) for m in self.seated(committee)
                if m.role is rules.MemberRole.EXPERT and m.state is M.SIGNED_IN
                for found in [self._found_conflicts(committee, m)] if found]
        for member, found in tied:
            self._replace(member, M.EXCLUDED, "回避（开标后核查）：" + "；".join(found), actor)
        return len(tied)

    def _found_conflicts(self, committee: Committee, member: CommitteeMember) -> tuple:
        project = self.db.get(Project, committee.project_id)
        parties = self.parties(project, committee, bidders=project.status is S.EVALUATION)
        expert = self.db.get(Expert, member.expert_id)
        return conflict_reasons(self._facts(expert, project), parties, self.clock().date())

    # -- chair and start ----------------------------------------------------------------

    def vote_chair(self, member: CommitteeMember, candidate: CommitteeMember, *,
                   actor: Actor) -> CommitteeMember | None:
        """推选组长 (rules.elect_chair): more than half of the members' votes elects at
        once; when everyone has voted, the plurality; a tie, a lottery through the draws
        engine. The purchaser's representative may not stand in 政府采购 (87号令 Art 45)."""
        self._own(member, actor)
        committee = member.committee
        if committee.status is not CommitteeStatus.FORMING:
            raise EvaluationConflict("评标已开始，不能再推选组长")
        if self.chair(committee) is not None:
            raise EvaluationConflict("组长已推选产生", field="candidate")
        if member.state is not M.SIGNED_IN or candidate.state is not M.SIGNED_IN \
                or candidate.committee_id != committee.id:
            raise EvaluationConflict("只有已签到的成员可以推选或被推选为组长")
        project = self.db.get(Project, committee.project_id)
        if candidate.role is rules.MemberRole.OWNER_REP \
                and committee_facts(project)["regime"] is rules.Regime.GOVERNMENT_PROCUREMENT:
            raise EvaluationInvalid("采购人代表不得担任评标委员会组长（87号令第45条）",
                                    field="candidate")
        member.chair_vote_for_id = candidate.id
        record(self.db, actor, "committee.chair_voted", "committee", committee.id,
               now=self.clock(), member_id=member.id)
        return self._elect(committee, project, actor)

    def _elect(self, committee: Committee, project: Project,
               actor: Actor) -> CommitteeMember | None:
        seated = {str(m.id): m for m in self.seated(committee)}
        votes = {key: str(m.chair_vote_for_id) for key, m in seated.items()
                 if m.chair_vote_for_id is not None and str(m.chair_vote_for_id) in seated}
        result = rules.elect_chair(votes, list(seated))
        draw_id = None
        if result.lottery is not None:
            # Members are named in the public record only by member number: the list stays
            # secret until the evaluation starts.
            order = self.draws.break_tie(
                candidates=[{"id": c, "label": f"成员{c}"} for c in result.lottery.candidates],
                purpose=f"评标委员会组长推选票数相同抽签：{project.number}",
                subject_type="project", subject_id=project.id, actor=actor)
            draw_id = self.draws.draws_for("project", project.id)[-1].id
            result = rules.elect_chair(votes, list(seated), drawn=order[:1])
        if result.chair is None:
            return None
        chair = seated[result.chair]
        for m in seated.values():
            m.is_chair = m is chair
        record(self.db, actor, "committee.chair_elected", "committee", committee.id,
               now=self.clock(), member_id=chair.id, tally=dict(result.tally), draw_id=draw_id)
        return chair

    def chair(self, committee: Committee) -> CommitteeMember | None:
        return next((m for m in self.seated(committee) if m.is_chair), None)

    def start(self, project: Project, *, actor: Actor) -> Committee:
        """评标开始: every seat signed in, a chair elected, the composition lawful."""
        committee = self._forming(project)
        if project.status is not S.EVALUATION:
            raise EvaluationConflict(NOT_OPENED)
        if self._exclude_tied_to_bidders(committee, actor):
            return committee  # still forming: the replacements must sign in first
        problem = self._seating_problem(committee)
        if problem:
            raise EvaluationConflict(problem)
        seated = self.seated(committee)
        self._check_composition(project, [
            rules.Seat(str(m.id), m.role, m.is_chair)
            for m in seated])
        now = self.clock()
        move_committee(committee, CommitteeStatus.SITTING)
        committee.started_at = now
        committee.members_public_at = now
        for item in committee.draws:  # the draws' proofs now map the library one by one
            self.draws.publish_cover_salt(self._draw_row(item), committee.pseudonym_salt)
        record(self.db, actor, "committee.started", "project", project.id, now=now,
               members=len(seated), pseudonym_salt=committee.pseudonym_salt)
        return committee



_WORDS = (
    ("agency staff may not sit", "代理机构工作人员不得参加评标"),
    ("the committee must be odd", "成员人数须为单数"),
    ("required", "成员人数不足"),
    ("experts must be at least", "专家人数须不少于成员总数的三分之二"),
    ("may not chair", "采购人代表不得担任组长"),
    ("chairs, at most one", "只能有一名组长"),
)


# A published exclusion says its kind only: the reason's text names parties and
# relatives (personal data, and a clue to who is behind the pseudonym).
_REASON_KINDS = (("状态非正常", "status"), ("不具备专业", "specialty"),
                 ("不属于抽取地区", "region"), ("轮换", "rotation"))


def _reason_kind(reason: str) -> str:
    return next((kind for needle, kind in _REASON_KINDS if needle in reason), "conflict")


def _composition_words(problem: str) -> str:
    for needle, words in _WORDS:
        if needle in problem:
            return words
    return problem
