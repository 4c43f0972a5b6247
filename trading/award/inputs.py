"""An award's inputs, provable to an outsider (issue #17 pt 4).

The award is computed from the candidates the evaluation report fixed (rank, price, score
per bidder). When a report locks, each of its candidates is logged as an input of its lot's
set, with those figures, and a candidate of an earlier report that is not in the new one is
logged out; when the 中标候选人公示 starts, the inputs are fixed: the log's checkpoint is
signed and the publicity names, per lot, each candidate's entry. `python -m bid_crypto
verify-set` then checks, against the pinned log key, that the candidates the award was
decided from are exactly those logged between the evaluation and the award, with the
logged figures: one added or dropped in between is named.
"""

from ..audit import logset


def inputs_key(lot_id: int) -> str:
    return f"award-inputs:lot:{lot_id}"


def member(org_id: int) -> str:
    return f"B{org_id}"


def facts(rank, price_fen, score) -> dict:
    """The figures an input is logged with and the publicity must repeat."""
    return {"rank": rank, "price_fen": price_fen,
            "score": None if score is None else str(score)}


def log_report(dbsession, report, *, now) -> None:
    """A locked report's candidates become its lot's award inputs; an earlier report's
    candidate missing from it leaves them."""
    key = inputs_key(report.lot_id)
    current = logset.current_members(dbsession, key)
    now_in = {member(c.bidder_org_id): c for c in report.candidates}
    for gone in sorted(current - set(now_in)):
        logset.append(dbsession, key, gone, logset.OUT, now=now, cause="report_superseded",
                      report=report.id)
    for ident, c in now_in.items():
        logset.append(dbsession, key, ident, logset.IN, now=now, cause="report_locked",
                      report=report.id, **facts(c.rank, c.price, c.total_score))
