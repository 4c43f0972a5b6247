"""The bid-security demo covers every state, and loads twice without change."""

from collections import Counter

import pytest
import sqlalchemy as sa

from trading.audit.models import AuditEvent
from trading.bidsecurity.models import (
    BankNotification,
    Disposition,
    Forfeiture,
    Guarantee,
    Refund,
    RefundStatus,
    SecurityCheck,
    SecurityStatus,
)
from trading.bidsecurity.rules import PaymentState
from trading.bidsecurity.service import refund_label
from trading.demo import load_demo
from trading.demo.bidsecurity import OPEN, OPENED
from trading.projects.models import Project


@pytest.mark.slow  # the whole demo loads twice
def test_the_demo_has_every_state(dbsession, clock, settings):
    load_demo(dbsession, clock, settings)
    load_demo(dbsession, clock, settings)  # idempotent
    opened = dbsession.scalar(sa.select(Project).where(Project.name == OPENED))
    still_open = dbsession.scalar(sa.select(Project).where(Project.name == OPEN))
    notes = dbsession.scalars(sa.select(BankNotification)).all()
    states = {n.state for n in notes if n.state}
    assert states == set(PaymentState)
    assert {n.reason for n in notes if n.disposition is Disposition.REJECTED} == {
        "replay", "bad_signature"}
    sealed = [n for n in notes if n.project_id == still_open.id]
    assert len(sealed) == 1 and sealed[0].sealed and sealed[0].opened is None
    refunds = Counter(x.status for x in dbsession.scalars(sa.select(Refund)))
    assert set(refunds) == set(RefundStatus)
    checks = Counter(c.status for c in dbsession.scalars(sa.select(SecurityCheck).where(
        SecurityCheck.project_id == opened.id)))
    assert checks == {SecurityStatus.SATISFIED: 4, SecurityStatus.MISSING: 1}
    # 电子保函: sealed in the open project; counted, claimed and released in the opened one.
    guarantees = dbsession.scalars(sa.select(Guarantee)).all()
    assert [g.opened for g in guarantees if g.project_id == still_open.id] == [None]
    counted = dbsession.scalars(sa.select(SecurityCheck).where(
        SecurityCheck.guarantee_id.is_not(None))).all()
    assert len(counted) == 1 and "电子保函" in counted[0].detail
    ways_back = {refund_label(x) for x in dbsession.scalars(sa.select(Refund).where(
        Refund.guarantee_id.is_not(None)))}
    assert ways_back == {"已索赔", "保函已解除"}
    refused = dbsession.scalars(sa.select(AuditEvent.data).where(
        AuditEvent.action == "bidsecurity.guarantee_refused")).all()
    assert sorted(d["code"] for d in refused) == ["bad_signature", "replay"]
    assert {str(f.status) for f in dbsession.scalars(sa.select(Forfeiture))} == {
        "proposed", "approved"}
