"""ProjectService: the verbs of postings, and the one writer of `project.status`."""

import uuid
from dataclasses import dataclass, fields
from datetime import datetime
from typing import BinaryIO

import sqlalchemy as sa

from ..accounts.models import Organisation, Role, User
from ..actor import Actor
from ..audit.service import record
from ..db import registry_of
from ..errors import DeadlinePassed, NotFound, NotPermitted
from ..files import sniff_file
from ..jobs import chronograph
from ..jobs.request import job_enqueue
from . import fulltext, notices
from .errors import AlreadySignedUp, NotEditable, NotSignedUp, PostingInvalid, ProjectFrozen
from .events import (
    ClarificationPublished,
    ProjectApproving,
    ProjectDue,
    ProjectScheduling,
    ProjectStatusChanged,
    PublicListingChanged,
)
from .kinds import (
    REGIME_OF,
    AwardMethod,
    CryptoSuite,
    CustodyMode,
    EvaluationMethod,
    ObjectType,
    ProcurementMethod,
    ProjectType,
)
from .models import (
    Announcement,
    DocumentDownload,
    Lot,
    Project,
    ProjectDocument,
    ProjectReview,
    Question,
    RuleProfile,
    SignUp,
)
from .rules import (
    LotInput,
    Problem,
    Timeline,
    clarification_deadline_problem,
    default_params,
    lot_problems,
    timeline_problems,
)
from .status import EDITABLE, PUBLIC, ProjectStatus, check_transition

S = ProjectStatus
MAX_FILENAME = 200
# Audit rows that tell who signed up for a project: the sign-up itself, a download of its
# documents (only signed-up bidders may download) and a question (only they may ask).
# Before the deadline they are shown only to whom the sign-up page shows the sign-ups
# (电子招标投标办法 Art 21; signups_visible_to).
SIGNUP_ACTIONS = ("project.signed_up", "project.document_downloaded", "project.question_asked")
# What a re-tender copies; the timeline is copied too and must be set anew before submission.
@dataclass(frozen=True)
class ProjectInput:
    name: str
    project_type: ProjectType
    object_type: ObjectType
    procurement_method: ProcurementMethod
    evaluation_method: EvaluationMethod
    award_method: AwardMethod
    custody_mode: CustodyMode | None  # None: the rule profile's `custody.default`
    region: str
    description: str
    doc_start: datetime
    doc_end: datetime
    clarification_deadline: datetime
    bid_deadline: datetime
    lots: tuple[dict, ...]
    crypto_suite: CryptoSuite | None = None

    @classmethod
    def from_appstruct(cls, values: dict) -> "ProjectInput":
        return cls(
            name=values["name"], project_type=ProjectType(values["project_type"]),
            object_type=ObjectType(values["object_type"]),
            procurement_method=ProcurementMethod(values["procurement_method"]),
            evaluation_method=EvaluationMethod(values["evaluation_method"]),
            award_method=AwardMethod(values["award_method"]),
            custody_mode=CustodyMode(values["custody_mode"]) if values.get("custody_mode")
            else None, region=values["region"],
            description=values.get("description", ""), doc_start=values["doc_start"],
            doc_end=values["doc_end"], clarification_deadline=values["clarification_deadline"],
            bid_deadline=values["bid_deadline"], lots=tuple(values["lots"]),
            crypto_suite=CryptoSuite(values["crypto_suite"]) if values.get("crypto_suite")
            else None,
        )

    @property
    def timeline(self) -> Timeline:
        return Timeline(self.doc_start, self.doc_end, self.clarification_deadline,
                        self.bid_deadline)


# The project's own fields, as its owner enters them: written once, as ProjectInput's
# fields (the lots are rows of their own). The service sets them, the edit form shows them.
PROJECT_FIELDS = tuple(f.name for f in fields(ProjectInput) if f.name != "lots")
# 重新招标 copies them with what the platform derived (regime, rule profile, budget); the
# crypto suite is not copied: the new draft's approval fixes it (the owner's pick or the
# profile's).
RETENDER_FIELDS = (*(f for f in PROJECT_FIELDS if f != "crypto_suite"),
                   "regime", "rule_profile_id", "budget")


def default_custody(params: dict) -> CustodyMode:
    """The rule profile's default custody; never `auto`, which only an owner's explicit
    choice selects (the platform could decrypt before the opening)."""
    mode = CustodyMode(params.get("custody.default", CustodyMode.DUAL))
    return CustodyMode.DUAL if mode is CustodyMode.AUTO else mode


