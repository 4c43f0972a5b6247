"""Scoring criteria published with the project, and each member's score sheet.

The criteria are the owner's until the trading center approves the project; the approval
locks them (a ProjectApproving subscriber), so experts can only ever score what was published
(评标委员会规定 Art 17; 实施条例 Art 49). The price score is never an item: the system
computes it from the opening record.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa

from ..actor import Actor
from ..audit.service import record
from ..bidding.models import LineStatus, OpeningLine
from ..projects.kinds import Regime
from ..projects.models import Lot, Project
from ..projects.status import EDITABLE
from . import rules
from .consultation import Scope, is_consultation, require_revealed, scope
from .errors import EvaluationConflict, EvaluationInvalid, NotAMember, SheetLocked
from .models import (
    CommitteeMember,
    CommitteeStatus,
    MemberState,
    ScoreEntry,
    ScoreSheet,
    ScoringCriteria,
    SheetState,
)
from .params import evaluation_params, procedure_of, regime_of
from .status import check_transition

PASS_FAIL = "pass_fail"
KINDS = (PASS_FAIL, "objective", "subjective")
FORMULAS = ("low_price_first", "average_benchmark", "none")
ITEM_LIMIT = 60
HUNDRED = Decimal(100)


def decimal_or_none(value, field: str, label: str) -> Decimal | None:
    """A decimal from text or a number; '' is None; anything else is a clear refusal."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float | bool):
        raise EvaluationInvalid(f"{label}须为十进制数", field=field)
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise EvaluationInvalid(f"{label}“{value}”不是有效的数字", field=field) from None
    if not result.is_finite():
        raise EvaluationInvalid(f"{label}“{value}”不是有效的数字", field=field)
    return result


def scoring_item(item: dict) -> rules.ScoringItem:
    return rules.ScoringItem(
        item_id=item["item_id"], kind=rules.ItemKind(item["kind"]),
        max_score=Decimal(item["max_score"]), min_score=Decimal(item.get("min_score") or 0),
        step=Decimal(item["step"]) if item.get("step") else None,
        allowed_values=tuple(Decimal(v) for v in item.get("allowed_values") or ()))


def _clean_item(i: int, raw: dict, seen: set) -> dict:
    field = f"items.{i}"
    item_id = str(raw.get("item_id", "")).strip()
    name = str(raw.get("name", "")).strip()
    kind = raw.get("kind")
    if not item_id or item_id in seen or len(item_id) > 64:
        raise EvaluationInvalid("评审因素编号不能为空、重复或超过64字符", field=f"{field}.item_id")
    if not name or kind not in KINDS:
        raise EvaluationInvalid("请填写评审因素名称并选择类型", field=f"{field}.kind")
    seen.add(item_id)
    item = {"item_id": item_id, "name": name[:200], "kind": kind,
            "group": str(raw.get("group") or "")[:32],
            "key_requirement": bool(raw.get("key_requirement")),
            "standard": str(raw.get("standard") or "")[:2000]}
    if kind == PASS_FAIL:
        return item
    numbers = {k: decimal_or_none(raw.get(k), f"{field}.{k}", label)
               for k, label in (("max_score", "满分"), ("min_score", "最低分"), ("step", "步长"))}
    if numbers["max_score"] is None:
        raise EvaluationInvalid("评分因素须有满分", field=f"{field}.max_score")
    item.update({k: str(v) for k, v in numbers.items() if v is not None})
    item["allowed_values"] = [str(decimal_or_none(v, f"{field}.allowed_values", "档次分值"))
                              for v in raw.get("allowed_values") or ()]
    try:
        scoring_item(item)
    except rules.RuleError:
        raise EvaluationInvalid("评分因素的分值范围、步长或档次无效（须 0 ≤ 最低分 < 满分）",
                                field=f"{field}.max_score") from None
    return item


