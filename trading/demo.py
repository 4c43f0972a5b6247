"""Demo data: a user of every role, loaded idempotently by `trading demo development.ini`.

Later domains append their own loaders to LOADERS; each must be safe to run twice.
"""

import importlib

import sqlalchemy as sa

from .accounts.models import Organisation, Role, User
from .accounts.rules import make_credit_code
from .accounts.service import AccountService
from .actor import Actor
from .db import registry_of

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

LOADERS = []
# Loaders that need every other domain's demo data first (e.g. the collusion scans of
# the openings): run after all of LOADERS.
LAST_LOADERS = []


def demo_loader(fn):
    LOADERS.append(fn)
    return fn


@demo_loader
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


# Each domain's demo module registers its loaders with @demo_loader when imported; the
# order here is the order they run in (later ones use what earlier ones made).
DEMO_MODULES = ("trading.award.demo", "trading.projects.demo", "trading.draws.demo",
                "trading.bidding.demo", "trading.smallworks.demo", "trading.evaluation.demo",
                "trading.award.consultation_demo", "trading.audit.demo",
                "trading.intermediaries.demo", "trading.bidsecurity.demo")


def load_demo(dbsession, clock, settings) -> None:
    from .audit import merkle
    for name in DEMO_MODULES:
        importlib.import_module(name)
    # Demo loaders write on demo clocks that lie in the past (a bid "a day before its
    # deadline", an opening weeks ago): while they run, the log merges each event at its
    # own time, as a sequencer running back then would have, so a receipt's promise is
    # judged on one clock (merkle.sequence). Never set outside the demo.
    settings[merkle.MERGE_AS_QUEUED] = True
    try:
        # Not `LOADERS + LAST_LOADERS`: a loader may reorder LOADERS while they run (the
        # bidding demo moves its own to the end), and a copy would not see it.
        for loader in LOADERS:
            loader(dbsession, clock, settings)
        for loader in LAST_LOADERS:
            loader(dbsession, clock, settings)
        # The demo shows a signed checkpoint from the first minute.
        merkle.sequence(dbsession, registry_of(dbsession)["keys"], settings, now=clock())
        # …cosigned by the demo supervisor's witness, which `make run` starts.
        from .audit.demo import prepare_witness

        prepare_witness(settings, registry_of(dbsession)["keys"])
    finally:
        settings.pop(merkle.MERGE_AS_QUEUED, None)
