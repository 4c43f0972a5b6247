"""Builders for the supermarket tests: a catalogue, entered intermediaries, purchases."""

import io
from datetime import timedelta

import pytest
import sqlalchemy as sa
from factories import actor_for, make_user

from trading.accounts.models import Role
from trading.audit.models import AuditEvent
from trading.demo.intermediaries import sealed_quote
from trading.errors import DomainError
from trading.intermediaries.rules import AmountMode, FundingSource, SelectionMethod
from trading.intermediaries.service import EntryInput, IntermediaryService, PurchaseInput


class World:
    """A center, an owner, one service type with one item, and helpers around them."""

    def __init__(self, dbsession, clock, settings, registry):
        self.db, self.clock, self.settings, self.registry = dbsession, clock, settings, registry
        self.service = IntermediaryService(dbsession, clock, registry["keys"],
                                           registry["storage"])
        self.center = make_user(dbsession, clock, settings, role=Role.CENTER)
        self.owner = make_user(dbsession, clock, settings, role=Role.OWNER)
        self.type = self.service.add_service_type(
            code=f"T{id(self) % 100000}", name="工程造价咨询",
            required_qualification="工程造价咨询企业资质", actor=actor_for(self.center))
        self.item = self.service.add_service_item(
            self.type, code=f"I{id(self) % 100000}", name="施工图预算编制",
            approval_item="施工图审查", actor=actor_for(self.center))

    def entry_input(self, service_type=None, valid_until=None, **kw) -> EntryInput:
        today = self.service.today()
        values = dict(
            licence_number="LIC-1", legal_representative="张法人", registered_capital=100_000_00,
            business_scope="工程咨询", address="市府路1号", licence_valid_until=None,
            practitioners=({"name": "李造价", "certificate": "一级造价师",
                            "social_insurance_months": 12},),
            lines=({"service_type_id": (service_type or self.type).id, "certificate_no": "Z-1",
                    "grade": "甲级", "valid_from": today - timedelta(days=365),
                    "valid_until": valid_until or today + timedelta(days=365)},),
            commitment=True, signed_by="张法人")
        values.update(kw)
        return EntryInput(**values)

    def intermediary(self, active=True, **kw):
        user = make_user(self.db, self.clock, self.settings, role=Role.INTERMEDIARY)
        entry = self.service.save_application(user.organisation, self.entry_input(**kw),
                                              actor=actor_for(user))
        if active:
            self.service.submit_application(entry, actor=actor_for(user))
            self.service.approve_entry(entry, actor=actor_for(self.center))
        return user

    def purchase_input(self, method=SelectionMethod.RANDOM, funding=FundingSource.STATE_FUNDS,
                       **kw) -> PurchaseInput:
        now = self.clock()
        mode = AmountMode.FIXED if method in (SelectionMethod.RANDOM, SelectionMethod.DIRECT,
                                              SelectionMethod.CREDIT_BEST) else AmountMode.RANGE
        values = dict(
            title="某道路工程施工图预算编制", project_name="某道路工程", contact="王工",
            service_type_id=self.type.id, item_ids=(self.item.id,), content="编制施工图预算",
            time_limit="30日历天", qualification_requirements="工程造价咨询资质",
            funding=funding, amount_mode=mode,
            fixed_fen=30_000_00 if mode is AmountMode.FIXED else None,
            base_fen=20_000_00 if mode is AmountMode.RANGE else None,
            highest_fen=40_000_00 if mode is AmountMode.RANGE else None,
            rate_base_fen=None, min_rate=None, max_rate=None, method=method,
            long_list_size=3 if method is SelectionMethod.CREDIT_BEST else None,
            short_list_size=2 if method is SelectionMethod.CREDIT_BEST else None,
            registration_deadline=now + timedelta(days=7),
            selection_time=now + timedelta(days=8), avoid=())
        values.update(kw)
        return PurchaseInput(**values)

    def purchase(self, publish=True, **kw):
        data = self.purchase_input(**kw)
        purchase = self.service.create_purchase(self.owner.organisation, data,
                                                actor=actor_for(self.owner))
        if publish:
            self.service.submit_purchase(purchase, actor=actor_for(self.owner))
            self.service.approve_purchase(purchase, actor=actor_for(self.center))
        return purchase

    def register(self, purchase, *users):
        for user in users:
            self.service.register(purchase, user=user, actor=actor_for(user))

    def quote(self, purchase, user, value, plan="方案"):
        """What the quote page does: seal on the intermediary's side, post the .tbid."""
        envelope = sealed_quote(purchase, user.organisation_id, value, plan)
        return self.service.submit_envelope(purchase, user=user, stream=io.BytesIO(envelope),
                                            actor=actor_for(user))

    def to_deadline(self, purchase):
        self.clock.set(purchase.registration_deadline)
        self.service.advance(purchase)

    def to_selection(self, purchase):
        self.clock.set(max(self.clock(), purchase.selection_time))
        self.service.advance(purchase)


@pytest.fixture
def im(dbsession, clock, settings, registry):
    return World(dbsession, clock, settings, registry)


def audit_count(dbsession) -> int:
    return dbsession.scalar(sa.select(sa.func.count()).select_from(AuditEvent))


def _refused(dbsession, code, fn, *args, **kw):
    """Call fn, expect a DomainError with `code`, and prove nothing was written."""
    dbsession.flush()
    before = audit_count(dbsession)
    with pytest.raises(DomainError) as caught:
        fn(*args, **kw)
    assert caught.value.code == code, caught.value.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in caught.value.message)  # Chinese text
    assert audit_count(dbsession) == before
    return caught.value



@pytest.fixture
def refused(dbsession):
    return lambda code, fn, *args, **kw: _refused(dbsession, code, fn, *args, **kw)