class CriteriaService:
    def __init__(self, dbsession, clock):
        self.db = dbsession
        self.clock = clock

    def of(self, project: Project) -> ScoringCriteria | None:
        return self.db.scalar(sa.select(ScoringCriteria)
                              .where(ScoringCriteria.project_id == project.id))

    def published(self, project: Project) -> ScoringCriteria:
        criteria = self.of(project)
        if criteria is None or criteria.locked_at is None:
            raise EvaluationConflict("本项目未随招标文件发布评分办法，不能网上评分")
        return criteria

    def save(self, project: Project, *, items: list[dict], price: dict, n_candidates: int,
             actor: Actor) -> ScoringCriteria:
        """评分办法 as the owner drafts it: checked whole, stored whole, until publication.

        Scored items' maxima plus the price share add up to 100; the price formula and
        weight must be lawful for the regime (政府采购: low price first, 87号令 Art 55).
        """
        criteria = self.of(project)
        if project.status not in EDITABLE or (criteria and criteria.locked_at):
            raise EvaluationConflict("评分办法已随招标文件发布，不能再修改")
        clean = self._check(project, items, price, n_candidates)
        now = self.clock()
        if criteria is None:
            criteria = ScoringCriteria(project_id=project.id, created_at=now)
            self.db.add(criteria)
        criteria.items, criteria.price, criteria.n_candidates = clean[0], clean[1], n_candidates
        criteria.updated_at = now
        self.db.flush()
        record(self.db, actor, "criteria.saved", "project", project.id, now=now,
               items=len(clean[0]), formula=clean[1]["formula"])
        return criteria

    def _check(self, project, items, price, n_candidates) -> tuple[list, dict]:
        if not items or len(items) > ITEM_LIMIT:
            raise EvaluationInvalid(f"评审因素须为1至{ITEM_LIMIT}项", field="items")
        if not isinstance(n_candidates, int) or not 1 <= n_candidates <= 7:
            raise EvaluationInvalid("推荐候选人数须为1至7", field="n_candidates")
        seen: set = set()
        clean = [_clean_item(i, raw, seen) for i, raw in enumerate(items)]
        price = self._check_price(project, price)
        scored = sum((Decimal(i["max_score"]) for i in clean if i["kind"] != PASS_FAIL),
                     Decimal(0))
        total = scored + Decimal(price.get("weight") or 0) * HUNDRED
        if total != HUNDRED:
            raise EvaluationInvalid(f"各评分因素满分与价格分之和应为100分，现为{total}分",
                                    field="items")
        return clean, price

    def _check_price(self, project, price: dict) -> dict:
        formula = price.get("formula")
        if formula not in FORMULAS:
            raise EvaluationInvalid("请选择价格分计算方法", field="price.formula")
        if formula == "none":
            return {"formula": "none"}
        weight = decimal_or_none(price.get("weight"), "price.weight", "价格权重")
        coefficient = decimal_or_none(price.get("coefficient"), "price.coefficient", "下浮系数")
        try:
            rules.check_price_weight(weight or Decimal(0), regime=regime_of(project),
                                     procedure=procedure_of(project),
                                     object_type=rules.ObjectType(str(project.object_type)),
                                     params=evaluation_params(project))
        except rules.RuleError as error:
            raise EvaluationInvalid(f"价格权重不符合规定：{error}", field="price.weight") from None
        if formula == "average_benchmark" and regime_of(project) is Regime.GOVERNMENT_PROCUREMENT:
            raise EvaluationInvalid("政府采购必须采用低价优先法，不得对报价取平均（87号令第55条）",
                                    field="price.formula")
        if formula == "average_benchmark" and is_consultation(project):
            raise EvaluationInvalid("竞争性磋商以最低的有效最后报价为磋商基准价，不得取平均"
                                    "（财库〔2014〕214号第24条）", field="price.formula")
        clean = {"formula": formula, "weight": str(weight)}
        if coefficient is not None:
            clean["coefficient"] = str(coefficient)
        sme = price.get("sme")
        if sme:
            clean["sme"] = self._check_sme(project, sme)
        return clean

    @staticmethod
    def _check_sme(project, sme: dict) -> dict:
        small = decimal_or_none(sme.get("small_micro_rate"), "price.sme", "小微企业扣除比例")
        partner = decimal_or_none(sme.get("partnered_rate"), "price.sme", "联合体扣除比例")
        policy = rules.SmePolicy(small or Decimal(0), partner or Decimal(0),
                                 bool(sme.get("reserved_for_sme")))
        try:
            rules.check_sme_policy(policy, rules.ObjectType(str(project.object_type)),
                                   evaluation_params(project))
        except rules.RuleError as error:
            raise EvaluationInvalid(f"中小企业价格扣除比例不符合规定：{error}",
                                    field="price.sme") from None
        return {"small_micro_rate": str(policy.small_micro_rate),
                "partnered_rate": str(policy.partnered_rate),
                "reserved_for_sme": policy.reserved_for_sme}

    def lock(self, project: Project, *, actor: Actor) -> None:
        """At publication: the criteria become part of the published documents."""
        criteria = self.of(project)
        if criteria is not None and criteria.locked_at is None:
            criteria.locked_at = self.clock()
            record(self.db, actor, "criteria.published", "project", project.id,
                   now=criteria.locked_at)


