"""Electronic supervision (电子监察): every step past its deadline, as pure rules.

Each rule looks at a project's public facts and the clock and says whether a step is
overdue, since when, and who must act. The limits are the rule profile's where it has
them (rules §7.8), else the defaults below (each configurable later per profile).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from ..words import N_

REVIEW_DAYS = 3  # the center reviews a submitted posting within 3 days
OPENING_GRACE = timedelta(minutes=30)  # the opening job must have run by then
EVALUATION_DAYS = 10  # report within 10 days of the opening
PUBLICITY_DAYS = 3  # 实施条例 Art 54: the candidates' publicity ends after ≥ 3 days
AWARD_DAYS = 5  # the owner decides the award within 5 days of the publicity's end
CONTRACT_DAYS = 30  # 招标投标法 Art 46: contract within 30 days of the award


@dataclass(frozen=True)
class ProjectFacts:
    id: int
    number: str
    name: str
    status: str
    status_changed_at: datetime
    bid_deadline: datetime
    owner: str
    publicity_ends_at: datetime | None = None  # the current candidates' publicity


@dataclass(frozen=True)
class Overdue:
    project_id: int  # of a project, or of a small work when kind is "small_work"
    number: str
    name: str
    step: str  # what is late, in Chinese
    responsible: str  # who must act
    due: datetime
    kind: str = "project"

    def days_late(self, now: datetime) -> int:
        return max(0, (now - self.due).days)


def _since(facts, days) -> datetime:
    return facts.status_changed_at + timedelta(days=days)


def _award_due(facts) -> datetime:
    """After the publicity as it ran (a re-evaluation or a long profile moves its end);
    without one on record, the minimum publicity from the status change."""
    if facts.publicity_ends_at is not None:
        return facts.publicity_ends_at + timedelta(days=AWARD_DAYS)
    return _since(facts, PUBLICITY_DAYS + AWARD_DAYS)


def _past_due(all_facts, rules, now: datetime, *, ident, kind: str) -> list[Overdue]:
    """The rule of each facts' status, if it has one: (what is late, who must act, when it
    fell due, or None while no deadline runs); `ident` gives the item's (id, number, name).
    Earliest due first."""
    found = []
    for facts in all_facts:
        rule = rules.get(facts.status)
        if rule is None:
            continue
        step, responsible, due_of = rule
        due = due_of(facts)
        if due is not None and due < now:
            found.append(Overdue(*ident(facts), step, responsible(facts), due, kind=kind))
    return sorted(found, key=lambda o: o.due)


RULES = {
    # status: (what is late, who must act, when it fell due)
    "pending_review": (N_("项目审核超期"), lambda f: N_("交易中心"),
                       lambda f: _since(f, REVIEW_DAYS)),
    "bidding": (N_("开标未按时进行"), lambda f: N_("交易中心（平台）"),
                lambda f: f.bid_deadline + OPENING_GRACE),
    "opening": (N_("开标未完成"), lambda f: N_("交易中心（平台）"),
                lambda f: f.bid_deadline + OPENING_GRACE),
    "evaluation": (N_("评标报告未按时提交"), lambda f: "评标委员会",
                   lambda f: _since(f, EVALUATION_DAYS)),
    "candidates_publicised": (N_("候选人公示期满未定标"), lambda f: f"项目业主（{f.owner}）",
                              lambda f: _award_due(f)),
    "awarded": (N_("中标后未按时签订合同"), lambda f: f"项目业主及中标人（{f.owner}）",
                lambda f: _since(f, CONTRACT_DAYS)),
}


def overdue_steps(projects, now: datetime) -> list[Overdue]:
    return _past_due(projects, RULES, now, ident=lambda f: (f.id, f.number, f.name),
                     kind="project")


# -- small works (小额工程, rules §6.3) ---------------------------------------------------

SMALL_WORKS_REVIEW_DAYS = 3  # the center checks the amount and the split flag


@dataclass(frozen=True)
class SmallWorkFacts:
    id: int
    name: str
    status: str
    submitted_at: datetime | None
    respond_by: datetime | None  # the drawn enterprise's decline window
    publicity_ends_at: datetime | None
    owner: str
    winner: str


SMALL_WORK_RULES = {
    "submitted": (N_("小额工程审核超期"), lambda f: N_("交易中心"),
                  lambda f: f.submitted_at and f.submitted_at
                  + timedelta(days=SMALL_WORKS_REVIEW_DAYS)),
    "drawn": (N_("中选企业未在时限内确认"), lambda f: f"中选企业（{f.winner}）",
              lambda f: f.respond_by),
    "publicity": (N_("公示期满未签订合同"), lambda f: f"项目业主（{f.owner}）",
                  lambda f: f.publicity_ends_at and f.publicity_ends_at
                  + timedelta(days=CONTRACT_DAYS)),
}


def overdue_small_works(works, now: datetime) -> list[Overdue]:
    return _past_due(works, SMALL_WORK_RULES, now,
                     ident=lambda f: (f.id, f"XE-{f.id:05d}", f.name), kind="small_work")


# -- objections (异议, rules §7.8) ---------------------------------------------------------


@dataclass(frozen=True)
class ObjectionFacts:
    project_id: int
    number: str
    name: str
    answer_due_at: datetime  # set by the award domain when the objection is raised
    answered: bool
    owner: str


def overdue_objections(objections, now: datetime) -> list[Overdue]:
    """实施条例 Art 54: the tenderer answers an objection within 3 days (and the process
    waits until it does): an unanswered one past its due time is late."""
    return sorted((Overdue(o.project_id, o.number, o.name, N_("异议未按时答复"),
                           f"项目业主（{o.owner}）", o.answer_due_at)
                   for o in objections if not o.answered and o.answer_due_at < now),
                  key=lambda o: o.due)


# -- the intermediary supermarket (中介超市, rules §5.5–5.6) ------------------------------

PURCHASE_REVIEW_DAYS = 3


@dataclass(frozen=True)
class PurchaseFacts:
    id: int
    number: str
    title: str
    status: str
    status_changed_at: datetime
    confirm_deadline: datetime | None  # the selected intermediary's answer
    contract_due: datetime | None  # §5.6 contract_days after the selection
    rating_due: datetime | None  # §5.6 eval_days after the service was completed
    owner: str
    selected: str
    service_due: datetime | None = None  # the end of the structured 服务时限 (§5.3)


PURCHASE_RULES = {
    "under_review": (N_("中介采购审核超期"), lambda f: N_("交易中心"),
                     lambda f: f.status_changed_at + timedelta(days=PURCHASE_REVIEW_DAYS)),
    "selected": (N_("中选中介机构未按时确认"), lambda f: f"中介机构（{f.selected}）",
                 lambda f: f.confirm_deadline),
    "contract_upload": (N_("中介服务合同未按时签订"), lambda f: f"中介机构（{f.selected}）",
                        lambda f: f.contract_due),
    "contract_confirm": (N_("中介服务合同未按时确认"), lambda f: f"项目业主（{f.owner}）",
                         lambda f: f.contract_due),
    "service_in_progress": (N_("中介服务超期未完成"), lambda f: f"中介机构（{f.selected}）",
                            lambda f: f.service_due),
    "service_finished": (N_("中介服务评价超期"), lambda f: f"项目业主（{f.owner}）",
                         lambda f: f.rating_due),
}


def overdue_purchases(purchases, now: datetime) -> list[Overdue]:
    return _past_due(purchases, PURCHASE_RULES, now,
                     ident=lambda f: (f.id, f.number, f.title), kind="purchase")
