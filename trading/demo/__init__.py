"""Demo data: a user of every role, loaded idempotently by `trading demo development.ini`.

Each domain's demo module holds its loaders; `ORDER` below lists every one in the order
they run. Each must be safe to run twice.
"""

import sqlalchemy as sa
from pyramid.path import DottedNameResolver

from ..accounts.models import Organisation, Role, User
from ..accounts.rules import make_credit_code
from ..accounts.service import AccountService
from ..actor import Actor
from ..db import registry_of

DEMO_PASSWORD = "demo-pass-2026"  # development only; `trading demo` refuses production

ORGANISATIONS = (
    # (key, name, credit code body, role, region, contact person)
    ("owner", "市城市建设投资集团有限公司", "91350100MA2XK0001", Role.OWNER, "市本级", "王业主"),
    ("bidder1", "华建工程有限公司", "91350100MA2XK0002", Role.BIDDER, "鼓楼区", "李投标"),
    ("bidder2", "闽江路桥建设有限公司", "91350100MA2XK0003", Role.BIDDER, "台江区", "陈投标"),
    ("bidder3", "榕城市政工程有限公司", "91350100MA2XK0004", Role.BIDDER, "仓山区", "林投标"),
    ("agency", "正衡工程咨询有限公司", "91350100MA2XK0005", Role.INTERMEDIARY, "晋安区",
     "赵中介"),
)

USERS = (
    # (username, display name, role, organisation key)
    ("owner1", "王业主", Role.OWNER, "owner"),
    ("bidder1", "李投标", Role.BIDDER, "bidder1"),
    ("bidder2", "陈投标", Role.BIDDER, "bidder2"),
    ("bidder3", "林投标", Role.BIDDER, "bidder3"),
    ("agency1", "赵中介", Role.INTERMEDIARY, "agency"),
    ("expert1", "周专家", Role.EXPERT, None),
    ("center1", "吴中心", Role.CENTER, None),
    ("supervisor1", "郑监管", Role.SUPERVISOR, None),
    # 三员分立: one of each administrator (they have no business pages).
    ("sysadmin1", "孙系统", Role.SYSADMIN, None),
    ("secadmin1", "钱安全", Role.SECADMIN, None),
    ("auditor1", "冯审计", Role.AUDITOR, None),
)

def load_accounts(dbsession, clock, settings) -> None:
    accounts = AccountService(dbsession, clock, settings)
    actor = Actor.system("demo")
    orgs = {}
    for i, (key, name, body, role, region, contact) in enumerate(ORGANISATIONS, 1):
        code = make_credit_code(body)
        org = dbsession.scalar(sa.select(Organisation).where(Organisation.credit_code == code))
        if org is None:
            # Each its own contact: shared ones are a collusion signal (rules §7.9).
            org = Organisation(name=name, credit_code=code, role=role, region=region,
                               contact_name=contact, contact_phone=f"0591-8888{i:04d}",
                               contact_email=f"{key}@example.cn", created_at=clock())
            dbsession.add(org)
            dbsession.flush()
        orgs[key] = org
    for username, display, role, org_key in USERS:
        if dbsession.scalar(sa.select(User.id).where(User.username == username)) is None:
            accounts.create_user(username=username, display_name=display,
                                 password=DEMO_PASSWORD, role=role,
                                 organisation=orgs.get(org_key), actor=actor)


# Every loader, in the order they run: later ones use what earlier ones made.
ORDER = (
    # Rule profiles before the projects demo posts anything.
    "trading.demo.award:load_final_offer_profile",
    "trading.demo.consultation:load_consultation_profile",
    # No opening until the bids exist: `load_bids` resumes it.
    "trading.demo.bidding:pause_opening",
    "trading.demo:load_accounts",
    # `custodians` projects get the bidding demo's custodians before their approval.
    "trading.demo.projects:load_projects",
    "trading.demo.draws:load_draws",
    "trading.demo.intermediaries:load_supermarket",
    "trading.demo.smallworks:load_smallworks",
    # After every other domain's projects: bids, then what needs the opened bids.
    "trading.demo.bidding:load_bids",
    "trading.demo.award:load_award_demo",
    # The evaluation's pool goes first, the consultation's panel after it.
    "trading.demo.evaluation:load_evaluation",
    "trading.demo.consultation:load_consultation_demo",
    # Before the collusion scans, which then cover this opening too.
    "trading.demo.bidsecurity:load_bid_security",
    "trading.demo.audit:load_signals",
    "trading.demo.audit:load_overdue",
    # Last: a few unread messages per demo account, beside those the events wrote.
    "trading.demo.messages:load_messages",
)


def loaders() -> list:
    resolver = DottedNameResolver()
    return [resolver.resolve(name) for name in ORDER]


def load_demo(dbsession, clock, settings) -> None:
    from ..audit import merkle

    # Demo loaders write on demo clocks that lie in the past (a bid "a day before its
    # deadline", an opening weeks ago): while they run, the log merges each event at its
    # own time, as a sequencer running back then would have, so a receipt's promise is
    # judged on one clock (merkle.sequence). Never set outside the demo.
    settings[merkle.MERGE_AS_QUEUED] = True
    try:
        for loader in loaders():
            loader(dbsession, clock, settings)
        # The demo shows a signed checkpoint from the first minute.
        merkle.sequence(dbsession, registry_of(dbsession)["keys"], settings, now=clock())
        # …cosigned by the demo supervisor's witness, which `make run` starts.
        from .audit import prepare_witness

        prepare_witness(settings, registry_of(dbsession)["keys"])
    finally:
        settings.pop(merkle.MERGE_AS_QUEUED, None)
