"""The supervision dashboard's figures (一屏统览): read-only aggregate queries."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from ..accounts.models import Organisation
from ..audit.models import AuditEvent
from ..award.models import Objection, Publicity
from ..bidding.models import Bid, BidState
from ..i18n import DISPLAY_TZ
from ..intermediaries import rules
from ..intermediaries.models import Entry, Purchase
from ..intermediaries.service import CALENDAR, PARAMS, local_date, service_due_of
from ..projects.models import Project
from ..projects.status import PUBLIC
from ..smallworks.models import Enterprise, SmallWork
from ..smallworks.service import WON
from .supervision import (
    ObjectionFacts,
    ProjectFacts,
    PurchaseFacts,
    SmallWorkFacts,
    overdue_objections,
    overdue_purchases,
    overdue_small_works,
    overdue_steps,
)

SUCCESS = ("awarded", "contracted")
FAILURE = ("failed",)


@dataclass(frozen=True)
class Figures:
    by_type: dict
    by_status: dict
    by_month: dict
    success_rate: str  # 成交率, "—" when nothing has ended
    on_time_rate: str  # 按时办结率
    stage_days: dict  # average days from one status to the next
    overdue: list
    total: int
    small_works: "SmallWorksFigures | None" = None
    supermarket: "SupermarketFigures | None" = None
    bids: "BidFigures | None" = None


@dataclass(frozen=True)
class BidFigures:
    """Bids per project (投标数): over projects whose bid deadline has passed."""

    projects: int  # projects counted
    mean: str  # mean bids per project, 1 dp, "—" when none
    by_type: dict  # project type → mean
    by_month: dict  # month of the bid deadline → mean
    distribution: dict  # bucket ("0", "1", … "10+") → projects with that many bids


@dataclass(frozen=True)
class BidSample:
    project_type: str
    month: str  # of the bid deadline, local time
    bids: int


# Buckets of the distribution: exact below 6 (fewer than 3 fails most tenders, §7.10),
# then ranges; every bucket is always shown so charts compare across filters.
BUCKETS = (("0", 0, 0), ("1", 1, 1), ("2", 2, 2), ("3", 3, 3), ("4", 4, 4), ("5", 5, 5),
           ("6–9", 6, 9), ("10+", 10, None))


@dataclass(frozen=True)
class SupermarketFigures:
    """中介超市 at a glance, read from the supermarket tables (read only)."""

    entries: dict  # intermediary entry status → count
    by_status: dict  # purchase status → count
    selected: int  # purchases that reached a selected intermediary
    by_month: dict  # month published → purchases selected


@dataclass(frozen=True)
class SmallWorksFigures:
    """小额工程企业库 at a glance, read from the small-works tables (read only)."""

    registry: dict  # enterprise status → count
    by_status: dict  # allocation status → count
    allocated: int  # reached publicity or beyond
    amount: int  # 分, of the allocated works
    by_month: dict  # month posted → allocated


def _mean(values) -> Decimal:
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _bucket(n: int) -> str:
    return next(name for name, low, high in BUCKETS if n >= low and (high is None or n <= high))


def bid_figures(samples: list[BidSample]) -> BidFigures:
    """Mean bids per project, by type and by month, and how many projects had how many."""
    by_type, by_month = {}, {}
    for s in samples:
        by_type.setdefault(s.project_type, []).append(s.bids)
        by_month.setdefault(s.month, []).append(s.bids)
    counts = Counter(_bucket(s.bids) for s in samples)
    return BidFigures(
        projects=len(samples),
        mean=str(_mean([s.bids for s in samples])) if samples else "—",
        by_type={k: _mean(v) for k, v in sorted(by_type.items())},
        by_month={k: _mean(v) for k, v in sorted(by_month.items())},
        distribution={name: counts.get(name, 0) for name, _, _ in BUCKETS})


def counts_bids(status: str, status_changed_at: datetime, bid_deadline: datetime,
                now: datetime) -> bool:
    """Whether a project's bids enter the figure: only once its deadline has passed (how
    many bid is secret until then, 招标投标法 Art 22), and not when it was cancelled or
    still unpublished before the deadline (it never took bids)."""
    if bid_deadline > now or status in ("pending_review", "published"):
        return False
    return not (status == "cancelled" and status_changed_at < bid_deadline)


def _rate(part: int, whole: int) -> str:
    return f"{part * 100 // whole}%" if whole else "—"


def figures(dbsession, now: datetime, *, since: datetime | None = None,
            project_type: str | None = None) -> Figures:
    clauses = [Project.status.in_([str(s) for s in PUBLIC | {"pending_review"}])]
    if since is not None:
        clauses.append(Project.created_at >= since)
    if project_type:
        clauses.append(Project.project_type == project_type)
    rows = dbsession.execute(sa.select(
        Project.id, Project.number, Project.name, Project.status, Project.project_type,
        Project.status_changed_at, Project.bid_deadline, Project.published_at,
        Project.owner_org_id).where(*clauses)).all()
    owners = _owner_names(dbsession, {r.owner_org_id for r in rows})
    ends = publicity_ends(dbsession)
    facts = [ProjectFacts(r.id, r.number, r.name, str(r.status), r.status_changed_at,
                          r.bid_deadline, owners.get(r.owner_org_id, ""), ends.get(r.id))
             for r in rows]
    overdue = overdue_steps(facts, now)
    ended = [r for r in rows if str(r.status) in SUCCESS + FAILURE]
    late_ids = {o.project_id for o in overdue}
    small, small_facts = small_works(dbsession, since)
    market, market_facts = supermarket(dbsession, since)
    overdue = sorted(overdue + overdue_small_works(small_facts, now)
                     + overdue_objections(objections(dbsession, since), now)
                     + overdue_purchases(market_facts, now), key=lambda o: o.due)
    return Figures(
        by_type=dict(Counter(str(r.project_type) for r in rows)),
        by_status=dict(Counter(str(r.status) for r in rows)),
        by_month=dict(sorted(Counter(r.published_at.astimezone(DISPLAY_TZ).strftime("%Y-%m")
                                     for r in rows if r.published_at).items())),
        success_rate=_rate(sum(str(r.status) in SUCCESS for r in ended), len(ended)),
        on_time_rate=_rate(sum(r.id not in late_ids for r in rows), len(rows)),
        stage_days=stage_days(dbsession, [r.id for r in rows]),
        overdue=overdue, total=len(rows), small_works=small, supermarket=market,
        bids=bid_figures(bid_samples(dbsession, rows, now)),
    )


def bid_samples(dbsession, rows, now: datetime) -> list[BidSample]:
    """Submitted (not withdrawn) bids of each counted project, every lot together."""
    counted = [r for r in rows if counts_bids(str(r.status), r.status_changed_at,
                                              r.bid_deadline, now)]
    if not counted:
        return []
    # one grouped row per project with bids: no id list however many projects there are
    bids = dict(dbsession.execute(sa.select(Bid.project_id, sa.func.count())
                                  .where(Bid.state == BidState.SUBMITTED)
                                  .group_by(Bid.project_id)).all())
    return [BidSample(str(r.project_type),
                      r.bid_deadline.astimezone(DISPLAY_TZ).strftime("%Y-%m"),
                      bids.get(r.id, 0)) for r in counted]


def publicity_ends(dbsession) -> dict:
    """Project id → the end of its current candidates' publicity (read only, award)."""
    return dict(dbsession.execute(sa.select(Publicity.project_id, Publicity.ends_at).where(
        Publicity.superseded_at.is_(None)).order_by(Publicity.id)).all())