def timeline_of(project: Project) -> Timeline:
    return Timeline(project.doc_start, project.doc_end, project.clarification_deadline,
                    project.bid_deadline)


def safe_filename(name: str) -> str:
    """For display only: files are stored by digest, never under this name."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"|?*')
    return cleaned.strip(" .")[:MAX_FILENAME] or "file"


class ProjectService:
    def __init__(self, dbsession, clock, storage=None, enqueue=None, keys=None):
        self.db = dbsession
        self.clock = clock
        self.storage = storage
        self.keys = keys  # PlatformKeys: every notice is signed as it is published
        # Outside a request (jobs, scripts) work is enqueued directly: there is no request
        # transaction to wait for, and in tests Huey's immediate mode runs it at once.
        self.enqueue = enqueue or job_enqueue

    @property
    def registry(self):
        """The app's registry: the other domains' subscribers to project events."""
        return registry_of(self.db)

    # -- profiles ---------------------------------------------------------------------

    def current_profile(self, project_type: ProjectType,
                        method: ProcurementMethod) -> RuleProfile:
        """The newest profile version for the procedure, created from defaults if none."""
        regime = REGIME_OF[project_type]
        code = f"{regime}:{method}"
        query = (sa.select(RuleProfile).where(RuleProfile.code == code)
                 .order_by(RuleProfile.version.desc()).limit(1))
        profile = self.db.scalar(query)
        if profile is None:
            profile = RuleProfile(code=code, version=1, regime=regime, procurement_method=method,
                                  params=default_params(regime, method), created_at=self.clock())
            self.db.add(profile)
            self.db.flush()
        return profile

    # -- drafting ---------------------------------------------------------------------

    def create_draft(self, data: ProjectInput, *, owner: Organisation, actor: Actor) -> Project:
        """An owner's new posting, in draft. Shape is checked here; timing at submission."""
        if owner.role is not Role.OWNER:
            raise NotPermitted("只有项目业主可以发布项目")
        self._check_lots(data.lots)
        now = self.clock()
        project = Project(
            number=uuid.uuid4().hex, owner_org_id=owner.id, created_by_id=actor.user_id,
            status=S.DRAFT, status_changed_at=now, created_at=now, updated_at=now,
            regime=REGIME_OF[data.project_type],
        )
        self._apply(project, data)
        self.db.add(project)
        self.db.flush()
        project.number = f"YG-{now.year}-{project.id:06d}"
        self._reindex(project)
        record(self.db, actor, "project.drafted", "project", project.id, now=now,
               name=project.name, lots=len(project.lots))
        return project

    def update_draft(self, project: Project, data: ProjectInput, *, actor: Actor) -> Project:
        if project.status not in EDITABLE:
            raise NotEditable("项目已提交或已发布，不能再修改；请通过澄清/变更公告调整")
        self._check_lots(data.lots)
        project.lots.clear()
        self.db.flush()
        self._apply(project, data)
        project.updated_at = self.clock()
        self._reindex(project)
        record(self.db, actor, "project.edited", "project", project.id, now=project.updated_at)
        return project

    def _check_lots(self, lots) -> None:
        problems = lot_problems([LotInput(lot.get("name", ""), lot.get("budget"),
                                          lot.get("ceiling_price")) for lot in lots])
        if problems:
            raise PostingInvalid(problems)

    def _apply(self, project: Project, data: ProjectInput) -> None:
        profile = self.current_profile(data.project_type, data.procurement_method)
        for field in PROJECT_FIELDS:
            setattr(project, field, getattr(data, field))
        project.custody_mode = data.custody_mode or default_custody(profile.params)
        project.regime = REGIME_OF[data.project_type]
        project.rule_profile = profile
        project.lots = [
            Lot(number=i, name=lot["name"], budget=lot["budget"],
                ceiling_price=lot.get("ceiling_price"), description=lot.get("description", ""))
            for i, lot in enumerate(data.lots, start=1)
        ]
        project.budget = sum(lot.budget for lot in project.lots)

    def add_document(self, project: Project, *, filename: str, content_type: str,
                     stream: BinaryIO, actor: Actor, kind: str = "tender_file") -> ProjectDocument:
        """Store a document (content-addressed) and attach it; drafts only, or clarifications."""
        if kind != "clarification" and project.status not in EDITABLE:
            raise NotEditable("项目已提交，不能再上传招标文件；请通过澄清/变更公告补充")
        stored = self.storage.put(stream)
        now = self.clock()
        doc = ProjectDocument(kind=kind, filename=safe_filename(filename),
                              content_type=sniff_file(self.storage.path_for(stored.sha256)),
                              sha256=stored.sha256, size=stored.size, uploaded_at=now,
                              uploaded_by_id=actor.user_id)
        project.documents.append(doc)
        self.db.flush()
        record(self.db, actor, "project.document_added", "project", project.id, now=now,
               document_id=doc.id, sha256=stored.sha256, size=stored.size, kind=kind)
        return doc

    # -- review and publication -----------------------------------------------------------

    def submit_for_review(self, project: Project, *, actor: Actor) -> Project:
        """Owner → trading center. The timeline must already satisfy the profile."""
        self._check_publishable(project)
        return self.transition(project, S.PENDING_REVIEW, actor=actor)

    def _check_publishable(self, project: Project) -> None:
        problems = timeline_problems(timeline_of(project), project.params, self.clock())
        if not project.documents:
            problems.append(Problem("documents", "请上传招标（采购）文件"))
        if problems:
            raise PostingInvalid(problems)

    def approve(self, project: Project, *, actor: Actor, reasons: str = "") -> Project:
        """Center approves: publish the tender announcement; bidding opens at doc_start."""
        self._check_publishable(project)
        self.registry.notify(ProjectApproving(self, project, actor))
        now = self.clock()
        self._review(project, "approved", reasons, actor)
        target = S.BIDDING if project.doc_start <= now else S.PUBLISHED
        project.published_at = now
        # The notice first, so the stage's open-data release lists it (signed) already.
        self._check_move(project, target)
        self._announce(project, "tender", f"{project.name}{self._notice_word(project)}",
                       self._tender_body(project), actor=actor)
        self.transition(project, target, actor=actor, reason=reasons)
        return project

    def return_for_changes(self, project: Project, *, reasons: str, actor: Actor) -> Project:
        if not reasons.strip():
            raise PostingInvalid([Problem("reasons", "退回时必须说明理由")])
        self._review(project, "returned", reasons, actor)
        return self.transition(project, S.RETURNED, actor=actor, reason=reasons)

    def _review(self, project, decision, reasons, actor) -> None:
        self.db.add(ProjectReview(project_id=project.id, decision=decision, reasons=reasons,
                                  reviewer_id=actor.user_id, decided_at=self.clock()))

    def cancel(self, project: Project, *, reason: str, actor: Actor) -> Project:
        if not reason.strip():
            raise PostingInvalid([Problem("reason", "终止项目必须说明理由")])
        self._check_move(project, S.CANCELLED)
        if project.published_at is not None:  # before the release of the cancellation
            self._announce(project, "cancellation", f"{project.name}终止公告", reason,
                           actor=actor)
        self.transition(project, S.CANCELLED, actor=actor, reason=reason)
        return project

    def retender(self, project: Project, *, actor: Actor) -> Project:
        """重新招标: a new draft copied from a failed (流标) project, linked to it."""
        if project.status is not S.FAILED:
            raise NotEditable("只有流标的项目可以重新招标")
        now = self.clock()
        copy = Project(
            number=uuid.uuid4().hex, owner_org_id=project.owner_org_id,
            created_by_id=actor.user_id, status=S.DRAFT, status_changed_at=now,
            created_at=now, updated_at=now, retender_of_id=project.id,
            **{f: getattr(project, f) for f in RETENDER_FIELDS},
        )
        copy.lots = [Lot(number=lot.number, name=lot.name, budget=lot.budget,
                         ceiling_price=lot.ceiling_price, description=lot.description)
                     for lot in project.lots]
        self.db.add(copy)
        self.db.flush()
        copy.number = f"YG-{now.year}-{copy.id:06d}"
        self._reindex(copy)
        record(self.db, actor, "project.retendered", "project", copy.id, now=now,
               retender_of=project.id)
        return copy

    @staticmethod
    def _notice_word(project: Project) -> str:
        return "采购公告" if project.regime == "government_procurement" else "招标公告"

    @staticmethod
    def _tender_body(project: Project) -> str:
        lots = "\n".join(f"第{lot.number}标段：{lot.name}" for lot in project.lots)
        return f"{project.description}\n\n{lots}".strip()

    @staticmethod
    def _failure_body(project: Project, reason: str) -> str:
        """流标公告: whichever step failed the project, the public learns it, why and what
        follows (实施条例 Art 44, 87号令 Art 43)."""
        word = "采购人" if project.regime == "government_procurement" else "招标人"
        lots = "、".join(f"第{lot.number}标段（{lot.name}）" for lot in project.lots)
        return (f"{project.name}（项目编号 {project.number}）流标。\n"
                f"{word}：{project.owner.name if project.owner else ''}\n标段：{lots}\n"
                f"流标原因：{reason.strip() or '未说明'}\n"
                f"后续安排：{word}将依法重新组织{'采购' if word == '采购人' else '招标'}，"
                "届时另行公告。各投标人的投标保证金按规定退还。")

    def announce(self, project, kind, title, body, *, actor) -> Announcement:
        """A public notice of another domain's step (candidates, result …), audited."""
        return self._announce(project, kind, title, body, actor=actor)

    def _announce(self, project, kind, title, body, *, actor, changes=None,
                  affects_bids=False) -> Announcement:
        item = Announcement(kind=kind, title=title[:300], body=body, changes=changes or {},
                            affects_bids=affects_bids, published_at=self.clock(),
                            published_by_id=actor.user_id)
        project.announcements.append(item)
        self.db.flush()
        signed = notices.sign(self.keys, item)
        self._reindex(project)
        record(self.db, actor, "project.announced", "project", project.id, now=item.published_at,
               announcement_id=item.id, kind=kind, algorithm=item.signing_algorithm,
               signed_sha256=signed)
        return item

    def _reindex(self, project: Project) -> None:
        """Keep the public search index (fulltext.py) in step: this service is the one
        writer of a project's name, number, lots, notices and status, and calls this after
        each change; the index holds public projects only, with their filters as facets."""
        self.db.flush()
        if project.status not in PUBLIC:
            fulltext.delete(self.db, project.id)
            return
        self._listing_changed(project)
        lots = [lot.name for lot in project.lots]
        notices = [(item.title, item.body) for item in project.announcements]
        facets = fulltext.facets(project_type=project.project_type, status=project.status,
                                 method=project.procurement_method, region=project.region)
        fulltext.write(self.db, [fulltext.Document.of(project.id, project.name, project.number,
                                                      lots, notices, facets)])

    def _listing_changed(self, project: Project) -> None:
        self.registry.notify(PublicListingChanged(self, project))

    # -- the status machine ---------------------------------------------------------------

    @staticmethod
    def _check_move(project: Project, target: ProjectStatus) -> None:
        """Refuse a frozen project or a move the table does not allow (changes nothing)."""
        if project.frozen_reason:
            raise ProjectFrozen(f"项目已被监管冻结：{project.frozen_reason}")
        check_transition(project.status, target)

    def transition(self, project: Project, target: ProjectStatus, *, actor: Actor,
                   reason: str = "") -> Project:
        """The only writer of project.status: table check, audit row, next_check."""
        self._check_move(project, target)
        now = self.clock()
        previous = project.status
        project.status = target
        project.status_changed_at = now
        project.status_reason = reason[:500]
        record(self.db, actor, "project.status_changed", "project", project.id, now=now,
               **{"from": str(previous), "to": str(target), "reason": reason[:500]})
        if target is S.FAILED:
            self._announce(project, "failure", f"{project.name}流标公告",
                           self._failure_body(project, reason), actor=actor)
        if previous in PUBLIC or target in PUBLIC:  # the status is one of its facets
            self._reindex(project)
            self._listing_changed(project)  # one leaving the listing too
        self.reschedule(project)
        self.registry.notify(ProjectStatusChanged(self, project, str(target)))
        return project

    def freeze(self, project: Project, *, reason: str, actor: Actor) -> Project:
        """冻结: a supervisor stops the project; every transition is refused until unfrozen."""
        if not reason.strip():
            raise PostingInvalid([Problem("reason", "冻结必须说明理由")])
        if project.frozen_reason:
            raise ProjectFrozen("项目已处于冻结状态")
        project.frozen_reason = reason.strip()[:500]
        project.frozen_at = self.clock()
        record(self.db, actor, "project.frozen", "project", project.id, now=project.frozen_at,
               reason=project.frozen_reason)
        self._listing_changed(project)  # the JSON listing says `frozen`
        return project

    def unfreeze(self, project: Project, *, reason: str, actor: Actor) -> Project:
        if not project.frozen_reason:
            raise NotEditable("项目未被冻结")
        project.frozen_reason, project.frozen_at = "", None
        record(self.db, actor, "project.unfrozen", "project", project.id, now=self.clock(),
               reason=reason.strip()[:500])
        self._listing_changed(project)
        # Time-driven steps that fell due while frozen run at the next sweep.
        self.reschedule(project)
        return project

    def due_now(self, project: Project) -> None:
        """Make the project due for the sweep: another domain has just made work possible
        (the last custodian's release) and its job may be lost (Redis down at enqueue)."""
        now = self.clock()
        project.next_check = min(project.next_check, now) if project.next_check else now

    def reschedule(self, project: Project) -> None:
        project.next_check = self._next_check(project)
        chronograph.schedule(self.enqueue, "project", project.id, project.next_check)

    def _next_check(self, project: Project) -> datetime | None:
        wanted = ProjectScheduling(service=self, project=project)
        self.registry.notify(wanted)
        due = list(wanted.instants)
        if project.status is S.PUBLISHED:
            due.append(project.doc_start)
        if project.status is S.BIDDING:
            due.append(project.bid_deadline)
        due = [when for when in due if when is not None]
        return min(due) if due else None

    def advance(self, project: Project) -> datetime | None:
        """Run what is due at the clock's now; safe early, late or twice."""
        now = self.clock()
        actor = Actor.system("advance_project")
        if project.frozen_reason:
            return None  # unfreeze reschedules
        if project.status is S.PUBLISHED and project.doc_start <= now:
            self.transition(project, S.BIDDING, actor=actor, reason="文件获取期开始")
        if project.status is S.BIDDING and project.bid_deadline <= now:
            self.transition(project, S.OPENING, actor=actor, reason="投标截止")
        later = [project.next_check] if project.next_check and project.next_check > now else []
        event = ProjectDue(service=self, project=project, now=now)
        self.registry.notify(event)
        later += [when for when in event.instants if when > now]
        project.next_check = min(later) if later else None
        return project.next_check

    # -- clarifications and questions ----------------------------------------------------

    def publish_clarification(self, project: Project, *, title: str, body: str,
                              affects_bids: bool, new_deadline: datetime | None,
                              actor: Actor) -> Announcement:
        """澄清/变更公告; a change affecting bids keeps `clarification.min_days` (rules §7.8)."""
        if project.status not in (S.PUBLISHED, S.BIDDING):
            raise NotEditable("只有已发布、尚未截止的项目可以发布澄清或变更公告")
        now = self.clock()
        problem = clarification_deadline_problem(
            affects_bids=affects_bids, now=now, current_deadline=project.bid_deadline,
            new_deadline=new_deadline, params=project.params)
        if problem:
            raise PostingInvalid([problem])
        changes = {}
        if new_deadline is not None and new_deadline != project.bid_deadline:
            changes = {"bid_deadline": {"from": project.bid_deadline.isoformat(),
                                        "to": new_deadline.isoformat()}}
            self._move_deadline(project, new_deadline)
        notice = self._announce(project, "clarification", title, body, actor=actor,
                                changes=changes, affects_bids=affects_bids)
        self.registry.notify(ClarificationPublished(self, project))
        return notice

    def _move_deadline(self, project: Project, new_deadline: datetime) -> None:
        shift = new_deadline - project.bid_deadline
        project.bid_deadline = new_deadline
        # The document and clarification periods move with the deadline, never past it.
        project.doc_end = min(project.doc_end + shift, new_deadline)
        project.clarification_deadline = min(project.clarification_deadline + shift,
                                             new_deadline)
        self.reschedule(project)

    def ask_question(self, project: Project, *, text: str, asker: User, actor: Actor) -> Question:
        now = self.clock()
        if now >= project.clarification_deadline:
            raise DeadlinePassed("提问截止时间已过")
        if not self.signed_up_lots(project, asker.organisation_id):
            raise NotSignedUp("报名后才能提问")
        question = Question(project_id=project.id, asked_by_org_id=asker.organisation_id,
                            text=text, asked_at=now)
        self.db.add(question)
        self.db.flush()
        record(self.db, actor, "project.question_asked", "project", project.id, now=now,
               question_id=question.id)
        return question

    def answer_question(self, question: Question, *, answer: str, actor: Actor) -> Question:
        question.answer = answer
        question.answered_at = self.clock()
        question.answered_by_id = actor.user_id
        record(self.db, actor, "project.question_answered", "project", question.project_id,
               now=question.answered_at, question_id=question.id)
        return question

    # -- sign-up and downloads -------------------------------------------------------------

    def sign_up(self, project: Project, lot: Lot, *, bidder: User, actor: Actor) -> SignUp:
        """报名 to one lot, while the project is open for bidding and before its deadline."""
        now = self.clock()
        if project.status is not S.BIDDING or now < project.doc_start:
            raise NotEditable("项目当前不接受报名")
        if now >= project.bid_deadline:
            raise DeadlinePassed("投标截止时间已过，不能报名")
        if bidder.role is not Role.BIDDER or not bidder.organisation_id:
            raise NotPermitted("只有投标人可以报名")
        if lot.project_id != project.id:
            raise NotFound("标段不存在")
        exists = sa.select(SignUp.id).where(SignUp.lot_id == lot.id,
                                            SignUp.bidder_org_id == bidder.organisation_id)
        if self.db.scalar(exists) is not None:
            raise AlreadySignedUp("贵单位已报名该标段")
        signup = SignUp(project_id=project.id, lot_id=lot.id,
                        bidder_org_id=bidder.organisation_id, user_id=bidder.id,
                        signed_up_at=now, ip=actor.ip, device=actor.device)
        self.db.add(signup)
        self.db.flush()
        # The audit row is for the center; the public never sees who signed up before the
        # deadline (电子招标投标办法 Art 21).
        record(self.db, actor, "project.signed_up", "project", project.id, now=now,
               lot_id=lot.id, org_id=bidder.organisation_id)
        return signup

    def signed_up_lots(self, project: Project, org_id: int | None) -> list[int]:
        if not org_id:
            return []
        query = sa.select(SignUp.lot_id).where(SignUp.project_id == project.id,
                                               SignUp.bidder_org_id == org_id)
        return list(self.db.scalars(query))

    def record_download(self, document: ProjectDocument, *, user: User, actor: Actor) -> None:
        now = self.clock()
        self.db.add(DocumentDownload(project_id=document.project_id, document_id=document.id,
                                     org_id=user.organisation_id, user_id=user.id,
                                     ip=actor.ip, device=actor.device, downloaded_at=now))
        record(self.db, actor, "project.document_downloaded", "project", document.project_id,
               now=now, document_id=document.id)

    def may_download(self, project: Project, user: User | None) -> bool:
        if user is None:
            return False
        if user.role in (Role.CENTER, Role.SUPERVISOR):
            return True
        if user.role is Role.OWNER:
            return user.organisation_id == project.owner_org_id
        return bool(self.signed_up_lots(project, user.organisation_id))

    def signups_visible_to(self, project: Project, user: User | None) -> bool:
        """Who signed up is hidden from all but the center until the deadline (Art 21)."""
        if user is None:
            return False
        if user.role is Role.CENTER:
            return True
        after_deadline = self.clock() >= project.bid_deadline
        if user.role is Role.SUPERVISOR:
            return after_deadline
        if user.role is Role.OWNER and user.organisation_id == project.owner_org_id:
            return after_deadline
        return False

    def signups_hidden_from(self, user: User | None) -> list[int]:
        """Projects whose sign-up rows `user` may not see yet: the audit log applies the
        sign-up page's rule (signups_visible_to), project by project, to SIGNUP_ACTIONS.
        Only projects before their deadline can hide anything."""
        open_now = sa.select(Project).where(Project.bid_deadline > self.clock())
        return [p.id for p in self.db.scalars(open_now) if not self.signups_visible_to(p, user)]

    def signups(self, project: Project) -> list[SignUp]:
        query = (sa.select(SignUp).where(SignUp.project_id == project.id)
                 .order_by(SignUp.lot_id, SignUp.signed_up_at))
        return list(self.db.scalars(query))

    # -- reading --------------------------------------------------------------------------

    def get(self, project_id: int) -> Project | None:
        return self.db.get(Project, project_id)

    @staticmethod
    def is_public(project: Project) -> bool:
        return project.status in PUBLIC


def project_service_factory(context, request) -> ProjectService:
    return ProjectService(request.dbsession, request.clock, request.storage, request.enqueue,
                          request.registry["keys"])
