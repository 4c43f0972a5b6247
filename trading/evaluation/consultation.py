"""竞争性磋商 in the evaluation: which responses the panel (磋商小组) scores, at which price.

The rounds with each supplier, withdrawals and the sealed final quotes (最后报价) are the
award domain's (`trading.award.consultation`); here the final quotes replace the opening
prices (§2.2: the final quote is part of the response file) and §2.4 scores them:
综合评分法, 磋商基准价 = the lowest valid final quote, never an average.

- the panel scores only after the final quotes are revealed, and only the suppliers
  still in whose final quote counts (``rules.screen_final_quotes``: not withdrawn, a
  readable quote, within the budget/ceiling);
- the report needs at least the guard's minimum of qualified suppliers (3, or 2 under the
  project's flagged exception); with fewer, only the termination remains.
"""

from dataclasses import dataclass

from ..bidding.models import OpeningLine
from ..projects.kinds import ProcurementMethod
from ..projects.models import Lot, Project
from .errors import EvaluationConflict


def is_consultation(project: Project) -> bool:
    return project.procurement_method is ProcurementMethod.COMPETITIVE_CONSULTATION


@dataclass(frozen=True)
class Scope:
    """The lines the committee scores and each one's price for the price score."""

    lines: list[OpeningLine]
    prices: dict[int, int]  # bid id -> price (分): the final quote in 磋商
    revealed: bool = True  # 磋商: the final quotes are open (always True otherwise)
    excluded: dict[int, str] | None = None  # bid id -> why its final quote does not count


def scope(db, project: Project, lot: Lot, lines: list[OpeningLine]) -> Scope:
    """The valid opening lines, narrowed and re-priced by the final quotes in 磋商."""
    if not is_consultation(project):
        return Scope(lines, {line.bid_id: line.total_price for line in lines})
    from ..award import consultation as panel

    quotes = panel.final_quotes(db, lot)
    if quotes is None or not quotes.revealed:
        gone = panel.withdrawn_orgs(db, lot)
        return Scope([line for line in lines if line.bid.bidder_org_id not in gone], {},
                     revealed=False)
    screened = panel.screen(db, project, lot, quotes)
    kept, excluded = [], {}
    for line in lines:
        key = str(line.bid.bidder_org_id)
        if key in screened.valid:
            kept.append(line)
        else:
            excluded[line.bid_id] = str(screened.excluded.get(key, "withdrawn"))
    return Scope(kept, {line.bid_id: screened.valid[str(line.bid.bidder_org_id)]
                        for line in kept}, excluded=excluded)


def require_revealed(found: Scope) -> None:
    if not found.revealed:
        raise EvaluationConflict("最后报价尚未揭示：磋商小组在最后报价揭示后对最终响应评分",
                                 field="final_quotes")


def check_qualified(project: Project, qualified: int) -> None:
    """Before the report: enough qualified suppliers remain (214号 Art 34), else refuse."""
    if is_consultation(project):
        from ..award.consultation import check_guard

        check_guard(project, qualified, what="通过评审的供应商")