def _owner_names(dbsession, ids) -> dict:
    if not ids:
        return {}
    return dict(dbsession.execute(sa.select(Organisation.id, Organisation.name).where(
        Organisation.id.in_(ids))).all())


def stage_days(dbsession, project_ids) -> dict:
    """Average days spent in each status, from the audit trail of status changes."""
    if not project_ids:
        return {}
    events = dbsession.execute(sa.select(AuditEvent.subject_id, AuditEvent.occurred_at,
                                         AuditEvent.data)
                               .where(AuditEvent.action == "project.status_changed",
                                      AuditEvent.subject_type == "project",
                                      AuditEvent.subject_id.in_([str(i) for i in project_ids]))
                               .order_by(AuditEvent.seq)).all()
    spans, entered = {}, {}
    for subject, at, data in events:
        previous = entered.get(subject)
        if previous and previous[0] == data.get("from"):
            spans.setdefault(previous[0], []).append((at - previous[1]).total_seconds())
        entered[subject] = (data.get("to"), at)
    return {status: (Decimal(str(sum(v))) / len(v) / 86400).quantize(Decimal("0.1"))
            for status, v in spans.items()}


def small_works(dbsession, since: datetime | None):
    """Registry and allocation counts, and the facts electronic supervision needs."""
    registry = dict(dbsession.execute(sa.select(Enterprise.status, sa.func.count())
                                      .group_by(Enterprise.status)).all())
    clauses = [SmallWork.created_at >= since] if since is not None else []
    works = dbsession.execute(sa.select(
        SmallWork.id, SmallWork.name, SmallWork.status, SmallWork.amount,
        SmallWork.created_at, SmallWork.submitted_at, SmallWork.respond_by,
        SmallWork.publicity_ends_at, SmallWork.owner_org_id, SmallWork.winner_id)
        .where(*clauses)).all()
    won = [w for w in works if w.status in WON]
    names = _owner_names(dbsession, {w.owner_org_id for w in works})
    winners = dict(dbsession.execute(sa.select(Enterprise.id, Enterprise.name).where(
        Enterprise.id.in_({w.winner_id for w in works if w.winner_id}))).all())
    figures = SmallWorksFigures(
        registry={str(k): v for k, v in registry.items()},
        by_status=dict(Counter(str(w.status) for w in works)), allocated=len(won),
        amount=sum(w.amount for w in won),
        by_month=dict(sorted(Counter(w.created_at.astimezone(DISPLAY_TZ).strftime("%Y-%m")
                                     for w in won).items())))
    facts = [SmallWorkFacts(w.id, w.name, str(w.status), w.submitted_at, w.respond_by,
                            w.publicity_ends_at, names.get(w.owner_org_id, ""),
                            winners.get(w.winner_id, "")) for w in works]
    return figures, facts