@dataclass(frozen=True)
class Mark:
    """One cell an expert fills in: a score (text as typed) or pass/fail."""

    bid_id: int
    item_id: str
    value: str | None = None
    passed: bool | None = None
    reason: str = ""


def valid_lines(db, lot: Lot) -> list[OpeningLine]:
    """The bids of the lot that opened with a valid price, in opening order."""
    query = (sa.select(OpeningLine).where(OpeningLine.lot_id == lot.id,
                                          OpeningLine.status == LineStatus.DECRYPTED)
             .order_by(OpeningLine.submitted_at, OpeningLine.id))
    return list(db.scalars(query))


def scored(db, lot: Lot) -> Scope:
    """What the committee scores in the lot: the valid lines, and in 磋商 only the
    suppliers whose final quote counts, priced by it (see ``consultation``)."""
    return scope(db, db.get(Project, lot.project_id), lot, valid_lines(db, lot))


def move_sheet(sheet: ScoreSheet, target: SheetState) -> None:
    """The only writer of a score sheet's state (trading/evaluation/status.py): the
    member submits it, an approved unlock reopens it."""
    check_transition(sheet.state, target)
    sheet.state = target


class SheetService:
    def __init__(self, dbsession, clock):
        self.db = dbsession
        self.clock = clock
        self.criteria = CriteriaService(dbsession, clock)

    def sheet(self, member: CommitteeMember, lot: Lot, *, actor: Actor) -> ScoreSheet:
        """The member's sheet for the lot, opened on first use once the evaluation runs."""
        self._sitting(member, actor)
        found = self.db.scalar(sa.select(ScoreSheet).where(ScoreSheet.member_id == member.id,
                                                           ScoreSheet.lot_id == lot.id))
        if found is not None:
            return found
        if lot.project_id != member.committee.project_id:
            raise EvaluationInvalid("标段不属于本项目", field="lot_id")
        now = self.clock()
        sheet = ScoreSheet(committee_id=member.committee_id, member_id=member.id,
                           lot_id=lot.id, state=SheetState.DRAFT, created_at=now,
                           updated_at=now)
        self.db.add(sheet)
        self.db.flush()
        return sheet

    @staticmethod
    def _sitting(member: CommitteeMember | None, actor: Actor) -> None:
        if member is None or member.user_id != actor.user_id:
            raise NotAMember("只有评标委员会成员本人可以评分")
        if member.state is not MemberState.SIGNED_IN:
            raise EvaluationConflict("请先确认参加并签到，再评分")
        if member.committee.status is not CommitteeStatus.SITTING:
            raise EvaluationConflict("评标尚未开始或已经结束")

    def grid(self, sheet: ScoreSheet) -> tuple[list[dict], list[OpeningLine]]:
        lot = self.db.get(Lot, sheet.lot_id)
        criteria = self.criteria.published(self.db.get(Project, lot.project_id))
        return criteria.items, scored(self.db, lot).lines

    def _scorable(self, sheet: ScoreSheet) -> None:
        require_revealed(scored(self.db, self.db.get(Lot, sheet.lot_id)))

    def save(self, sheet: ScoreSheet, marks: list[Mark], *, actor: Actor) -> ScoreSheet:
        """Check every mark first (bid, item, range, step); then store them all or none."""
        self._sitting(sheet.member, actor)
        if sheet.state is SheetState.SUBMITTED:
            raise SheetLocked("评分表已提交并锁定，不能修改；如需更正须由组长与监管共同解锁")
        self._scorable(sheet)
        items, lines = self.grid(sheet)
        by_id, bids = {i["item_id"]: i for i in items}, {line.bid_id for line in lines}
        checked = [self._check(mark, by_id, bids) for mark in marks]
        existing = {(e.bid_id, e.item_id): e for e in sheet.entries}
        now = self.clock()
        for mark, value in checked:
            entry = existing.get((mark.bid_id, mark.item_id))
            if entry is None:
                entry = ScoreEntry(bid_id=mark.bid_id, item_id=mark.item_id)
                sheet.entries.append(entry)
            entry.value, entry.passed = value, mark.passed if value is None else None
            entry.reason, entry.updated_at = mark.reason.strip()[:1000], now
        sheet.updated_at = now
        self.db.flush()
        return sheet

    @staticmethod
    def _check(mark: Mark, items: dict, bids: set) -> tuple[Mark, Decimal | None]:
        field = f"{mark.bid_id}.{mark.item_id}"
        if mark.bid_id not in bids:
            raise EvaluationInvalid("该投标不在本标段的有效投标中", field=field)
        item = items.get(mark.item_id)
        if item is None:
            raise EvaluationInvalid("评审因素不在已发布的评分办法中", field=field)
        if item["kind"] == PASS_FAIL:
            if mark.passed is None:
                raise EvaluationInvalid(f"“{item['name']}”请选择合格或不合格", field=field)
            return mark, None
        value = decimal_or_none(mark.value, field, f"“{item['name']}”的分数")
        if value is None:
            raise EvaluationInvalid(f"“{item['name']}”请填写分数", field=field)
        try:
            return mark, rules.validate_item_score(scoring_item(item), value)
        except rules.ScoreOutOfRange:
            raise EvaluationInvalid(
                f"“{item['name']}”的分数{value}超出范围（{item.get('min_score', '0')}～"
                f"{item['max_score']}分）", field=field) from None
        except rules.ScoreOffStep:
            step = item.get("step") or "、".join(item.get("allowed_values") or ())
            raise EvaluationInvalid(f"“{item['name']}”的分数{value}不符合分值步长或档次（{step}）",
                                    field=field) from None

    def submit(self, sheet: ScoreSheet, *, actor: Actor) -> ScoreSheet:
        """提交: every bid × item filled; then the sheet is locked."""
        self._sitting(sheet.member, actor)
        if sheet.state is SheetState.SUBMITTED:
            raise SheetLocked("评分表已提交，不能重复提交")
        self._scorable(sheet)
        items, lines = self.grid(sheet)
        filled = {(e.bid_id, e.item_id) for e in sheet.entries}
        missing = [(line.bid_id, i["item_id"]) for line in lines for i in items
                   if (line.bid_id, i["item_id"]) not in filled]
        if missing:
            bid, item = missing[0]
            raise EvaluationInvalid(f"还有{len(missing)}项未评分", field=f"{bid}.{item}")
        move_sheet(sheet, SheetState.SUBMITTED)
        sheet.submitted_at = self.clock()
        record(self.db, actor, "sheet.submitted", "committee", sheet.committee_id,
               now=sheet.submitted_at, sheet_id=sheet.id, lot_id=sheet.lot_id)
        return sheet
