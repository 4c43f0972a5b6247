"""Demo accounts: a user of every role, their companies registered as the sign-up page
registers them."""

from ..accounts.models import Role
from .helpers import company, person

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
    orgs = {key: (i, spec) for i, (key, *spec) in enumerate(ORGANISATIONS, 1)}
    for username, display, role, org_key in USERS:
        if org_key is None:
            person(dbsession, clock, settings, username=username, display_name=display,
                   role=role)
            continue
        i, (name, body, org_role, region, contact) = orgs[org_key]
        # Each its own contact: shared ones are a collusion signal (rules §7.9).
        company(dbsession, clock, settings, name=name, credit_body=body, role=org_role,
                username=username, display_name=display, region=region,
                contact_name=contact, contact_phone=f"0591-8888{i:04d}",
                contact_email=f"{org_key}@example.cn")