def objections(dbsession, since: datetime | None) -> list[ObjectionFacts]:
    """Unanswered objections to publicised candidates (read only, from the award domain)."""
    clauses = [Objection.answer.is_(None)]
    if since is not None:
        clauses.append(Objection.raised_at >= since)
    rows = dbsession.execute(sa.select(
        Project.id, Project.number, Project.name, Project.owner_org_id,
        Objection.answer_due_at).join(Project, Project.id == Objection.project_id)
        .where(*clauses)).all()
    owners = _owner_names(dbsession, {r.owner_org_id for r in rows})
    return [ObjectionFacts(r.id, r.number, r.name, r.answer_due_at, False,
                           owners.get(r.owner_org_id, "")) for r in rows]


def _end_of(day) -> datetime:
    """A due day (local date) ends at the next local midnight."""
    return datetime.combine(day + timedelta(days=1), time.min, DISPLAY_TZ)


def supermarket(dbsession, since: datetime | None):
    """Entries and purchases, and the facts electronic supervision needs; the due dates
    are the supermarket's own rules (contract and rating in working days, §5.6; the
    service by the purchase's structured 服务时限, §5.3)."""
    entries = dict(dbsession.execute(sa.select(Entry.status, sa.func.count())
                                     .group_by(Entry.status)).all())
    clauses = [Purchase.created_at >= since] if since is not None else []
    rows = dbsession.execute(sa.select(
        Purchase.id, Purchase.number, Purchase.title, Purchase.status,
        Purchase.status_changed_at, Purchase.confirm_deadline, Purchase.selected_at,
        Purchase.completed_at, Purchase.published_at, Purchase.owner_org_id,
        Purchase.selected_org_id, Purchase.service_days, Purchase.service_working_days,
        Purchase.service_due_on, Purchase.service_started_at).where(*clauses)).all()
    names = _owner_names(dbsession, {r.owner_org_id for r in rows}
                         | {r.selected_org_id for r in rows if r.selected_org_id})
    chosen = [r for r in rows if r.selected_at is not None]
    figures = SupermarketFigures(
        entries={str(k): v for k, v in entries.items()},
        by_status=dict(Counter(str(r.status) for r in rows)), selected=len(chosen),
        by_month=dict(sorted(Counter((r.published_at or r.selected_at).astimezone(
            DISPLAY_TZ).strftime("%Y-%m") for r in chosen).items())))
    facts = [PurchaseFacts(
        r.id, r.number, r.title, str(r.status), r.status_changed_at, r.confirm_deadline,
        _end_of(rules.contract_due(local_date(r.selected_at), PARAMS, CALENDAR))
        if r.selected_at else None,
        _end_of(rules.rating_due(local_date(r.completed_at), PARAMS, CALENDAR))
        if r.completed_at else None,
        names.get(r.owner_org_id, ""), names.get(r.selected_org_id, ""),
        _end_of(due) if (due := service_due_of(r)) else None) for r in rows]
    return figures, facts
